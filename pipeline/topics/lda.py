"""Topic models a researcher can trust: K chosen by a stated rule, stable across seeds, readable,
and with ids that survive a refresh.

``fit_topics`` runs the whole stage:

1. policy (policy.py): which documents to fit on; too few documents -> exploratory, said plainly;
   a large corpus -> a seeded sample of it, said plainly too;
2. sweep (sweep.py): each candidate K fitted on 90%, scored by c_v, NPMI, diversity and held-out
   perplexity; K chosen by a rule the report prints;
3. stability and ensemble (stability.py, ensemble.py): the chosen K refitted on all fitted
   documents under several seeds derived from the run's; the first seed's model is the result,
   each of its topics scored by how well the others agree, and the placed documents' mixtures are
   kept under every seed model, so the comparison with the case can be taken over seeds;
4. mixtures for every document from that model (the registry works placed, not fitted; on a
   large corpus, every document outside the sample inferred the same way);
5. ids (align.py): matched to the previous run's topics, where one is given.

Topics are shown by surface forms (the most frequent word behind each stem), never by bare stems:
"pemberdayaan", not "daya".
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary

from pipeline.topics.align import DEFAULT_MATCH_THRESHOLD, TopicDiff, TopicSnapshot, carry_ids
from pipeline.topics.engines import EngineParams, FittedTopicModel, fit_model
from pipeline.topics.ensemble import (
    MAX_ENSEMBLE,
    MAX_ENSEMBLE_BY_ENGINE,
    SeedMixtures,
    derive_seeds,
    ensemble_size,
)
from pipeline.topics.groups import corpus_shares, group_shares, topics_over_time
from pipeline.topics.labels import TopicCard, surface_words, topic_cards, topic_name
from pipeline.topics.policy import (
    MAX_FIT_DOCUMENTS,
    MIN_DOCUMENTS_FOR_FINDINGS,
    CorpusPolicy,
    corpus_policy,
)
from pipeline.topics.stability import DEFAULT_STABILITY_THRESHOLD, StabilityResult, topic_stability
from pipeline.topics.sweep import DEFAULT_MIN_DIVERSITY, SweepResult, sweep_k

log = logging.getLogger(__name__)

__all__ = ["MIN_DOCUMENTS_FOR_FINDINGS", "TopicModelResult", "TopicParams", "fit_topics"]


@dataclass(frozen=True)
class TopicParams:
    k_values: tuple[int, ...] = (5, 10, 15, 20, 25, 30)
    passes: int = 10  # gensim
    iterations: int = 100  # gensim
    seed: int = 20240601
    top_n: int = 10
    no_below: int = 2
    no_above: float = 0.6
    # tomotopy by default: better planted-topic recovery, higher NPMI, half the time (BENCHMARKS.md)
    engine: str = "tomotopy"  # "gensim" | "tomotopy"
    gibbs_iterations: int = 200  # tomotopy
    infer_workers: int = 2  # tomotopy inference threads: the same mixtures with any number
    stability_seeds: int = 3  # models fitted at the chosen K, the reference included
    # Seed models at the chosen K for the scores of the case comparison (ensemble.py); None: the
    # stability seeds plus as many as ensemble.ENSEMBLE_TOKEN_BUDGET pays for on this corpus
    ensemble_seeds: int | None = None
    stability_threshold: float = DEFAULT_STABILITY_THRESHOLD
    min_diversity: float = DEFAULT_MIN_DIVERSITY
    match_threshold: float = DEFAULT_MATCH_THRESHOLD  # same topic across refreshes
    min_documents: int = MIN_DOCUMENTS_FOR_FINDINGS
    # Above this many documents the models are fitted on a seeded sample (policy.py); None: never
    max_fit_documents: int | None = MAX_FIT_DOCUMENTS

    def engine_params(self) -> EngineParams:
        return EngineParams(
            engine=self.engine,
            passes=self.passes,
            iterations=self.iterations,
            gibbs_iterations=self.gibbs_iterations,
            infer_workers=self.infer_workers,
        )

    def seeds(self) -> list[int]:
        """The stability seeds: the reference (``seed``) first, the others derived from it."""
        return derive_seeds(self.seed, max(1, self.stability_seeds))

    def ensemble(self, fitted_tokens: int) -> list[int]:
        """Every seed fitted at the chosen K: the stability seeds first, then the ensemble's."""
        cap = MAX_ENSEMBLE_BY_ENGINE.get(self.engine, MAX_ENSEMBLE)
        n = self.ensemble_seeds or ensemble_size(fitted_tokens, self.stability_seeds, cap)
        return derive_seeds(self.seed, max(n, self.stability_seeds, 1))

    def as_dict(self) -> dict[str, Any]:
        body = dataclasses.asdict(self)
        body["k_values"] = list(self.k_values)
        return body


@dataclass
class TopicModelResult:
    model: FittedTopicModel  # the reference seed's model; .lda / .mdl hold the engine's own
    dictionary: Dictionary
    k: int
    coherence_by_k: dict[int, float]  # c_v, as before; the full curves are in sweep
    doc_topics: np.ndarray  # documents x K (all documents, placed ones inferred), rows sum to 1
    top_stems: list[list[str]]
    labels: list[list[str]] = field(default_factory=list)  # surface forms
    documents: int = 0  # documents the model was fitted on
    vocabulary: int = 0
    exploratory: bool = True
    policy: CorpusPolicy | None = None
    sweep: SweepResult | None = None
    stability: StabilityResult | None = None
    ids: list[str] = field(default_factory=list)  # stable ids, "T3", one per topic
    shares: list[float] = field(default_factory=list)  # of the fitted corpus, one per topic
    diff: TopicDiff | None = None  # against the previous run, when one was given
    next_number: int = 1  # first topic number never used (saved in the snapshot)
    # The placed documents' mixtures under every seed model at K (the reference's first)
    ensemble: SeedMixtures | None = None
    seeds: dict[str, Any] = field(default_factory=dict)  # each random step's seed, as used

    @property
    def engine(self) -> str:
        return self.model.engine

    @property
    def names(self) -> list[str]:
        """ "T3: pemberdayaan, desa, partisipasi", one per topic."""
        return [
            f"{tid}: {topic_name(words)}" for tid, words in zip(self.ids, self.labels, strict=True)
        ]

    def methods(self) -> list[str]:
        """Sentences for the report's methods and limits: policy, K rule, stability, engine."""
        lines = []
        if self.policy is not None:
            lines.append(self.policy.sentence)
        if self.sweep is not None:
            lines.append(
                f"{self.engine} LDA, K={self.k} of {sorted(self.coherence_by_k)}. {self.sweep.rule}"
            )
        if self.stability is not None:
            lines.append(self.stability.sentence())
        return lines

    def snapshot(self, run_id: str) -> TopicSnapshot:
        return TopicSnapshot(
            ids=list(self.ids),
            top_words=[list(w) for w in self.top_stems],
            shares=list(self.shares),
            next_number=self.next_number,
            run_id=run_id,
            labels=self.names,
        )

    def cards(
        self, texts: Sequence[str], documents: int = 3, among: Sequence[int] | None = None
    ) -> list[TopicCard]:
        """Topic cards with representative documents; ``texts`` row for row with doc_topics.

        ``among`` defaults to the fitted documents, so a placed case never "represents" a topic.
        """
        if among is None and self.policy is not None:
            among = self.policy.corpus_indices
        return topic_cards(
            self.ids,
            self.labels,
            self.doc_topics,
            texts,
            shares=self.shares,
            stability=None if self.stability is None else self.stability.per_topic,
            stability_threshold=DEFAULT_STABILITY_THRESHOLD
            if self.stability is None
            else self.stability.threshold,
            documents=documents,
            among=among,
        )

    def group_shares(self, groups: Sequence[Hashable | None]) -> pd.DataFrame:
        return group_shares(self.doc_topics, groups, self.ids)

    def over_time(self, years: Sequence[int | None]) -> pd.DataFrame:
        return topics_over_time(self.doc_topics, years, self.ids)


def candidate_ks(params: TopicParams, documents: int) -> list[int]:
    """K values worth trying: at most one topic per two documents, at least two topics."""
    ceiling = max(2, documents // 2)
    ks = sorted({k for k in params.k_values if 2 <= k <= ceiling})
    return ks or [min(ceiling, max(2, min(params.k_values, default=2)))]


def build_dictionary(token_lists: Sequence[Sequence[str]], params: TopicParams) -> Dictionary:
    dictionary = Dictionary(token_lists)
    # On tiny corpora keep every word that occurs in two documents; on larger ones also drop
    # words present in most documents (they separate nothing).
    no_above = params.no_above if len(token_lists) >= 20 else 1.0
    no_below = params.no_below if len(token_lists) >= 10 else 1
    dictionary.filter_extremes(no_below=no_below, no_above=no_above, keep_n=50_000)
    dictionary.compactify()
    return dictionary


def fit_topics(
    token_lists: Sequence[Sequence[str]],
    surface: Callable[[str], str],
    params: TopicParams | None = None,
    *,
    placed: Sequence[int] = (),
    previous: TopicSnapshot | None = None,
    outside: Sequence[int] = (),
) -> TopicModelResult:
    """The topic stage: policy, sweep over K, seeds, mixtures for all documents, stable ids.

    ``placed``: documents to place in the model rather than fit it on (the case and its cited
    works), honoured when the rest make a corpus large enough; ``previous``: the last run's
    snapshot (persist.previous_topics), to carry its topic ids over; ``outside``: documents
    outside the field, left out of the fit and the shares when the field has enough (policy.py).
    """
    params = params or TopicParams()
    policy = corpus_policy(
        token_lists, placed, params.min_documents, params.max_fit_documents, params.seed, outside
    )
    fit_lists = [token_lists[i] for i in policy.fit_indices]
    dictionary = build_dictionary(fit_lists, params)
    if len(dictionary) == 0 or not any(dictionary.doc2bow(list(t)) for t in fit_lists):
        raise ValueError("no words left to model after stop words and filtering")
    engine = params.engine_params()
    sweep = sweep_k(
        fit_lists,
        dictionary,
        candidate_ks(params, len(fit_lists)),
        engine,
        params.seed,
        params.top_n,
        params.min_diversity,
    )
    texts = [[t for t in tokens if t in dictionary.token2id] for tokens in fit_lists]
    # The extra ensemble seeds serve the comparison of placed documents; without any, the
    # stability seeds alone.
    seeds = params.ensemble(sum(len(t) for t in texts)) if placed else params.seeds()
    reference = fit_model(texts, dictionary, sweep.k, seeds[0], engine)
    top_stems = reference.top_words(params.top_n)
    doc_topics = reference.infer(token_lists)
    rows = list(placed)
    others_top, mixtures = [], [doc_topics[rows]]
    # One seed model at a time: its top words (stability) and its placed mixtures are kept.
    for s in seeds[1:]:
        model = fit_model(texts, dictionary, sweep.k, s, engine)
        others_top.append(model.top_words(params.top_n))
        mixtures.append(model.infer([token_lists[i] for i in rows]))
    stability = topic_stability(
        top_stems, others_top, params.stability_threshold, seeds, params.top_n
    )
    shares = corpus_shares(doc_topics[policy.corpus_indices]).tolist()
    alignment = carry_ids(previous, top_stems, shares, params.match_threshold)
    log.info("topics: K=%d, %s; %s", sweep.k, stability.sentence(), policy.sentence)
    return TopicModelResult(
        model=reference,
        dictionary=dictionary,
        k=sweep.k,
        coherence_by_k=sweep.coherence_by_k(),
        doc_topics=doc_topics,
        top_stems=top_stems,
        labels=[surface_words(stems, surface) for stems in top_stems],
        documents=len(fit_lists),
        vocabulary=len(dictionary),
        exploratory=policy.exploratory,
        policy=policy,
        sweep=sweep,
        stability=stability,
        ids=alignment.ids,
        shares=shares,
        diff=alignment.diff,
        next_number=alignment.next_number,
        ensemble=SeedMixtures(seeds, rows, np.stack(mixtures)) if rows else None,
        seeds={
            "sample": params.seed if policy.sampled else None,
            "sweep": params.seed,
            "reference": seeds[0],
            "ensemble": seeds,
        },
    )
