"""analyze: read the corpus store, fit topics and themes, compare the case with its cited works.

On a Dask cluster (``dask``, see flows/compute.py) the documents are preprocessed there, in chunks
(flows/cluster.py), and the rest of the analysis runs here on their token lists.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from flows import compute, progress
from flows.cluster import preprocess_chunks
from flows.compute import Sealed
from pipeline import runs
from pipeline.analysis import Analysis, AnalysisParams, Prepared
from pipeline.corpus import CorpusFilter
from pipeline.documents import Document
from pipeline.project import ProjectPaths, new_run_id

Loaded = tuple[Sequence[Document], str, Prepared]  # documents, corpus hash, their token lists


@task(cache_policy=NO_CACHE)
def analyse_corpus(
    paths: ProjectPaths,
    params: AnalysisParams,
    loaded: Sealed[Loaded] | None = None,
    keep: CorpusFilter | None = None,
) -> tuple[Analysis, str]:
    """``loaded``: documents already read and preprocessed (on a cluster); else both done here.
    ``keep``: the report's corpus filter."""
    progress.say("Analysing the corpus: tokens, topics, themes, comparison")
    if loaded is None:
        docs, corpus_hash = runs.load_corpus(paths, keep)
        return runs.run_analysis(docs, paths, params), corpus_hash
    docs, corpus_hash, prepared = loaded.value
    return runs.run_analysis(docs, paths, params, prepared=prepared), corpus_hash


@task(cache_policy=NO_CACHE)
def save_models(analysis: Sealed[Analysis], paths: ProjectPaths, manifest: dict[str, Any]) -> str:
    progress.say("Saving the models")
    return str(runs.save_models(analysis.value, paths, manifest))


@flow(name="analyze")
def analyze(
    root: str | None = None,
    seed: int = 20240601,
    dask: str | None = None,
    corpus_filter: dict[str, Any] | None = None,
) -> Sealed[tuple[Analysis, dict[str, Any]]]:
    """The analysis and its manifest, sealed: Prefect walks a flow's return value and a task's
    arguments, element by element (4-5 s each time for the 3,662 SINTA abstracts here).

    ``dask``: preprocess on a Dask cluster: an address, ``"local"``, ``"off"``, or None for
    ``[compute]`` of corpus/sources.toml (flows/compute.py). ``corpus_filter``: the
    ``CorpusFilter.as_dict`` of the documents to analyse (``berdaya report --years ...``)."""
    paths = ProjectPaths.discover(Path(root) if root else None)
    params = AnalysisParams(seed=seed)
    keep = CorpusFilter.from_dict(corpus_filter or {})
    with compute.cluster(dask, paths) as address:
        loaded = (
            compute.run(
                preprocess_chunks, address, root=str(paths.root), corpus_filter=keep.as_dict()
            )
            if address
            else None
        )
    analysis, corpus_hash = analyse_corpus(paths, params, loaded, keep)
    manifest = runs.base_manifest(new_run_id(), analysis, corpus_hash, paths)
    if keep.active:
        manifest["corpus_filter"] = keep.as_dict()
    save_models(Sealed(analysis), paths, manifest)
    return Sealed((analysis, manifest))
