"""The empowerment codebook (corpus/codebook.toml): themes, their families, rules and indicators.

Kept as data so a researcher can change what counts as, say, a "funder" without touching code;
the codebook's own hash goes into every run's manifest, so a report says which codebook it used.
Each theme carries what a human coder needs (definition, inclusion and exclusion rules, an example)
next to what the lexicon coder needs (indicator terms and exclusion patterns), so the two read the
same definition of the theme.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

FAMILIES = ("dimension", "actor", "role", "collaboration", "context", "method")


class CodebookError(ValueError):
    """The codebook is unusable; the message names the file and the theme."""


@dataclass(frozen=True)
class Theme:
    id: str
    family: str
    label: str
    label_id: str
    terms: tuple[str, ...]  # Indonesian and English indicators together
    definition: str = ""
    include: str = ""
    exclude: str = ""
    example: str = ""
    exclude_patterns: tuple[re.Pattern[str], ...] = ()
    # Indicators too common outside the theme to code it alone ("kesehatan" in an IT paper): they
    # count only when the same document also holds an indicator of the theme that is not here.
    ambiguous_terms: frozenset[str] = frozenset()
    # How an exclusion rule that no pattern can express is kept (e.g. "by the indicator list").
    exclude_rule: str = ""


@dataclass(frozen=True)
class Codebook:
    themes: tuple[Theme, ...]
    min_hits: int
    sha256: str

    def family(self, family: str) -> tuple[Theme, ...]:
        return tuple(t for t in self.themes if t.family == family)

    def label(self, theme_id: str) -> str:
        return next((t.label for t in self.themes if t.id == theme_id), theme_id)

    def theme(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(theme_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(t.id for t in self.themes)

    @property
    def families(self) -> tuple[str, ...]:
        """The families that have themes, in FAMILIES order."""
        present = {t.family for t in self.themes}
        return tuple(f for f in FAMILIES if f in present)


def _patterns(path: Path, theme_id: str, raw: object) -> tuple[re.Pattern[str], ...]:
    if not isinstance(raw, list):
        raise CodebookError(f"{path}: theme {theme_id!r}: exclude_patterns must be a list")
    compiled = []
    for text in raw:
        try:
            compiled.append(re.compile(str(text), re.IGNORECASE))
        except re.error as exc:
            raise CodebookError(
                f"{path}: theme {theme_id!r}: bad exclude pattern {text!r}: {exc}"
            ) from exc
    return tuple(compiled)


def _ambiguous(path: Path, theme_id: str, terms: tuple[str, ...], raw: object) -> frozenset[str]:
    """The theme's ambiguous indicators; each must be one of its own terms, as written there."""
    if not isinstance(raw, list):
        raise CodebookError(f"{path}: theme {theme_id!r}: ambiguous_terms must be a list")
    unknown = [str(t) for t in raw if str(t) not in terms]
    if unknown:
        raise CodebookError(
            f"{path}: theme {theme_id!r}: ambiguous_terms {unknown} are not among its "
            "id_terms/en_terms"
        )
    if raw and len(set(map(str, raw))) == len(set(terms)):
        raise CodebookError(
            f"{path}: theme {theme_id!r}: every indicator is ambiguous, so none could code it"
        )
    return frozenset(str(t) for t in raw)


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
                definition=str(entry.get("definition", "")).strip(),
                include=str(entry.get("include", "")).strip(),
                exclude=str(entry.get("exclude", "")).strip(),
                example=str(entry.get("example", "")).strip(),
                exclude_patterns=_patterns(path, theme_id, entry.get("exclude_patterns", [])),
                ambiguous_terms=_ambiguous(path, theme_id, terms, entry.get("ambiguous_terms", [])),
                exclude_rule=str(entry.get("exclude_rule", "")).strip(),
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
