"""Topic labels a researcher can cite, and topics that recur: the label rule (relevance, never a
generic word, a distinctive word in every label) and the recurring/unstable split."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from pipeline.topics.labels import (
    DISTINCTIVE_LIFT,
    NAME_WORDS,
    generic_words,
    is_generic,
    relevance_labels,
)
from pipeline.topics.lda import UNSTABLE_ID, TopicParams, fit_topics
from pipeline.topics.stability import medoid, topic_stability

# Two topics over eight terms. "tidak" and "kegiatan" are the commonest words of both (as on
# the SINTA run), "desa" is common and shared, the others belong to one topic each.
VOCAB = ["tidak", "kegiatan", "desa", "zakat", "masjid", "hutan", "lahan", "umat"]
PHI = np.array(
    [
        [0.30, 0.20, 0.15, 0.12, 0.10, 0.01, 0.01, 0.11],
        [0.30, 0.20, 0.15, 0.01, 0.01, 0.15, 0.17, 0.01],
    ]
)
FREQUENCY = np.array([600, 400, 300, 130, 110, 160, 180, 120], dtype=float)
SURFACE = {"umat": "umat", "lahan": "lahan"}


def surface(stem: str) -> str:
    return SURFACE.get(stem, stem)


class TestLabelRule:
    def test_generic_words_never_label_a_topic(self):
        labels = relevance_labels(PHI, FREQUENCY, VOCAB, surface)
        for label in labels:
            assert not {"tidak", "kegiatan"} & set(label.words)

    def test_the_generic_list_holds_the_words_seen_on_the_sinta_run(self):
        generic = generic_words()
        for word in ("tidak", "memiliki", "maupun", "kurang", "perlu", "kegiatan", "proses"):
            assert word in generic
        for word in ("upaya", "orang", "not", "one", "study", "research", "results"):
            assert word in generic
        # The field's own words are never generic
        for word in ("pemberdayaan", "desa", "partisipasi", "kemitraan", "bumdes", "zakat"):
            assert word not in generic

    def test_a_generic_word_is_matched_by_its_stem_or_by_what_the_reader_sees(self):
        generic = frozenset({"memiliki", "kegiatan"})
        assert is_generic("milik", {"milik": "memiliki"}.get, generic)
        assert is_generic("kegiatan", str, generic)
        assert not is_generic("desa", str, generic)
        # A phrase is generic only when all its words are; a concept when both its sides are
        assert not is_generic("kegiatan_desa", lambda s: s.replace("_", " "), generic)
        both = frozenset({"factor", "faktor", "influence"})
        assert is_generic("c:factor", {"c:factor": "factor / faktor"}.get, both)
        assert not is_generic("c:x", {"c:x": "influence / pengaruh desa"}.get, both)

    def test_words_are_ranked_by_relevance_not_probability(self):
        labels = relevance_labels(PHI, FREQUENCY, VOCAB, surface)
        # By probability "desa" would lead both topics; relevance puts each topic's own words first
        assert labels[0].words[0] in {"zakat", "masjid", "umat"}
        assert labels[1].words[0] in {"hutan", "lahan"}
        assert "desa" not in labels[0].words  # lift 1: the topic uses it as the corpus does

    def test_every_label_holds_a_distinctive_word_in_its_name(self):
        for label in relevance_labels(PHI, FREQUENCY, VOCAB, surface):
            assert label.has_distinctive and any(label.distinctive[:NAME_WORDS])

    def test_a_distinctive_word_leads_when_the_ranking_puts_none_in_the_name(self):
        # lambda 1 ranks by probability alone: shared words first, so the rule must step in
        phi = np.array([[0.3, 0.3, 0.3, 0.1], [0.32, 0.32, 0.32, 0.04]])
        frequency = np.array([100.0, 100.0, 100.0, 20.0])
        labels = relevance_labels(
            phi, frequency, ["a", "b", "c", "d"], str, lam=1.0, generic=frozenset()
        )
        first = labels[0]
        assert first.stems[0] == "d" and first.distinctive[0]
        assert DISTINCTIVE_LIFT <= 0.1 / (20 / 320)  # d's lift in the first topic

    def test_mismatched_shapes_are_a_clear_error(self):
        with pytest.raises(ValueError, match="disagree"):
            relevance_labels(PHI, FREQUENCY[:3], VOCAB, surface)


def words(prefix: str) -> list[str]:
    return [f"{prefix}{i}" for i in range(10)]


class TestRecurringTopics:
    def test_a_topic_recurs_when_matched_at_the_threshold_in_half_the_seeds(self):
        steady, half = words("s"), words("h")
        reference = [steady, half, words("x")]
        others = [
            [steady, half, words("a")],
            [steady, [*half[:8], "z1", "z2"], words("b")],  # 8 of 12: Jaccard 0.67
            [steady, words("q"), words("c")],
            [steady, words("r"), words("d")],
        ]
        result = topic_stability(reference, others, threshold=0.5, seeds=[1, 2, 3, 4, 5])
        assert result.recurrence == [1.0, 0.5, 0.0]
        assert result.recurring == [0, 1] and result.unstable == [2]
        assert "2 of 3 topics recur" in result.sentence()

    def test_one_seed_gives_no_recurring_topic(self):
        result = topic_stability([words("s")], [], seeds=[1])
        assert result.recurring == [] and result.unstable == [0]

    def test_no_recurring_topic_is_said_plainly(self):
        result = topic_stability([words("s")], [[words("a")], [words("b")]], seeds=[1, 2, 3])
        assert result.recurring == []
        assert result.sentence().count("No topic recurs") == 1

    def test_the_reference_is_the_seed_model_that_agrees_best(self):
        common = [words("s"), words("t")]
        odd = [words("s"), words("u")]
        assert medoid([odd, common, common, common]) == 1


def planted(topics: int, docs_per_topic: int, seed: int = 0) -> list[list[str]]:
    """Each document drawn from one planted topic of 12 words of its own."""
    rng = np.random.default_rng(seed)
    return [
        list(rng.choice([f"t{d % topics}w{i}" for i in range(12)], 30))
        for d in range(topics * docs_per_topic)
    ]


@pytest.fixture(scope="module")
def planted_fit():
    params = TopicParams(k_values=(3,), seed=5, stability_seeds=4, documents_per_topic=10)
    return fit_topics(planted(3, 40), str, params)


class TestTheReportedTopics:
    def test_planted_topics_recur_and_nothing_is_folded(self, planted_fit):
        assert planted_fit.recurring == [0, 1, 2] and planted_fit.unstable == []
        topic_word, _doc_topics, ids, _ = planted_fit.folded()
        assert ids == planted_fit.ids and topic_word.shape[0] == 3

    def test_topics_that_do_not_recur_fold_into_one_unstable_topic(self, planted_fit):
        stability = planted_fit.stability
        # Pretend the third topic changed with the seed
        broken = dataclasses.replace(stability, recurrence=[1.0, 1.0, 0.0])
        result = dataclasses.replace(planted_fit, stability=broken)
        topic_word, doc_topics, ids, _labels = result.folded()
        assert ids == [*planted_fit.ids[:2], UNSTABLE_ID]
        np.testing.assert_allclose(doc_topics.sum(axis=1), 1.0)
        np.testing.assert_allclose(topic_word.sum(axis=1), 1.0)
        cards = result.cards(["text"] * len(result.doc_topics))
        assert [c.id for c in cards] == ids
        assert cards[-1].unstable and f"{result.shares[2]:.1%}" in cards[-1].note

    def test_labels_are_kept_beside_the_most_probable_words(self, planted_fit):
        assert len(planted_fit.labels) == len(planted_fit.top_words) == planted_fit.k
        assert all(label for label in planted_fit.labels)

    def test_topics_csv_lists_recurring_topics_then_one_unstable_row(self, planted_fit):
        from types import SimpleNamespace

        from pipeline.report.content import _topic_table

        broken = dataclasses.replace(planted_fit.stability, recurrence=[1.0, 0.0, 0.0])
        topics = dataclasses.replace(planted_fit, stability=broken)
        n = len(topics.doc_topics)
        analysis = SimpleNamespace(
            topics=topics, case_index=0, documents=[SimpleNamespace(language="id")] * n
        )
        table = _topic_table(analysis)
        assert list(table["topic"]) == [topics.ids[0], UNSTABLE_ID]
        unstable = table.iloc[-1]
        assert unstable["folded_topics"] == f"{topics.ids[1]}; {topics.ids[2]}"
        assert unstable["share_in_corpus"] == pytest.approx(
            round(topics.shares[1], 4) + round(topics.shares[2], 4), abs=1e-4
        )
        assert table["label"].iloc[0] and table["top_words"].iloc[0]
        assert unstable["weight_from_id"] == pytest.approx(1.0)
