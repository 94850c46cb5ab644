"""Topic shares by group (the case, its cited works, the wider corpus; journals; years).

A group's share of a topic is the mean of its documents' mixtures, so every group's shares sum to
1 and a group of one long document weighs as much as a group of one short one. The number of
documents behind each row is kept beside the shares: a "journal" of two articles should not be
read like one of two hundred.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

DOCUMENTS_COLUMN = "documents"
CASE, CITED, CORPUS = "case", "cited works", "wider corpus"


def group_shares(
    doc_topics: np.ndarray,
    groups: Sequence[Hashable | None],
    topic_ids: Sequence[str],
    *,
    sort: bool = True,
) -> pd.DataFrame:
    """Mean topic shares per group: index = group, one column per topic id, then ``documents``.

    Documents whose group is None are left out (e.g. an article with no year).
    """
    doc_topics = np.asarray(doc_topics, dtype=float)
    if doc_topics.shape != (len(groups), len(topic_ids)):
        raise ValueError(
            f"doc_topics is {doc_topics.shape}, expected ({len(groups)}, {len(topic_ids)}): one "
            "row per group label and one column per topic id"
        )
    frame = pd.DataFrame(doc_topics, columns=list(topic_ids))
    frame["_group"] = list(groups)
    frame = frame[frame["_group"].notna()]
    shares = frame.groupby("_group", sort=sort)[list(topic_ids)].mean()
    shares = shares.div(shares.sum(axis=1), axis=0)  # exact 1 despite float noise
    shares[DOCUMENTS_COLUMN] = frame.groupby("_group", sort=sort).size()
    shares.index.name = "group"
    return shares


def role_groups(n_documents: int, case_index: int, cited_indices: Sequence[int]) -> list[str]:
    """A label per document: the case, its cited works, or the wider corpus."""
    labels = [CORPUS] * n_documents
    for i in cited_indices:
        labels[i] = CITED
    labels[case_index] = CASE
    return labels


def topics_over_time(
    doc_topics: np.ndarray, years: Sequence[int | None], topic_ids: Sequence[str]
) -> pd.DataFrame:
    """Mean topic shares per year, years ascending (documents without a year are left out).

    Years with no documents are absent rather than zero: no data is not a share of nothing.
    """
    frame = group_shares(doc_topics, [int(y) if y else None for y in years], topic_ids)
    frame.index.name = "year"
    return frame


def corpus_shares(doc_topics: np.ndarray) -> np.ndarray:
    """Each topic's share of the whole corpus (mean mixture); the basis of grew/shrank."""
    doc_topics = np.asarray(doc_topics, dtype=float)
    if len(doc_topics) == 0:
        return np.zeros(doc_topics.shape[1] if doc_topics.ndim == 2 else 0)
    mean = doc_topics.mean(axis=0)
    return mean / mean.sum()
