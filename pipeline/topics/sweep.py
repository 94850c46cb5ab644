"""Choosing K: a sweep of models, each scored three ways, and a rule the report can print.

Each K is fitted once on 90% of the documents (a split fixed by its own seed) and scored by

- coherence, c_v and NPMI, with gensim's ``CoherenceModel`` over all the fitted documents' texts:
  one tool and one reference corpus for every engine, so the numbers compare;
- topic diversity: the share of distinct words among all topics' top 25 (1 = no topic repeats
  another's words; low values mean K is splitting topics into near-copies);
- held-out perplexity on the other 10%: shown for completeness, not used to choose, since it
  keeps improving with K and agrees poorly with human judgement of topics (Chang et al. 2009).

The rule: rank-normalise c_v and NPMI across the candidates (best = 1, worst = 0), average the
two, take the highest; ties to the smaller K; a K whose diversity is below ``min_diversity`` is
excluded unless every K is. Ranks rather than raw values because c_v and NPMI live on different
scales, and ranks make the rule indifferent to that.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary
from gensim.models import CoherenceModel

from pipeline.topics.engines import EngineParams, fit_model

log = logging.getLogger(__name__)

DIVERSITY_TOP_N = 25
DEFAULT_MIN_DIVERSITY = 0.5
HELD_OUT_SHARE = 0.1
MIN_DOCUMENTS_FOR_HELD_OUT = 20


@dataclass(frozen=True)
class KScore:
    k: int
    c_v: float
    npmi: float
    diversity: float
    log_perplexity: float | None  # held-out per-word bound; None when no documents were held out
    seconds: float
    score: float = float("nan")  # the rule's value: mean of the two coherence ranks, 0-1
    excluded: bool = False  # diversity below the minimum

    @property
    def perplexity(self) -> float | None:
        if self.log_perplexity is None or not math.isfinite(self.log_perplexity):
            return None
        return math.exp(-self.log_perplexity)


@dataclass(frozen=True)
class SweepResult:
    scores: list[KScore]
    k: int
    rule: str  # the rule as a sentence the report can print
    engine: str
    held_out: int  # documents held out for perplexity

    def curves(self) -> pd.DataFrame:
        """One row per K: the data behind the model-selection figure."""
        return pd.DataFrame(
            [
                {
                    "k": s.k,
                    "c_v": s.c_v,
                    "npmi": s.npmi,
                    "diversity": s.diversity,
                    "held_out_perplexity": s.perplexity,
                    "rule_score": s.score,
                    "excluded": s.excluded,
                    "chosen": s.k == self.k,
                    "seconds": s.seconds,
                }
                for s in self.scores
            ]
        )

    def coherence_by_k(self) -> dict[int, float]:
        return {s.k: s.c_v for s in self.scores}


def rule_sentence(min_diversity: float) -> str:
    return (
        "K is the one with the highest mean of rank-normalised c_v and NPMI coherence, ties to "
        f"the smaller K; a K whose topic diversity is below {min_diversity:.2f} is excluded."
    )


def topic_diversity(top_words: Sequence[Sequence[str]], n: int = DIVERSITY_TOP_N) -> float:
    """Distinct words among all topics' top ``n``, as a share of K x n (Dieng et al. 2020)."""
    words = [w for topic in top_words for w in topic[:n]]
    return len(set(words)) / len(words) if words else 0.0


def coherence(
    top_words: Sequence[Sequence[str]],
    texts: Sequence[Sequence[str]],
    dictionary: Dictionary,
    measure: str,
) -> float:
    """Mean coherence of the topics (gensim ``CoherenceModel``); 0 when it is not finite."""
    return coherences([top_words], texts, dictionary, measure)[0]


def coherences(
    topic_sets: Sequence[Sequence[Sequence[str]]],
    texts: Sequence[Sequence[str]],
    dictionary: Dictionary,
    measure: str,
) -> list[float]:
    """Mean coherence of each set of topics, counting co-occurrences in one pass over the texts.

    gensim rescans the texts whenever the topics bring words it has not counted; we count the
    union of all sets' words once and then score each set from those counts (the scores are the
    ones separate ``CoherenceModel`` runs give; the sliding-window scan is what costs).
    """
    union = sorted(
        {w for topics in topic_sets for t in topics for w in t if w in dictionary.token2id}
    )
    if not union:
        return [0.0] * len(topic_sets)
    # topn must cover the whole union: gensim cuts every topic to its first ``topn`` words (20 by
    # default) before counting, so the counts would hold only 20 words of the union and each set
    # would rescan the texts (the slowest part of the topic stage, found at 1,000 documents).
    model = CoherenceModel(
        topics=[union],
        texts=[list(t) for t in texts],
        dictionary=dictionary,
        coherence=measure,
        topn=len(union),
        processes=1,
    )
    model.estimate_probabilities()
    values = []
    for topics in topic_sets:
        model.topics = [list(t) for t in topics]
        value = model.get_coherence()
        values.append(float(value) if np.isfinite(value) else 0.0)
    return values


def held_out_split(n: int, seed: int, share: float = HELD_OUT_SHARE) -> tuple[list[int], list[int]]:
    """(train, held out) document indices; nothing held out when there are too few documents."""
    if n < MIN_DOCUMENTS_FOR_HELD_OUT:
        return list(range(n)), []
    order = np.random.default_rng(seed).permutation(n)
    cut = max(1, round(n * share))
    return sorted(int(i) for i in order[cut:]), sorted(int(i) for i in order[:cut])


def _ranks(values: Sequence[float]) -> list[float]:
    """Rank-normalise to 0-1 (best 1); equal values share their mean rank."""
    n = len(values)
    if n == 1:
        return [1.0]
    ranks = pd.Series(list(values)).rank(method="average").to_numpy()
    return [(r - 1) / (n - 1) for r in ranks]


def choose_k(
    scores: Sequence[KScore], min_diversity: float = DEFAULT_MIN_DIVERSITY
) -> tuple[int, list[KScore]]:
    """Apply the rule; returns the chosen K and the scores with ``score``/``excluded`` filled."""
    excluded = [s.diversity < min_diversity for s in scores]
    if all(excluded):
        excluded = [False] * len(scores)
    eligible = [s for s, out in zip(scores, excluded, strict=True) if not out]
    cv_ranks = dict(zip([s.k for s in eligible], _ranks([s.c_v for s in eligible]), strict=True))
    npmi_ranks = dict(zip([s.k for s in eligible], _ranks([s.npmi for s in eligible]), strict=True))
    filled = [
        KScore(
            s.k,
            s.c_v,
            s.npmi,
            s.diversity,
            s.log_perplexity,
            s.seconds,
            (cv_ranks[s.k] + npmi_ranks[s.k]) / 2 if not out else float("nan"),
            out,
        )
        for s, out in zip(scores, excluded, strict=True)
    ]
    best = max((s for s in filled if not s.excluded), key=lambda s: (s.score, -s.k))
    return best.k, filled


def sweep_k(
    token_lists: Sequence[Sequence[str]],
    dictionary: Dictionary,
    k_values: Sequence[int],
    engine: EngineParams,
    seed: int,
    top_n: int = 10,
    min_diversity: float = DEFAULT_MIN_DIVERSITY,
) -> SweepResult:
    """Fit and score each K (models are not kept: the chosen K is refitted on every document)."""
    texts = [[t for t in tokens if t in dictionary.token2id] for tokens in token_lists]
    train, held = held_out_split(len(texts), seed)
    train_texts = [texts[i] for i in train]
    held_texts = [texts[i] for i in held]
    fitted = []
    for k in k_values:
        started = time.perf_counter()
        model = fit_model(train_texts, dictionary, k, seed, engine)
        top = model.top_words(max(top_n, DIVERSITY_TOP_N))
        held_out = model.held_out_log_perplexity(held_texts) if held_texts else None
        fitted.append((k, top, held_out, time.perf_counter() - started))
        log.info("%s K=%d fitted (%.1f s)", engine.engine, k, fitted[-1][3])
    heads = [[words[:top_n] for words in top] for _, top, _, _ in fitted]
    c_v = coherences(heads, texts, dictionary, "c_v")
    npmi = coherences(heads, texts, dictionary, "c_npmi")
    scores = [
        KScore(k, c_v[i], npmi[i], topic_diversity(top), held_out, seconds)
        for i, (k, top, held_out, seconds) in enumerate(fitted)
    ]
    k, filled = choose_k(scores, min_diversity)
    return SweepResult(filled, k, rule_sentence(min_diversity), engine.engine, len(held))
