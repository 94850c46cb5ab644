"""How much a topic owes to the random seed: the same K fitted under several seeds, compared.

LDA's answer depends on its starting point. A topic that comes back (its top words overlap) under
every seed is a property of the corpus; one that does not is an accident of the seed and is marked
unstable, so the report can say so instead of offering it as a finding. Each other seed's topics
are aligned to the reference model's one-to-one (Hungarian on top-10 Jaccard); a topic's
stability is its matched Jaccard averaged over the other seeds.

A topic *recurs* when its match reaches ``threshold`` (top-10 Jaccard >= 0.5: about seven of its
ten words shared) in at least ``RECUR_SHARE`` (half) of the other seeds. Only recurring topics are
findings; the report folds the others into one "unstable" row. With one seed nothing can recur.

The reference is the ensemble's medoid (``medoid``): the seed model whose topics agree best with
all the others, so the topics shown are the ensemble's consensus rather than one seed's accident.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.topics.align import match_topics

DEFAULT_STABILITY_THRESHOLD = 0.5
RECUR_SHARE = 0.5  # a topic recurs when matched at the threshold in at least this share of seeds
MEDOID_CANDIDATES = 20  # seed models that may become the reference (each scored against all)


@dataclass(frozen=True)
class StabilityResult:
    seeds: list[int]  # the reference seed first
    per_topic: list[float]  # one per topic of the reference model, 0-1
    threshold: float
    # Per topic, the share of the other seeds whose matched topic reaches ``threshold``
    recurrence: list[float] | None = None
    reference: int | None = None  # the reference model's seed, when not seeds[0]

    @property
    def unstable(self) -> list[int]:
        """Indices (in the reference model) of topics that do not recur (or, without recurrence
        figures, whose mean overlap is below the threshold)."""
        recurring = set(self.recurring)
        return [t for t in range(len(self.per_topic)) if t not in recurring]

    @property
    def recurring(self) -> list[int]:
        """Indices of the topics that come back at ``threshold`` in at least half the seeds."""
        if len(self.seeds) < 2:
            return []
        if self.recurrence is None:
            return [t for t, s in enumerate(self.per_topic) if s >= self.threshold]
        return [t for t, r in enumerate(self.recurrence) if r >= RECUR_SHARE]

    @property
    def mean(self) -> float:
        return float(np.mean(self.per_topic)) if self.per_topic else float("nan")

    @property
    def recurring_mean(self) -> float:
        """Mean stability of the recurring topics (nan when none recurs)."""
        values = [self.per_topic[t] for t in self.recurring]
        return float(np.mean(values)) if values else float("nan")

    def sentence(self) -> str:
        if len(self.seeds) < 2:
            return "Stability across seeds was not measured (one seed), so no topic is a finding."
        k, recurring = len(self.per_topic), len(self.recurring)
        rule = (
            f"a topic recurs when its top 10 words overlap a topic of another seed's model by a "
            f"Jaccard of at least {self.threshold:.2f} in at least half of the "
            f"{len(self.seeds) - 1} other seeds"
        )
        head = (
            f"The chosen K was fitted under {len(self.seeds)} seeds (the reference shown is the "
            f"seed model that agrees best with the others); {rule}. "
        )
        if recurring == 0:
            return head + (
                f"No topic recurs: all {k} change with the seed (mean top-10 overlap "
                f"{self.mean:.2f}), so they are folded into one unstable row and none is a finding."
            )
        if recurring == k:
            return head + f"All {k} topics recur (mean overlap {self.mean:.2f}); none is folded."
        return head + (
            f"{recurring} of {k} topics recur (their mean overlap {self.recurring_mean:.2f}); the "
            f"other {k - recurring} (mean overlap over all {k}: {self.mean:.2f}) are folded into "
            "one unstable row."
        )


def topic_stability(
    reference: Sequence[Sequence[str]],
    others: Sequence[Sequence[Sequence[str]]],
    threshold: float = DEFAULT_STABILITY_THRESHOLD,
    seeds: Sequence[int] = (),
    n: int = 10,
) -> StabilityResult:
    """Stability of each ``reference`` topic (its top words) against the topics of ``others``.

    A topic left unmatched by a seed (that seed found fewer topics) counts 0 for it.
    """
    if not others:
        k = len(reference)
        return StabilityResult(list(seeds), [1.0] * k, threshold, [0.0] * k)
    totals = np.zeros(len(reference))
    hits = np.zeros(len(reference))
    for other in others:
        for i, _j, score in match_topics(reference, other, n):
            totals[i] += score
            hits[i] += score >= threshold
    per_topic = (totals / len(others)).tolist()
    recurrence = (hits / len(others)).tolist()
    return StabilityResult(
        list(seeds), [float(x) for x in per_topic], threshold, [float(x) for x in recurrence]
    )


def medoid(tops: Sequence[Sequence[Sequence[str]]], n: int = 10) -> int:
    """Index of the seed model whose topics agree best (mean matched top-``n`` Jaccard) with all
    the others; among the first ``MEDOID_CANDIDATES``, ties to the earlier seed."""
    if len(tops) < 2:
        return 0
    best, best_score = 0, -1.0
    for a in range(min(len(tops), MEDOID_CANDIDATES)):
        score = sum(
            sum(sc for _i, _j, sc in match_topics(tops[a], tops[b], n))
            for b in range(len(tops))
            if b != a
        )
        if score > best_score + 1e-12:
            best, best_score = a, score
    return best
