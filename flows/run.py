"""run_all, the main job: refresh the corpus, analyse it, write the report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect import flow

from flows import compute
from flows.refresh import refresh_corpus
from flows.report import build_report
from pipeline.locking import ProjectLock
from pipeline.project import ProjectPaths


@dataclass(frozen=True)
class RunResult:
    report_dir: str
    problems: list[str]


@flow(name="run_all")
def run_all(
    root: str | None = None,
    seed: int = 20240601,
    wait_for_lock: float = 0.0,
    dask: str | None = None,
) -> RunResult:
    """The whole job under one project lock, so no other run interleaves with it.

    ``dask``: harvest and preprocess on a Dask cluster: an address, ``"local"``, ``"off"``, or
    None for ``[compute]`` of corpus/sources.toml; a local cluster is started once for both.
    """
    paths = ProjectPaths.discover(Path(root) if root else None)
    with (
        ProjectLock(paths.corpus, "berdaya run", wait_for_lock),
        compute.cluster(dask, paths) as address,
    ):
        on = address or compute.OFF
        problems = refresh_corpus(root=str(paths.root), hold_lock=False, dask=on)
        report_dir = build_report(root=str(paths.root), seed=seed, hold_lock=False, dask=on)
    return RunResult(report_dir=report_dir, problems=problems)
