"""The analysis on a real corpus: the 3,660 SINTA abstracts beside the registry."""

from __future__ import annotations

import json

import pytest

from pipeline import runs
from pipeline.analysis import AnalysisParams
from pipeline.project import new_run_id
from pipeline.topics.lda import TopicParams
from tests.conftest import store_sinta_with_registry


@pytest.mark.slow
def test_sinta_abstracts_are_ingested_and_analysed_with_the_registry(shared_data, project):
    paths = store_sinta_with_registry(project, shared_data)

    docs, corpus_hash = runs.load_corpus(paths)
    params = AnalysisParams(topics=TopicParams(k_values=(8, 12), passes=2, iterations=50))
    analysis = runs.run_analysis(docs, paths, params)
    assert not analysis.topics.exploratory
    assert analysis.topics.k in (8, 12)
    assert len(analysis.comparisons) == 15
    card = analysis.theme_run.card  # the 300+ hand-coded abstracts are in this corpus
    assert card is not None and card.gold_documents >= 300
    assert card.macro_f1["classifier"] > card.macro_f1["majority"]

    manifest = runs.base_manifest(new_run_id(), analysis, corpus_hash, paths)
    folder = runs.write_run_report(analysis, paths, manifest)
    written = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert written["documents"] == len(docs)
    assert "exploratory" not in (folder / "report.md").read_text(encoding="utf-8")
