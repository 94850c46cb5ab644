"""The chosen K under many seeds: every score that rests on topics is taken over all of them.

One LDA fit is one draw from a seed-dependent answer; on a small corpus two seeds put the same
document in different topics, and a ranking read off one model follows its seed (issue 14: Kendall
tau 0.64-0.70 between seeds on the 16 bundled works). So the chosen K is fitted under an ensemble of
seeds and a document's topic distance to the case is computed under every seed model, then
summarised by its mean and the spread over the seeds (pipeline/compare/similarity.py).

Seeds are derived from the run's seed (``--seed``): the first is the run's seed itself (the
reference model, whose topics the report shows), the others are drawn from it with NumPy's
SeedSequence, so seeds 1 and 2 share no ensemble member (``seed + i`` would share all but one) and
the first few are the same whatever the ensemble size.

How many: the stability refits (TopicParams.stability_seeds) always, and more where fitting is
cheap: as many as a budget of ``ENSEMBLE_TOKEN_BUDGET`` fitted tokens allows (one fit costs time in
proportion to the tokens it samples), at most ``MAX_ENSEMBLE``. The 16-work bundled corpus has 348
fitted tokens, so it gets ``MAX_ENSEMBLE`` seeds (about 1 s in all); 3,600 SINTA abstracts (~400k
tokens) keep their 3 stability seeds. gensim, slower per fit, stops at 20
(``MAX_ENSEMBLE_BY_ENGINE``). The extra seeds are fitted only when there are documents to place
(the case and its cited works), since they serve the comparison. ``MAX_ENSEMBLE`` was chosen by
measurement (``python -m bench seeds --curve``, BENCHMARKS.md "Seeds"): on the bundled corpus the
ranking of the works with a text is the same under five run seeds from 30 seed models on (with the
topic weight of the combined score; 200 with the topics at full weight), and the order of all 15
works settles at Kendall tau >= 0.96 from 100 to 200; 200 cost about 1 s there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MAX_ENSEMBLE = 200
# gensim's variational fits cost ~50x tomotopy's on a small corpus (0.37 s against 6 ms on the
# bundled registry), so its ensemble stops lower
MAX_ENSEMBLE_BY_ENGINE = {"tomotopy": MAX_ENSEMBLE, "gensim": 20}
ENSEMBLE_TOKEN_BUDGET = 1_000_000  # fitted tokens summed over the ensemble's extra fits
INTERVAL = (10.0, 90.0)  # percentiles over the seed models: the middle 80%
# Below this many seed models the percentiles would be interpolated between a handful of values
# and understate the spread: the interval is then their whole range (min-max)
MIN_FOR_PERCENTILES = 10


def derive_seeds(seed: int, n: int) -> list[int]:
    """``n`` seeds for the ensemble of run seed ``seed``: ``seed`` first, then seeds drawn from it
    (each by its position, so a longer ensemble extends a shorter one)."""
    if n < 1:
        raise ValueError(f"an ensemble needs at least one seed, not {n}")
    out = [int(seed)]
    position = 0
    while len(out) < n:
        position += 1
        state = np.random.SeedSequence(abs(int(seed)), spawn_key=(position,)).generate_state(1)
        candidate = int(state[0])
        if candidate not in out:
            out.append(candidate)
    return out


def ensemble_size(
    fitted_tokens: int,
    minimum: int,
    cap: int = MAX_ENSEMBLE,
    budget: int = ENSEMBLE_TOKEN_BUDGET,
) -> int:
    """Seed models to fit at the chosen K: ``minimum`` (the stability refits) at least, and as many
    as ``budget`` fitted tokens pay for, at most ``cap``."""
    minimum = max(1, minimum)
    affordable = budget // max(1, fitted_tokens)
    return max(minimum, min(cap, affordable))


@dataclass(frozen=True)
class SeedMixtures:
    """Topic mixtures of some documents (the case and its cited works) under each seed model.

    ``mixtures[s, r]`` is document ``rows[r]``'s mixture under the model of ``seeds[s]``; the
    models share K but not topic order, so only quantities that ignore the order of topics (such
    as the Hellinger distance between two documents of one model) may be combined over seeds.
    """

    seeds: list[int]
    rows: list[int]  # document indices, in the analysis' order
    mixtures: np.ndarray  # seeds x rows x K

    def __post_init__(self) -> None:
        shape = self.mixtures.shape
        if len(shape) != 3 or shape[0] != len(self.seeds) or shape[1] != len(self.rows):
            raise ValueError(
                f"mixtures of shape {shape} do not fit {len(self.seeds)} seeds x "
                f"{len(self.rows)} documents x K"
            )

    def of(self, index: int) -> np.ndarray:
        """Document ``index``'s mixture under every seed model: seeds x K."""
        try:
            row = self.rows.index(index)
        except ValueError:
            raise KeyError(f"document {index} was not placed in the seed ensemble") from None
        return self.mixtures[:, row, :]

    def __contains__(self, index: object) -> bool:
        return index in self.rows


def spread(values: Sequence[float] | np.ndarray) -> tuple[float, float, float]:
    """(mean, low, high) over seed models: low and high bound the middle 80% (``INTERVAL``), or
    all of them when there are fewer than ``MIN_FOR_PERCENTILES``."""
    array = np.asarray(values, dtype=float)
    if len(array) < MIN_FOR_PERCENTILES:
        return float(array.mean()), float(array.min()), float(array.max())
    low, high = np.percentile(array, INTERVAL)
    return float(array.mean()), float(low), float(high)


def interval_words(seeds: int) -> str:
    """What the interval of ``spread`` over ``seeds`` seed models is, for the report."""
    if seeds < MIN_FOR_PERCENTILES:
        return f"the range (lowest to highest) over the {seeds} seed models"
    return f"the middle 80% of the {seeds} seed models (10th to 90th percentile)"
