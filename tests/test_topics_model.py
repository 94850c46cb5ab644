"""The topic stage a researcher can trust: K rule, seeds, ids across refreshes, groups, policy,
persistence and inference, on tiny planted corpora (real gensim and tomotopy fits)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from pipeline.artifacts import ArtifactError, write_artifact_dir
from pipeline.topics.align import TopicSnapshot, carry_ids, jaccard_matrix, match_topics
from pipeline.topics.ensemble import derive_seeds
from pipeline.topics.groups import CASE, CITED, CORPUS, group_shares, role_groups, topics_over_time
from pipeline.topics.labels import representative_documents, snippet, surface_words
from pipeline.topics.lda import TopicParams, fit_topics
from pipeline.topics.persist import (
    infer,
    load_fitted,
    previous_topics,
    save_topic_model,
    save_topic_result,
    topic_manifest,
)
from pipeline.topics.policy import corpus_policy
from pipeline.topics.stability import topic_stability
from pipeline.topics.sweep import KScore, choose_k, held_out_split, topic_diversity

FAST = TopicParams(
    k_values=(4,), passes=5, iterations=50, seed=3, stability_seeds=1, engine="gensim"
)


def planted(topics: list[int], docs_per_topic: int = 30, seed: int = 0) -> list[list[str]]:
    """Documents each drawn mostly from one planted topic (15 words of its own) plus a little of
    the next one, so topics overlap a bit as real ones do."""
    rng = np.random.default_rng(seed)
    vocab = {t: [f"t{t}w{i}" for i in range(15)] for t in topics}
    docs = []
    for d in range(docs_per_topic * len(topics)):
        t = topics[d % len(topics)]
        u = topics[(d + 1) % len(topics)]
        docs.append(list(rng.choice(vocab[t], 25)) + list(rng.choice(vocab[u], 3)))
    return docs


def topic_of(words: list[str]) -> str:
    """The planted topic most of these words come from ("t2")."""
    heads = [w.split("w")[0] for w in words]
    return max(set(heads), key=heads.count)


@pytest.fixture(scope="module")
def four() -> list[list[str]]:
    return planted([0, 1, 2, 3])


@pytest.fixture(scope="module")
def swept(four):
    return fit_topics(
        four,
        str.upper,
        # 120 documents: documents_per_topic=10 lets the sweep try K=8 beyond the planted 4
        TopicParams(
            k_values=(2, 4, 8),
            passes=5,
            iterations=50,
            seed=3,
            engine="gensim",
            documents_per_topic=10,
        ),
    )


class TestChoosingK:
    def test_the_rule_finds_the_planted_number_of_topics(self, swept):
        assert swept.k == 4
        curves = swept.sweep.curves()
        assert list(curves["k"]) == [2, 4, 8]
        assert curves.loc[curves["chosen"], "k"].item() == 4
        assert {"c_v", "npmi", "diversity", "held_out_perplexity"} <= set(curves.columns)
        assert "rank-normalised c_v and NPMI" in swept.sweep.rule

    def test_ties_go_to_the_smaller_k_and_low_diversity_is_excluded(self):
        scores = [
            KScore(5, 0.5, 0.1, 0.9, None, 0.0),
            KScore(10, 0.5, 0.1, 0.9, None, 0.0),
            KScore(15, 0.9, 0.3, 0.2, None, 0.0),
        ]
        k, filled = choose_k(scores, min_diversity=0.5)
        assert k == 5
        assert [s.excluded for s in filled] == [False, False, True]
        assert choose_k(scores, min_diversity=0.1)[0] == 15

    def test_diversity_and_the_held_out_split(self):
        assert topic_diversity([["a", "b"], ["c", "d"]]) == 1.0
        assert topic_diversity([["a", "b"], ["a", "b"]]) == 0.5
        train, held = held_out_split(100, seed=1)
        assert len(held) == 10 and not set(train) & set(held)
        assert held_out_split(100, seed=1) == (train, held)
        assert held_out_split(10, seed=1) == (list(range(10)), [])


class TestStability:
    def test_a_topic_that_changes_with_the_seed_is_flagged(self):
        steady = [f"s{i}" for i in range(10)]
        reference = [steady, [f"a{i}" for i in range(10)]]
        others = [[steady, [f"b{i}" for i in range(10)]], [[f"c{i}" for i in range(10)], steady]]
        result = topic_stability(reference, others, threshold=0.5, seeds=[1, 2, 3])
        assert result.per_topic == [1.0, 0.0]
        assert result.unstable == [1] and result.recurring == [0]
        assert result.recurrence == [1.0, 0.0]
        assert "1 of 2 topics recur" in result.sentence()

    def test_planted_topics_are_stable_across_seeds(self, swept):
        # The reference seed first, the others derived from it (ensemble.derive_seeds)
        assert swept.stability.seeds == derive_seeds(3, 3) and swept.stability.seeds[0] == 3
        assert swept.stability.unstable == []

    def test_matching_is_one_to_one(self):
        a = [["x", "y", "z"], ["x", "y", "w"]]
        b = [["x", "y", "z"]]
        assert jaccard_matrix(a, b).shape == (2, 1)
        assert match_topics(a, b) == [(0, 0, 1.0)]


class TestIdsAcrossRefreshes:
    def test_ids_are_kept_and_changes_reported(self, four):
        first = fit_topics(four, str.upper, FAST)
        snapshot = first.snapshot("run1")
        # Topic 3 is gone from the corpus, topic 4 is new, topic 0 is three times as common.
        second_docs = planted([0, 1, 2, 4], seed=5) + planted([0], docs_per_topic=60, seed=6)
        second = fit_topics(second_docs, str.upper, FAST, previous=snapshot)
        old = {topic_of(w): tid for tid, w in zip(first.ids, first.top_stems, strict=True)}
        new = {topic_of(w): tid for tid, w in zip(second.ids, second.top_stems, strict=True)}
        assert [new[t] for t in ("t0", "t1", "t2")] == [old[t] for t in ("t0", "t1", "t2")]
        assert new["t4"] == "T5"  # a fresh number, never a recycled one
        diff = second.diff
        assert [c.id for c in diff.appeared] == ["T5"]
        assert [c.id for c in diff.vanished] == [old["t3"]]
        assert old["t0"] in [c.id for c in diff.grew]
        assert second.next_number == 6
        assert any("appeared" in line for line in diff.sentences())

    def test_vanished_ids_are_not_reused(self):
        previous = TopicSnapshot(["T1", "T7"], [["a", "b"], ["c", "d"]], [0.5, 0.5], 9)
        alignment = carry_ids(previous, [["x", "y"], ["a", "b"]], [0.4, 0.6])
        assert alignment.ids == ["T9", "T1"]
        assert alignment.next_number == 10
        assert [c.id for c in alignment.diff.vanished] == ["T7"]

    def test_first_run_numbers_from_one(self):
        assert carry_ids(None, [["a"], ["b"]], [0.5, 0.5]).ids == ["T1", "T2"]


class TestGroups:
    def test_group_shares_sum_to_one_with_their_counts(self):
        doc_topics = np.array([[0.2, 0.8], [0.6, 0.4], [1.0, 0.0], [0.5, 0.5]])
        labels = role_groups(4, case_index=0, cited_indices=[1, 2])
        frame = group_shares(doc_topics, labels, ["T1", "T2"])
        np.testing.assert_allclose(frame[["T1", "T2"]].sum(axis=1), 1.0)
        assert frame.loc[CITED, "T1"] == pytest.approx(0.8)
        assert frame["documents"].to_dict() == {CASE: 1, CITED: 2, CORPUS: 1}

    def test_topics_over_time_leaves_out_undated_documents(self):
        doc_topics = np.array([[0.2, 0.8], [0.6, 0.4], [1.0, 0.0]])
        frame = topics_over_time(doc_topics, [2021, None, 2019], ["T1", "T2"])
        assert list(frame.index) == [2019, 2021]
        np.testing.assert_allclose(frame[["T1", "T2"]].sum(axis=1), 1.0)

    def test_shape_mismatch_is_named(self):
        with pytest.raises(ValueError, match="one row per group label"):
            group_shares(np.ones((2, 2)), ["a"], ["T1", "T2"])

    def test_result_groups_by_journal(self, swept):
        journals = ["J1" if i % 2 else "J2" for i in range(len(swept.doc_topics))]
        frame = swept.group_shares(journals)
        np.testing.assert_allclose(frame[swept.ids].sum(axis=1), 1.0)


class TestSmallCorpora:
    def test_sixteen_works_alone_are_exploratory_and_say_so(self):
        tokens = planted([0, 1], docs_per_topic=8)
        policy = corpus_policy(tokens, placed=range(16))
        assert policy.exploratory
        assert "too few for topic modelling" in policy.sentence
        assert "exploratory, not findings" in policy.sentence
        result = fit_topics(tokens, str.upper, dataclasses.replace(FAST, k_values=(2,)))
        assert result.exploratory and "too few" in result.methods()[0]

    def test_with_a_wider_corpus_the_registry_is_placed_not_fitted(self, four):
        registry = planted([0, 1], docs_per_topic=8, seed=9)
        tokens = four + registry
        placed = list(range(len(four), len(tokens)))
        result = fit_topics(tokens, str.upper, FAST, placed=placed)
        assert not result.exploratory
        assert result.documents == len(four)
        assert result.policy.placed_indices == placed
        assert "placed in that space" in result.policy.sentence
        np.testing.assert_allclose(result.doc_topics.sum(axis=1), 1.0)
        np.testing.assert_allclose(result.doc_topics[placed], result.model.infer(registry))


class TestLabels:
    def test_surface_forms_once_each(self):
        forms = {"daya": "pemberdayaan", "berdaya": "pemberdayaan", "c:x": "community / masyarakat"}
        assert surface_words(["daya", "berdaya", "c:x"], forms.get) == [
            "pemberdayaan",
            "community / masyarakat",
        ]

    def test_snippet_centres_on_a_top_word(self):
        text = "awal " * 100 + "pemberdayaan masyarakat desa " + "akhir " * 100
        cut = snippet(text, ["pemberdayaan"], width=120)
        assert "pemberdayaan" in cut and cut.startswith("…") and cut.endswith("…")
        assert snippet("pendek", ["x"]) == "pendek"

    def test_cards_show_the_most_representative_documents(self, swept):
        texts = [" ".join(tokens) for tokens in planted([0, 1, 2, 3])]
        cards = swept.cards(texts, documents=2)
        assert [c.id for c in cards] == swept.ids
        for card, t in zip(cards, range(swept.k), strict=True):
            best = representative_documents(swept.doc_topics, t, 1)[0][0]
            assert card.documents[0].index == best
            assert card.documents[0].share >= card.documents[1].share


@pytest.mark.parametrize("engine", ["gensim", "tomotopy"])
class TestSavedModels:
    def test_inference_from_a_saved_model_equals_in_memory(self, tmp_path, four, engine):
        pytest.importorskip(engine)
        params = dataclasses.replace(FAST, engine=engine, gibbs_iterations=100)
        result = fit_topics(four, str.upper, params)
        folder = write_artifact_dir(
            tmp_path, "run1", lambda f: save_topic_result(result, f, "run1"), topic_manifest(result)
        )
        new_docs = [four[0], ["t2w1", "t2w3", "unknown"], []]
        np.testing.assert_allclose(
            infer(folder, new_docs, tmp_path), result.model.infer(new_docs), atol=1e-6
        )
        np.testing.assert_allclose(result.model.infer(four), result.doc_topics)
        assert previous_topics(folder, tmp_path).ids == result.ids
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["topics"]["engine"] == engine

    def test_a_tampered_snapshot_or_model_is_refused(self, tmp_path, four, engine):
        pytest.importorskip(engine)
        params = dataclasses.replace(FAST, engine=engine, gibbs_iterations=50)
        result = fit_topics(four, str.upper, params)
        folder = write_artifact_dir(tmp_path, "r", lambda f: save_topic_result(result, f, "r"), {})
        body = json.loads((folder / "topics.json").read_text())
        body["topics"][0]["id"] = "T99"
        (folder / "topics.json").write_text(json.dumps(body))
        with pytest.raises(ArtifactError, match=r"topics.json: sha256 does not match"):
            previous_topics(folder, tmp_path)
        with pytest.raises(ArtifactError, match="sha256 does not match"):
            load_fitted(folder, tmp_path)


def test_old_model_folders_still_yield_their_topics(tmp_path, swept):
    result = swept
    folder = write_artifact_dir(
        tmp_path, "old", lambda f: save_topic_model(result.model.lda, result.dictionary, f), {}
    )
    snapshot = previous_topics(folder, tmp_path)
    assert snapshot.ids == ["T1", "T2", "T3", "T4"] and snapshot.next_number == 5
    assert carry_ids(snapshot, result.top_stems, result.shares).ids == snapshot.ids
