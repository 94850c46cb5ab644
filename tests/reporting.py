"""A report written by the real pipeline from the bundled registry, with a hostile cited work.

Shared by the report tests and the browser tests: the registry is copied into a fresh project,
sujatmiko2023 gets a title and abstract carrying markup (as a hostile harvested source might), and
any extra documents go in beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline import runs
from pipeline.analysis import Analysis, AnalysisParams
from pipeline.documents import Document, stable_id
from pipeline.project import ProjectPaths, new_run_id
from pipeline.store import Store
from pipeline.topics.lda import TopicParams

FAST = AnalysisParams(topics=TopicParams(k_values=(2, 3), passes=3, iterations=30))
REPO = Path(__file__).resolve().parents[1]


def write_hostile_report(
    root: Path, hostile: str, abstract: str, extra: Sequence[Document] = ()
) -> tuple[Path, Analysis]:
    """(report folder, analysis): ``hostile`` is appended to the cited work's title, and the
    abstract becomes ``abstract`` followed by ``hostile``."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    for name in ("studies.toml", "codebook.toml"):
        (corpus / name).write_bytes((REPO / "corpus" / name).read_bytes())
    paths = ProjectPaths(root)
    runs.ingest_registry(paths)
    with Store(paths.store) as store:
        cited = store.get(stable_id("registry", "sujatmiko2023"))
        store.upsert(
            cited.with_changes(
                title=f"{cited.title} {hostile}", abstracts={"id": f"{abstract} {hostile}"}
            )
        )
        store.upsert_many(extra)
    docs, corpus_hash = runs.load_corpus(paths)
    analysis = runs.run_analysis(docs, paths, FAST)
    manifest = runs.base_manifest(new_run_id(), analysis, corpus_hash, paths)
    return runs.write_run_report(analysis, paths, manifest), analysis
