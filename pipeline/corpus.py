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

import re
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from pipeline.documents import Document, normalise_title
from pipeline.ingest.subjects import has_subject
from pipeline.store import DOCUMENT_COLUMNS, Store, corpus_hash_of, row_to_document

_LIVE = "deleted = 0"
_CONTENT_HASH = DOCUMENT_COLUMNS.split(", ").index("content_hash")


class CorpusChanged(RuntimeError):
    """A document of the run's corpus changed or vanished in the store during the run."""


_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-|–|\.\.)\s*(\d{4})\s*$|^\s*(\d{4})\s*$")


def parse_years(text: str) -> tuple[int, int]:
    """ "2015-2024" (or one year, "2020") -> (2015, 2024); ValueError naming the text otherwise."""
    match = _YEARS.match(text or "")
    if match is None:
        raise ValueError(f"--years {text!r}: expected FIRST-LAST, e.g. --years 2015-2024")
    first, last = (
        (int(match.group(3)), int(match.group(3)))
        if match.group(3)
        else (
            int(match.group(1)),
            int(match.group(2)),
        )
    )
    if first > last:
        raise ValueError(f"--years {text!r}: the first year is after the last")
    return first, last


@dataclass(frozen=True)
class CorpusFilter:
    """Which documents a report analyses: years, journals, subjects (each empty: no limit).

    The case and its cited works are always kept (a report without them compares nothing). A
    document without a year is left out by a year range; journals match up to case and
    punctuation; a subject asks for all its parts among the document's subjects (Document
    .extra["subjects"], from ``berdaya ingest --journal-subjects``). Several journals or subjects:
    any of them.
    """

    years: tuple[int, int] | None = None
    journals: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.years or self.journals or self.subjects)

    def keeps(self, doc: Document) -> bool:
        if doc.role:
            return True
        if self.years and not (doc.year and self.years[0] <= doc.year <= self.years[1]):
            return False
        if self.journals and normalise_title(doc.venue) not in {
            normalise_title(j) for j in self.journals
        }:
            return False
        return not self.subjects or any(has_subject(doc, s) for s in self.subjects)

    def as_dict(self) -> dict[str, Any]:
        """For the manifest and the page: only what limits the corpus."""
        out: dict[str, Any] = {}
        if self.years:
            out["years"] = f"{self.years[0]}-{self.years[1]}"
        if self.journals:
            out["journals"] = list(self.journals)
        if self.subjects:
            out["subjects"] = list(self.subjects)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CorpusFilter:
        """The inverse of ``as_dict`` (a flow's parameters must be plain data)."""
        years = parse_years(str(data["years"])) if data.get("years") else None
        return cls(
            years=years,
            journals=tuple(data.get("journals", ())),
            subjects=tuple(data.get("subjects", ())),
        )

    def describe(self) -> str:
        parts = []
        if self.years:
            parts.append(f"published {self.years[0]}-{self.years[1]}")
        if self.journals:
            parts.append("in " + " or ".join(self.journals))
        if self.subjects:
            parts.append("with subject " + " or ".join(f'"{s}"' for s in self.subjects))
        return ", ".join(parts)


class StoredCorpus(Sequence[Document]):
    """The live documents of a store, in id order (the order ``Store.iter_documents`` gives).

    Picklable: a copy elsewhere (a worker process) opens the store file itself.
    """

    def __init__(
        self, path: Path, entries: Sequence[tuple[str, str]], subset: bool = False
    ) -> None:
        self.path = Path(path)
        self._ids = [doc_id for doc_id, _ in entries]
        self._hashes = [content_hash for _, content_hash in entries]
        # A filtered corpus (``open(keep=...)``) holds some of the store's documents: iterating
        # skips the others instead of reading them as documents gained during the run.
        self._subset = frozenset(self._ids) if subset else None
        self._local = threading.local()  # one read connection per thread (sqlite3's rule)

    @classmethod
    def open(cls, path: Path, keep: CorpusFilter | None = None) -> StoredCorpus:
        """The store's live documents; with an active ``keep``, those it keeps (one streamed pass
        over the store to choose them)."""
        if keep is None or not keep.active:
            with Store(path) as store:
                return cls(path, store.live_entries())
        whole = cls.open(path)
        chosen = [(doc.id, whole._hashes[i]) for i, doc in enumerate(whole) if keep.keeps(doc)]
        return cls(path, chosen, subset=True)

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
            if self._subset is not None and row[0] not in self._subset:
                continue
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
        return {
            "path": self.path,
            "ids": self._ids,
            "hashes": self._hashes,
            "subset": self._subset is not None,
        }

    def __setstate__(self, state: dict) -> None:
        self.path = state["path"]
        self._ids, self._hashes = state["ids"], state["hashes"]
        self._subset = frozenset(self._ids) if state.get("subset") else None
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
