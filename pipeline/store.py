"""The corpus store: one SQLite file holding every Document and the harvest watermarks.

Why SQLite: a single file a researcher can copy, transactions that make each batch all-or-nothing,
and WAL mode so a report can read while a refresh writes. Every write goes through a transaction;
a crash mid-batch leaves the store as it was before the batch.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipeline.documents import Document, normalise_doi, normalise_title

UpsertOutcome = Literal["added", "updated", "unchanged"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id           TEXT PRIMARY KEY,
    source       TEXT NOT NULL,
    identifier   TEXT NOT NULL,
    title        TEXT NOT NULL,
    abstracts    TEXT NOT NULL,
    authors      TEXT NOT NULL,
    year         INTEGER,
    venue        TEXT NOT NULL,
    doi          TEXT NOT NULL,
    url          TEXT NOT NULL,
    keywords     TEXT NOT NULL,
    language     TEXT NOT NULL,
    full_text    TEXT NOT NULL,
    extra        TEXT NOT NULL,
    deleted      INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT NOT NULL,
    doi_norm     TEXT NOT NULL,
    title_norm   TEXT NOT NULL,
    first_seen   REAL NOT NULL,
    updated_at   REAL NOT NULL,
    UNIQUE (source, identifier)
);
CREATE INDEX IF NOT EXISTS documents_doi ON documents (doi_norm) WHERE doi_norm != '';
CREATE INDEX IF NOT EXISTS documents_title ON documents (title_norm, year);
CREATE TABLE IF NOT EXISTS watermarks (
    source        TEXT PRIMARY KEY,
    harvested_to  TEXT,
    last_complete REAL,
    last_error    TEXT NOT NULL DEFAULT '',
    last_attempt  REAL
);
"""

DOCUMENT_COLUMNS = (
    "id, source, identifier, title, abstracts, authors, year, venue, doi, url, keywords, "
    "language, full_text, extra, deleted, content_hash, doi_norm, title_norm, "
    "first_seen, updated_at"
)


@dataclass(frozen=True)
class Watermark:
    source: str
    harvested_to: str | None
    last_complete: float | None
    last_error: str
    last_attempt: float | None


def _use_wal(db: sqlite3.Connection, patience: float = 60.0) -> None:
    """Switch a store to WAL mode (kept in the file, so this is a no-op once done).

    Switching needs the file to itself, and SQLite answers "database is locked" at once rather
    than through the busy timeout when another connection is opening the same new store (two
    journals harvested at once into a fresh project): so wait and ask again, within ``patience``.
    """
    deadline = time.monotonic() + patience
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class Store:
    """A connection to the corpus store; use as a context manager or call ``close``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we open transactions ourselves with BEGIN IMMEDIATE, so a writer
        # takes the write lock up front instead of failing half-way through a batch.
        self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout=60000")
        _use_wal(self._db)
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All-or-nothing: the block's writes are committed together or not at all."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- documents -------------------------------------------------------------------------

    def upsert(self, doc: Document) -> UpsertOutcome:
        with self.transaction():
            return self._upsert(doc)

    def upsert_many(self, docs: Iterable[Document]) -> dict[UpsertOutcome, int]:
        """Upsert a batch in one transaction; returns how many were added, updated, unchanged."""
        counts: dict[UpsertOutcome, int] = {"added": 0, "updated": 0, "unchanged": 0}
        with self.transaction():
            for doc in docs:
                counts[self._upsert(doc)] += 1
        return counts

    def _upsert(self, doc: Document) -> UpsertOutcome:
        row = self._db.execute(
            "SELECT content_hash, first_seen FROM documents WHERE id = ?", (doc.id,)
        ).fetchone()
        content_hash = doc.content_hash
        if row is not None and row[0] == content_hash:
            return "unchanged"
        now = time.time()
        first_seen = row[1] if row is not None else now
        self._db.execute(
            f"INSERT OR REPLACE INTO documents ({DOCUMENT_COLUMNS}) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc.id,
                doc.source,
                doc.identifier,
                doc.title,
                json.dumps(doc.abstracts, ensure_ascii=False),
                json.dumps(list(doc.authors), ensure_ascii=False),
                doc.year,
                doc.venue,
                doc.doi,
                doc.url,
                json.dumps(list(doc.keywords), ensure_ascii=False),
                doc.language,
                doc.full_text,
                json.dumps(doc.extra, ensure_ascii=False, sort_keys=True),
                int(doc.deleted),
                content_hash,
                normalise_doi(doc.doi),
                normalise_title(doc.title),
                first_seen,
                now,
            ),
        )
        return "added" if row is None else "updated"

    def get(self, doc_id: str) -> Document | None:
        row = self._db.execute(
            f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        return row_to_document(row) if row else None

    def find_duplicate(
        self, doc: Document, sources: Iterable[str] | None = None
    ) -> Document | None:
        """An already stored record of the same work: by DOI, then normalised title + year.

        ``sources`` limits the search (a harvest dedups against harvested records, not against the
        hand-curated registry, whose entries must keep their role).
        """
        where, args = "", []
        if sources is not None:
            wanted = list(sources)
            where = f" AND source IN ({','.join('?' * len(wanted))})"
            args = wanted
        doi = normalise_doi(doc.doi)
        if doi:
            row = self._db.execute(
                f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE doi_norm = ? AND doi_norm != '' "
                f"AND deleted = 0{where} "
                "ORDER BY first_seen LIMIT 1",
                (doi, *args),
            ).fetchone()
            if row:
                return row_to_document(row)
        title = normalise_title(doc.title)
        if title and doc.year is not None:
            row = self._db.execute(
                f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE title_norm = ? AND year = ? "
                f"AND deleted = 0{where} ORDER BY first_seen LIMIT 1",
                (title, doc.year, *args),
            ).fetchone()
            if row:
                return row_to_document(row)
        return None

    def iter_documents(
        self, *, include_deleted: bool = False, sources: Iterable[str] | None = None
    ) -> Iterator[Document]:
        """Stream documents in id order: stable, so results never depend on insertion order."""
        query = f"SELECT {DOCUMENT_COLUMNS} FROM documents"
        clauses: list[str] = []
        args: list[Any] = []
        if not include_deleted:
            clauses.append("deleted = 0")
        if sources is not None:
            wanted = list(sources)
            clauses.append(f"source IN ({','.join('?' * len(wanted))})")
            args.extend(wanted)
        if clauses:
            query += " WHERE " + " AND ".join(clauses)
        query += " ORDER BY id"
        for row in self._db.execute(query, args):
            yield row_to_document(row)

    def count(self, *, include_deleted: bool = False) -> int:
        query = "SELECT COUNT(*) FROM documents" + ("" if include_deleted else " WHERE deleted = 0")
        return int(self._db.execute(query).fetchone()[0])

    def count_by_source(self) -> dict[str, tuple[int, int]]:
        """source -> (live records, tombstones)."""
        rows = self._db.execute(
            "SELECT source, SUM(deleted = 0), SUM(deleted = 1) FROM documents GROUP BY source"
        )
        return {source: (int(live), int(dead)) for source, live, dead in rows}

    def live_entries(self) -> list[tuple[str, str]]:
        """(id, content hash) of every live document, in id order: a corpus pinned cheaply."""
        return list(
            self._db.execute("SELECT id, content_hash FROM documents WHERE deleted = 0 ORDER BY id")
        )

    def corpus_hash(self) -> str:
        """One hash over every live document's id and content: equal hashes, equal corpora."""
        return corpus_hash_of(self.live_entries())

    # -- watermarks ------------------------------------------------------------------------

    def watermark(self, source: str) -> Watermark | None:
        row = self._db.execute(
            "SELECT source, harvested_to, last_complete, last_error, last_attempt "
            "FROM watermarks WHERE source = ?",
            (source,),
        ).fetchone()
        return Watermark(*row) if row else None

    def set_watermark(self, source: str, harvested_to: str) -> None:
        """Record a complete harvest up to ``harvested_to`` (the server's responseDate)."""
        now = time.time()
        with self.transaction():
            self._db.execute(
                "INSERT INTO watermarks (source, harvested_to, last_complete, last_error, "
                "last_attempt) VALUES (?, ?, ?, '', ?) ON CONFLICT(source) DO UPDATE SET "
                "harvested_to = excluded.harvested_to, last_complete = excluded.last_complete, "
                "last_error = '', last_attempt = excluded.last_attempt",
                (source, harvested_to, now, now),
            )

    def record_source_error(self, source: str, error: str) -> None:
        """Remember a failure without touching the watermark: the next run retries the interval."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO watermarks (source, last_error, last_attempt) VALUES (?, ?, ?) "
                "ON CONFLICT(source) DO UPDATE SET last_error = excluded.last_error, "
                "last_attempt = excluded.last_attempt",
                (source, error, time.time()),
            )

    def watermarks(self) -> list[Watermark]:
        rows = self._db.execute(
            "SELECT source, harvested_to, last_complete, last_error, last_attempt "
            "FROM watermarks ORDER BY source"
        )
        return [Watermark(*row) for row in rows]


def corpus_hash_of(entries: Iterable[tuple[str, str]]) -> str:
    """The corpus hash of (id, content hash) pairs in id order (Store.live_entries)."""
    digest = hashlib.sha256()
    for doc_id, content_hash in entries:
        digest.update(f"{doc_id}:{content_hash}\n".encode())
    return digest.hexdigest()


def row_to_document(row: tuple[Any, ...]) -> Document:
    (
        _id,
        source,
        identifier,
        title,
        abstracts,
        authors,
        year,
        venue,
        doi,
        url,
        keywords,
        language,
        full_text,
        extra,
        deleted,
        *_rest,
    ) = row
    return Document(
        source=source,
        identifier=identifier,
        title=title,
        abstracts=json.loads(abstracts),
        authors=tuple(json.loads(authors)),
        year=year,
        venue=venue,
        doi=doi,
        url=url,
        keywords=tuple(json.loads(keywords)),
        language=language,
        full_text=full_text,
        extra=json.loads(extra),
        deleted=bool(deleted),
    )
