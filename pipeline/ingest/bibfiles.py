"""Bibliography exports -> Documents: BibTeX, RIS and CSV, parsed from text already decoded.

No file I/O here (``files.py`` reads, decodes and caps sizes), so each parser is a pure function of
its text and easy to test on a literal.

Broken records: a reference manager export with one mangled entry is still worth ingesting, so
the parsers keep every good record and describe each broken one in ``Parsed.warnings``; they raise
``BibliographyError`` only when nothing usable is there. CSV is the exception: a csv-level error
(an unclosed quote swallowing the rest of the file) means the row boundaries cannot be trusted,
so the whole file is refused.

Identity: a record's identifier is its normalised DOI when it has one, so the same article in two
exports lands on one row; otherwise RIS and CSV use the normalised title (and year), BibTeX the
citation key plus the normalised title. Records repeated within one file are merged (the first
occurrence wins, later ones only fill gaps), so a file upserts each identifier once. Records carry
no file path in ``extra``: the same article in two files must hash the same, or re-ingesting both
would flip the row back and forth. Where two files disagree about an article, the file ingested
last wins.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, Entry

from pipeline.documents import Document, normalise_doi, normalise_title
from pipeline.text.language import detect_language

# Abstracts of tens of kB are common; 1 GiB is far above the file size cap of files.py.
_CSV_FIELD_LIMIT = 1 << 30

_SPACES = re.compile(r"\s+")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_KEYWORD_SPLIT = re.compile(r"\s*[;,]\s*")
_SEMICOLON = re.compile(r"\s*;\s*")
_AUTHOR_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_DOI_IN_URL = re.compile(r"^https?://(dx\.)?doi\.org/", re.IGNORECASE)


class BibliographyError(ValueError):
    """Nothing usable in the text; ``files.py`` turns it into an IngestError naming the file."""


@dataclass(frozen=True)
class Parsed:
    """What a parser got out of one file: the good records and one line per problem."""

    documents: list[Document]
    warnings: list[str] = field(default_factory=list)


# -- shared helpers --------------------------------------------------------------------------


def _clean(value: Any) -> str:
    return _SPACES.sub(" ", str(value or "")).strip()


def _year(value: str) -> int | None:
    match = _YEAR.search(value or "")
    return int(match.group(1)) if match else None


def _keywords(values: Iterable[str], split: re.Pattern[str] = _KEYWORD_SPLIT) -> tuple[str, ...]:
    """Split, trim and de-duplicate (case-insensitively), keeping the first spelling and order."""
    kept: dict[str, str] = {}
    for value in values:
        for keyword in split.split(value):
            keyword = _clean(keyword)
            if keyword:
                kept.setdefault(keyword.casefold(), keyword)
    return tuple(kept.values())


def _title_key(title: str, year: int | None) -> str:
    # normalise_title drops non-Latin scripts entirely; fall back to the case-folded title so
    # two different Arabic titles do not share the key "title:".
    key = normalise_title(title) or _clean(title).casefold()
    return f"title:{key}" + (f":{year}" if year is not None else "")


def _record(
    *,
    source: str,
    identifier: str,
    title: str,
    abstract: str = "",
    authors: Iterable[str] = (),
    year: int | None = None,
    venue: str = "",
    doi: str = "",
    url: str = "",
    keywords: tuple[str, ...] = (),
    extra: dict[str, Any] | None = None,
) -> Document:
    abstract = _clean(abstract)
    abstract_language = detect_language(abstract) if abstract else ""
    return Document(
        source=source,
        identifier=identifier,
        title=title,
        abstracts={abstract_language: abstract} if abstract else {},
        authors=tuple(a for a in (_clean(a) for a in authors) if a),
        year=year,
        venue=_clean(venue),
        doi=doi,
        url=_clean(url),
        keywords=keywords,
        language=abstract_language or detect_language(title),
        extra=extra or {},
    )


def _merge(first: Document, later: Document) -> Document:
    """First occurrence wins; the later one only fills what the first lacks."""
    changes: dict[str, Any] = {}
    for name in ("authors", "year", "venue", "doi", "url", "keywords", "full_text"):
        if not getattr(first, name) and getattr(later, name):
            changes[name] = getattr(later, name)
    missing = {k: v for k, v in later.abstracts.items() if k not in first.abstracts}
    if missing:
        changes["abstracts"] = {**first.abstracts, **missing}
    return first.with_changes(**changes) if changes else first


def _dedup(documents: Iterable[Document]) -> list[Document]:
    by_id: dict[str, Document] = {}
    for doc in documents:
        by_id[doc.id] = _merge(by_id[doc.id], doc) if doc.id in by_id else doc
    return list(by_id.values())


# -- BibTeX ----------------------------------------------------------------------------------

# \"o, \'{e}, \^{\i}: accent commands become combining marks, then NFC composes them.
_ACCENT_MARKS = {
    '"': "\u0308",
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "c": "\u0327",
    "v": "\u030c",
    "u": "\u0306",
    "H": "\u030b",
    "k": "\u0328",
    "r": "\u030a",
}
_SYMBOL_ACCENT = re.compile(r"""\\(["'`^~=.])\s*(?:\{\s*(\\?[A-Za-z])\s*\}|(\\?[A-Za-z]))""")
_LETTER_ACCENT = re.compile(r"\\([cvuHkr])(?:\s*\{\s*(\\?[A-Za-z])\s*\}|\s+([A-Za-z]))")
_LETTERS = {
    "ss": "ß",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
}
_LETTER_COMMAND = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i)(?![A-Za-z])\s*(?:\{\})?")
_ESCAPED = re.compile(r"\\([&%$#_{}])")
_COMMAND = re.compile(r"\\[A-Za-z]+\*?\s*")


def _accent(match: re.Match[str]) -> str:
    letter = (match.group(2) or match.group(3)).lstrip("\\")
    return letter + _ACCENT_MARKS[match.group(1)]


def strip_latex(value: str) -> str:
    """Light LaTeX clean-up for display and matching: accents, escapes, commands, braces.

    Not a TeX interpreter: math and macros keep their arguments as plain text, which is what a
    reader of a title or abstract wants.
    """
    text = _SYMBOL_ACCENT.sub(_accent, value)
    text = _LETTER_ACCENT.sub(_accent, text)
    text = _LETTER_COMMAND.sub(lambda m: _LETTERS[m.group(1)], text)
    text = _ESCAPED.sub(lambda m: {"{": "\x01", "}": "\x02"}.get(m.group(1), m.group(1)), text)
    text = _COMMAND.sub("", text)
    text = text.replace("{", "").replace("}", "").replace("\x01", "{").replace("\x02", "}")
    text = text.replace("---", "—").replace("--", "–").replace("~", " ")
    return _clean(unicodedata.normalize("NFC", text))


def _one_line(error: Exception) -> str:
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return _clean(message)


def _bibtex_document(entry: Entry) -> Document | str:
    """The entry as a Document, or the reason it cannot be one."""
    fields = {f.key.lower(): strip_latex(str(f.value)) for f in entry.fields}
    title = fields.get("title", "")
    if not title:
        return f"entry '{entry.key}' has no title; skipped"
    doi = normalise_doi(fields.get("doi", ""))
    year = _year(fields.get("year", "") or fields.get("date", ""))
    venue = next(
        (fields[k] for k in ("journal", "journaltitle", "booktitle", "publisher") if fields.get(k)),
        "",
    )
    authors = [a for a in _AUTHOR_AND.split(fields.get("author", "")) if a.lower() != "others"]
    return _record(
        source="bibtex",
        identifier=doi or f"{entry.key}:{normalise_title(title)}",
        title=title,
        abstract=fields.get("abstract", ""),
        authors=authors,
        year=year,
        venue=venue,
        doi=doi,
        url=fields.get("url", ""),
        keywords=_keywords([fields.get("keywords", "")]),
        extra={"citation_key": entry.key, "entry_type": entry.entry_type.lower()},
    )


def parse_bibtex(text: str, origin: str = "<bibtex>") -> Parsed:
    """Every parseable entry of a BibTeX file; broken blocks are reported, not fatal."""
    library = bibtexparser.parse_string(text)
    warnings: list[str] = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1  # bibtexparser counts lines from 0
        if isinstance(block, DuplicateBlockKeyBlock):
            warnings.append(f"{origin}: line {line}: {_one_line(block.error)}; first one kept")
        else:
            reason = _one_line(block.error)
            warnings.append(f"{origin}: line {line}: broken entry skipped: {reason}")
    documents: list[Document] = []
    for entry in library.entries:
        made = _bibtex_document(entry)
        if isinstance(made, str):
            warnings.append(f"{origin}: line {(entry.start_line or 0) + 1}: {made}")
        else:
            documents.append(made)
    if not documents:
        problems = f" ({len(warnings)} problems, first: {warnings[0]})" if warnings else ""
        raise BibliographyError(f"no usable BibTeX entries{problems}")
    return Parsed(_dedup(documents), warnings)


# -- RIS -------------------------------------------------------------------------------------

_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])\s{1,2}-(?: (.*))?$")


def _ris_records(text: str, origin: str, warnings: list[str]) -> Iterator[tuple[int, dict]]:
    """(start line, {tag: [values]}) per record; continuation lines extend the last value."""
    record: dict[str, list[str]] | None = None
    start = 0
    last_tag = ""
    stray: list[int] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        match = _RIS_LINE.match(line)
        if match is None:
            if record is not None and last_tag and line.strip():
                record[last_tag][-1] = f"{record[last_tag][-1]} {line.strip()}"
            elif line.strip():
                stray.append(number)
            continue
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if record is not None:
                warnings.append(f"{origin}: line {start}: record has no ER line; kept")
                yield start, record
            record, start, last_tag = {"TY": [value]}, number, "TY"
        elif tag == "ER":
            if record is None:
                stray.append(number)
            else:
                yield start, record
            record, last_tag = None, ""
        elif record is None:
            stray.append(number)
        else:
            record.setdefault(tag, []).append(value)
            last_tag = tag
    if record is not None:
        warnings.append(f"{origin}: line {start}: last record has no ER line; kept")
        yield start, record
    if stray:
        warnings.append(
            f"{origin}: {len(stray)} line(s) outside any TY..ER record ignored "
            f"(first at line {stray[0]})"
        )


def _first(record: dict[str, list[str]], *tags: str) -> str:
    for tag in tags:
        for value in record.get(tag, []):
            if value.strip():
                return _clean(value)
    return ""


def parse_ris(text: str, origin: str = "<ris>") -> Parsed:
    """Every RIS record with a title; records without one are reported and skipped."""
    warnings: list[str] = []
    documents: list[Document] = []
    for start, record in _ris_records(text, origin, warnings):
        title = _first(record, "TI", "T1", "CT")
        if not title:
            warnings.append(f"{origin}: line {start}: record has no title (TI/T1); skipped")
            continue
        url = _first(record, "UR", "L2")
        doi = normalise_doi(_first(record, "DO"))
        if not doi and _DOI_IN_URL.match(url):
            doi = normalise_doi(url)
        year = _year(_first(record, "PY", "Y1", "DA"))
        documents.append(
            _record(
                source="ris",
                identifier=doi or _title_key(title, year),
                title=title,
                abstract=_first(record, "AB", "N2"),
                authors=record.get("AU", []) + record.get("A1", []),
                year=year,
                venue=_first(record, "T2", "JF", "JO", "JA", "J2"),
                doi=doi,
                url=url,
                # One keyword per KW line (commas belong to it); some exporters pack several
                # into one line with ";".
                keywords=_keywords(record.get("KW", []), _SEMICOLON),
                extra={"ris_type": _first(record, "TY")},
            )
        )
    if not documents:
        problems = f" ({warnings[0]})" if warnings else ""
        raise BibliographyError(f"no RIS records with a title (each starts 'TY  - '){problems}")
    return Parsed(_dedup(documents), warnings)


# -- CSV -------------------------------------------------------------------------------------

# Header names (lower-case, spaces and hyphens as "_") per field, in Indonesian and English, and
# as the SINTA exports write them (JOURNAL_TITLE, ARTICLE_TITLE, ARTICLE_ABSTRACT). The first
# alias a file has wins. Other headers: `berdaya ingest --columns year=TAHUN_TERBIT,...`.
_CSV_ALIASES = {
    "title": ("title", "article_title", "judul", "judul_artikel", "judul_penelitian"),
    "abstract": ("abstract", "article_abstract", "abstrak", "ringkasan"),
    "venue": (
        *("journal", "journal_title", "venue", "source_title", "jurnal", "nama_jurnal"),
        *("publication_title", "sumber"),
    ),
    "year": ("year", "publication_year", "tahun", "tahun_terbit", "pub_year"),
    "doi": ("doi",),
    "authors": ("authors", "author", "penulis", "pengarang", "nama_penulis"),
    "url": ("url", "link", "tautan"),
    "keywords": ("keywords", "keyword", "kata_kunci", "author_keywords"),
}
CSV_FIELDS = tuple(_CSV_ALIASES)
_AUTHOR_SPLIT = re.compile(r"\s*;\s*|\s+(?:and|dan|&)\s+", re.IGNORECASE)


def _header_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").lower())


def parse_column_map(text: str) -> dict[str, str]:
    """``year=TAHUN,authors=PENULIS`` -> {"year": "TAHUN", "authors": "PENULIS"}.

    Raises ValueError with one line naming the item at fault: a field we do not know, or an item
    without "=".
    """
    mapping: dict[str, str] = {}
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        name, sep, header = (x.strip() for x in item.partition("="))
        if not sep or not name or not header:
            raise ValueError(f"--columns: {item!r} is not FIELD=COLUMN (e.g. year=TAHUN)")
        if name.lower() not in _CSV_ALIASES:
            raise ValueError(
                f"--columns: unknown field {name!r} in {item!r}; fields: {', '.join(CSV_FIELDS)}"
            )
        mapping[name.lower()] = header
    if not mapping:
        raise ValueError("--columns: nothing given (e.g. --columns year=TAHUN,authors=PENULIS)")
    return mapping


def _columns(header: list[str], mapping: Mapping[str, str] | None = None) -> dict[str, int]:
    """Our field name -> column index: the ``mapping`` given, else the first alias found."""
    keys = [_header_key(h) for h in header]
    found: dict[str, int] = {}
    for name, aliases in _CSV_ALIASES.items():
        for alias in aliases:
            if alias in keys:
                found[name] = keys.index(alias)
                break
    for name, wanted in (mapping or {}).items():
        if _header_key(wanted) in keys:
            found[name] = keys.index(_header_key(wanted))
    return found


def _missing_mapped(header: list[str], mapping: Mapping[str, str]) -> list[str]:
    keys = {_header_key(h) for h in header}
    return [f"{name}={want}" for name, want in mapping.items() if _header_key(want) not in keys]


def _csv_dialect(first_line: str, mapping: Mapping[str, str] | None = None) -> str:
    """The delimiter under which the header names a title column (Excel in id-ID writes ';')."""
    for delimiter in (",", ";", "\t"):
        header = next(csv.reader([first_line], delimiter=delimiter), [])
        if "title" in _columns(header, mapping):
            return delimiter
    return ","


def parse_csv(
    lines: Iterable[str], origin: str = "<csv>", columns: Mapping[str, str] | None = None
) -> Parsed:
    """Stream a CSV of articles; headers are matched case-insensitively through aliases, or as
    ``columns`` maps them (field -> header, from ``parse_column_map``)."""
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    rows_iter = iter(lines)
    first_line = next(rows_iter, "")
    delimiter = _csv_dialect(first_line, columns)
    reader = csv.reader(_chain_first(first_line, rows_iter), delimiter=delimiter)
    mapping = columns or {}
    try:
        header = next(reader, [])
        shown = ", ".join(h.strip() for h in header[:12]) or "none"
        missing = _missing_mapped(header, mapping)
        if missing:
            raise BibliographyError(
                f"--columns {', '.join(missing)}: no such column; columns found: {shown}"
            )
        found = _columns(header, mapping)
        if "title" not in found:
            raise BibliographyError(
                "no title column (expected title, judul or article_title, or name it with "
                f"--columns title=...); columns found: {shown}"
            )
        documents: list[Document] = []
        untitled: list[int] = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            values = {
                name: _clean(row[index]) if index < len(row) else ""
                for name, index in found.items()
            }
            title = values["title"]
            if not title:
                untitled.append(reader.line_num)
                continue
            doi = normalise_doi(values.get("doi", ""))
            year = _year(values.get("year", ""))
            documents.append(
                _record(
                    source="csv",
                    identifier=doi or _title_key(title, year),
                    title=title,
                    abstract=values.get("abstract", ""),
                    authors=_AUTHOR_SPLIT.split(values.get("authors", "")),
                    year=year,
                    venue=values.get("venue", ""),
                    doi=doi,
                    url=values.get("url", ""),
                    keywords=_keywords([values.get("keywords", "")]),
                )
            )
    except csv.Error as error:
        raise BibliographyError(f"CSV broken at line {reader.line_num}: {error}") from error
    warnings = []
    if untitled:
        warnings.append(
            f"{origin}: {len(untitled)} row(s) without a title skipped "
            f"(first at line {untitled[0]})"
        )
    if not documents:
        raise BibliographyError("no rows with a title")
    return Parsed(_dedup(documents), warnings)


def _chain_first(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest
