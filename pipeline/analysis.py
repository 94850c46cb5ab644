"""The analysis of one run: text -> topics -> themes -> comparison, as plain function calls.

Kept free of Prefect so it can be tested and reused directly; flows/analyze.py wraps each step as
a task. Everything random takes ``seed``, so the same corpus and parameters give the same report.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.compare.citations import find_cited_in_corpus
from pipeline.compare.landscape import Neighbour, nearest_combined
from pipeline.compare.similarity import (
    Comparison,
    compare_to_case,
    tfidf_cosines,
    topic_weight,
)
from pipeline.documents import ROLE_CASE, ROLE_CITED, Document
from pipeline.ingest.references import Resolution
from pipeline.text.preprocess import Preprocessor
from pipeline.themes.codebook import Codebook
from pipeline.themes.lexicon import Coding, Evidence
from pipeline.themes.pairs import Pair, registry_pairs
from pipeline.themes.run import ThemeRun, run_themes
from pipeline.topics.align import TopicSnapshot
from pipeline.topics.lda import TopicModelResult, TopicParams, fit_topics

log = logging.getLogger(__name__)

NEIGHBOURS = 20  # uncited documents of the field shown as the case's nearest neighbours


class AnalysisError(RuntimeError):
    """The corpus cannot be analysed as asked; the message says what is missing."""


@dataclass(frozen=True)
class AnalysisParams:
    """``seed`` is the run's one seed (``--seed``): the topic stage (its sample, sweep, stability
    and ensemble seeds), the theme classifier, its training sample and CV folds, and the corpus map
    all draw from it, so ``topics.seed`` is set to it (a seed given to TopicParams is overridden).
    """

    seed: int = 20240601
    topics: TopicParams = field(default_factory=TopicParams)
    evaluate_themes: bool = True  # grouped CV against the hand codings, for the model card

    def __post_init__(self) -> None:
        if self.topics.seed != self.seed:
            object.__setattr__(self, "topics", dataclasses.replace(self.topics, seed=self.seed))

    def as_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "evaluate_themes": self.evaluate_themes,
            "topics": self.topics.as_dict(),
        }


@dataclass
class Analysis:
    documents: Sequence[Document]  # a StoredCorpus in a run: read from the store when needed
    case_index: int
    cited_indices: list[int]
    tokens: list[list[str]]
    topics: TopicModelResult
    codings: list[Coding]  # the lexicon's: indicator hits and actor-role pairs
    themes: list[set[str]]  # final codes: hand codings, else classifier with lexicon
    theme_run: ThemeRun
    comparisons: list[Comparison]
    codebook: Codebook
    params: AnalysisParams
    timings: dict[str, float]
    distinct_terms: int
    preprocessor: Preprocessor  # its stemmer holds the surface forms behind every stem
    cited_in_corpus: list[Resolution]
    preprocessing: dict[str, Any] = field(default_factory=dict)  # workers, stems from cache
    neighbours: list[Neighbour] = field(default_factory=list)  # uncited, of the field, closest
    # Actor-role pairs of the case and its cited works: the text's, then the registry's.
    pairs: dict[int, list[Pair]] = field(default_factory=dict)

    @property
    def case(self) -> Document:
        return self.documents[self.case_index]

    def seeds(self) -> dict[str, Any]:
        """The seed each random step of this run used (the manifest's ``seeds``)."""
        topics = self.topics.seeds
        ensemble = topics.get("ensemble") or []
        return {
            "analysis": self.params.seed,
            "lda": topics.get("reference", self.params.topics.seed),
            "topics_sample": topics.get("sample"),
            "topics_sweep": topics.get("sweep", self.params.topics.seed),
            "topics_ensemble": {"count": len(ensemble), "seeds": list(ensemble)},
            "themes_classifier": self.theme_run.classifier.seed,
            "themes_training_sample": self.params.seed if self.theme_run.sampled else None,
            "themes_cv_folds": self.params.seed if self.theme_run.card is not None else None,
            "corpus_map": self.params.seed,
        }

    def metrics(self) -> dict[str, Any]:
        return {
            "documents": len(self.documents),
            "cited_works": len(self.cited_indices),
            "title_only_cited_works": sum(self.documents[i].title_only for i in self.cited_indices),
            "tokens": sum(len(t) for t in self.tokens),
            "distinct_terms": self.distinct_terms,
            "topics_engine": self.topics.engine,
            "topics_k": self.topics.k,
            "topic_ids": list(self.topics.ids),
            "topics_exploratory": self.topics.exploratory,
            "topics_fitted_on": self.topics.documents,
            "topic_sweep": (
                self.topics.sweep.curves().to_dict("records") if self.topics.sweep else None
            ),
            "topic_stability": (
                list(self.topics.stability.per_topic) if self.topics.stability else None
            ),
            "themes_human_coded_documents": len(self.theme_run.human),
            "themes_macro_f1": (self.theme_run.card.macro_f1 if self.theme_run.card else None),
            "themes_mean_kappa": (self.theme_run.card.mean_kappa if self.theme_run.card else None),
            "field_relevance": self._relevance_metrics(),
            "bridge": {
                "bilingual_abstracts": self.preprocessor.bridge.pairs,
                "word_pairs": len(self.preprocessor.bridge.mapping),
            },
            "seconds": self.timings,
            "preprocessing": self.preprocessing,
        }

    def _relevance_metrics(self) -> dict[str, Any] | None:
        relevance = self.theme_run.relevance
        if relevance is None:
            return None
        evaluation = relevance.model.evaluation
        return {
            "in_field": int(relevance.in_field.sum()),
            "left_out": relevance.left_out,
            "threshold": relevance.threshold,
            "model": relevance.model.origin,
            "hand_coded_here": relevance.labelled,
            "cross_validated": None if evaluation is None else dataclasses.asdict(evaluation),
            "uncoded_out_of_field": self.theme_run.abstained,
        }


def split_roles(docs: Sequence[Document]) -> tuple[int, list[int]]:
    cases = [i for i, d in enumerate(docs) if d.role == ROLE_CASE]
    if len(cases) != 1:
        raise AnalysisError(
            f"expected exactly one case study in the corpus, found {len(cases)}; "
            "is corpus/studies.toml ingested?"
        )
    cited = [i for i, d in enumerate(docs) if d.role == ROLE_CITED]
    return cases[0], cited


@dataclass
class Prepared:
    """Documents' token lists and the preprocessor that made them (its surface forms)."""

    preprocessor: Preprocessor
    tokens: list[list[str]]
    seconds: float = 0.0
    workers: int = 1  # processes, or "dask" chunks' workers
    stems_from_cache: int = 0  # words whose stems an earlier run had saved

    def facts(self) -> dict[str, Any]:
        return {"workers": self.workers, "stems_from_cache": self.stems_from_cache}


def prepare(docs: Sequence[Document], workers: int = 1, stem_cache: Path | None = None) -> Prepared:
    """Token lists of ``docs``, in worker processes when ``workers`` > 1 (large corpora).

    ``stem_cache``: a folder where stems are kept between runs (text/stemcache.py), so a refresh
    stems only new words. Done elsewhere (a Dask cluster: flows/analyze.py), the result is built
    the same way, from preprocess_chunk results absorbed by one Preprocessor."""
    started = time.perf_counter()
    pre = Preprocessor()
    preloaded = pre.use_stem_cache(stem_cache) if stem_cache is not None else 0
    pre.learn_bridge(docs)  # before the pass: workers get the bridge with the settings
    tokens = list(pre.map_parallel(docs, workers=workers))
    pre.save_stem_cache()
    return Prepared(pre, tokens, time.perf_counter() - started, workers, preloaded)


def analyse(
    docs: Sequence[Document],
    codebook: Codebook,
    params: AnalysisParams,
    labels_dir: Path,
    previous_topics: TopicSnapshot | None = None,
    prepared: Prepared | None = None,
) -> Analysis:
    """``labels_dir``: hand codings (corpus/labels; missing files mean none yet, and the lexicon
    alone trains the classifier).
    ``previous_topics``: the last run's topics, so topic ids stay where the topic is the same.
    ``prepared``: token lists already made (in parallel, or on a cluster); else made here."""
    docs = docs if isinstance(docs, Sequence) else list(docs)  # a StoredCorpus stays on disk
    case_index, cited_indices = split_roles(docs)
    timings: dict[str, float] = {}

    if prepared is None:
        prepared = prepare(docs)
    if len(prepared.tokens) != len(docs):
        raise AnalysisError(
            f"{len(prepared.tokens)} token lists were prepared for {len(docs)} documents"
        )
    pre, tokens = prepared.preprocessor, prepared.tokens
    # Distinct terms the models see (stems and concepts); the stemmer's memo is larger, since
    # the thesaurus and the theme stage stem words of their own.
    distinct_terms = len({term for doc_tokens in tokens for term in doc_tokens})
    timings["preprocess"] = prepared.seconds

    started = time.perf_counter()
    theme_run = run_themes(
        docs,
        tokens,
        codebook,
        labels_dir,
        pre,
        seed=params.seed,
        with_evaluation=params.evaluate_themes,
    )
    codings = theme_run.codings
    themes = theme_run.themes()
    timings["themes"] = time.perf_counter() - started

    # Themes first: field relevance (from the lexicon's codings) decides what the topics model.
    relevance = theme_run.relevance
    outside = [] if relevance is None else np.flatnonzero(~relevance.in_field).tolist()

    started = time.perf_counter()
    topics = fit_topics(
        tokens,
        pre.surface,
        params.topics,
        placed=[case_index, *cited_indices],
        previous=previous_topics,
        outside=outside,
    )
    timings["topics"] = time.perf_counter() - started

    started = time.perf_counter()
    cosines = tfidf_cosines(tokens, case_index)
    pairs = {
        i: [*codings[i].pairs, *registry_pairs(docs[i].extra)] for i in [case_index, *cited_indices]
    }
    comparisons = compare_to_case(
        case_index,
        docs,
        cited_indices,
        tokens,
        topics.doc_topics,
        themes,
        {i: {p.key for p in found} for i, found in pairs.items()},
        {t.id: t.family for t in codebook.themes},
        cosines=cosines,
        ensemble=topics.ensemble,
        topic_weight=topic_weight(topics.stability),
    )
    registry = {case_index, *cited_indices}
    candidates = [
        i
        for i in range(len(docs))
        if i not in registry and tokens[i] and (relevance is None or relevance.in_field[i])
    ]
    method_concepts = frozenset(
        concept.token
        for concept in (pre.thesaurus.concepts.values() if pre.thesaurus else ())
        if concept.domain == "methods"
    )
    neighbours = nearest_combined(
        case_index,
        candidates,
        cosines,
        tokens,
        topics.doc_topics,
        themes,
        NEIGHBOURS,
        method_concepts,
    )
    cited_in_corpus = find_cited_in_corpus([docs[i] for i in cited_indices], docs)
    timings["compare"] = time.perf_counter() - started
    return Analysis(
        documents=docs,
        case_index=case_index,
        cited_indices=cited_indices,
        tokens=tokens,
        topics=topics,
        codings=codings,
        themes=themes,
        theme_run=theme_run,
        comparisons=comparisons,
        codebook=codebook,
        params=params,
        timings=timings,
        distinct_terms=distinct_terms,
        preprocessor=pre,
        cited_in_corpus=cited_in_corpus,
        preprocessing=prepared.facts(),
        neighbours=neighbours,
        pairs=pairs,
    )


def evidence_for(analysis: Analysis, index: int, theme: str) -> tuple[Evidence, ...]:
    """The sentences behind a document's theme code (hand-coded themes may have none)."""
    code = analysis.theme_run.codes[index].get(theme)
    return tuple(code.evidence) if code is not None else ()
