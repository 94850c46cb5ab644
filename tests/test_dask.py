"""The job on a real Dask cluster (a LocalCluster of two worker processes) against the same job
here: the same report, with harvesting and preprocessing really done by the workers.

Needs the optional dask extra: skipped without it, but a failure under CI, which installs it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.oaiserver import LoopbackServer, OAIRepository, article

BERDAYA = Path(sys.executable).parent / "berdaya"
SAME_FILES = (
    "similarity.csv",
    "topics.csv",
    "doc_topics.csv",
    "themes.csv",
    "evidence.csv",
    "stemming_audit.csv",
)


def _require_dask() -> None:
    if importlib.util.find_spec("prefect_dask") is not None:
        return
    reason = "the dask extra is not installed (pip install -c constraints.txt -e '.[dask]')"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true, so this is an error, not a skip")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two worker processes, one thread each: what `--dask local` starts."""
    _require_dask()
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as local,
        Client(local, set_as_default=False) as client,
    ):
        # The workers import the cluster's flow module while the run here goes on, as a
        # long-lived cluster's workers would have done before.
        warming = [
            client.submit(_import_cluster_flows, workers=[worker], pure=False)
            for worker in client.scheduler_info()["workers"]
        ]
        yield client
        del warming


def _import_cluster_flows() -> None:
    import flows.cluster  # noqa: F401


def journal(first: int, count: int) -> OAIRepository:
    """A journal of ``count`` small bilingual articles numbered from ``first``, varied enough
    that topics and themes differ between them."""
    when = datetime(2026, 1, 5, tzinfo=UTC)
    topics = (
        "kemitraan pemerintah daerah dan lembaga swadaya masyarakat dalam pendampingan petani",
        "badan usaha milik desa mengelola dana desa untuk usaha ekonomi masyarakat",
        "partisipasi perempuan dalam musyawarah perencanaan pembangunan desa",
        "pelatihan keterampilan dan modal usaha bagi kelompok nelayan pesisir",
    )
    return OAIRepository(
        [
            article(n, when=when, abstract_id=f"Penelitian ini membahas {topics[n % 4]} ke-{n}.")
            for n in range(first, first + count)
        ],
        page_size=5,
    )


def two_journal_project(project: Path, alpha: str, beta: str) -> Path:
    (project / "corpus" / "sources.toml").write_text(
        f'[[source]]\nname = "alpha"\nbase_url = "{alpha}/oai"\n\n'
        f'[[source]]\nname = "beta"\nbase_url = "{beta}/oai"\n',
        encoding="utf-8",
    )
    return project


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_run_on_a_local_cluster_writes_the_report_of_a_run_here(
    project: Path, tmp_path_factory: pytest.TempPathFactory, cluster: Any
) -> None:
    from distributed import get_task_stream

    from flows.refresh import refresh_corpus
    from flows.run import run_all

    repositories = journal(1, 8), journal(101, 8)
    with LoopbackServer(repositories[0]) as alpha, LoopbackServer(repositories[1]) as beta:
        here = two_journal_project(project, alpha.url, beta.url)
        there = tmp_path_factory.mktemp("on-dask")
        shutil.copytree(here, there, dirs_exist_ok=True)
        address = cluster.scheduler.address

        local = run_all(root=str(here), dask="off")
        with get_task_stream(cluster) as stream:
            distributed = run_all(root=str(there), dask=address)  # first harvests: in turn
            for repository, number in zip(repositories, (9, 109), strict=True):
                repository.put(article(number, when=datetime.now(UTC)))
            assert refresh_corpus(root=str(here), dask="off") == []
            assert refresh_corpus(root=str(there), dask=address) == []  # at once

    assert local.problems == distributed.problems == []
    ours, theirs = Path(local.report_dir), Path(distributed.report_dir)
    for name in SAME_FILES:
        assert (ours / name).read_bytes() == (theirs / name).read_bytes(), name
    mine, other = (json.loads((d / "manifest.json").read_text()) for d in (ours, theirs))
    assert mine["documents"] == other["documents"] == 16 + 16
    assert mine["corpus_hash"] == other["corpus_hash"]
    for key in ("tokens", "distinct_terms", "topic_ids", "topics_k"):
        assert mine["metrics"][key] == other["metrics"][key], key
    assert stored(here) == stored(there)
    assert stored(there)["count"] == 16 + 18

    # The work was done by the cluster's workers: the harvests (both new journals in one task,
    # then one task per journal host) and several preprocessing chunks.
    workers = set(cluster.scheduler_info()["workers"])
    done = [(str(entry["key"]), entry["worker"]) for entry in stream.data]
    harvested = [key for key, _ in done if "harvest" in key]
    chunks = [key for key, _ in done if "preprocess" in key]
    assert len(harvested) == 1 + 2, done
    assert len(chunks) >= 2, done
    assert {worker for _, worker in done} <= workers
    assert os.getpid() not in cluster.run(os.getpid).values()


def stored(root: Path) -> dict[str, Any]:
    from pipeline.store import Store

    with Store(root / "corpus" / "berdaya.sqlite") as store:
        return {"count": store.count(), "hash": store.corpus_hash()}


def test_an_unreachable_scheduler_is_one_line(project: Path) -> None:
    _require_dask()
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    result = subprocess.run(
        [str(BERDAYA), "run", "--project", str(project), "--dask", address],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: Dask scheduler {address} not reachable: "), lines
    assert not (project / "corpus" / "berdaya.sqlite").exists()


def test_a_scheduler_without_workers_is_refused() -> None:
    _require_dask()
    from distributed import LocalCluster

    from flows import compute

    with (
        LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty,
        pytest.raises(compute.DaskUnavailable, match="has no workers"),
    ):
        compute.check(empty.scheduler_address)


def test_the_config_names_the_cluster_and_the_option_wins(project: Path) -> None:
    from flows import compute
    from pipeline.harvest import ConfigError
    from pipeline.project import ProjectPaths

    paths = ProjectPaths(project)
    assert compute.wanted(None, paths) is None  # no sources.toml: run here
    paths.sources.write_text('[compute]\ndask = "tcp://10.0.0.5:8786"\n', encoding="utf-8")
    assert compute.wanted(None, paths) == "tcp://10.0.0.5:8786"
    assert compute.wanted("local", paths) == "local"
    assert compute.wanted("off", paths) is None
    paths.sources.write_text('[compute]\ndask = "OFF"\n', encoding="utf-8")
    assert compute.wanted(None, paths) is None
    paths.sources.write_text('[compute]\nscheduler = "tcp://x:1"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[compute\]: unknown key\(s\) scheduler"):
        compute.wanted(None, paths)


def test_a_run_here_imports_no_dask() -> None:
    """Without --dask nothing of Dask is imported: the plain path neither needs it nor pays for
    importing it."""
    code = (
        "import sys, flows.cli, flows.run, flows.refresh, flows.analyze, flows.report; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('dask', 'distributed', 'prefect_dask')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
