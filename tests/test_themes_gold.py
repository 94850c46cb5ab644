"""The gold codings against the real texts in ../shared: identity, hashes, and the classifier's
grouped cross-validation on them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.themes.codebook import load_codebook
from pipeline.themes.goldset import load_goldset
from pipeline.themes.labels import read_labels
from pipeline.themes.texts import all_documents, text_hash

REPO = Path(__file__).resolve().parents[1]
LABELS = REPO / "corpus" / "labels"

pytestmark = pytest.mark.shared_data


def test_every_gold_id_resolves_to_a_text_with_the_coded_hash(shared_data):
    docs = all_documents(shared_data)
    gold = read_labels(LABELS / "gold.csv")
    assert len(gold) >= 300
    codebook = load_codebook(REPO / "corpus" / "codebook.toml")
    for doc_id, label in gold.items():
        assert doc_id in docs, doc_id
        assert text_hash(docs[doc_id]) == label.text_sha256, doc_id
        assert label.codes <= set(codebook.ids), doc_id
    assert sum(label.source == "registry" for label in gold.values()) == 16


def test_second_coder_sample_ids_are_gold_ids():
    gold = read_labels(LABELS / "gold.csv")
    lines = (LABELS / "sample_for_second_coder.txt").read_text(encoding="utf-8").splitlines()
    ids = [line.split()[0] for line in lines if line.strip() and not line.startswith("#")]
    assert len(ids) >= 60
    assert set(ids) <= set(gold)


@pytest.mark.slow
def test_classifier_beats_the_majority_baseline_in_journal_grouped_cv(shared_data):
    goldset = load_goldset(shared_data, gold_only=True)
    assert not goldset.problems
    evaluation = goldset.evaluate(seed=0, n_splits=3, lexicon_training=False)
    classifier = evaluation.systems["classifier"]
    majority = evaluation.systems["majority"]
    assert classifier.macro_f1 is not None and majority.macro_f1 is not None
    assert classifier.macro_f1 > majority.macro_f1 + 0.2
    assert classifier.mean_kappa > 0.2
    assert np.isfinite(evaluation.probabilities).all()
