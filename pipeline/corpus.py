"""The corpus of a run, read from the store as it is needed instead of held in memory.

Why: a run passes over its corpus several times (tokens, themes, the comparison, the report) but
works on one document at a time. Held whole, 100,000 abstracts cost hundreds of megabytes, and a
folder of PDFs' full texts gigabytes. A ``StoredCorpus`` keeps only each document's id and
content hash; iterating streams the documents from SQLite in id order, and indexing reads one.

The content hashes pin the corpus the run started with (its corpus hash in the manifest): a
document that changed or vanished under the run is an error naming it, never a silent mix of two
corpora. Nothing else writes while a run holds the project lock, so this does not happen in use.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import overload

from pipeline.documents import Document
from pipeline.store import DOCUMENT_COLUMNS, Store, corpus_hash_of, row_to_document

_LIVE = "deleted = 0"
_CONTENT_HASH = DOCUMENT_COLUMNS.split(", ").index("content_hash")


class CorpusChanged(RuntimeError):
    """A document of the run's corpus changed or vanished in the store during the run."""


class StoredCorpus(Sequence[Document]):
    """The live documents of a store, in id order (the order ``Store.iter_documents`` gives).

    Picklable: a copy elsewhere (a worker process) opens the store file itself.
    """

    def __init__(self, path: Path, entries: Sequence[tuple[str, str]]) -> None:
        self.path = Path(path)
        self._ids = [doc_id for doc_id, _ in entries]
        self._hashes = [content_hash for _, content_hash in entries]
        self._local = threading.local()  # one read connection per thread (sqlite3's rule)

    @classmethod
    def open(cls, path: Path) -> StoredCorpus:
        with Store(path) as store:
            return cls(path, store.live_entries())

    def corpus_hash(self) -> str:
        """The same hash as ``Store.corpus_hash`` of the store when this corpus was opened."""
        return corpus_hash_of(zip(self._ids, self._hashes, strict=True))

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, index: int) -> Document: ...

    @overload
    def __getitem__(self, index: slice) -> list[Document]: ...

    def __getitem__(self, index: int | slice) -> Document | list[Document]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"document {index} of a corpus of {len(self)}")
        row = (
            self._db()
            .execute(
                f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = ? AND {_LIVE}",
                (self._ids[index],),
            )
            .fetchone()
        )
        return self._checked(index, row)

    def __iter__(self) -> Iterator[Document]:
        rows = self._db().execute(
            f"SELECT {DOCUMENT_COLUMNS} FROM documents WHERE {_LIVE} ORDER BY id"
        )
        index = 0
        for row in rows:
            if index >= len(self) or row[0] != self._ids[index]:
                raise CorpusChanged(
                    f"the store {self.path} gained or lost documents during this run "
                    f"(at {row[0]}); run again"
                )
            yield self._checked(index, row)
            index += 1
        if index != len(self):
            raise CorpusChanged(
                f"the store {self.path} lost documents during this run (from "
                f"{self._ids[index]}); run again"
            )

    def _checked(self, index: int, row: tuple | None) -> Document:
        doc_id = self._ids[index]
        if row is None:
            raise CorpusChanged(f"document {doc_id} left the store {self.path} during this run")
        if row[_CONTENT_HASH] != self._hashes[index]:
            raise CorpusChanged(
                f"document {doc_id} changed in the store {self.path} during this run"
            )
        return row_to_document(row)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"  # read only: a run never writes here
            db = sqlite3.connect(uri, uri=True, timeout=60)
            self._local.db = db
        return db

    def __getstate__(self) -> dict:
        return {"path": self.path, "ids": self._ids, "hashes": self._hashes}

    def __setstate__(self, state: dict) -> None:
        self.path = state["path"]
        self._ids, self._hashes = state["ids"], state["hashes"]
        self._local = threading.local()


class DocumentsById(Mapping[str, Document]):
    """A corpus's documents by id, each read when asked for: hand codings name a few hundred
    documents of what may be a very large corpus."""

    def __init__(self, docs: Sequence[Document], ids: Sequence[str]) -> None:
        self._docs = docs
        self._index = {doc_id: i for i, doc_id in enumerate(ids)}

    def __getitem__(self, doc_id: str) -> Document:
        return self._docs[self._index[doc_id]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)
