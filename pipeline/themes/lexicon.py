"""Coding documents from the codebook's indicator terms, with the sentences that support each code.

This is the transparent, rule-based coder: every theme it gives comes with the sentence and the
indicator terms that triggered it, so a reader can check the claim.

Actor-role pairs are read clause by clause (pipeline/themes/pairs.py): a pair needs an actor named
and a role cue in the same clause ("the NGO runs the activities", "didanai oleh dinas"). "The
regency sets policy and pays for programmes, whereas the NGO runs the activities" then gives
policy and funding to the regency and implementation to the NGO, not every role to every actor.

Ambiguous indicators (a theme's ``ambiguous_terms``: "kesehatan", "media", "lingkungan"...) code
their theme only with a second cue of it in the document: another of its indicators (ambiguous
or not; "kesehatan" and "pendidikan" together are social empowerment, "kesehatan" alone in an IT
paper is not), or, for an actor, a role cue attached to it. The title and
keywords count for coding but are evidence only for a work known by nothing else.

Exclusions: a theme's ``exclude_patterns`` (regular expressions in the codebook) mark spans of a
clause where its indicators do not count, e.g. the authors' own university in "the Universitas
Gadjah Mada authors" is not the actor "academia". The span is masked word by word (each word
becomes a placeholder), so token positions, which actor-role attribution relies on, do not move
and other themes still see the words.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pipeline.documents import Document
from pipeline.text.tokens import sentences, words
from pipeline.themes.codebook import Codebook
from pipeline.themes.pairs import Pair, find_pairs

_MAX_EVIDENCE = 3
_LETTERS = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_MASK = "qq"  # a two-letter placeholder: still one token, never an indicator
CLAUSE_BREAK = re.compile(
    r"[;:]|,?\s+\b(?:whereas|while|whilst|but|sedangkan|sementara|namun|tetapi|adapun)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Evidence:
    """A sentence that supports a code, with the code's own indicator terms found in it.

    ``kind``: "indicator" (a sentence of the text), "title" (the title or keywords of a work known
    by nothing else), "classifier" (no sentence holds an indicator: ``sentence`` names the
    classifier's deciding features, ``terms`` them) or "hand-coded" (a human coding with no
    indicator sentence; ``sentence`` says so)."""

    sentence: str
    terms: tuple[str, ...]
    kind: str = "indicator"


@dataclass
class Coding:
    """What the lexicon found in one document."""

    doc_id: str
    hits: Counter[str] = field(default_factory=Counter)
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)
    actor_roles: Counter[tuple[str, str]] = field(default_factory=Counter)
    pairs: list[Pair] = field(default_factory=list)  # one per (actor, role), first sentence

    def themes(self, min_hits: int = 1) -> set[str]:
        return {theme for theme, n in self.hits.items() if n >= min_hits}


class _Pattern:
    __slots__ = ("order", "parts", "term", "theme")

    def __init__(self, term: str, theme: str, order: int = 0) -> None:
        self.term = term
        self.theme = theme
        self.order = order  # position in the codebook: matches at one token keep this order
        wildcard = term.endswith("*")
        parts = list(words(term.rstrip("*")))
        self.parts = [(p, wildcard and i == len(parts) - 1) for i, p in enumerate(parts)]

    def matches_at(self, tokens: list[str], start: int) -> bool:
        if start + len(self.parts) > len(tokens):
            return False
        for offset, (part, prefix) in enumerate(self.parts):
            token = tokens[start + offset]
            if not (token.startswith(part) if prefix else token == part):
                return False
        return True


class LexiconCoder:
    """Matches every indicator of a codebook against documents, sentence by sentence."""

    def __init__(self, codebook: Codebook) -> None:
        self.codebook = codebook
        # Patterns are looked up by their first two words (when both are whole words), else by
        # their first word, and those whose first word is itself a prefix ("ekonomi*") by its
        # first two letters. (Indexing every pattern by two letters tried ~70 patterns at each
        # "pe..." word: 15 ms a document, 25 minutes for 100,000.)
        self._by_word: defaultdict[str, list[_Pattern]] = defaultdict(list)
        self._by_pair: defaultdict[tuple[str, str], list[_Pattern]] = defaultdict(list)
        self._by_prefix: defaultdict[str, list[_Pattern]] = defaultdict(list)
        self._families = {t.id: t.family for t in codebook.themes}
        self._exclusions = {t.id: t.exclude_patterns for t in codebook.themes if t.exclude_patterns}
        self._ambiguous = {t.id: t.ambiguous_terms for t in codebook.themes if t.ambiguous_terms}
        order = 0
        for theme in codebook.themes:
            for term in theme.terms:
                pattern = _Pattern(term, theme.id, order)
                order += 1
                if not pattern.parts:
                    continue
                first, prefix = pattern.parts[0]
                if prefix:
                    self._by_prefix[first[:2]].append(pattern)
                elif len(pattern.parts) > 1 and not pattern.parts[1][1]:
                    self._by_pair[first, pattern.parts[1][0]].append(pattern)
                else:
                    self._by_word[first].append(pattern)
        self._firsts = frozenset(self._by_word) | {first for first, _ in self._by_pair}
        self._prefixes = tuple(self._by_prefix)

    def code_text(
        self, text: str, doc_id: str = "", no_evidence: frozenset[str] = frozenset()
    ) -> Coding:
        """Code ``text``; sentences in ``no_evidence`` (a title and keywords beside an abstract)
        count for the codes but are never shown as their evidence."""
        coding = Coding(doc_id=doc_id)
        found_terms: defaultdict[str, set[str]] = defaultdict(set)
        pairs: list[Pair] = []
        for sentence in sentences(text):
            found: defaultdict[str, list[str]] = defaultdict(list)
            for clause in CLAUSE_BREAK.split(sentence):
                matches = self._match(clause)
                for _position, theme, term in matches:
                    found[theme].append(term)
                actors = [m for m in matches if self._families[m[1]] == "actor"]
                if sentence not in no_evidence:
                    pairs += find_pairs(clause, actors, sentence)
            for theme, terms in found.items():
                coding.hits[theme] += len(terms)
                found_terms[theme].update(terms)
                if sentence in no_evidence:
                    continue
                kept = coding.evidence.setdefault(theme, [])
                kept.append(Evidence(sentence=sentence, terms=tuple(dict.fromkeys(terms))))
        # a role cue is a second cue for its actor
        paired = {pair.actor for pair in pairs if not pair.weak}
        for theme, terms in found_terms.items():
            ambiguous = self._ambiguous.get(theme, frozenset())
            if theme not in paired and terms <= ambiguous and len(terms) < 2:
                del coding.hits[theme]  # one ambiguous indicator and no second cue: not a code
                coding.evidence.pop(theme, None)
        coding.evidence = {t: ev for t, ev in coding.evidence.items() if ev}
        for pair in pairs:
            if pair.actor not in coding.hits and not pair.weak:
                continue  # its actor was named only in an ambiguous sense
            if pair.key not in coding.actor_roles:
                coding.pairs.append(pair)
            coding.actor_roles[pair.key] += 1
        # An actor's best evidence is a sentence where it plays a role: those first, then the
        # first sentences in text order, at most _MAX_EVIDENCE.
        for theme, kept in coding.evidence.items():
            acting = {p.sentence for p in coding.pairs if p.actor == theme}
            if acting:
                kept.sort(key=lambda e: e.sentence not in acting)
            del kept[_MAX_EVIDENCE:]
        return coding

    def indicator_hits(self, text: str) -> list[tuple[str, str]]:
        """(theme, term) of every indicator occurrence in ``text``, clause by clause with the
        exclusions applied, and nothing else (no evidence, pairs or ambiguity rule): for counts,
        such as the field-relevance features, at a fraction of ``code_text``'s cost."""
        return [
            (theme, term)
            for sentence in sentences(text)
            for clause in CLAUSE_BREAK.split(sentence)
            for _position, theme, term in self._match(clause)
        ]

    def code(self, doc: Document) -> Coding:
        # The title and keywords are evidence only when nothing else is known of the work.
        headings = frozenset() if doc.title_only else _headings(doc)
        coding = self.code_text(doc.text, doc_id=doc.id, no_evidence=headings)
        if doc.title_only:
            coding.evidence = {
                theme: [Evidence(e.sentence, e.terms, "title") for e in kept]
                for theme, kept in coding.evidence.items()
            }
        return coding

    def indicator_sentences(
        self, doc: Document, theme: str, n: int = _MAX_EVIDENCE
    ) -> list[Evidence]:
        """Up to ``n`` sentences of ``doc`` holding indicators of ``theme`` (after its exclusions,
        ambiguous ones included): the evidence of a code the lexicon alone would not give. The
        title and keywords only for a work known by nothing else (kind "title")."""
        kind = "title" if doc.title_only else "indicator"
        headings = frozenset() if doc.title_only else _headings(doc)
        out: list[Evidence] = []
        for sentence in sentences(doc.text):
            if sentence in headings:
                continue
            terms = [
                term
                for clause in CLAUSE_BREAK.split(sentence)
                for _p, found, term in self._match(clause)
                if found == theme
            ]
            if terms:
                out.append(Evidence(sentence, tuple(dict.fromkeys(terms)), kind))
                if len(out) >= n:
                    break
        return out

    def match(self, text: str) -> list[tuple[int, str, str]]:
        """(token position, theme, indicator term) of every indicator in ``text`` (one clause),
        after the exclusion patterns."""
        return self._match(text)

    def _match(self, text: str) -> list[tuple[int, str, str]]:
        """(token position, theme, indicator term) for every indicator found in ``text``, less
        the ones its theme's exclusion patterns mask."""
        found = self._match_tokens(text)
        for theme, patterns in self._exclusions.items():
            if not any(t == theme for _, t, _ in found):
                continue
            masked = _mask(text, patterns)
            if masked == text:
                continue
            kept = [m for m in self._match_tokens(masked) if m[1] == theme]
            found = sorted([m for m in found if m[1] != theme] + kept)
        return found

    def _match_tokens(self, text: str) -> list[tuple[int, str, str]]:
        tokens = list(words(text))
        found: list[tuple[int, str, str]] = []
        by_word, by_pair, by_prefix = self._by_word, self._by_pair, self._by_prefix
        firsts, prefixes = self._firsts, self._prefixes
        last = len(tokens) - 1
        for i, token in enumerate(tokens):
            if token not in firsts and not token.startswith(prefixes):
                continue  # most words start no indicator: one set lookup decides
            lists = [
                found_list
                for found_list in (
                    by_word.get(token),
                    by_pair.get((token, tokens[i + 1])) if i < last else None,
                    by_prefix.get(token[:2]),
                )
                if found_list
            ]
            if not lists:
                continue
            candidates = (
                lists[0]
                if len(lists) == 1
                else sorted((p for one in lists for p in one), key=_pattern_order)
            )
            for pattern in candidates:
                if pattern.matches_at(tokens, i):
                    found.append((i, pattern.theme, pattern.term))
        return found


def _headings(doc: Document) -> frozenset[str]:
    """The sentences of a document's title and keywords."""
    return frozenset(sentences("\n\n".join([doc.title, "; ".join(doc.keywords)])))


def _pattern_order(pattern: _Pattern) -> int:
    return pattern.order


def _mask(text: str, patterns: tuple[re.Pattern[str], ...]) -> str:
    """``text`` with every word inside a span matched by ``patterns`` replaced by a placeholder."""
    for pattern in patterns:
        text = pattern.sub(lambda m: _LETTERS.sub(_MASK, m.group()), text)
    return text
