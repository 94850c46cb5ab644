"""The case against each cited work: how alike their texts, topics and codings are.

Three measures, each answering a different question a reader may have:
- TF-IDF cosine: do they use the same (distinctive) words?
- Hellinger distance between topic mixtures: do they spread over the same topics? (0 = same mix)
- Jaccard overlap of coded themes: do they name the same dimensions, forms of collaboration and
  contexts, and the same actors in the same roles? Actor-role pairs count, not actors and roles
  apart: residents implementing in one work and an NGO in the other share no "implementer".
  Methods, and actor or role codes on their own, do not count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from pipeline.documents import Document

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

    @property
    def combined(self) -> float:
        """One number to order works by: the mean of the three similarities (each in 0..1)."""
        return (self.tfidf_cosine + (1.0 - self.topic_hellinger) + self.theme_jaccard) / 3.0


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
) -> list[Comparison]:
    """One Comparison per cited work, most similar first.

    ``actor_roles``: the actor-role pairs of the case and of each cited work (by index);
    ``families``: theme id -> family, to keep the compared families (all themes when None)."""
    cosines = tfidf_cosines(token_lists, case_index)

    def coded(i: int) -> set[str]:
        if families is None:
            return set(themes[i])
        return {t for t in themes[i] if families.get(t) in COMPARED_FAMILIES}

    case_themes, case_pairs = coded(case_index), set(actor_roles[case_index])
    case_all = case_themes | {("pair", *p) for p in case_pairs}
    out = []
    for i in cited_indices:
        doc = docs[i]
        work_themes, work_pairs = coded(i), set(actor_roles[i])
        out.append(
            Comparison(
                key=doc.key,
                title=doc.title,
                year=doc.year,
                title_only=doc.title_only,
                tfidf_cosine=float(cosines[i]),
                topic_hellinger=hellinger(doc_topics[case_index], doc_topics[i]),
                theme_jaccard=jaccard(case_all, work_themes | {("pair", *p) for p in work_pairs}),
                shared_themes=tuple(sorted(case_themes & work_themes)),
                case_only_themes=tuple(sorted(case_themes - work_themes)),
                work_only_themes=tuple(sorted(work_themes - case_themes)),
                shared_actor_roles=tuple(sorted(case_pairs & work_pairs)),
                case_only_actor_roles=tuple(sorted(case_pairs - work_pairs)),
                work_only_actor_roles=tuple(sorted(work_pairs - case_pairs)),
            )
        )
    return sorted(out, key=lambda c: (-c.combined, c.key))
