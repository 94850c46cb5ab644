"""Where the case stands in the wider literature: a 2-D map and its nearest uncited neighbours.

Neighbours are ranked by four measures together, never by topic distance alone: a topic model
on a mixed corpus places a prison-officers study near a partnership study when both lean on one
broad topic. Each measure answers its own question: shared distinctive wording (TF-IDF cosine),
shared concepts of the thesaurus (Jaccard of the concept tokens: "partnership", "village
government"), shared codes (Jaccard of the coded themes, method left aside) and shared topic
mix (1 - Hellinger). They live on different scales (a cosine of 0.2 is high, a topic similarity
of 0.6 is ordinary), so each is turned into its percentile rank among the candidates and the
combined score is the mean of the four: a document near the top is near on most counts. Only
documents of the field (themes/relevance.py) are candidates.

Topic mixtures are compared in Hellinger geometry: the square roots of the mixtures are points
on a sphere where Euclidean distance is (up to a constant) the Hellinger distance, so a PCA of
those roots gives a map whose distances mean what the comparison table's distances mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA

from pipeline.compare.similarity import jaccard
from pipeline.text.thesaurus import is_concept


@dataclass(frozen=True)
class Neighbour:
    index: int
    distance: float  # Hellinger between topic mixtures, 0..1
    combined: float = 0.0  # mean percentile rank of the four measures, 0..1
    text: float = 0.0  # TF-IDF cosine
    concepts: float = 0.0  # Jaccard of thesaurus concepts
    themes: float = 0.0  # Jaccard of coded themes (method left aside)
    shared_concepts: tuple[str, ...] = ()
    shared_themes: tuple[str, ...] = ()


def topic_map(doc_topics: np.ndarray, seed: int) -> np.ndarray:
    """documents x 2 coordinates; a single topic or a single document gives a flat map."""
    roots = np.sqrt(np.clip(doc_topics, 0.0, None))
    if roots.shape[0] < 2 or roots.shape[1] < 2:
        return np.zeros((roots.shape[0], 2))
    components = min(2, roots.shape[1], roots.shape[0])
    coords = PCA(n_components=components, random_state=seed).fit_transform(roots)
    if coords.shape[1] == 1:
        coords = np.hstack([coords, np.zeros_like(coords)])
    return coords


def _concepts(tokens: Sequence[str]) -> frozenset[str]:
    return frozenset(t for t in tokens if is_concept(t))


def _percentile(values: np.ndarray) -> np.ndarray:
    """Each value's share of candidates it beats or ties (average rank, 0..1]."""
    from scipy.stats import rankdata

    return rankdata(values, method="average") / len(values)


def nearest_combined(
    case_index: int,
    candidates: Sequence[int],
    cosines: np.ndarray,
    token_lists: Sequence[Sequence[str]],
    doc_topics: np.ndarray,
    themes: Sequence[set[str]],
    top: int = 20,
    ignored_concepts: frozenset[str] = frozenset(),
) -> list[Neighbour]:
    """The ``top`` candidates closest to the case by the four measures together (see the
    module docstring); ``cosines``: TF-IDF cosine of every document to the case; ``themes``:
    coded theme ids per document (method themes are not counted as likeness);
    ``ignored_concepts``: concepts that say nothing of the subject (the research method's:
    "interview", "qualitative"), left out of the concept overlap."""
    candidates = [i for i in candidates if i != case_index]
    if not candidates:
        return []
    roots = np.sqrt(np.clip(doc_topics, 0.0, None))
    index = np.asarray(candidates)
    hellinger = np.sqrt(0.5 * ((roots[index] - roots[case_index]) ** 2).sum(axis=1))
    case_concepts = _concepts(token_lists[case_index]) - ignored_concepts
    case_themes = {t for t in themes[case_index] if not t.startswith("method.")}
    concept_sets = [_concepts(token_lists[i]) - ignored_concepts for i in candidates]
    theme_sets = [{t for t in themes[i] if not t.startswith("method.")} for i in candidates]
    measures = {
        "text": np.asarray([cosines[i] for i in candidates], dtype=float),
        "concepts": np.asarray([jaccard(case_concepts, c) for c in concept_sets]),
        "themes": np.asarray([jaccard(case_themes, t) for t in theme_sets]),
        "topics": 1.0 - hellinger,
    }
    combined = np.mean([_percentile(v) for v in measures.values()], axis=0)
    order = sorted(range(len(candidates)), key=lambda k: (-combined[k], candidates[k]))[:top]
    return [
        Neighbour(
            index=candidates[k],
            distance=float(hellinger[k]),
            combined=float(combined[k]),
            text=float(measures["text"][k]),
            concepts=float(measures["concepts"][k]),
            themes=float(measures["themes"][k]),
            shared_concepts=tuple(sorted(case_concepts & concept_sets[k])),
            shared_themes=tuple(sorted(case_themes & theme_sets[k])),
        )
        for k in order
    ]
