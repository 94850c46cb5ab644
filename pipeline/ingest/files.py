"""Local files -> Documents: what a researcher drops into corpus/inbox or names on the command line.

A plain file (.txt .md .html .pdf) becomes one Document whose identifier is the hash of its
extracted text, not its name: the same paper saved twice under two names is one record, and
renaming a file does not make a new one. (Editing the text does; the old version stays stored.)
Bibliography exports (.bib .ris .csv) are handed to ``bibfiles``, which makes one Document per
record and reports broken records as warnings.

Every failure a user can cause (a missing, empty, binary, encrypted or oversized file, an unknown
type) is an ``IngestError`` whose one-line message names the file and the reason, so a batch can
report it and go on. ``ingest_paths`` reads a file completely before writing anything and writes
each file in one transaction: a bad file never leaves partial rows behind.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from pipeline.documents import Document
from pipeline.ingest.bibfiles import BibliographyError, Parsed, parse_bibtex, parse_csv, parse_ris
from pipeline.ingest.subjects import with_subjects
from pipeline.store import Store
from pipeline.text.language import detect_language

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".pdf", ".bib", ".ris", ".csv")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# Below this many characters a file's text reads as an abstract (a note, a pasted summary) and is
# stored as one, so abstract-based stages see it; longer text is full text.
ABSTRACT_LIMIT = 3000
TITLE_LIMIT = 300
# Language id looks at the start of long texts: enough to decide, and a 300-page PDF stays fast.
_LANGUAGE_SAMPLE = 20_000
# Share of control characters above which decoded "text" is really binary data. Real text has
# next to none; random bytes give about 11%.
_CONTROL_SHARE = 0.05
_CONTROL_SAMPLE = 1 << 20
# PDF text is extracted in a worker process under these caps: a crafted or broken PDF (a
# decompression bomb, a parser loop) is refused in one line instead of hanging or eating memory.
PDF_TIMEOUT = 120.0  # seconds; None extracts in this process, with no caps
PDF_MEMORY_LIMIT = 1024 * 1024 * 1024  # bytes the worker may add to its address space

_BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


class IngestError(Exception):
    """A file that could not be ingested, and why, in one line: ``<path>: <reason>``."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, reason)
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


# -- reading bytes and text ------------------------------------------------------------------


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    where = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise IngestError(where, "no such file or directory") from None
    except OSError as error:
        raise IngestError(where, f"cannot read: {error.strerror or error}") from None
    if stat.S_ISDIR(info.st_mode):
        raise IngestError(where, "is a directory (use iter_paths or ingest_paths to expand it)")
    if not stat.S_ISREG(info.st_mode):
        raise IngestError(where, "not a regular file")
    if info.st_size > max_bytes:
        raise IngestError(where, f"file is {_size(info.st_size)}, over the {_size(max_bytes)} cap")
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # the file may have grown since stat
    except OSError as error:
        raise IngestError(where, f"cannot read: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise IngestError(where, f"file is over the {_size(max_bytes)} cap")
    if not data.strip():
        raise IngestError(where, "empty file")
    return data


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n} bytes"


def decode_text(data: bytes, path: str, declared: str | None = None) -> str:
    """UTF-8 (BOM or not), UTF-16/32 by BOM, else ``declared``, cp1252, latin-1; never junk."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                reason = f"not valid {codec.upper()} despite its byte-order mark"
                raise IngestError(path, reason) from None
            break
    else:
        if b"\x00" in data:
            raise IngestError(path, "looks binary, not text")
        text = _decode_8bit(data, declared)
    # One newline convention and no stray (doubled) byte-order marks: copies of a file saved on
    # Windows and elsewhere then give the same text, and the same Document.
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    sample = text[:_CONTROL_SAMPLE]
    if sample and len(_CONTROL.findall(sample)) > _CONTROL_SHARE * len(sample):
        raise IngestError(path, "looks binary, not text")
    if not text.strip():
        raise IngestError(path, "empty file")
    return text


def _decode_8bit(data: bytes, declared: str | None) -> str:
    # UTF-8 first: a valid UTF-8 byte string is almost never meant as anything else. The legacy
    # fallbacks only run when UTF-8 fails, so they cannot garble a UTF-8 file.
    for codec in ("utf-8", declared, "cp1252"):
        if codec:
            try:
                return data.decode(codec)
            except (UnicodeDecodeError, LookupError):
                continue
    return data.decode("latin-1")  # total: every byte is a character


# -- text formats ----------------------------------------------------------------------------

_MD_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^[ \t]*(```|~~~).*$", re.MULTILINE), ""),  # code fences (keep the code)
    (re.compile(r"^[ \t]*\[[^\]]+\]:[ \t]+\S.*$", re.MULTILINE), ""),  # link reference definitions
    (
        re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE),
        r"\1",
    ),  # ATX headings
    (re.compile(r"^[ \t]{0,3}(=+|-+)[ \t]*$", re.MULTILINE), ""),  # setext underlines, rules
    (re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE), ""),  # block quotes
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # inline links -> link text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference links -> link text
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),  # emphasis *x*
    (re.compile(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)"), r"\1"),  # emphasis _x_, not snake_case
    (re.compile(r"`([^`]+)`"), r"\1"),  # inline code
)
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)


def strip_markdown(text: str) -> str:
    """Markup off, words kept: a light pass, not a Markdown renderer."""
    for pattern, replacement in _MD_RULES:
        text = pattern.sub(replacement, text)
    return text


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return _SPACES.sub(" ", line).strip()[:TITLE_LIMIT]
    return ""


_HTML_SKIP = frozenset({"script", "style", "noscript", "template"})
_HTML_BLOCK = frozenset(
    {
        *("address", "article", "aside", "blockquote", "body", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul"),
    }
)


class _HtmlText(HTMLParser):
    """Visible text with paragraph breaks, plus <title> and the first <h1>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities arrive already unescaped
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.h1_parts: list[str] = []
        self._skip = 0
        self._in_head = False
        self._in_title = False
        self._h1 = 0  # 1 while inside the first h1, 2 once it has closed
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HTML_SKIP:
            self._skip += 1
        elif tag == "head":
            self._in_head = True
        elif tag == "title":
            self._in_title = True
        elif tag == "br":
            self.parts.append("\n")
        if tag in _HTML_BLOCK:
            self._in_head = False  # pages that never close <head> still have a body
            self.parts.append("\n\n")
        if tag == "h1" and self._h1 == 0:
            self._h1 = 1
        if tag == "pre":
            self._pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HTML_SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag == "head":
            self._in_head = False
        elif tag == "title":
            self._in_title = False
        if tag in _HTML_BLOCK:
            self.parts.append("\n\n")
        if tag == "h1" and self._h1 == 1:
            self._h1 = 2
        if tag == "pre":
            self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
            return
        if self._skip or self._in_head:
            return
        if self._h1 == 1:
            self.h1_parts.append(data)
        self.parts.append(data if self._pre else _SPACES.sub(" ", data))

    def text(self) -> str:
        raw = "".join(self.parts)
        paragraphs = []
        for block in re.split(r"\n\s*\n", raw):
            lines = [line.strip() for line in block.split("\n")]
            paragraph = "\n".join(line for line in lines if line)
            if paragraph:
                paragraphs.append(paragraph)
        return "\n\n".join(paragraphs)


def html_to_text(source: str) -> tuple[str, str]:
    """(title, text) of an HTML page: visible text only, paragraphs kept, entities unescaped."""
    parser = _HtmlText()
    parser.feed(source)
    parser.close()
    text = parser.text()
    title = _SPACES.sub(" ", "".join(parser.title_parts)).strip()
    title = title or _SPACES.sub(" ", "".join(parser.h1_parts)).strip()
    return (title or _first_line(text))[:TITLE_LIMIT], text


_NEEDS_PASSWORD = "encrypted PDF that needs a password; save a copy without one"


def _pdf_text(data: bytes, path: str) -> tuple[str, str]:
    """(title, text) of a PDF; every pypdf failure becomes an IngestError naming the file."""
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data))
        # Many PDFs are "encrypted" only to restrict printing; they open with no password.
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise IngestError(path, _NEEDS_PASSWORD)
        pages = [page.extract_text() or "" for page in reader.pages]
        metadata = reader.metadata
        meta_title = (metadata.title if metadata else None) or ""
    except IngestError:
        raise
    except DependencyError as error:
        raise IngestError(path, f"encrypted PDF that pypdf cannot decrypt here: {error}") from None
    except FileNotDecryptedError:
        raise IngestError(path, _NEEDS_PASSWORD) from None
    except Exception as error:
        # pypdf reports damaged files through its own errors but also through plain Python ones
        # (KeyError, zlib.error, RecursionError...): any of them means this file is unreadable.
        detail = _SPACES.sub(" ", str(error)).strip() or type(error).__name__
        raise IngestError(path, f"not a readable PDF ({detail})") from None
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise IngestError(path, "PDF has no extractable text (scanned images? run OCR first)")
    title = _SPACES.sub(" ", str(meta_title)).strip() or _first_line(text)
    return title[:TITLE_LIMIT], text


def _pdf_text_worker(data: bytes, path: str) -> tuple[str, str]:
    """``_pdf_text`` for ``run_isolated``, which carries a failure back as a ValueError."""
    try:
        return _pdf_text(data, path)
    except IngestError as error:
        raise ValueError(error.reason) from None


def _pdf_text_capped(data: bytes, path: str, timeout: float | None) -> tuple[str, str]:
    if timeout is None:
        return _pdf_text(data, path)
    from pipeline.ingest.fulltext import run_isolated

    try:
        return run_isolated(
            _pdf_text_worker, (data, path), timeout=timeout, memory_limit=PDF_MEMORY_LIMIT
        )
    except ValueError as error:
        raise IngestError(path, str(error)) from None


def _text_hash(text: str) -> str:
    """Hash of the text up to Unicode form and whitespace, so CRLF and LF copies are one."""
    normal = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return hashlib.sha256(normal.encode()).hexdigest()


def _plain_document(path: Path, title: str, text: str) -> Document:
    body = text.strip()
    language = detect_language(body[:_LANGUAGE_SAMPLE])
    short = len(body) < ABSTRACT_LIMIT
    return Document(
        source="files",
        identifier="sha256:" + _text_hash(body),
        title=title or path.name,
        abstracts={language: body} if short else {},
        full_text="" if short else body,
        language=language,
        extra={"path": str(path), "filename": path.name},
    )


# -- public reading API ----------------------------------------------------------------------


def read_with_warnings(
    path: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    pdf_timeout: float | None = PDF_TIMEOUT,
    columns: Mapping[str, str] | None = None,
) -> Parsed:
    """The documents of one file and the problems that did not stop it (broken bib entries).

    A PDF is read in a worker process killed after ``pdf_timeout`` seconds, its memory capped at
    ``PDF_MEMORY_LIMIT`` (``pdf_timeout=None``: in this process, uncapped). ``columns``: a CSV's
    field -> header mapping (``--columns``), for headers the aliases do not know.
    """
    path = Path(path)
    where = str(path)
    suffix = path.suffix.lower()
    if suffix == ".htm":
        suffix = ".html"
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "(none)"
        raise IngestError(
            where,
            f"unsupported file type {shown}; berdaya reads {' '.join(SUPPORTED_SUFFIXES)}",
        )
    data = _read_bytes(path, max_bytes)
    if suffix == ".pdf":
        title, text = _pdf_text_capped(data, where, pdf_timeout)
        return Parsed([_plain_document(path, title, text)])
    declared = None
    if suffix == ".html":
        match = _META_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii") if match else None
        if declared and declared.lower().startswith(("utf-16", "utf-32", "utf16", "utf32")):
            declared = None  # real UTF-16/32 has a BOM or NUL bytes; this page has neither
    text = decode_text(data, where, declared)
    try:
        if suffix == ".bib":
            return parse_bibtex(text, where)
        if suffix == ".ris":
            return parse_ris(text, where)
        if suffix == ".csv":
            return parse_csv(io.StringIO(text, newline=""), where, columns)
    except BibliographyError as error:
        raise IngestError(where, str(error)) from None
    if suffix == ".html":
        title, text = html_to_text(text)
    elif suffix == ".md":
        headings = _MD_HEADING.findall(text)
        text = strip_markdown(text)
        title = strip_markdown(headings[0]).strip()[:TITLE_LIMIT] if headings else ""
        title = title or _first_line(text)
    else:
        title = _first_line(text)
    if not text.strip():
        raise IngestError(where, "no text left after removing markup")
    return Parsed([_plain_document(path, title, text)])


def read_file(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, pdf_timeout: float | None = PDF_TIMEOUT
) -> list[Document]:
    """The documents in one file; raises IngestError naming the file and the reason.

    Warnings about skipped records of a bibliography file are dropped here; callers that must
    report them use ``read_with_warnings`` (``ingest_paths`` does).
    """
    return read_with_warnings(path, max_bytes=max_bytes, pdf_timeout=pdf_timeout).documents


def iter_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Files named, and the files under directories named (recursively, sorted, no hidden ones).

    A path that does not exist is passed through, so the reader reports it like any bad file.
    """
    for path in paths:
        path = Path(path)
        if not path.is_dir():
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                candidate = Path(root) / name
                if not name.startswith(".") and candidate.is_file():
                    yield candidate


# -- ingesting into the store ----------------------------------------------------------------


@dataclass
class IngestReport:
    """Counts of one ingest run: documents added/updated/unchanged, files read, what failed."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[IngestError] = field(default_factory=list)
    files: int = 0  # files read and stored; failed ones are in ``errors`` instead
    warnings: list[str] = field(default_factory=list)


def _remember_other_paths(store: Store, doc: Document) -> Document:
    """Keep the first path a text was stored under and list the others in ``also_at``.

    Without this, the same text under two names would flip the stored path on every run and
    never read as unchanged.
    """
    if doc.source != "files":
        return doc
    stored = store.get(doc.id)
    if stored is None or "path" not in stored.extra:
        return doc
    first = str(stored.extra["path"])
    others = set(stored.extra.get("also_at", ())) | {str(doc.extra["path"])}
    others.discard(first)
    extra = {**doc.extra, "path": first, "filename": stored.extra.get("filename", Path(first).name)}
    if others:
        extra["also_at"] = sorted(others)
    return doc.with_changes(extra=extra)


def ingest_paths(
    store: Store,
    paths: Iterable[Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    pdf_timeout: float | None = PDF_TIMEOUT,
    columns: Mapping[str, str] | None = None,
    journal_subjects: Mapping[str, tuple[str, ...]] | None = None,
) -> IngestReport:
    """Read and upsert every file under ``paths``; one transaction per file, errors collected.

    ``columns``: CSV field -> header (``--columns``); ``journal_subjects``: a journal-subject
    table (``load_journal_subjects``) whose subjects go into each document's extra["subjects"].
    """
    report = IngestReport()
    for path in iter_paths(paths):
        try:
            parsed = read_with_warnings(
                path, max_bytes=max_bytes, pdf_timeout=pdf_timeout, columns=columns
            )
        except IngestError as error:
            log.warning("%s", error)
            report.errors.append(error)
            continue
        except Exception as error:  # a parser bug on one odd file must not stop the batch
            log.exception("unexpected failure reading %s", path)
            reason = f"unexpected {type(error).__name__}: {error}"
            report.errors.append(IngestError(str(path), reason))
            continue
        documents = [_remember_other_paths(store, doc) for doc in parsed.documents]
        if journal_subjects:
            documents = [with_subjects(doc, journal_subjects) for doc in documents]
        counts = store.upsert_many(documents)
        report.added += counts["added"]
        report.updated += counts["updated"]
        report.unchanged += counts["unchanged"]
        report.files += 1
        report.warnings.extend(parsed.warnings)
        for warning in parsed.warnings:
            log.warning("%s", warning)
    return report
