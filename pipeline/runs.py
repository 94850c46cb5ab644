"""The steps of one run as plain functions: what flows/ wraps as Prefect tasks.

Each step reads what the one before it produced and writes its own output atomically, with a
manifest saying exactly which corpus, parameters and library versions made it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.analysis import Analysis, AnalysisParams, Prepared, analyse, prepare
from pipeline.artifacts import (
    ArtifactError,
    library_versions,
    point_latest,
    sha256_file,
    write_artifact_dir,
)
from pipeline.corpus import CorpusFilter, DocumentsById, StoredCorpus
from pipeline.documents import Document
from pipeline.ingest.registry import load_registry
from pipeline.project import ProjectPaths
from pipeline.report.content import build_content
from pipeline.report.explorer import view_from_matrices, write_explorer
from pipeline.report.exports import FOLDER as CITATIONS
from pipeline.report.exports import write_exports
from pipeline.report.writer import write_report
from pipeline.store import Store
from pipeline.text.stemming import write_stemming_audit
from pipeline.themes.codebook import load_codebook
from pipeline.topics.align import TopicSnapshot
from pipeline.topics.persist import previous_topics, save_topic_result, topic_manifest

log = logging.getLogger(__name__)


def ingest_registry(paths: ProjectPaths) -> dict[str, int]:
    registry = load_registry(paths.registry)
    with Store(paths.store) as store:
        return dict(store.upsert_many(registry.documents))


def load_corpus(paths: ProjectPaths, keep: CorpusFilter | None = None) -> tuple[StoredCorpus, str]:
    """The live documents, streamed from the store when a stage reads them (pipeline/corpus.py),
    and the corpus hash they are pinned to. ``keep``: only the documents it keeps (``berdaya
    report --years/--journal/--subject``); the case and its cited works always."""
    corpus = StoredCorpus.open(paths.store, keep)
    return corpus, corpus.corpus_hash()


PARALLEL_FROM_DOCUMENTS = 20_000  # below this, starting worker processes costs more than it saves


def preprocess_workers(documents: int) -> int:
    if documents < PARALLEL_FROM_DOCUMENTS:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def run_analysis(
    docs: Sequence[Document],
    paths: ProjectPaths,
    params: AnalysisParams,
    prepared: Prepared | None = None,
) -> Analysis:
    """``prepared``: token lists made elsewhere (a Dask cluster); else made here, with the
    project's stem cache, in worker processes for large corpora."""
    if prepared is None:
        prepared = prepare(docs, workers=preprocess_workers(len(docs)), stem_cache=paths.stem_cache)
    return analyse(
        docs,
        load_codebook(paths.codebook),
        params,
        paths.corpus / "labels",
        previous_topics=last_topics(paths),
        prepared=prepared,
    )


def last_topics(paths: ProjectPaths) -> TopicSnapshot | None:
    """The newest complete model run's topics, if its files check out (else start afresh)."""
    if not paths.models.is_dir():
        return None
    runs_done = sorted(
        (p for p in paths.models.iterdir() if p.is_dir() and not p.name.startswith(".")),
        reverse=True,
    )
    for folder in runs_done:
        try:
            return previous_topics(folder, paths.models)
        except (ArtifactError, OSError, ValueError) as exc:
            log.warning("previous topics in %s not used: %s", folder, exc)
    return None


def base_manifest(run_id: str, analysis: Analysis, corpus_hash: str, paths: ProjectPaths) -> dict:
    return {
        "run_id": run_id,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "corpus_hash": corpus_hash,
        "documents": len(analysis.documents),
        "parameters": analysis.params.as_dict(),
        "seeds": analysis.seeds(),
        "inputs": {
            "registry_sha256": sha256_file(paths.registry),
            "codebook_sha256": analysis.codebook.sha256,
        },
        "libraries": library_versions(),
        "metrics": analysis.metrics(),
    }


def save_models(analysis: Analysis, paths: ProjectPaths, manifest: dict[str, Any]) -> Path:
    run_id = manifest["run_id"]
    return write_artifact_dir(
        paths.models,
        run_id,
        lambda folder: save_topic_result(analysis.topics, folder, run_id),
        {**manifest, **topic_manifest(analysis.topics), "kind": "topic-model"},
    )


def write_run_report(analysis: Analysis, paths: ProjectPaths, manifest: dict[str, Any]) -> Path:
    content = build_content(analysis, manifest["run_id"], manifest)

    def fill(target: Path) -> None:
        write_report(content, target)
        write_topic_explorer(analysis, target / "explorer.html")
        write_stemming_audit(analysis.preprocessor.stemmer, target / "stemming_audit.csv")
        write_citations(analysis, target / CITATIONS)

    folder = write_artifact_dir(
        paths.reports, manifest["run_id"], fill, {**manifest, "kind": "report"}
    )
    point_latest(paths.reports, folder.name)
    return folder


def write_citations(analysis: Analysis, folder: Path) -> dict[str, int]:
    """BibTeX, RIS and CSL-JSON of the case, its cited works, its neighbours and the corpus."""
    docs = analysis.documents
    case, cited = docs[analysis.case_index], [docs[i] for i in analysis.cited_indices]
    return write_exports(
        folder,
        docs,
        case_id=case.id,
        cited_ids=[d.id for d in cited],
        neighbour_ids=[docs[n.index].id for n in analysis.neighbours],
        reserved=[case.key, *(d.key for d in cited)],
    )


def write_topic_explorer(analysis: Analysis, path: Path) -> None:
    """The interactive topic explorer beside the report (one offline HTML file)."""
    # The recurring topics, and the others folded into one "unstable" topic (lda.folded)
    topic_word, doc_topics, ids, labels = analysis.topics.folded()
    view = view_from_matrices(topic_word, doc_topics, analysis.topics.dictionary, analysis.tokens)
    write_explorer(
        path,
        view,
        analysis.preprocessor.surface,
        title="berdaya: topic explorer",
        topic_names=ids,
        topic_labels=labels,
        doc_labels=[d.key for d in analysis.documents],
    )


def write_coding_sheet(paths: ProjectPaths, sheet: Path, limit: int, seed: int) -> int:
    """The documents the classifier is least sure about, as a sheet for a researcher to code."""
    from pipeline.text.preprocess import Preprocessor
    from pipeline.themes.run import run_themes, write_label_queue

    docs, _ = load_corpus(paths)
    pre = Preprocessor()
    tokens = [pre.document_tokens(d) for d in docs]
    run = run_themes(
        docs,
        tokens,
        load_codebook(paths.codebook),
        paths.corpus / "labels",
        pre,
        seed=seed,
        with_evaluation=False,
    )
    return write_label_queue(run, docs, sheet, limit)


def import_coding_sheet(paths: ProjectPaths, sheet: Path) -> Any:
    """A filled sheet merged into corpus/labels/researcher.csv; the next run learns from it."""
    from pipeline.themes.sheet import import_sheet

    docs, _ = load_corpus(paths)
    return import_sheet(
        sheet,
        DocumentsById(docs, docs.ids),
        load_codebook(paths.codebook),
        paths.corpus / "labels" / "researcher.csv",
    )


def export_citations(
    paths: ProjectPaths,
    out: Path,
    formats: Sequence[str],
    sets: Sequence[str],
) -> tuple[dict[str, int], list[str]]:
    """``berdaya export``: the citation files of what is stored, without a new analysis.

    The neighbours are those of the latest report (its nearest_uncited.csv), since finding them
    takes a whole analysis; without a report that set is empty and a warning says why.
    """
    import csv

    from pipeline.documents import stable_id
    from pipeline.ingest.registry import SOURCE

    registry = load_registry(paths.registry)
    docs, _ = load_corpus(paths)
    warnings: list[str] = []
    neighbour_ids: list[str] = []
    table = paths.reports / "latest" / "nearest_uncited.csv"
    if "neighbours" in sets:
        if table.is_file():
            registry_keys = {d.key for d in registry.documents}
            with table.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    key = row.get("key", "")
                    neighbour_ids.append(stable_id(SOURCE, key) if key in registry_keys else key)
        else:
            warnings.append(
                f"no report yet ({table} is missing): the neighbours come from the latest "
                "report; run `berdaya report` first"
            )
    counts = write_exports(
        out,
        docs,
        case_id=registry.case.id,
        cited_ids=[d.id for d in registry.cited],
        neighbour_ids=neighbour_ids,
        formats=formats,
        sets=sets,
        reserved=[d.key for d in registry.documents],
    )
    return counts, warnings
