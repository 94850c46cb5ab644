"""Field relevance: which documents belong to community empowerment and local governance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.compare.landscape import nearest_combined
from pipeline.documents import Document
from pipeline.text.preprocess import Preprocessor
from pipeline.themes.codebook import load_codebook
from pipeline.themes.lexicon import LexiconCoder
from pipeline.themes.relevance import (
    FEATURES,
    MIN_LABELLED,
    FeatureMaker,
    FieldTerms,
    RelevanceError,
    load_shipped,
    read_relevance_labels,
    score_relevance,
)
from pipeline.themes.run import run_themes
from pipeline.themes.texts import text_hash
from pipeline.topics.policy import corpus_policy

REPO = Path(__file__).resolve().parents[1]
CODEBOOK = load_codebook(REPO / "corpus" / "codebook.toml")

# Written for these tests.
VILLAGE = (
    "Pemberdayaan masyarakat desa melalui kemitraan pemerintah desa dan LSM",
    "Penelitian ini mengkaji pemberdayaan masyarakat desa oleh pemerintah desa bersama lembaga "
    "swadaya masyarakat. Kelompok tani dan kader PKK dilatih dan didampingi dalam musyawarah "
    "desa untuk merencanakan penggunaan dana desa secara partisipatif.",
)
COMPUTING = (
    "Klasifikasi citra daun dengan jaringan saraf tiruan",
    "Penelitian ini membangun sistem klasifikasi citra daun menggunakan algoritma jaringan saraf "
    "tiruan dengan akurasi sembilan puluh persen pada data uji. Sistem dibangun dengan Python.",
)


def _doc(n: int, title: str, abstract: str, venue: str = "Jurnal Uji") -> Document:
    return Document(
        source="test", identifier=f"t{n}", title=title, abstracts={"id": abstract}, venue=venue
    )


def _features(docs: list[Document]) -> np.ndarray:
    maker, coder = FeatureMaker(CODEBOOK, FieldTerms.load()), LexiconCoder(CODEBOOK)
    return np.vstack([maker.features(d, coder.code(d)) for d in docs])


class TestShippedModel:
    def test_was_fitted_with_the_field_terms_it_ships_beside(self):
        model = load_shipped(FieldTerms.load())
        assert len(model.coefficients) == len(FEATURES)
        assert model.evaluation is not None and model.evaluation.documents >= 300

    def test_a_village_empowerment_study_scores_in_and_a_computing_paper_out(self):
        docs = [_doc(1, *VILLAGE), _doc(2, *COMPUTING)]
        scores = load_shipped(FieldTerms.load()).probabilities(_features(docs))
        assert scores[0] >= 0.5 > scores[1]


class TestScoring:
    def _score(self, docs, labels, always_in=()):
        return score_relevance(
            _features(docs),
            [d.id for d in docs],
            [text_hash(d) for d in docs],
            [d.venue for d in docs],
            FieldTerms.load(),
            labels,
            always_in=always_in,
        )

    def test_the_case_and_its_cited_works_are_always_kept(self):
        docs = [_doc(1, *COMPUTING)]
        relevance = self._score(docs, {}, always_in=[0])
        assert relevance.in_field[0] and relevance.scores[0] < 0.5

    def test_enough_hand_codings_fit_the_model_here_with_cross_validated_figures(self):
        docs = []
        for k in range(MIN_LABELLED // 2):
            docs.append(_doc(2 * k, *VILLAGE, venue=f"J{k % 7}"))
            docs.append(_doc(2 * k + 1, *COMPUTING, venue=f"J{k % 7}"))
        labels = {d.id: (text_hash(d), int(i % 2 == 0)) for i, d in enumerate(docs)}
        relevance = self._score(docs, labels)
        assert relevance.model.origin == "corpus"
        assert relevance.labelled == len(docs)
        assert relevance.model.evaluation.precision == 1.0
        assert "hand codings" in relevance.sentence()

    def test_a_coding_whose_text_changed_is_not_used_and_is_named(self):
        doc = _doc(1, *VILLAGE)
        relevance = self._score([doc], {doc.id: ("0" * 64, 1)})
        assert relevance.labelled == 0
        assert doc.id in relevance.problems[0]


class TestLabelFile:
    def test_a_bad_value_names_the_file_and_line(self, tmp_path):
        path = tmp_path / "relevance.csv"
        path.write_text("id,text_sha256,in_field\nabc,def,yes\n", encoding="utf-8")
        with pytest.raises(RelevanceError, match=r"relevance.csv:2: in_field must be 0 or 1"):
            read_relevance_labels(path)

    def test_the_bundled_codings_read(self):
        labels = read_relevance_labels(REPO / "corpus" / "labels" / "relevance.csv")
        assert len(labels) >= 600
        assert {v for _, v in labels.values()} == {0, 1}


class TestAbstention:
    def test_documents_outside_the_field_get_no_empowerment_codes(self, tmp_path):
        docs = [_doc(k, *VILLAGE) for k in range(3)] + [
            _doc(10 + k, COMPUTING[0], COMPUTING[1] + " Kesehatan dan pendidikan anak.")
            for k in range(3)
        ]
        pre = Preprocessor()
        tokens = [pre.document_tokens(d) for d in docs]
        run = run_themes(docs, tokens, CODEBOOK, tmp_path, pre, with_evaluation=False)
        outside = [i for i in range(len(docs)) if not run.relevance.in_field[i]]
        assert outside == [3, 4, 5]
        for i in outside:
            assert all(t.startswith("method.") for t in run.codes[i]), run.codes[i]
        assert any(t.startswith("dim.") for t in run.codes[0])


class TestTopicsOfTheField:
    def test_documents_outside_the_field_are_left_out_when_the_field_has_enough(self):
        tokens = [["a", "b"]] * 130
        policy = corpus_policy(tokens, placed=[0], min_documents=90, outside=range(100, 130))
        assert policy.corpus_indices == list(range(1, 100))
        assert "left out" in policy.sentence

    def test_a_field_too_small_keeps_the_whole_corpus_and_says_so(self):
        tokens = [["a", "b"]] * 130
        policy = corpus_policy(tokens, placed=[0], min_documents=100, outside=range(50, 130))
        assert len(policy.fit_indices) == 129
        assert "fewer than 100" in policy.sentence


class TestNeighbours:
    def test_a_document_near_on_every_measure_beats_one_near_on_topics_alone(self):
        tokens = [
            ["c:partnership", "c:ngo", "desa"],  # the case
            ["c:partnership", "c:ngo", "desa"],  # near on everything
            ["matematika", "siswa"],  # same topics, nothing else
            ["c:partnership", "sungai"],
        ]
        doc_topics = np.array([[0.9, 0.1], [0.7, 0.3], [0.9, 0.1], [0.2, 0.8]])
        cosines = np.array([1.0, 0.9, 0.0, 0.2])
        themes = [{"actor.ngo"}, {"actor.ngo"}, set(), {"actor.ngo"}]
        found = nearest_combined(0, [1, 2, 3], cosines, tokens, doc_topics, themes, top=3)
        assert found[0].index == 1
        assert found[0].shared_concepts == ("c:ngo", "c:partnership")
        assert found[0].shared_themes == ("actor.ngo",)

    def test_method_concepts_are_not_counted_as_likeness(self):
        tokens = [["c:interview", "desa"], ["c:interview"]]
        found = nearest_combined(
            0,
            [1],
            np.array([1.0, 0.0]),
            tokens,
            np.array([[1.0], [1.0]]),
            [set(), set()],
            ignored_concepts=frozenset({"c:interview"}),
        )
        assert found[0].concepts == 0.0 and found[0].shared_concepts == ()
