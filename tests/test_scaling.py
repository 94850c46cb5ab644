"""What keeps the pipeline within time and memory on large corpora, pinned: the shortcuts give
the answers of the exhaustive computations they replace, and the sampling policies say what
they did. (The measurements themselves are in BENCHMARKS.md, from ``python -m bench scale``.)"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path

import numpy as np
import pytest

from bench.synthetic import synthetic_documents
from pipeline.compare.citations import as_reference, find_cited_in_corpus
from pipeline.documents import Document
from pipeline.ingest.references import Resolution, one_match_per_document, resolve
from pipeline.text.preprocess import Preprocessor
from pipeline.themes.codebook import load_codebook
from pipeline.themes.run import run_themes, training_rows
from pipeline.topics.engines import fit_model
from pipeline.topics.groups import corpus_shares
from pipeline.topics.lda import TopicParams, build_dictionary, fit_topics
from pipeline.topics.policy import MAX_FIT_DOCUMENTS, corpus_policy

REPO = Path(__file__).resolve().parents[1]


def _cited(n: int = 4) -> list[Document]:
    titles = [
        "Sinergitas Pemerintah Daerah dan Lembaga Pemberdayaan Masyarakat Desa",
        "Collaborative Governance Dalam Pemberdayaan Masyarakat Desa Bligo",
        "Peran Badan Usaha Milik Desa dalam Pemberdayaan Ekonomi Masyarakat",
        "Community Empowerment through Village Funds in Rural Indonesia",
    ]
    return [
        Document(
            source="registry",
            identifier=f"work{i}",
            title=title,
            authors=(f"Author{i} Surname",),
            year=2019 + i,
            extra={"key": f"work{i}", "role": "cited"},
        )
        for i, title in enumerate(titles[:n])
    ]


class TestCitedInCorpusAtScale:
    def test_pruned_search_gives_the_exhaustive_answer(self):
        """Copies with words dropped or reordered, other years and authors, and works with no
        copy at all: every resolution (document, confidence, reason) is the exhaustive one."""
        rng = random.Random(3)
        cited = _cited()
        corpus: list[Document] = [*cited, *synthetic_documents(150, seed=5)]
        for i, work in enumerate(cited[:3]):  # the last one has no copy in the corpus
            for j in range(4):
                words = work.title.split()
                if j == 1:
                    del words[rng.randrange(len(words))]
                if j == 2:
                    rng.shuffle(words)
                corpus.append(
                    work.with_changes(
                        source="oai:copies",
                        identifier=f"{i}-{j}",
                        title=" ".join(words),
                        year=(work.year or 2020) + (0, 1, -2, 0)[j],
                        authors=work.authors if j % 2 else ("Someone Else",),
                        extra={},
                    )
                )
        fast = _pruned_as_exhaustive(cited, corpus)
        assert [r.resolved for r in fast] == [True, True, True, False]
        assert "not found: best candidate" in fast[-1].reason

    def test_pruned_search_gives_the_exhaustive_answer_without_years_or_authors(self):
        """As in the SINTA abstracts: candidates with no year and no author, generic cited
        titles, near-equal and merely close copies, and one document two works want."""
        rng = random.Random(11)
        titles = [
            "Pendampingan Petani Kopi oleh LSM di Pagar Alam",
            "Bank Sampah dan Ekonomi Sirkular di Kelurahan Tanjung Barangan",
            "Village Funds and Local Participation in South Sumatra",
            "Model Pemberdayaan Masyarakat",  # generic
        ]
        cited = [
            work.with_changes(title=title)
            for work, title in zip(_cited(len(titles)), titles, strict=True)
        ]
        corpus: list[Document] = [*cited, *synthetic_documents(150, seed=7)]
        for i, work in enumerate(cited):
            for j in range(5):
                words = work.title.split()
                if j in (1, 3):
                    del words[rng.randrange(len(words))]
                if j == 2:
                    words.insert(rng.randrange(len(words)), "Kabupaten")
                corpus.append(
                    Document(
                        source="csv",
                        identifier=f"{i}-{j}",
                        title=" ".join(words).upper() if j == 4 else " ".join(words),
                        year=(None, None, None, work.year, (work.year or 2020) - 3)[j],
                        authors=() if j < 3 else ("Someone Else",),
                        venue="Jurnal Uji",
                    )
                )
        fast = _pruned_as_exhaustive(cited, corpus)
        # Distinctive titles: found by their equal copy with no year or author (j = 0).
        assert [r.resolved for r in fast] == [True, True, True, False]
        assert [r.document.identifier for r in fast[:3] if r.document] == ["0-0", "1-0", "2-0"]
        # The generic title: its equal copy (j = 4) is three years off, nothing confirms the
        # others, and the one of the same year (j = 3) lost a word.
        assert "a generic title (no distinctive word)" in fast[-1].reason

    def test_one_document_wanted_by_two_works_goes_to_the_stronger(self):
        first, second = _cited(3)[1:]
        title = "Bank Sampah Kelurahan Tanjung Barangan dan Ekonomi Sirkular"
        first = first.with_changes(title=title)
        twin = second.with_changes(title=title + " Warga")
        copy = Document(source="csv", identifier="c", title=title, year=first.year)
        fast = _pruned_as_exhaustive([twin, first], [first, twin, copy])
        assert fast[1].document is not None and fast[1].document.id == copy.id
        assert not fast[0].resolved and _id(fast[0].candidate) == copy.id
        assert fast[0].reason.startswith(
            f"not found: its best candidate “{title}” ({first.year}) is the match of work1"
        )


def _pruned_as_exhaustive(cited: list[Document], corpus: list[Document]) -> list[Resolution]:
    """find_cited_in_corpus, checked against resolve on every non-registry document (then one
    match per document): the same document, candidate, confidence and reason for each work."""
    candidates = [d for d in corpus if d.source != "registry"]
    fast = find_cited_in_corpus(cited, corpus)
    slow = one_match_per_document(
        [resolve(as_reference(work), candidates) for work in cited], [w.key for w in cited]
    )
    assert [_facts(r) for r in fast] == [_facts(r) for r in slow]
    return fast


def _facts(r: Resolution) -> tuple[object, ...]:
    """What a resolution says (the pruned search strips the candidates' texts, so by id)."""
    return (_id(r.document), _id(r.candidate), r.confidence, r.reason)


def _id(doc: Document | None) -> str | None:
    return doc.id if doc is not None else None


class TestTopicSample:
    """Above ``max_fit_documents`` the topic models are fitted on a seeded sample of the wider
    corpus; every document still gets its mixture, and the report's sentence says so."""

    @staticmethod
    def corpus() -> tuple[list[list[str]], list[int]]:
        rng = np.random.default_rng(0)
        vocab = {t: [f"t{t}w{i}" for i in range(15)] for t in range(4)}
        wider = [
            list(rng.choice(vocab[d % 4], 25)) + list(rng.choice(vocab[(d + 1) % 4], 3))
            for d in range(120)
        ]
        registry = [list(rng.choice(vocab[d % 2], 20)) for d in range(16)]
        return wider + registry, list(range(120, 136))

    PARAMS = TopicParams(
        k_values=(4,),
        seed=3,
        stability_seeds=2,
        engine="tomotopy",
        gibbs_iterations=50,
        min_documents=50,
        max_fit_documents=80,
    )

    def test_models_are_fitted_on_the_sample_and_every_document_gets_a_mixture(self):
        tokens, placed = self.corpus()
        result = fit_topics(tokens, str.upper, self.PARAMS, placed=placed)
        policy = result.policy
        assert result.documents == len(policy.fit_indices) == 80
        assert policy.sampled and not result.exploratory
        assert policy.corpus_indices == list(range(120))
        assert set(policy.fit_indices) < set(policy.corpus_indices)
        assert result.doc_topics.shape == (136, result.k)
        np.testing.assert_allclose(result.doc_topics.sum(axis=1), 1.0)
        outside = sorted(set(range(120)) - set(policy.fit_indices))
        np.testing.assert_allclose(
            result.doc_topics[outside], result.model.infer([tokens[i] for i in outside])
        )
        np.testing.assert_allclose(result.shares, corpus_shares(result.doc_topics[:120]), rtol=1e-9)
        sentence = result.methods()[0]
        assert "random sample of 80 of the 120 documents" in sentence
        assert "every document of the corpus then got its topic mixture" in sentence
        assert "16 works of the study registry" in sentence

    def test_the_sample_is_seeded_and_leaves_out_the_placed_works(self):
        tokens, placed = self.corpus()
        first = corpus_policy(tokens, placed, 50, 80, seed=3)
        assert first == corpus_policy(tokens, placed, 50, 80, seed=3)
        assert first.fit_indices != corpus_policy(tokens, placed, 50, 80, seed=4).fit_indices
        assert not set(first.fit_indices) & set(placed)

    def test_below_the_cap_nothing_changes(self):
        tokens, placed = self.corpus()
        policy = corpus_policy(tokens, placed, 50, 500, seed=3)
        assert not policy.sampled and policy.fit_indices == policy.corpus_indices
        assert "random sample" not in policy.sentence

    def test_a_cap_below_the_minimum_is_refused(self):
        tokens, placed = self.corpus()
        with pytest.raises(ValueError, match="below min_documents"):
            corpus_policy(tokens, placed, min_documents=100, max_fit_documents=50)

    def test_the_cap_is_a_recorded_parameter(self):
        assert self.PARAMS.as_dict()["max_fit_documents"] == 80
        assert TopicParams().as_dict()["max_fit_documents"] == MAX_FIT_DOCUMENTS


class TestThemeTrainingSample:
    def test_training_rows_keep_every_hand_coding_and_sample_the_rest(self):
        is_gold = np.zeros(50, dtype=bool)
        is_gold[[3, 17, 40]] = True
        rows = training_rows(is_gold, 10, seed=1)
        assert len(rows) == 13 and {3, 17, 40} <= set(rows.tolist())
        assert list(rows) == sorted(rows)
        np.testing.assert_array_equal(rows, training_rows(is_gold, 10, seed=1))
        np.testing.assert_array_equal(training_rows(is_gold, None, seed=1), np.arange(50))
        np.testing.assert_array_equal(training_rows(is_gold, 100, seed=1), np.arange(50))

    def test_the_classifier_trains_on_the_sample_and_codes_every_document(self, tmp_path):
        docs = list(synthetic_documents(40, seed=2))
        pre = Preprocessor()
        tokens = [pre.document_tokens(d) for d in docs]
        codebook = load_codebook(REPO / "corpus" / "codebook.toml")
        run = run_themes(
            docs, tokens, codebook, tmp_path, pre, seed=1, with_evaluation=False, max_training=25
        )
        assert run.trained_on == 25 and run.sampled
        assert run.probabilities.shape == (40, len(codebook.ids))
        assert len(run.codes) == 40
        assert "random sample of 25 of the 40 coded by the lexicon alone" in (
            run.training_sentence()
        )
        everything = run_themes(docs, tokens, codebook, tmp_path, pre, with_evaluation=False)
        assert not everything.sampled and everything.training_sentence() == ""


def test_tomotopy_inference_is_the_same_with_two_workers_and_in_any_company():
    """Why inference may use two threads and run chunk by chunk (engines.py)."""
    tokens, _ = TestTopicSample.corpus()
    params = dataclasses.replace(TestTopicSample.PARAMS, max_fit_documents=None)
    dictionary = build_dictionary(tokens, params)
    model = fit_model(tokens, dictionary, 4, 3, params.engine_params())
    assert model.infer_workers == 2
    together = model.infer(tokens)
    model.infer_workers = 1
    np.testing.assert_array_equal(together, model.infer(tokens))
    np.testing.assert_array_equal(together[::-1], model.infer(tokens[::-1]))
    np.testing.assert_array_equal(together[7:9], model.infer(tokens[7:9]))
