"""`berdaya serve`: the schedule really fires.

Prefect's temporary in-process server never fires schedules, silently; so the proof here is end to
end: `berdaya serve` as a real subprocess (which starts a real `prefect server start`), a refresh
every 5 s, and a wait until the server lists a COMPLETED, auto-scheduled run of refresh_corpus and
the store holds what that run harvested from a loopback OJS journal. Then SIGTERM, and the server
must be gone. Every wait is bounded and every process is killed in a finally.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from flows.serve import ServeError, plan
from tests.oaiserver import LoopbackServer, OJSSite
from tests.pdfmaking import make_pdf

BERDAYA = Path(sys.executable).with_name("berdaya")
DEADLINE = 300.0  # seconds; about 60-100 s on a busy 2-core machine, most of it server start-up


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2.0).status_code == 200
    except httpx.HTTPError:
        return False


def completed_scheduled_runs(api: str) -> list[dict]:
    """Flow runs of refresh_corpus the server created from the schedule and saw complete."""
    query = {
        "flows": {"name": {"any_": ["refresh_corpus"]}},
        "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}},
    }
    try:
        response = httpx.post(f"{api}/flow_runs/filter", json=query, timeout=5.0)
    except httpx.HTTPError:
        return []
    if response.status_code != 200:
        return []
    return [run for run in response.json() if run.get("auto_scheduled") and run["deployment_id"]]


def stored_sources(store: Path) -> dict[str, int]:
    if not store.exists():
        return {}
    try:
        with contextlib.closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as db:
            rows = db.execute("SELECT source, COUNT(*) FROM documents GROUP BY source").fetchall()
    except sqlite3.Error:  # created but not yet migrated, or locked for a moment
        return {}
    return dict(rows)


def full_texts(store: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT full_text FROM documents WHERE full_text != ''").fetchall()
    return [text for (text,) in rows]


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_scheduled_refresh_really_runs(project: Path, tmp_path: Path) -> None:
    site = OJSSite()
    pdf = make_pdf(tmp_path / "g.pdf", ["Kemitraan pemerintah dan LSM dalam pemberdayaan."])
    with LoopbackServer(site) as oai:
        site.url = oai.url
        site.add_article(1, pdf.read_bytes())
        site.add_article(2)
        (project / "corpus" / "sources.toml").write_text(
            '[schedule]\ncron = "0 3 * * 1"\n\n[fulltext]\ndelay_seconds = 0\n\n'
            f'[[source]]\nname = "loop"\nbase_url = "{site.oai_url}"\nfetch_fulltext = true\n',
            encoding="utf-8",
        )
        port = free_port()
        api = f"http://127.0.0.1:{port}/api"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
        env.pop("BERDAYA_HOME", None)
        log_path = tmp_path / "serve.log"
        command = [str(BERDAYA), "serve", "--project", str(project), "--port", str(port)]
        command += ["--interval", "5"]
        started = time.monotonic()
        with log_path.open("wb") as log:
            serve = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
        runs: list[dict] = []
        sources: dict[str, int] = {}
        try:
            while time.monotonic() - started < DEADLINE and serve.poll() is None:
                runs = completed_scheduled_runs(api)
                sources = stored_sources(project / "corpus" / "berdaya.sqlite")
                if runs and sources.get("oai:loop") == 2:
                    break
                time.sleep(2)
            elapsed = time.monotonic() - started
            output = log_path.read_text(errors="replace")
            assert serve.poll() is None, f"berdaya serve exited early:\n{output[-3000:]}"
            assert runs, f"no completed scheduled run within {elapsed:.0f} s:\n{output[-3000:]}"
            assert sources.get("registry", 0) >= 16 and sources.get("oai:loop") == 2, sources
            texts = full_texts(project / "corpus" / "berdaya.sqlite")
            assert any("Kemitraan pemerintah dan LSM" in text for text in texts)
            print(f"first scheduled refresh completed {elapsed:.0f} s after `berdaya serve`")
        finally:
            if serve.poll() is None:
                serve.send_signal(signal.SIGTERM)
            try:
                code = serve.wait(60)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(serve.pid, signal.SIGKILL)
                code = serve.wait(10)
        output = log_path.read_text(errors="replace")
        # Stopped cleanly, and took its Prefect server (in its own process group) with it.
        assert code == 0, output[-3000:]
        assert "Stopping the Prefect server" in output
        assert not answers(f"{api}/health")


class TestPlan:
    def write(self, project: Path, text: str) -> None:
        (project / "corpus" / "sources.toml").write_text(text, encoding="utf-8")

    def test_cron_from_sources_toml_in_a_time_zone(self, project: Path) -> None:
        self.write(project, '[schedule]\ncron = "30 2 * * 0"\n')
        chosen = plan(project, timezone="Asia/Jakarta")
        assert (chosen.cron, chosen.interval, chosen.timezone) == (
            "30 2 * * 0",
            None,
            "Asia/Jakarta",
        )
        assert chosen.root == project.resolve()

    def test_overrides(self, project: Path) -> None:
        self.write(project, '[schedule]\ncron = "30 2 * * 0"\n')
        assert plan(project, cron="0 4 * * *", timezone="UTC").cron == "0 4 * * *"
        assert plan(project, interval=5, timezone="UTC").described == "every 5 s"

    def test_without_sources_toml_the_default_weekly_cron(self, project: Path) -> None:
        assert plan(project, timezone="UTC").cron == "0 3 * * 1"

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"cron": "0 3 * *"}, "five fields"),
            ({"interval": 0}, "positive"),
            ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ],
    )
    def test_refusals(self, project: Path, changes: dict, message: str) -> None:
        with pytest.raises(ServeError, match=message):
            plan(project, **{"timezone": "UTC", **changes})

    def test_a_bad_sources_toml_is_named(self, project: Path) -> None:
        self.write(project, "[schedule]\ncron = 'not a cron'\n")
        with pytest.raises(ServeError, match=r"sources\.toml: \[schedule\] cron"):
            plan(project, timezone="UTC")

    def test_not_a_project(self, tmp_path: Path) -> None:
        with pytest.raises(ServeError, match=r"studies\.toml is missing"):
            plan(tmp_path)
