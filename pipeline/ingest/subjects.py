"""A journal-to-subject table joined onto documents: ``Document.extra["subjects"]``.

Why: a researcher narrows a wide corpus to a field ("Social Sciences") by what the journal
publishes, as SINTA classes its journals; article exports rarely carry a subject. The table is a
CSV of a journal title and its subject(s), e.g. SINTA's JOURNAL_TITLE,JOURNAL_SUBJECTS. Titles are
matched up to case, accents, punctuation and spacing (``normalise_title``).

Subjects are split on "," and ";" and kept in the table's order. SINTA's own subject names hold
commas ("Economics, Econometrics & Finance"), so they come apart into their parts; a filter for a
subject asks for all of its parts (``has_subject``), which finds the same journals.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path

from pipeline.documents import Document, normalise_title

JOURNAL_COLUMNS = ("journal_title", "journal", "jurnal", "nama_jurnal", "venue", "title")
SUBJECT_COLUMNS = ("journal_subjects", "subjects", "subject", "subjek", "bidang", "bidang_ilmu")
_SPLIT = re.compile(r"\s*[;,]\s*")


class SubjectTableError(ValueError):
    """The table cannot be used; the message names the file and the reason."""


def split_subjects(text: str) -> tuple[str, ...]:
    parts: dict[str, str] = {}
    for part in _SPLIT.split(text or ""):
        if part.strip():
            parts.setdefault(part.strip().casefold(), part.strip())
    return tuple(parts.values())


def _key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


def load_journal_subjects(path: Path) -> dict[str, tuple[str, ...]]:
    """normalised journal title -> its subjects; a journal listed twice gets both rows' subjects."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SubjectTableError(f"{path}: cannot read the journal-subject table: {exc}") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","  # Excel in id-ID writes ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [_key(h) for h in next(reader, [])]
    journal = next((header.index(c) for c in JOURNAL_COLUMNS if c in header), None)
    subject = next((header.index(c) for c in SUBJECT_COLUMNS if c in header), None)
    if journal is None or subject is None:
        raise SubjectTableError(
            f"{path}: needs a journal column ({', '.join(JOURNAL_COLUMNS[:3])}) and a subject "
            f"column ({', '.join(SUBJECT_COLUMNS[:3])}); columns found: {', '.join(header)}"
        )
    table: dict[str, tuple[str, ...]] = {}
    try:
        for row in reader:
            if len(row) <= max(journal, subject) or not row[journal].strip():
                continue
            key = normalise_title(row[journal])
            table[key] = split_subjects(", ".join([*table.get(key, ()), row[subject]]))
    except csv.Error as exc:
        raise SubjectTableError(f"{path}: CSV broken at line {reader.line_num}: {exc}") from None
    if not table:
        raise SubjectTableError(f"{path}: no journals in the journal-subject table")
    return table


def with_subjects(doc: Document, table: Mapping[str, tuple[str, ...]]) -> Document:
    """The document with its journal's subjects in ``extra["subjects"]`` (unchanged when its
    venue is not in the table: a journal the table lacks is not guessed)."""
    subjects = table.get(normalise_title(doc.venue)) if doc.venue else None
    if not subjects:
        return doc
    return doc.with_changes(extra={**doc.extra, "subjects": list(subjects)})


def has_subject(doc: Document, wanted: str) -> bool:
    """All parts of ``wanted`` among the document's subjects, case-insensitively."""
    have = {s.casefold() for s in doc.extra.get("subjects", ())}
    parts = [p.casefold() for p in split_subjects(wanted)]
    return bool(parts) and all(p in have for p in parts)
