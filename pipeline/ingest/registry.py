"""The study registry (corpus/studies.toml): the case study and the works it cites, as Documents.

The registry is an ingest source like any other (source ``registry``, identifier = the study key),
so re-reading it after an edit updates the stored records instead of adding new ones. It carries
curated facts (setting, actors and their roles, method) that the report shows beside what the
automatic coding finds, so a reader can check one against the other.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.documents import ROLE_CASE, ROLE_CITED, Document

SOURCE = "registry"
_CURATED_FIELDS = (
    "setting",
    "program_or_topic",
    "empowerment_dimensions",
    "findings",
    "confidence",
    "found",
    "remarks",
    "volume",
    "issue",
    "pages",
    "urls",
    "title_as_published",
    "authors_found",
)


class RegistryError(ValueError):
    """The registry file is unusable; the message names the file and the study."""


@dataclass(frozen=True)
class Registry:
    case: Document
    cited: tuple[Document, ...]

    @property
    def documents(self) -> tuple[Document, ...]:
        return (self.case, *self.cited)


def load_registry(path: Path, case_key: str = "oku2024") -> Registry:
    """Read the registry; the study keyed ``case_key`` is the case, every other one is cited."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"{path}: cannot read the study registry: {exc}") from exc
    studies = data.get("study")
    if not isinstance(studies, list) or not studies:
        raise RegistryError(f"{path}: no [[study]] entries")
    docs: list[Document] = []
    seen: set[str] = set()
    for position, entry in enumerate(studies, start=1):
        key = str(entry.get("key", "")).strip()
        if not key:
            raise RegistryError(f"{path}: study #{position} has no key")
        if key in seen:
            raise RegistryError(f"{path}: study key {key!r} appears twice")
        if not str(entry.get("title", "")).strip():
            raise RegistryError(f"{path}: study {key!r} has no title")
        seen.add(key)
        docs.append(_study_document(entry, role=ROLE_CASE if key == case_key else ROLE_CITED))
    cases = [d for d in docs if d.role == ROLE_CASE]
    if not cases:
        raise RegistryError(f"{path}: the case study {case_key!r} is not in the registry")
    return Registry(case=cases[0], cited=tuple(d for d in docs if d.role == ROLE_CITED))


def _study_document(entry: dict[str, Any], role: str) -> Document:
    summary = str(entry.get("summary", "")).strip()
    summary_language = str(entry.get("summary_language") or entry.get("language") or "und")
    method = entry.get("method") or {}
    extra: dict[str, Any] = {
        "key": entry["key"],
        "role": role,
        "actors": [
            {k: str(a.get(k, "")) for k in ("sector", "name", "role")}
            for a in entry.get("actors", [])
        ],
        "method": str(method.get("approach", "unknown")),
        "data_collection": list(method.get("data_collection", [])),
    }
    extra.update({name: entry[name] for name in _CURATED_FIELDS if name in entry})
    year = entry.get("year")
    return Document(
        source=SOURCE,
        identifier=str(entry["key"]),
        title=str(entry["title"]).strip(),
        abstracts={summary_language: summary} if summary else {},
        authors=tuple(str(a) for a in entry.get("authors", [])),
        year=int(year) if isinstance(year, int) else None,
        venue=str(entry.get("venue", "")),
        doi=str(entry.get("doi", "")),
        url=(entry.get("urls") or [""])[0],
        language=str(entry.get("language", "und")),
        extra=extra,
    )
