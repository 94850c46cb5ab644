"""The empowerment codebook (corpus/codebook.toml): themes, their families and indicator terms.

Kept as data so a researcher can change what counts as, say, a "funder" without touching code;
the codebook's own hash goes into every run's manifest, so a report says which codebook it used.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

FAMILIES = ("dimension", "actor", "role")


class CodebookError(ValueError):
    """The codebook is unusable; the message names the file and the theme."""


@dataclass(frozen=True)
class Theme:
    id: str
    family: str
    label: str
    label_id: str
    terms: tuple[str, ...]  # Indonesian and English indicators together


@dataclass(frozen=True)
class Codebook:
    themes: tuple[Theme, ...]
    min_hits: int
    sha256: str

    def family(self, family: str) -> tuple[Theme, ...]:
        return tuple(t for t in self.themes if t.family == family)

    def label(self, theme_id: str) -> str:
        return next((t.label for t in self.themes if t.id == theme_id), theme_id)


def load_codebook(path: Path) -> Codebook:
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CodebookError(f"{path}: cannot read the codebook: {exc}") from exc
    themes: list[Theme] = []
    for position, entry in enumerate(data.get("theme", []), start=1):
        theme_id = str(entry.get("id", "")).strip()
        family = str(entry.get("family", "")).strip()
        if not theme_id:
            raise CodebookError(f"{path}: theme #{position} has no id")
        if family not in FAMILIES:
            raise CodebookError(
                f"{path}: theme {theme_id!r} has family {family!r}; expected one of {FAMILIES}"
            )
        terms = tuple(str(t) for t in [*entry.get("id_terms", []), *entry.get("en_terms", [])])
        if not terms:
            raise CodebookError(f"{path}: theme {theme_id!r} has no indicator terms")
        themes.append(
            Theme(
                id=theme_id,
                family=family,
                label=str(entry.get("label", theme_id)),
                label_id=str(entry.get("label_id", entry.get("label", theme_id))),
                terms=terms,
            )
        )
    if len({t.id for t in themes}) != len(themes):
        raise CodebookError(f"{path}: theme ids must be unique")
    settings = data.get("settings", {})
    return Codebook(
        themes=tuple(themes),
        min_hits=int(settings.get("min_hits", 1)),
        sha256=hashlib.sha256(raw).hexdigest(),
    )
