"""Loaders for the text stage's editable data files (data/*.tsv): abbreviations, protected terms.

The files are for linguists, not programmers: tab-separated, one row per entry, # for comments.
Loading checks them and names the file and line of any bad row, so an edit never fails silently.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path

LANGUAGES = frozenset({"id", "en"})


def data_path(name: str) -> Path:
    return Path(str(resources.files("pipeline.text").joinpath("data", name)))


def read_rows(path: Path, min_columns: int) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each non-comment row; a short row is an error naming the line."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = [cell.strip() for cell in line.split("\t")]
        if len(cells) < min_columns or not cells[0]:
            raise ValueError(f"{path.name}:{number}: expected {min_columns} tab-separated columns")
        yield number, cells


@cache
def abbreviations(path: Path | None = None) -> dict[str, str]:
    """Lower-case abbreviation -> the form reports show (``bumdes`` -> ``BUMDes``)."""
    path = path or data_path("abbreviations.tsv")
    return {cells[0].lower(): cells[0] for _, cells in read_rows(path, 1)}


@cache
def protected_terms(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Language -> {form: lemma}: words kept whole or mapped to a lemma chosen for this field."""
    path = path or data_path("protected_terms.tsv")
    table: dict[str, dict[str, str]] = {language: {} for language in LANGUAGES}
    for number, cells in read_rows(path, 3):
        form, lemma, language = cells[0].lower(), cells[1].lower(), cells[2]
        if language not in LANGUAGES:
            raise ValueError(f"{path.name}:{number}: language must be id or en, not {language!r}")
        if not lemma or any(ch.isspace() for ch in lemma + form):
            raise ValueError(f"{path.name}:{number}: form and lemma must be single words")
        if table[language].get(form, lemma) != lemma:
            raise ValueError(f"{path.name}:{number}: {form!r} is given two lemmas")
        table[language][form] = lemma
    return table


@cache
def thesaurus_forms(path: Path | None = None) -> dict[str, dict[str, str]]:
    """Language -> {form: key}: words the thesaurus reads as ``key`` instead of their stem
    (data/thesaurus_forms.tsv says why); checked as protected terms are."""
    return protected_terms.__wrapped__(path or data_path("thesaurus_forms.tsv"))
