"""Topic models a researcher can trust: K chosen by a stated rule, stable across seeds, readable,
and with ids that survive a refresh.

``fit_topics`` runs the whole stage:

1. policy (policy.py): which documents to fit on; too few documents -> exploratory, said plainly;
   a large corpus -> a seeded sample of it, said plainly too;
2. sweep (sweep.py): each candidate K fitted on 90%, scored by c_v, NPMI, diversity and held-out
   perplexity; K chosen by a rule the report prints;
3. stability and ensemble (stability.py, ensemble.py): the chosen K refitted on all fitted
   documents under several seeds derived from the run's; the seed model that agrees best with the
   others (the medoid) is the result, each of its topics scored by how well the others agree and
   called recurring when it comes back in at least half of them (the others are folded into one
   "unstable" row by the report), and the placed documents' mixtures are kept under every seed
   model, so the comparison with the case can be taken over seeds;
4. mixtures for every document from that model (the registry works placed, not fitted; on a
   large corpus, every document outside the sample inferred the same way);
5. ids (align.py): matched to the previous run's topics, where one is given.

Topics are shown by surface forms (the most frequent word behind each stem), never by bare stems:
"pemberdayaan", not "daya"; their labels are ranked by relevance, not probability, with generic
words left out (labels.py).

Small corpora: K may not exceed one topic per ``DOCUMENTS_PER_TOPIC`` (20) documents, since on
207 field documents a sweep up to 25 topics gave topics that no two seeds agreed on (BENCHMARKS.md
"Topics"); and a corpus of few tokens gets more Gibbs sweeps (``gibbs_iterations_for``), which is
cheap there and makes the seeds agree more (mean stability 0.25 -> 0.4 at K=8-10 on that corpus).
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
from pipeline.topics.labels import (
    DISTINCTIVE_LIFT,
    RELEVANCE_LAMBDA,
    TopicCard,
    relevance_labels,
    surface_words,
    topic_cards,
    topic_name,
)
from pipeline.topics.policy import (
    MAX_FIT_DOCUMENTS,
    MIN_DOCUMENTS_FOR_FINDINGS,
    CorpusPolicy,
    corpus_policy,
)
from pipeline.topics.stability import (
    DEFAULT_STABILITY_THRESHOLD,
    StabilityResult,
    medoid,
    topic_stability,
)
from pipeline.topics.sweep import DEFAULT_MIN_DIVERSITY, SweepResult, coherences, sweep_k

log = logging.getLogger(__name__)

__all__ = ["MIN_DOCUMENTS_FOR_FINDINGS", "TopicModelResult", "TopicParams", "fit_topics"]

DOCUMENTS_PER_TOPIC = 20  # K's ceiling: at least this many fitted documents per topic
# Gibbs sweeps per fit: at least TopicParams.gibbs_iterations, more on few tokens, up to the cap
GIBBS_TOKEN_BUDGET = 20_000_000  # fitted tokens x sweeps of one fit
MAX_GIBBS_ITERATIONS = 1000
UNSTABLE_ID = "unstable"  # the report's row for the topics that do not recur


def gibbs_iterations_for(tokens: int, floor: int) -> int:
    """Gibbs sweeps for a corpus of ``tokens`` fitted tokens: ``floor`` on a large corpus, up to
    ``MAX_GIBBS_ITERATIONS`` where a fit is cheap (20,000 tokens: 1000 sweeps, about 1 s)."""
    return int(max(floor, min(MAX_GIBBS_ITERATIONS, GIBBS_TOKEN_BUDGET // max(1, tokens))))


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
    documents_per_topic: int = DOCUMENTS_PER_TOPIC  # K <= fitted documents / this

    def engine_params(self, tokens: int | None = None) -> EngineParams:
        """The engine's settings; ``tokens`` (fitted tokens) scales tomotopy's Gibbs sweeps."""
        gibbs = self.gibbs_iterations
        if tokens is not None:
            gibbs = gibbs_iterations_for(tokens, self.gibbs_iterations)
        return EngineParams(
            engine=self.engine,
            passes=self.passes,
            iterations=self.iterations,
            gibbs_iterations=gibbs,
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
    top_stems: list[list[str]]  # by probability
    labels: list[list[str]] = field(default_factory=list)  # surface forms, by relevance (labels.py)
    top_words: list[list[str]] = field(default_factory=list)  # surface forms, by probability
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
    # NPMI coherence (top 10, over the fitted texts) of the reference's topics: "all" K of them,
    # and the "recurring" ones the report shows (nan when none recurs)
    npmi: dict[str, float] = field(default_factory=dict)

    @property
    def engine(self) -> str:
        return self.model.engine

    @property
    def names(self) -> list[str]:
        """ "T3: pemberdayaan, desa, partisipasi", one per topic."""
        return [
            f"{tid}: {topic_name(words)}" for tid, words in zip(self.ids, self.labels, strict=True)
        ]

    @property
    def recurring(self) -> list[int]:
        """Topics (indices) that recur over the seeds: the findings; the others are unstable."""
        return [] if self.stability is None else self.stability.recurring

    @property
    def unstable(self) -> list[int]:
        recurring = set(self.recurring)
        return [t for t in range(self.k) if t not in recurring]

    def folded(self) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
        """The model as the report shows it: the recurring topics, and the others folded into one
        "unstable" topic (its word distribution their share-weighted mean, its weight in each
        document their sum). Returns (topic_word, doc_topics, ids, labels)."""
        phi = self.model.topic_word()
        keep, rest = self.recurring, self.unstable
        rows = [phi[t] for t in keep]
        columns = [self.doc_topics[:, t] for t in keep]
        ids = [self.ids[t] for t in keep]
        labels = [", ".join(self.labels[t][:5]) for t in keep]
        if rest:
            weights = np.asarray([max(self.shares[t], 1e-12) for t in rest])
            rows.append(weights @ phi[rest] / weights.sum())
            columns.append(self.doc_topics[:, rest].sum(axis=1))
            ids.append(UNSTABLE_ID)
            labels.append(f"{len(rest)} topics that do not recur over the seeds")
        return np.vstack(rows), np.column_stack(columns), ids, labels

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
        if self.npmi:
            recurring = self.npmi.get("recurring", float("nan"))
            lines.append(
                f"NPMI coherence of the topics shown: {self.npmi['all']:+.3f} over all {self.k}"
                + (
                    f", {recurring:+.3f} over the recurring ones."
                    if recurring == recurring
                    else "."
                )
            )
        lines.append(
            "Topic labels: words ranked by relevance (Sievert & Shirley 2014, lambda "
            f"{RELEVANCE_LAMBDA}), not by probability, with generic words (negations, research "
            "and method words, placeholder nouns) left out; a distinctive word (one of the topic's "
            f"own, used at least {DISTINCTIVE_LIFT:g} times as often as in the corpus) leads when "
            "the ranking put none in the name; topics.csv keeps the most probable words beside "
            "them."
        )
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
        """Cards of the recurring topics with representative documents, then one card for the
        topics that do not recur (``UNSTABLE_ID``); ``texts`` row for row with doc_topics.

        ``among`` defaults to the fitted documents, so a placed case never "represents" a topic.
        """
        if among is None and self.policy is not None:
            among = self.policy.corpus_indices
        cards = topic_cards(
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
        shown = [cards[t] for t in self.recurring]
        rest = self.unstable
        if rest:
            share = float(sum(self.shares[t] for t in rest))
            seeds = 0 if self.stability is None else len(self.stability.seeds)
            head = (
                "No topic recurs over the seeds: "
                if not shown
                else f"{len(rest)} of {self.k} topics do not recur over the seeds: "
            )
            note = head + (
                f"{', '.join(self.ids[t] for t in rest)} change with the seed"
                + (f" (of {seeds} seed models)" if seeds > 1 else " (one seed model)")
                + f" and hold {share:.1%} of the corpus together. They are not findings; their "
                "words are in topics.csv's unstable row and doc_topics.csv."
            )
            stabilities = [self.stability.per_topic[t] for t in rest] if self.stability else []
            shown.append(
                TopicCard(
                    id=UNSTABLE_ID,
                    words=[],
                    name=UNSTABLE_ID,
                    share=share,
                    stability=float(np.mean(stabilities)) if stabilities else None,
                    unstable=True,
                    documents=[],
                    note=note,
                )
            )
        return shown

    def group_shares(self, groups: Sequence[Hashable | None]) -> pd.DataFrame:
        return group_shares(self.doc_topics, groups, self.ids)

    def over_time(self, years: Sequence[int | None]) -> pd.DataFrame:
        return topics_over_time(self.doc_topics, years, self.ids)


def candidate_ks(params: TopicParams, documents: int) -> list[int]:
    """K values worth trying: at most one topic per ``documents_per_topic`` documents, at least
    two topics (so 16 works get 2, 207 field abstracts at most 10)."""
    ceiling = max(2, documents // max(1, params.documents_per_topic))
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
    engine = params.engine_params(sum(dictionary.cfs.values()))
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
    rows = list(placed)
    placed_lists = [token_lists[i] for i in rows]
    first = fit_model(texts, dictionary, sweep.k, seeds[0], engine)
    tops, mixtures = [first.top_words(params.top_n)], [first.infer(placed_lists)]
    # One seed model at a time: its top words (stability) and its placed mixtures are kept.
    for s in seeds[1:]:
        model = fit_model(texts, dictionary, sweep.k, s, engine)
        tops.append(model.top_words(params.top_n))
        mixtures.append(model.infer(placed_lists))
    # The reference is the seed model that agrees best with the others (refitted: same seed,
    # same model), so the topics shown are the ensemble's consensus.
    chosen = medoid(tops, params.top_n)
    reference = (
        first if chosen == 0 else fit_model(texts, dictionary, sweep.k, seeds[chosen], engine)
    )
    top_stems = tops[chosen]
    doc_topics = reference.infer(token_lists)
    stability = topic_stability(
        top_stems,
        [t for i, t in enumerate(tops) if i != chosen],
        params.stability_threshold,
        seeds,
        params.top_n,
    )
    stability = dataclasses.replace(stability, reference=seeds[chosen])
    recurring_stems = [top_stems[t] for t in stability.recurring]
    npmi = coherences([top_stems, recurring_stems or top_stems], texts, dictionary, "c_npmi")
    vocab = [dictionary[i] for i in range(len(dictionary))]
    frequency = np.asarray([dictionary.cfs.get(i, 0) for i in range(len(dictionary))], float)
    labels = relevance_labels(reference.topic_word(), frequency, vocab, surface)
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
        labels=[label.words for label in labels],
        top_words=[surface_words(stems, surface) for stems in top_stems],
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
            "reference": seeds[chosen],
            "ensemble": seeds,
        },
        npmi={"all": npmi[0], "recurring": npmi[1] if recurring_stems else float("nan")},
    )
