"""Making topics readable: names from surface forms, and the documents that show them best.

A topic is named by the words a reader would write ("pemberdayaan", "community empowerment /
pemberdayaan masyarakat"), not by stems ("daya") or concept ids ("c:community_empowerment"):
the ``surface`` callable of the text stage does that mapping. Names keep the first form of a word
that two stems share, so a label does not say the same word twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

SNIPPET_CHARS = 240


@dataclass(frozen=True)
class RepresentativeDocument:
    index: int  # row in doc_topics
    share: float  # the topic's share of this document
    snippet: str


@dataclass(frozen=True)
class TopicCard:
    """What a report shows for one topic."""

    id: str
    words: list[str]  # surface forms, best first
    name: str  # the first few words, joined
    share: float  # of the corpus
    stability: float | None
    unstable: bool
    documents: list[RepresentativeDocument]


def surface_words(stems: Sequence[str], surface: Callable[[str], str]) -> list[str]:
    """Surface forms of a topic's top stems, duplicates (two stems, one word) dropped."""
    seen: set[str] = set()
    words = []
    for stem in stems:
        word = surface(stem)
        if word.lower() not in seen:
            seen.add(word.lower())
            words.append(word)
    return words


def topic_name(words: Sequence[str], n: int = 3) -> str:
    return ", ".join(words[:n])


def representative_documents(
    doc_topics: np.ndarray, topic: int, n: int = 3, among: Sequence[int] | None = None
) -> list[tuple[int, float]]:
    """The ``n`` documents with the highest share of ``topic`` (ties: earlier document first)."""
    column = np.asarray(doc_topics, dtype=float)[:, topic]
    candidates = np.arange(len(column)) if among is None else np.asarray(list(among), dtype=int)
    ranked = candidates[np.lexsort((candidates, -column[candidates]))[:n]]
    return [(int(i), float(column[i])) for i in ranked]


def snippet(text: str, words: Sequence[str] = (), width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters of ``text``, around the first of ``words`` found in it.

    Cut at word boundaries, with an ellipsis where text was left out; whitespace collapsed.
    """
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    start = 0
    for word in words:
        for part in word.split(" / "):
            match = re.search(rf"\b{re.escape(part)}", text, flags=re.IGNORECASE)
            if match:
                start = max(0, match.start() - width // 3)
                break
        else:
            continue
        break
    start = min(start, len(text) - width)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    end = start + width
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return ("… " if start > 0 else "") + text[start:end].strip() + (" …" if end < len(text) else "")


def topic_cards(
    ids: Sequence[str],
    words: Sequence[Sequence[str]],
    doc_topics: np.ndarray,
    texts: Sequence[str],
    *,
    shares: Sequence[float] | None = None,
    stability: Sequence[float] | None = None,
    stability_threshold: float = 0.5,
    documents: int = 3,
    among: Sequence[int] | None = None,
) -> list[TopicCard]:
    """One card per topic: name, words, share, stability and its most representative documents.

    ``texts`` holds each document's text (title and abstract, say), row for row with
    ``doc_topics``; ``among`` limits the documents shown (e.g. to the wider corpus).
    """
    doc_topics = np.asarray(doc_topics, dtype=float)
    if len(texts) != len(doc_topics):
        raise ValueError(f"{len(texts)} texts for {len(doc_topics)} rows of doc_topics")
    if shares is None:
        shares = doc_topics.mean(axis=0).tolist() if len(doc_topics) else [0.0] * len(ids)
    cards = []
    for t, tid in enumerate(ids):
        docs = [
            RepresentativeDocument(i, share, snippet(texts[i], words[t]))
            for i, share in representative_documents(doc_topics, t, documents, among)
        ]
        stable = None if stability is None else float(stability[t])
        cards.append(
            TopicCard(
                id=tid,
                words=list(words[t]),
                name=topic_name(words[t]),
                share=float(shares[t]),
                stability=stable,
                unstable=stable is not None and stable < stability_threshold,
                documents=docs,
            )
        )
    return cards
