"""The records every stage passes along: a Document in the corpus store.

A Document is identified by where it came from (``source``) and the identifier that source gives it
(``identifier``). Its ``id`` is derived from that pair, so the same record ingested twice, on any
machine, gets the same id and is upserted rather than duplicated.

Abstracts are kept per language (``{"id": ..., "en": ...}``) because Indonesian journals often
publish both, and a reader of the report should see which language a sentence came from.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

ROLE_CASE = "case"
ROLE_CITED = "cited"

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]", re.UNICODE)


def stable_id(source: str, identifier: str) -> str:
    """A short id that depends only on (source, identifier), never on insertion order."""
    digest = hashlib.sha256(f"{source}\x1f{identifier}".encode()).hexdigest()
    return digest[:16]


def normalise_title(title: str) -> str:
    """Lower-case, accent-free, punctuation-free title: the last-resort key for duplicates."""
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", title) if not unicodedata.combining(ch)
    )
    text = _NON_WORD.sub(" ", text.lower())
    return _SPACES.sub(" ", text).strip()


def normalise_doi(doi: str) -> str:
    """DOIs are case-insensitive and often written as URLs; keep the bare lower-case form."""
    doi = doi.strip()
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.IGNORECASE)
    return doi.lower()


@dataclass(frozen=True)
class Document:
    """One work in the corpus: an article, a book, a local file or a registry entry."""

    source: str
    identifier: str
    title: str
    abstracts: dict[str, str] = field(default_factory=dict)
    authors: tuple[str, ...] = ()
    year: int | None = None
    venue: str = ""
    doi: str = ""
    url: str = ""
    keywords: tuple[str, ...] = ()
    language: str = "und"
    full_text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False

    @property
    def id(self) -> str:
        return stable_id(self.source, self.identifier)

    @property
    def abstract(self) -> str:
        """All abstracts joined, Indonesian first: the text most stages analyse."""
        order = sorted(self.abstracts, key=lambda lang: (lang != "id", lang != "en", lang))
        return "\n\n".join(self.abstracts[lang] for lang in order if self.abstracts[lang].strip())

    @property
    def text(self) -> str:
        """Everything we know the work says: title, keywords, abstracts, full text."""
        parts = [self.title, "; ".join(self.keywords), self.abstract, self.full_text]
        return "\n\n".join(p for p in parts if p and p.strip())

    @property
    def title_only(self) -> bool:
        """True when nothing but a title (and keywords) is known: too little to compare on."""
        return not self.abstract.strip() and not self.full_text.strip()

    @property
    def content_hash(self) -> str:
        """Hash of everything a reader or a model would see; changes mean an update."""
        payload = json.dumps(
            {
                "title": self.title,
                "abstracts": self.abstracts,
                "authors": list(self.authors),
                "year": self.year,
                "venue": self.venue,
                "doi": self.doi,
                "url": self.url,
                "keywords": list(self.keywords),
                "language": self.language,
                "full_text": self.full_text,
                "extra": self.extra,
                "deleted": self.deleted,
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def role(self) -> str:
        """``case`` or ``cited`` for registry works, empty for the wider literature."""
        return str(self.extra.get("role", ""))

    @property
    def key(self) -> str:
        """The registry key (oku2024, lestari2023, ...) or, for others, the stable id."""
        return str(self.extra.get("key") or self.id)

    def with_changes(self, **changes: Any) -> Document:
        return replace(self, **changes)
