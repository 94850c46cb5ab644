"""build_report: analysis in, reports/<run-id>/ and reports/latest/ out."""

from __future__ import annotations

import csv
from contextlib import nullcontext
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from flows import compute, progress
from flows.analyze import analyze
from flows.compute import Sealed
from pipeline import runs
from pipeline.analysis import Analysis
from pipeline.locking import ProjectLock
from pipeline.project import ProjectPaths


@task(cache_policy=NO_CACHE)
def write_report(analysis: Sealed[Analysis], paths: ProjectPaths, manifest: dict) -> str:
    """``analysis`` sealed, so Prefect does not walk it (see flows/analyze.py)."""
    progress.say("Writing the report")
    folder = runs.write_run_report(analysis.value, paths, manifest)
    create_markdown_artifact(
        key="berdaya-report",
        markdown=(folder / "report.md").read_text(encoding="utf-8"),
        description=f"berdaya report {manifest['run_id']}",
    )
    with (folder / "similarity.csv").open(encoding="utf-8") as handle:
        create_table_artifact(
            key="berdaya-similarity",
            table=list(csv.DictReader(handle)),
            description="The cited works against the case: cosine, topic distance, theme overlap",
        )
    return str(folder)


@flow(name="build_report")
def build_report(
    root: str | None = None,
    seed: int = 20240601,
    hold_lock: bool = True,
    wait_for_lock: float = 0.0,
    dask: str | None = None,
    corpus_filter: dict | None = None,
) -> str:
    """Analyse what is stored (no refresh) and write the report; returns the report folder.

    ``dask``: preprocess on a Dask cluster (see analyze). ``corpus_filter``: analyse only these
    years, journals or subjects (``CorpusFilter.as_dict``; the registry works are always kept).
    """
    paths = ProjectPaths.discover(Path(root) if root else None)
    lock = (
        ProjectLock(paths.corpus, "berdaya report", wait_for_lock) if hold_lock else nullcontext()
    )
    with lock:
        with compute.cluster(dask, paths) as address:
            on = address or compute.OFF
            analysis, manifest = analyze(
                root=str(paths.root), seed=seed, dask=on, corpus_filter=corpus_filter
            ).value
        return write_report(Sealed(analysis), paths, manifest)
