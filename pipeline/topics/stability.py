"""How much a topic owes to the random seed: the same K fitted under several seeds, compared.

LDA's answer depends on its starting point. A topic that comes back (its top words overlap) under
every seed is a property of the corpus; one that does not is an accident of the seed and is marked
unstable, so the report can say so instead of offering it as a finding. Each other seed's topics
are aligned to the reference model's one-to-one (Hungarian on top-10 Jaccard); a topic's
stability is its matched Jaccard averaged over the other seeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.topics.align import match_topics

DEFAULT_STABILITY_THRESHOLD = 0.5


@dataclass(frozen=True)
class StabilityResult:
    seeds: list[int]  # the reference seed first
    per_topic: list[float]  # one per topic of the reference model, 0-1
    threshold: float

    @property
    def unstable(self) -> list[int]:
        """Indices (in the reference model) of topics below the threshold."""
        return [t for t, s in enumerate(self.per_topic) if s < self.threshold]

    @property
    def mean(self) -> float:
        return float(np.mean(self.per_topic)) if self.per_topic else float("nan")

    def sentence(self) -> str:
        if len(self.seeds) < 2:
            return "Stability across seeds was not measured (one seed)."
        unstable = len(self.unstable)
        return (
            f"Fitted under {len(self.seeds)} seeds, the topics come back with a mean top-10 "
            f"overlap (Jaccard) of {self.mean:.2f}; {unstable} of {len(self.per_topic)} fall "
            f"below {self.threshold:.2f} and are marked unstable."
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
        return StabilityResult(list(seeds), [1.0] * len(reference), threshold)
    totals = np.zeros(len(reference))
    for other in others:
        for i, _j, score in match_topics(reference, other, n):
            totals[i] += score
    per_topic = (totals / len(others)).tolist()
    return StabilityResult(list(seeds), [float(x) for x in per_topic], threshold)
