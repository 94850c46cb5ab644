"""analyze: read the corpus store, fit topics and themes, compare the case with its cited works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows import progress
from pipeline import runs
from pipeline.analysis import Analysis, AnalysisParams
from pipeline.project import ProjectPaths, new_run_id


@task(cache_policy=NO_CACHE)
def analyse_corpus(paths: ProjectPaths, params: AnalysisParams) -> tuple[Analysis, str]:
    progress.say("Analysing the corpus: tokens, topics, themes, comparison")
    docs, corpus_hash = runs.load_corpus(paths)
    return runs.run_analysis(docs, paths, params), corpus_hash


@task(cache_policy=NO_CACHE)
def save_models(analysis: Analysis, paths: ProjectPaths, manifest: dict[str, Any]) -> str:
    progress.say("Saving the models")
    return str(runs.save_models(analysis, paths, manifest))


@flow(name="analyze")
def analyze(root: str | None = None, seed: int = 20240601) -> tuple[Analysis, dict[str, Any]]:
    paths = ProjectPaths.discover(Path(root) if root else None)
    analysis, corpus_hash = analyse_corpus(paths, AnalysisParams(seed=seed))
    manifest = runs.base_manifest(new_run_id(), analysis, corpus_hash, paths)
    save_models(analysis, paths, manifest)
    return analysis, manifest
