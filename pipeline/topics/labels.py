"""Making topics readable: names from surface forms, and the documents that show them best.

A topic is named by the words a reader would write ("pemberdayaan", "community empowerment /
pemberdayaan masyarakat"), not by stems ("daya") or concept ids ("c:community_empowerment"):
the ``surface`` callable of the text stage does that mapping. Names keep the first form of a word
that two stems share, so a label does not say the same word twice.

Which words: not the most probable ones. A topic's most probable words are mostly the corpus's
most frequent ones ("tidak", "masyarakat", "kegiatan"), shared by every topic, so a label made of
them names nothing. Label words are ranked by relevance (Sievert & Shirley 2014):
lambda * log p(w|t) + (1 - lambda) * log(p(w|t) / p(w)), with lambda = 0.6, the value their user
study found best for reading topics (the explorer's slider starts there too); a word the topic
uses no more than the corpus does (lift <= 1) never labels it. Generic words (negations, hedges,
verbs of research writing, method words, placeholder nouns: data/generic_words.txt, a list a
linguist can edit) and the text stage's stop words never label a topic. Each label holds at least
one distinctive word, placed first when the ranking did not put one among the words of the name:
a word of this topic's own (no other topic gives it a higher probability) that the topic uses at
least ``DISTINCTIVE_LIFT`` times as often as the corpus. (Not a fixed lift of 2 or more: with K
topics of equal size no word's lift exceeds about K, so K=2 could never reach it.) The most
probable words stay available (topics.csv ``top_words``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

SNIPPET_CHARS = 240
GENERIC_WORDS_FILE = Path(__file__).with_name("data") / "generic_words.txt"
RELEVANCE_LAMBDA = 0.6  # Sievert & Shirley (2014): the lambda their readers found best
DISTINCTIVE_LIFT = 1.5  # p(w|t) / p(w), for a word of the topic's own
LABEL_WORDS = 10
NAME_WORDS = 3
CANDIDATES = 200  # words considered per topic, by relevance (the rest cannot reach a label)
_EPS = 1e-12


@cache
def generic_words() -> frozenset[str]:
    """Words that never label a topic: data/generic_words.txt and the text stage's stop words."""
    from pipeline.text.stopwords import stopwords

    lines = GENERIC_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    listed = {w.strip().lower() for w in lines if w.strip() and not w.lstrip().startswith("#")}
    return frozenset(listed | set(stopwords("*")))


def is_generic(stem: str, surface: Callable[[str], str], generic: frozenset[str]) -> bool:
    """Whether the term (a stem, a concept, a learned phrase) may not label a topic: its stem or
    the word a reader sees is generic; a concept's bilingual label ("factor / faktor") when each
    side is; a phrase only when all of its words are."""
    shown = surface(stem).lower()
    if stem.lower() in generic or shown in generic:
        return True
    sides = [side.strip() for side in shown.split(" / ")]
    return all(side in generic or all(w in generic for w in side.split()) for side in sides)


@dataclass(frozen=True)
class TopicLabel:
    """The words that name one topic, best first, and which of them are distinctive."""

    words: list[str]  # surface forms
    stems: list[str]
    distinctive: list[bool]  # the topic's own word at lift >= DISTINCTIVE_LIFT, word by word

    @property
    def has_distinctive(self) -> bool:
        return any(self.distinctive)


def relevance_labels(
    topic_word: np.ndarray,
    term_frequency: np.ndarray,
    vocab: Sequence[str],
    surface: Callable[[str], str],
    *,
    lam: float = RELEVANCE_LAMBDA,
    n: int = LABEL_WORDS,
    generic: frozenset[str] | None = None,
) -> list[TopicLabel]:
    """Label words of every topic: ranked by relevance, generic words and lift <= 1 left out.

    ``topic_word``: K x V (rows p(w|t)); ``term_frequency``: each word's count in the fitted
    corpus (p(w) is its share); ``vocab``: the V terms in column order.
    """
    generic = generic_words() if generic is None else generic
    phi = np.clip(np.asarray(topic_word, dtype=float), 0.0, None)
    phi = phi / np.clip(phi.sum(axis=1, keepdims=True), _EPS, None)
    freq = np.asarray(term_frequency, dtype=float)
    if phi.shape[1] != len(vocab) or freq.shape != (len(vocab),):
        raise ValueError(
            f"topic_word {phi.shape}, term_frequency {freq.shape} and {len(vocab)} terms disagree"
        )
    marginal = freq / max(freq.sum(), _EPS)
    lift = phi / np.clip(marginal, _EPS, None)
    home = phi.argmax(axis=0)  # the topic that gives each word its highest probability
    relevance = lam * np.log(phi + _EPS) + (1 - lam) * np.log(lift + _EPS)
    generic_ids = {i for i, stem in enumerate(vocab) if is_generic(stem, surface, generic)}
    labels = []
    for t in range(phi.shape[0]):
        order = np.argsort(-relevance[t], kind="stable")[:CANDIDATES]
        kept = [int(i) for i in order if int(i) not in generic_ids and lift[t, i] > 1.0]
        ids, words, seen = [], [], set()
        for i in kept:
            word = surface(vocab[i])
            if word.lower() not in seen:
                seen.add(word.lower())
                ids.append(i)
                words.append(word)
        distinctive = [bool(home[i] == t and lift[t, i] >= DISTINCTIVE_LIFT) for i in ids]
        if ids and not any(distinctive[:NAME_WORDS]):
            # The ranking put no distinctive word in the name: the most relevant one goes first
            # (or, if none reaches DISTINCTIVE_LIFT, the word of the highest lift).
            best = (
                distinctive.index(True)
                if any(distinctive)
                else max(range(len(ids)), key=lambda j: lift[t, ids[j]])
            )
            for lst in (ids, words, distinctive):
                lst.insert(0, lst.pop(best))
        stems = [vocab[i] for i in ids]
        labels.append(TopicLabel(words[:n], stems[:n], distinctive[:n]))
    return labels


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
    note: str = ""  # the unstable row's explanation


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
