"""A refresh killed with SIGKILL mid-harvest, run again, equals one uninterrupted harvest.

The refresh runs as ``python -m pipeline.harvest`` in a subprocess against the loopback server.
The server holds the request for page 4 (so pages 1-3 are served and committed) and signals; the
test kills the process there, runs the refresh again, and compares ids and content hashes with a
store filled by one uninterrupted harvest of the same repository.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pipeline.harvest import Source, harvest_source
from pipeline.store import Store
from tests.oaiserver import LoopbackServer, OAIRepository, Reply, Request, article, fast_options

REPO_ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2022, 1, 1, tzinfo=UTC)


def snapshot(path: Path) -> dict[str, tuple[str, bool]]:
    with Store(path) as store:
        return {
            d.id: (d.content_hash, d.deleted) for d in store.iter_documents(include_deleted=True)
        }


def run_refresh(store: Path, sources: Path) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        "-m",
        "pipeline.harvest",
        "--store",
        str(store),
        "--sources",
        str(sources),
        "--attempts",
        "1",
        "--timeout",
        "30",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_kill_9_mid_harvest_then_rerun_equals_one_harvest(tmp_path: Path) -> None:
    records = [article(i, when=T0 + timedelta(hours=i)) for i in range(1, 81)]
    repo = OAIRepository(records, page_size=10)
    # Deleted records move to the end of the list (page 8), as a datestamp order puts them.
    repo.delete("oai:journal.example.org:article/17", T0 + timedelta(days=30))
    page_four_asked = threading.Event()
    release = threading.Event()
    interrupted = {"done": False}

    def hold_page_four(page: int, request: Request) -> Reply | None:
        if page == 4 and not interrupted["done"]:
            page_four_asked.set()
            release.wait(timeout=60)
        return None

    repo.before_page = hold_page_four
    with LoopbackServer(repo) as server:
        sources = tmp_path / "sources.toml"
        sources.write_text(
            f'[[source]]\nname = "noken"\nbase_url = "{server.url}/index.php/jn/oai"\n'
        )
        store_path = tmp_path / "interrupted.sqlite"
        try:
            process = run_refresh(store_path, sources)
            assert page_four_asked.wait(timeout=60), "the refresh never asked for page 4"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            assert process.returncode == -signal.SIGKILL
        finally:
            interrupted["done"] = True
            release.set()

        killed = snapshot(store_path)
        assert len(killed) == 30  # pages 1-3 committed, nothing of page 4
        with Store(store_path) as store:
            mark = store.watermark("oai:noken")
            assert mark is None or mark.harvested_to is None

        rerun = run_refresh(store_path, sources)
        out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err
        assert out.startswith("source noken: ok: 49 added, 0 updated, 1 deleted, 30 unchanged")

        reference_path = tmp_path / "reference.sqlite"
        with Store(reference_path) as reference:
            source = Source("noken", f"{server.url}/index.php/jn/oai")
            assert harvest_source(reference, source, options=fast_options()).ok

    assert snapshot(store_path) == snapshot(reference_path)
    with Store(store_path) as store, Store(reference_path) as reference:
        assert store.corpus_hash() == reference.corpus_hash()
        assert store.count() == 79
