"""The case against each cited work: how alike their texts, topics and codings are.

Three measures, each answering a different question a reader may have:
- TF-IDF cosine: do they use the same (distinctive) words?
- Hellinger distance between topic mixtures: do they spread over the same topics? (0 = same mix)
- Jaccard overlap of coded themes: do they name the same dimensions, forms of collaboration and
  contexts, and the same actors in the same roles? Actor-role pairs count, not actors and roles
  apart: residents implementing in one work and an NGO in the other share no "implementer".
  Methods, and actor or role codes on their own, do not count.

Over seeds. The topic distance is computed under every seed model of the topic ensemble
(topics/ensemble.py: the chosen K fitted under seeds derived from the run's) and given as its
mean over the seed models, with the middle 80% of them (10th to 90th percentile) as its interval
(with fewer than 10 seed models, their whole range: ensemble.spread).
The other two measures do not depend on the topic seed (the theme codes of the registry works are
hand codings; a classifier-coded work keeps the codes of the run's seed).

Combined. ``combined = (cosine + w * (1 - topic distance) + theme overlap) / (2 + w)``, the
weighted mean of the three similarities, where the topic weight ``w`` is the topics' stability
over the seeds divided by the stability threshold, at most 1 (``topic_weight``): a topic model
whose topics come back under other seeds counts fully; one whose topics are an accident of the
seed counts in proportion, since its distances say that much less about the works. The combined
score's interval follows from the topic distance's (the score is linear in it).

Ranks. Works are ordered by the combined point estimate; two works whose combined intervals
overlap are tied, and each work's rank is the range of ranks its interval allows (``rank_ties``).
A work known only by its title is not ranked: a topic distance computed from a title says nothing,
so it is shown apart, on its cosine and theme overlap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from pipeline.documents import Document
from pipeline.topics.ensemble import SeedMixtures, spread
from pipeline.topics.stability import StabilityResult

COMPARED_FAMILIES = frozenset({"dimension", "collaboration", "context"})
Pairs = set[tuple[str, str]]


@dataclass(frozen=True)
class Comparison:
    key: str
    title: str
    year: int | None
    title_only: bool
    tfidf_cosine: float
    topic_hellinger: float
    theme_jaccard: float
    shared_themes: tuple[str, ...]
    case_only_themes: tuple[str, ...]  # what the work lacks compared with the case
    work_only_themes: tuple[str, ...]  # what the work has that the case does not
    shared_actor_roles: tuple[tuple[str, str], ...]
    case_only_actor_roles: tuple[tuple[str, str], ...]
    work_only_actor_roles: tuple[tuple[str, str], ...] = ()
    # Over the seed models: topic_hellinger is their mean, low/high ensemble.spread's interval
    topic_hellinger_low: float | None = None  # None: one model only (low = high = the value)
    topic_hellinger_high: float | None = None
    seeds: int = 1  # seed models the topic distance was taken over
    topic_weight: float = 1.0  # w of the combined score (module docstring)
    # Set by rank_ties, for works with a text; None for a work known only by its title
    rank: int | None = None  # by the combined point estimate
    rank_low: int | None = None  # best rank the interval allows
    rank_high: int | None = None  # worst
    tied_with: tuple[str, ...] = ()  # keys of the works whose intervals overlap this one's

    def __post_init__(self) -> None:
        if self.topic_hellinger_low is None:
            object.__setattr__(self, "topic_hellinger_low", self.topic_hellinger)
        if self.topic_hellinger_high is None:
            object.__setattr__(self, "topic_hellinger_high", self.topic_hellinger)

    def _combine(self, hellinger_value: float) -> float:
        w = self.topic_weight
        return (self.tfidf_cosine + w * (1.0 - hellinger_value) + self.theme_jaccard) / (2.0 + w)

    @property
    def combined(self) -> float:
        """One number to order works by: the weighted mean of the three similarities (0..1)."""
        return self._combine(self.topic_hellinger)

    @property
    def combined_low(self) -> float:
        return self._combine(float(self.topic_hellinger_high))  # type: ignore[arg-type]

    @property
    def combined_high(self) -> float:
        return self._combine(float(self.topic_hellinger_low))  # type: ignore[arg-type]

    @property
    def ranked(self) -> bool:
        return self.rank is not None

    @property
    def rank_range(self) -> str:
        """ "3" or "2-6" (a shared range: tied); "" for a work not ranked."""
        if self.rank_low is None or self.rank_high is None:
            return ""
        if self.rank_low == self.rank_high:
            return str(self.rank_low)
        return f"{self.rank_low}-{self.rank_high}"

    def overlaps(self, other: Comparison) -> bool:
        """True when the two combined intervals share a point: the seeds cannot order them."""
        return self.combined_low <= other.combined_high and other.combined_low <= self.combined_high


def topic_weight(stability: StabilityResult | None) -> float:
    """w of the combined score: the topics' mean stability over seeds / its threshold, at most 1.

    Without a stability measure (one seed) the topics count fully, as before."""
    if stability is None or len(stability.seeds) < 2 or not stability.per_topic:
        return 1.0
    if stability.threshold <= 0:
        return 1.0
    return float(min(1.0, max(0.0, stability.mean / stability.threshold)))


def rank_ties(comparisons: Sequence[Comparison]) -> list[Comparison]:
    """Works with a text ranked by combined score, each with its rank range and the works it is
    tied with; then the works known only by title, unranked, by theme overlap and cosine.

    A work's best rank is 1 + the works whose interval lies wholly above its own; its worst is
    the works (itself included) whose interval is not wholly below it."""
    texts = sorted((c for c in comparisons if not c.title_only), key=lambda c: (-c.combined, c.key))
    titles = sorted(
        (c for c in comparisons if c.title_only),
        key=lambda c: (-c.theme_jaccard, -c.tfidf_cosine, c.key),
    )
    out = []
    for rank, c in enumerate(texts, start=1):
        above = sum(o.combined_low > c.combined_high for o in texts)
        below = sum(o.combined_high < c.combined_low for o in texts)
        out.append(
            replace(
                c,
                rank=rank,
                rank_low=1 + above,
                rank_high=len(texts) - below,
                tied_with=tuple(o.key for o in texts if o.key != c.key and o.overlaps(c)),
            )
        )
    unranked = [replace(c, rank=None, rank_low=None, rank_high=None, tied_with=()) for c in titles]
    return out + unranked


def tiers(ranked: Sequence[Comparison]) -> list[list[Comparison]]:
    """Ranked works (best first) in groups that the seeds do tell apart: a group ends where every
    work above the cut has its interval wholly above every interval below it. Within a group the
    order is not settled (some of its works are tied); between groups it is."""
    groups: list[list[Comparison]] = []
    current: list[Comparison] = []
    for position, c in enumerate(ranked):
        current.append(c)
        rest = ranked[position + 1 :]
        floor = min(x.combined_low for x in ranked[: position + 1])
        if not rest or floor > max(x.combined_high for x in rest):
            groups.append(current)
            current = []
    return groups


def _split_tokens(tokens: Sequence[str]) -> list[str]:
    """The tokens as ``" ".join(tokens).split()`` would give them, without the joined string
    (100,000 of those, ~130 MB, were made only to be split again)."""
    return [part for token in tokens for part in token.split()]


def tfidf_cosines(token_lists: Sequence[Sequence[str]], target: int) -> np.ndarray:
    """Cosine of every document to document ``target``, TF-IDF fitted on all of them."""
    vectorizer = TfidfVectorizer(analyzer=_split_tokens, sublinear_tf=True)
    matrix = vectorizer.fit_transform(token_lists)
    return cosine_similarity(matrix[target], matrix).ravel()


def hellinger(p: np.ndarray, q: np.ndarray) -> float:
    """Distance between two probability vectors, 0 (same) to 1 (disjoint)."""
    return float(np.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)))


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def compare_to_case(
    case_index: int,
    docs: Sequence[Document],
    cited_indices: Sequence[int],
    token_lists: Sequence[Sequence[str]],
    doc_topics: np.ndarray,
    themes: Sequence[set[str]],
    actor_roles: Mapping[int, Pairs] | Sequence[Pairs],
    families: Mapping[str, str] | None = None,
    ensemble: SeedMixtures | None = None,
    topic_weight: float = 1.0,
    cosines: np.ndarray | None = None,
) -> list[Comparison]:
    """One Comparison per cited work: the ranked works (with a text) most similar first, then
    those known only by title (``rank_ties``).

    ``actor_roles``: the actor-role pairs of the case and of each cited work (by index);
    ``families``: theme id -> family, to keep the compared families (all themes when None).
    ``doc_topics``: the reference model's mixtures; ``ensemble``: the case's and the cited works'
    mixtures under every seed model, over which the topic distance is taken (when given and it
    holds them). ``topic_weight``: w of the combined score (``topic_weight``). ``cosines``:
    tfidf_cosines to the case, when already computed (the neighbours use them too)."""
    if cosines is None:
        cosines = tfidf_cosines(token_lists, case_index)

    def coded(i: int) -> set[str]:
        if families is None:
            return set(themes[i])
        return {t for t in themes[i] if families.get(t) in COMPARED_FAMILIES}

    case_themes, case_pairs = coded(case_index), set(actor_roles[case_index])
    case_all = case_themes | {("pair", *p) for p in case_pairs}
    use_ensemble = ensemble is not None and all(i in ensemble for i in (case_index, *cited_indices))
    case_mixtures = ensemble.of(case_index) if use_ensemble and ensemble else None
    out = []
    for i in cited_indices:
        doc = docs[i]
        work_themes, work_pairs = coded(i), set(actor_roles[i])
        if case_mixtures is not None and ensemble is not None:
            distances = [
                hellinger(p, q) for p, q in zip(case_mixtures, ensemble.of(i), strict=True)
            ]
            mean, low, high = spread(distances)
            seeds = len(distances)
        else:
            mean = hellinger(doc_topics[case_index], doc_topics[i])
            low, high, seeds = mean, mean, 1
        out.append(
            Comparison(
                key=doc.key,
                title=doc.title,
                year=doc.year,
                title_only=doc.title_only,
                tfidf_cosine=float(cosines[i]),
                topic_hellinger=mean,
                theme_jaccard=jaccard(case_all, work_themes | {("pair", *p) for p in work_pairs}),
                shared_themes=tuple(sorted(case_themes & work_themes)),
                case_only_themes=tuple(sorted(case_themes - work_themes)),
                work_only_themes=tuple(sorted(work_themes - case_themes)),
                shared_actor_roles=tuple(sorted(case_pairs & work_pairs)),
                case_only_actor_roles=tuple(sorted(case_pairs - work_pairs)),
                work_only_actor_roles=tuple(sorted(work_pairs - case_pairs)),
                topic_hellinger_low=low,
                topic_hellinger_high=high,
                seeds=seeds,
                topic_weight=topic_weight,
            )
        )
    return rank_ties(out)
