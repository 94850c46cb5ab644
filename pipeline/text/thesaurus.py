"""The bilingual concept thesaurus: Indonesian and English terms and phrases -> one concept token.

Without it a corpus of Indonesian and English abstracts splits every topic in two, an Indonesian
copy and an English one. With it "pemberdayaan masyarakat" and "community empowerment" are both
``c:community_empowerment``, labelled "community empowerment / pemberdayaan masyarakat".

The terms live in data/thesaurus.tsv, for a linguist to edit. They are matched on stems, after the
same tokenising and stemming as the text, so inflection does not matter ("villages" = "village",
"pemerintahannya" = "pemerintahan") but word order and function words do ("case study" is a
concept, "case" alone is not). A text in one language also matches the other language's phrases
(Indonesian abstracts quote "good governance"), but not its single words: Indonesian "air" is
water, English "air" is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.text import resources
from pipeline.text.tokens import words

CONCEPT_PREFIX = "c:"

StemFn = Callable[[str, str], str]  # (word, language) -> stem


@dataclass(frozen=True)
class Concept:
    id: str
    domain: str
    terms: dict[str, tuple[str, ...]]  # language -> terms, the first one preferred

    @property
    def token(self) -> str:
        return CONCEPT_PREFIX + self.id

    @property
    def label(self) -> str:
        """What a reader sees: "community empowerment / pemberdayaan masyarakat"."""
        names = [terms[0] for lang in ("en", "id") if (terms := self.terms.get(lang))]
        unique = list(dict.fromkeys(names))
        return " / ".join(unique) or self.id


def is_concept(token: str) -> bool:
    return token.startswith(CONCEPT_PREFIX)


class Thesaurus:
    """The concepts, and per text language an index from stem sequences to concept tokens."""

    def __init__(self, concepts: Sequence[Concept]) -> None:
        self.concepts = {c.id: c for c in concepts}
        if len(self.concepts) != len(concepts):
            raise ValueError("thesaurus: a concept id is used twice")
        self._indexes: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {}

    @classmethod
    def load(cls, path: Path | None = None) -> Thesaurus:
        return cls(load_concepts(path))

    def labels(self) -> dict[str, str]:
        return {c.token: c.label for c in self.concepts.values()}

    def keys(self, language: str, stem: StemFn) -> dict[tuple[str, ...], set[str]]:
        """Stem sequence -> the concept tokens it stands for, as seen from ``language`` text.

        More than one concept per key is an error of the data (a test checks there is none); the
        index then keeps the first concept in file order.
        """
        keys: dict[tuple[str, ...], set[str]] = {}
        for concept in self.concepts.values():
            for term_language, terms in concept.terms.items():
                for term in terms:
                    parts = list(words(term))
                    if term_language != language and len(parts) < 2:
                        continue  # a foreign single word may be a false friend (air, data)
                    key = tuple(stem(part, language) for part in parts)
                    if key:
                        keys.setdefault(key, set()).add(concept.token)
        return keys

    def index(self, language: str, stem: StemFn) -> dict[str, list[tuple[tuple[str, ...], str]]]:
        """First stem -> [(key, concept token)], longest key first, built once per language."""
        built = self._indexes.get(language)
        if built is None:
            order = {c.token: i for i, c in enumerate(self.concepts.values())}
            built = {}
            for key, tokens in self.keys(language, stem).items():
                token = min(tokens, key=order.__getitem__)
                built.setdefault(key[0], []).append((key, token))
            for entries in built.values():
                entries.sort(key=lambda entry: (-len(entry[0]), entry[0]))
            self._indexes[language] = built
        return built


def match(
    stems: Sequence[str], index: dict[str, list[tuple[tuple[str, ...], str]]]
) -> Iterable[tuple[int, int, str | None]]:
    """(start, end, concept token or None) spans covering ``stems``, longest match first."""
    i, n = 0, len(stems)
    get = index.get
    while i < n:
        entries = get(stems[i])
        if entries:
            for key, token in entries:
                end = i + len(key)
                if end <= n and (len(key) == 1 or tuple(stems[i:end]) == key):
                    yield i, end, token
                    i = end
                    break
            else:
                yield i, i + 1, None
                i += 1
        else:
            yield i, i + 1, None
            i += 1


@cache
def load_concepts(path: Path | None = None) -> tuple[Concept, ...]:
    path = path or resources.data_path("thesaurus.tsv")
    concepts = []
    for number, cells in resources.read_rows(path, 4):
        concept_id, domain, english, indonesian = cells[:4]
        terms = {
            lang: tuple(t.strip() for t in column.split(";") if t.strip())
            for lang, column in (("en", english), ("id", indonesian))
        }
        if not any(terms.values()):
            raise ValueError(f"{path.name}:{number}: concept {concept_id!r} has no terms")
        concepts.append(Concept(concept_id, domain, terms))
    return tuple(concepts)


@cache
def default_thesaurus() -> Thesaurus:
    return Thesaurus.load()
