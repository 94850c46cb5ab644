"""Topic models (fit, surface labels, persistence behind hashes) and the case comparison."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.artifacts import ArtifactError, write_artifact_dir
from pipeline.compare.similarity import hellinger, jaccard, tfidf_cosines
from pipeline.topics.lda import TopicParams, candidate_ks, fit_topics, gibbs_iterations_for
from pipeline.topics.persist import load_topic_model, save_topic_model

# documents_per_topic=2: six toy documents may still try K=3, so the sweep has a choice to make
FAST = TopicParams(
    k_values=(2, 3), passes=5, iterations=50, seed=7, engine="gensim", documents_per_topic=2
)
TOKENS = [
    ["zakat", "masjid", "umat", "zakat", "dana"],
    ["zakat", "umat", "masjid", "infak"],
    ["hutan", "konservasi", "lahan", "hutan"],
    ["hutan", "lahan", "konservasi", "kebun"],
    ["zakat", "infak", "dana", "umat"],
    ["kebun", "hutan", "lahan", "konservasi"],
]


def surface(stem: str) -> str:
    return f"<{stem}>"


class TestTopics:
    def test_same_seed_same_model(self):
        a = fit_topics(TOKENS, surface, FAST)
        b = fit_topics(TOKENS, surface, FAST)
        assert a.k == b.k
        assert a.coherence_by_k == b.coherence_by_k
        np.testing.assert_allclose(a.doc_topics, b.doc_topics)

    def test_topics_are_labelled_with_surface_forms(self):
        result = fit_topics(TOKENS, surface, FAST)
        assert all(label.startswith("<") for words in result.labels for label in words)

    def test_k_is_chosen_from_the_sweep_by_its_rule(self):
        result = fit_topics(TOKENS, surface, FAST)
        assert set(result.coherence_by_k) == {2, 3}
        chosen = result.sweep.curves().set_index("k").loc[result.k]
        assert chosen["rule_score"] == result.sweep.curves()["rule_score"].max()
        np.testing.assert_allclose(result.doc_topics.sum(axis=1), 1.0)

    def test_small_corpora_are_marked_exploratory(self):
        assert fit_topics(TOKENS, surface, FAST).exploratory

    def test_k_never_exceeds_one_topic_per_twenty_documents(self):
        sweep = TopicParams(k_values=(5, 10, 15, 20, 25, 30))
        assert candidate_ks(sweep, 207) == [5, 10]  # the field-only SINTA corpus
        assert candidate_ks(sweep, 3_654) == [5, 10, 15, 20, 25, 30]
        assert candidate_ks(sweep, 16) == [2]  # the bundled works: two topics at most
        assert candidate_ks(TopicParams(k_values=(2, 3, 10, 20)), 16) == [2]
        assert candidate_ks(TopicParams(k_values=(2, 3, 10), documents_per_topic=2), 16) == [2, 3]

    def test_small_corpora_get_more_gibbs_sweeps_large_ones_the_default(self):
        assert gibbs_iterations_for(20_204, 200) == 989  # the field-only SINTA corpus
        assert gibbs_iterations_for(348, 200) == 1000  # the bundled works: the cap
        assert gibbs_iterations_for(400_000, 200) == 200  # all SINTA abstracts: as before

    def test_empty_vocabulary_is_a_clear_error(self):
        with pytest.raises(ValueError, match="no words left"):
            fit_topics([[], []], surface, FAST)


def saved_model(root):
    """(fit result, model folder written as a run writes it)."""
    result = fit_topics(TOKENS, surface, FAST)
    folder = write_artifact_dir(
        root,
        "run1",
        lambda f: save_topic_model(result.model, result.dictionary, f),
        {"run_id": "run1"},
    )
    return result, folder


class TestModelArtifacts:
    def test_saved_model_loads_back_and_infers_the_same_mixture(self, tmp_path):
        result, folder = saved_model(tmp_path)
        model, dictionary = load_topic_model(folder, tmp_path)
        np.testing.assert_allclose(model.get_topics(), result.model.lda.get_topics())
        assert dictionary.token2id == result.dictionary.token2id

    def test_an_altered_model_file_is_refused(self, tmp_path):
        _, folder = saved_model(tmp_path)
        with (folder / "lda.model").open("ab") as handle:
            handle.write(b"tampered")
        with pytest.raises(ArtifactError, match=r"lda.model: sha256 does not match"):
            load_topic_model(folder, tmp_path)

    def test_models_outside_the_models_folder_are_refused(self, tmp_path):
        (tmp_path / "models").mkdir()
        (tmp_path / "elsewhere").mkdir()
        with pytest.raises(ArtifactError, match="only loaded from"):
            load_topic_model(tmp_path / "elsewhere", tmp_path / "models")

    def test_a_failed_write_leaves_no_folder_behind(self, tmp_path):
        def explode(folder):
            (folder / "half.bin").write_bytes(b"x")
            raise RuntimeError("disk full")

        with pytest.raises(RuntimeError, match="disk full"):
            write_artifact_dir(tmp_path, "run2", explode, {})
        assert list(tmp_path.iterdir()) == []


class TestSimilarity:
    def test_hellinger_bounds(self):
        p = np.array([0.5, 0.5])
        assert hellinger(p, p) == pytest.approx(0.0)
        assert hellinger(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(1.0)

    def test_jaccard(self):
        assert jaccard({"a", "b"}, {"b", "c"}) == pytest.approx(1 / 3)
        assert jaccard(set(), set()) == 0.0

    def test_cosine_to_self_is_one_and_to_disjoint_text_zero(self):
        cos = tfidf_cosines([["a", "b"], ["a", "b"], ["c", "d"]], target=0)
        assert cos[0] == pytest.approx(1.0)
        assert cos[1] == pytest.approx(1.0)
        assert cos[2] == pytest.approx(0.0)


class TestLandscape:
    def test_nearest_neighbours_never_include_the_case_and_keep_the_closest_first(self):
        from pipeline.compare.landscape import nearest_combined

        mixtures = np.array([[0.9, 0.1], [0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.85, 0.15]])
        tokens = [["desa"], ["desa"], ["desa"], ["kota"], ["desa"]]
        cosines = np.array([1.0, 1.0, 0.5, 0.0, 0.9])
        themes = [set()] * 5
        found = nearest_combined(0, [0, 2, 3, 4], cosines, tokens, mixtures, themes, top=2)
        assert [n.index for n in found] == [4, 2]
        assert found[0].distance < found[1].distance

    def test_map_has_two_coordinates_per_document_even_for_one_topic(self):
        from pipeline.compare.landscape import topic_map

        assert topic_map(np.full((4, 1), 1.0), seed=1).shape == (4, 2)
        assert topic_map(np.random.default_rng(0).dirichlet([1, 1, 1], 6), seed=1).shape == (6, 2)


class TestCitedInCorpus:
    def test_a_harvested_copy_of_a_cited_work_is_found_and_registry_copies_are_not(self):
        from pipeline.compare.citations import find_cited_in_corpus
        from pipeline.documents import Document

        cited = Document(
            source="registry",
            identifier="sujatmiko2023",
            title="Collaborative Governance Dalam Pemberdayaan Masyarakat Desa Bligo",
            authors=("Sujatmiko",),
            year=2023,
            doi="10.36982/jpg.v8i1.2528",
            extra={"key": "sujatmiko2023", "role": "cited"},
        )
        harvested = cited.with_changes(source="oai:pdp-uigm", identifier="oai:x:2528", extra={})
        unrelated = Document(source="csv", identifier="t", title="Kinerja perbankan", year=2001)
        (found,) = find_cited_in_corpus([cited], [cited, harvested, unrelated])
        assert found.document == harvested
        assert found.confidence == 1.0
        (missing,) = find_cited_in_corpus([cited], [cited, unrelated])
        assert not missing.resolved
