"""Where the case stands in the wider literature: a 2-D map and its nearest uncited neighbours.

Topic mixtures are compared in Hellinger geometry: the square roots of the mixtures are points
on a sphere where Euclidean distance is (up to a constant) the Hellinger distance, so a PCA of
those roots gives a map whose distances mean what the comparison table's distances mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA


@dataclass(frozen=True)
class Neighbour:
    index: int
    distance: float  # Hellinger, 0..1


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


def nearest_uncited(
    doc_topics: np.ndarray, case_index: int, excluded: Sequence[int], top: int = 10
) -> list[Neighbour]:
    """The documents closest to the case by topic mixture, other than the case and its citations."""
    roots = np.sqrt(np.clip(doc_topics, 0.0, None))
    distances = np.sqrt(0.5 * ((roots - roots[case_index]) ** 2).sum(axis=1))
    skip = {case_index, *excluded}
    order = [i for i in np.argsort(distances, kind="stable") if i not in skip]
    return [Neighbour(int(i), float(distances[i])) for i in order[:top]]
