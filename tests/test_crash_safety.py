"""kill -9 in the middle of writing, then run again (issue 8).

Real subprocesses killed with SIGKILL: no cleanup handler runs, exactly like a power cut of the
process. Afterwards the store passes SQLite's integrity check and holds each file once, no
half-written output folder is presented as complete, and the next write tidies what was left.
"""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from pipeline.artifacts import MANIFEST, point_latest, verify_artifact_dir, write_artifact_dir

BERDAYA = Path(sys.executable).parent / "berdaya"
REPO = Path(__file__).resolve().parents[1]

_HALF_WRITER = """
import sys, time
from pathlib import Path
from pipeline.artifacts import write_artifact_dir

def fill(folder):
    (folder / "model.bin").write_bytes(b"half of a model")
    print("half written", flush=True)
    time.sleep(120)
    (folder / "second.bin").write_bytes(b"never reached")

write_artifact_dir(Path(sys.argv[1]), "run-2", fill, {"run": "run-2"})
"""


def _kill(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def _readline(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    return process.stdout.readline() if ready else ""


def _fill(text: str):
    def fill(folder: Path) -> None:
        (folder / "index.html").write_text(text, encoding="utf-8")

    return fill


def test_kill_9_while_writing_an_artifact_folder(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    write_artifact_dir(reports, "run-1", _fill("first"), {"run": "run-1"})
    point_latest(reports, "run-1")
    process = subprocess.Popen(
        [sys.executable, "-c", _HALF_WRITER, str(reports)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert _readline(process, 60).strip() == "half written"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        _kill(process)

    # The killed writer's folder is there under its temporary name, never under the final one.
    leftovers = list(reports.glob(".tmp-*"))
    assert [p.name for p in leftovers] == [f".tmp-run-2-{process.pid}"]
    assert not (reports / "run-2").exists()
    assert (reports / "latest").resolve() == (reports / "run-1").resolve()
    verify_artifact_dir(reports / "latest")

    # The next run writes the same name, removes the dead writer's leftovers, moves latest.
    write_artifact_dir(reports, "run-2", _fill("second"), {"run": "run-2"})
    point_latest(reports, "run-2")
    assert not list(reports.glob(".tmp-*"))
    assert verify_artifact_dir(reports / "latest")["run"] == "run-2"
    visible = [p for p in reports.iterdir() if not p.name.startswith(".") and p.name != "latest"]
    assert sorted(p.name for p in visible) == ["run-1", "run-2"]
    assert all((p / MANIFEST).is_file() for p in visible)


def test_a_live_writers_temporary_folder_is_left_alone(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    live = reports / f".tmp-run-9-{os.getppid()}"  # pytest's parent: alive for this test
    live.mkdir(parents=True)
    write_artifact_dir(reports, "run-1", _fill("first"), {})
    assert live.is_dir()


def test_a_latest_link_left_by_a_dead_writer_is_removed_by_the_next(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    for run in ("run-1", "run-2"):
        write_artifact_dir(reports, run, _fill(run), {"run": run})
    point_latest(reports, "run-1")
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    # point_latest makes .latest-<pid> and renames it over latest: a writer killed in between
    # leaves its link behind (hidden, never presented, but never removed either).
    dead = reports / f".latest-{int(finished.stdout)}"
    dead.symlink_to("run-2", target_is_directory=True)
    live = reports / f".latest-{os.getppid()}"  # pytest's parent: alive for this test
    live.symlink_to("run-2", target_is_directory=True)

    point_latest(reports, "run-2")
    assert not dead.is_symlink()
    assert live.is_symlink()
    assert verify_artifact_dir(reports / "latest")["run"] == "run-2"


def _documents(store: Path) -> list[str]:
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT json_extract(extra, '$.filename') FROM documents").fetchall()
    return [name for (name,) in rows]


def _count(store: Path) -> int:
    try:
        with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created yet


def test_kill_9_during_ingest_then_ingest_again(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "corpus" / "inbox").mkdir(parents=True)
    store = project / "corpus" / "berdaya.sqlite"
    papers = tmp_path / "papers"
    papers.mkdir()
    names = [f"paper{i:03d}.txt" for i in range(200)]
    for i, name in enumerate(names):
        text = f"Makalah nomor {i}: pemberdayaan masyarakat desa {i} dan kemitraan {i * 7}.\n"
        (papers / name).write_text(text, encoding="utf-8")
    command = [str(BERDAYA), "ingest", "--project", str(project), str(papers)]

    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None and _count(store) == 0:
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        _kill(process)
    stored_at_kill = _count(store)
    assert stored_at_kill > 0

    rerun = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{len(names) - stored_at_kill} documents added" in rerun.stdout
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert sorted(_documents(store)) == names  # every file once, none twice
