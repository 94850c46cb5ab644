"""Matching topics between two models: across seeds (stability) and across refreshes (stable ids).

Two topics are "the same" when their top words overlap: Jaccard of the top-10 sets. Matching is
one-to-one (Hungarian, scipy's ``linear_sum_assignment``) so a broad topic cannot claim two
narrow ones. A pair below ``threshold`` is no match: across refreshes the old topic has vanished
and the new one appeared, and the new one gets a fresh id, never a recycled one, so "T3" in last
month's report and "T3" today are the same topic or the id is not reused at all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

SNAPSHOT_FILE = "topics.json"
DEFAULT_MATCH_THRESHOLD = 0.3
# A topic "grew" or "shrank" when its corpus share changed by at least this much, absolute and
# relative to its old share (so a 1% topic going to 1.4% is not news, nor 30% to 31%).
SHARE_CHANGE_ABSOLUTE = 0.01
SHARE_CHANGE_RELATIVE = 0.25


def jaccard_matrix(
    a: Sequence[Sequence[str]], b: Sequence[Sequence[str]], n: int = 10
) -> np.ndarray:
    """Jaccard of the top-``n`` word sets of every topic in ``a`` against every topic in ``b``."""
    sets_a = [set(words[:n]) for words in a]
    sets_b = [set(words[:n]) for words in b]
    matrix = np.zeros((len(sets_a), len(sets_b)))
    for i, x in enumerate(sets_a):
        for j, y in enumerate(sets_b):
            union = len(x | y)
            matrix[i, j] = len(x & y) / union if union else 0.0
    return matrix


def match_topics(
    a: Sequence[Sequence[str]], b: Sequence[Sequence[str]], n: int = 10
) -> list[tuple[int, int, float]]:
    """One-to-one pairs (i in a, j in b, Jaccard) maximising total overlap; unequal K allowed."""
    if not a or not b:
        return []
    scores = jaccard_matrix(a, b, n)
    rows, cols = linear_sum_assignment(scores, maximize=True)
    return [(int(i), int(j), float(scores[i, j])) for i, j in zip(rows, cols, strict=True)]


@dataclass(frozen=True)
class TopicSnapshot:
    """What a later run needs to keep ids: each topic's id, top words and share of the corpus.

    Saved as ``topics.json`` beside the model; ``next_number`` is the first id never used, so an id
    that vanished is never given to a different topic later.
    """

    ids: list[str]
    top_words: list[list[str]]
    shares: list[float]
    next_number: int
    run_id: str = ""
    labels: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "run_id": self.run_id,
            "next_number": self.next_number,
            "topics": [
                {
                    "id": tid,
                    "top_words": words,
                    "share": round(float(share), 6),
                    "label": self.labels[i] if i < len(self.labels) else "",
                }
                for i, (tid, words, share) in enumerate(
                    zip(self.ids, self.top_words, self.shares, strict=True)
                )
            ],
        }

    def save(self, folder: Path) -> Path:
        path = folder / SNAPSHOT_FILE
        path.write_text(json.dumps(self.as_json(), indent=2, ensure_ascii=False), encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> TopicSnapshot:
        topics = body["topics"]
        return cls(
            ids=[t["id"] for t in topics],
            top_words=[list(t["top_words"]) for t in topics],
            shares=[float(t["share"]) for t in topics],
            next_number=int(body["next_number"]),
            run_id=str(body.get("run_id", "")),
            labels=[t.get("label", "") for t in topics],
        )

    @classmethod
    def load(cls, path: Path) -> TopicSnapshot:
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}: not a readable topic snapshot ({exc})") from exc


@dataclass(frozen=True)
class TopicChange:
    id: str
    old_share: float | None
    new_share: float | None
    overlap: float | None  # Jaccard of top words with the previous run's topic of this id


@dataclass(frozen=True)
class TopicDiff:
    """What changed since the previous run, topic by topic, by id."""

    previous_run: str
    kept: list[TopicChange]
    appeared: list[TopicChange]
    vanished: list[TopicChange]
    grew: list[TopicChange]
    shrank: list[TopicChange]

    def sentences(self, names: dict[str, str] | None = None) -> list[str]:
        """Plain lines for the report, e.g. "T7 (zakat, masjid) appeared, 4.1% of the corpus"."""
        names = names or {}

        def named(c: TopicChange) -> str:
            return f"{c.id} ({names[c.id]})" if names.get(c.id) else c.id

        since = f" since run {self.previous_run}" if self.previous_run else ""
        lines = [f"{len(self.kept)} topics carried over{since}."]
        lines += [f"{named(c)} appeared: {c.new_share:.1%} of the corpus." for c in self.appeared]
        lines += [f"{named(c)} vanished (was {_pct(c.old_share)})." for c in self.vanished]
        lines += [f"{named(c)} grew: {c.old_share:.1%} -> {c.new_share:.1%}." for c in self.grew]
        lines += [
            f"{named(c)} shrank: {c.old_share:.1%} -> {c.new_share:.1%}." for c in self.shrank
        ]
        return lines


def _pct(share: float | None) -> str:
    return "n/a" if share is None or not math.isfinite(share) else f"{share:.1%}"


@dataclass(frozen=True)
class Alignment:
    ids: list[str]  # one per topic of the new model, in its order
    diff: TopicDiff | None  # None on a first run
    next_number: int


def fresh_ids(k: int, start: int = 1) -> list[str]:
    return [f"T{start + i}" for i in range(k)]


def carry_ids(
    previous: TopicSnapshot | None,
    top_words: Sequence[Sequence[str]],
    shares: Sequence[float],
    threshold: float = DEFAULT_MATCH_THRESHOLD,
) -> Alignment:
    """Give the new topics the previous run's ids where they match, fresh ids elsewhere."""
    k = len(top_words)
    if previous is None:
        return Alignment(fresh_ids(k), None, k + 1)
    ids: list[str | None] = [None] * k
    overlap: dict[int, float] = {}
    old_of_new: dict[int, int] = {}
    for old, new, score in match_topics(previous.top_words, top_words):
        if score >= threshold:
            ids[new] = previous.ids[old]
            overlap[new] = score
            old_of_new[new] = old
    number = previous.next_number
    appeared: list[TopicChange] = []
    for new in range(k):
        if ids[new] is None:
            ids[new] = f"T{number}"
            number += 1
            appeared.append(TopicChange(ids[new], None, float(shares[new]), None))
    matched_old = set(old_of_new.values())
    vanished = [
        TopicChange(previous.ids[o], previous.shares[o], None, None)
        for o in range(len(previous.ids))
        if o not in matched_old
    ]
    kept, grew, shrank = [], [], []
    for new, old in sorted(old_of_new.items(), key=lambda item: item[1]):
        change = TopicChange(ids[new], previous.shares[old], float(shares[new]), overlap[new])  # type: ignore[arg-type]
        kept.append(change)
        if not math.isfinite(change.old_share):  # type: ignore[arg-type]
            continue  # the old run's shares are unknown
        delta = change.new_share - change.old_share  # type: ignore[operator]
        if abs(delta) >= SHARE_CHANGE_ABSOLUTE and abs(delta) >= SHARE_CHANGE_RELATIVE * max(
            change.old_share or 0.0, 1e-9
        ):
            (grew if delta > 0 else shrank).append(change)
    diff = TopicDiff(previous.run_id, kept, appeared, vanished, grew, shrank)
    return Alignment([str(i) for i in ids], diff, number)
