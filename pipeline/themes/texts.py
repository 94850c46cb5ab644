"""The texts gold codings refer to: the SINTA abstracts in ../shared and the study registry.

Why a module of its own: a gold coding is only valid for the exact text the coder read, so the
coding tools, the agreement script and the tests must all rebuild the same Documents the same way
the ingest does (``parse_csv`` per file; where two files hold the same article, the file ingested
last wins, as in the store) and hash the same text (``Document.text``: title, keywords, abstract).
The abstracts are third-party text: they are read in place and never copied into the repository.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from pipeline.documents import Document
from pipeline.ingest.bibfiles import parse_csv
from pipeline.ingest.registry import load_registry

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"
SINTA_FILES = (
    "deprecated-dataset-sinta.csv",
    "output_65045a0.csv",
    "dataset-master-sinta-bilingual-v2.csv",
)


def text_hash(doc: Document) -> str:
    """sha256 of the text a coder reads and the models see; a changed text voids its coding."""
    return hashlib.sha256(doc.text.encode("utf-8")).hexdigest()


def sinta_documents(folder: Path | None = None) -> list[Document]:
    """The SINTA abstracts as the CSV ingest makes them, one per Document.id (last file wins)."""
    folder = folder or SHARED_DATA / "sinta-abstracts"
    by_id: dict[str, Document] = {}
    for name in SINTA_FILES:
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            for doc in parse_csv(handle, origin=name).documents:
                by_id[doc.id] = doc
    return list(by_id.values())


def registry_documents(path: Path | None = None) -> list[Document]:
    """The case and its cited works; their text is title + summary."""
    return list(load_registry(path or REPO / "corpus" / "studies.toml").documents)


def all_documents(shared: Path | None = None, registry: Path | None = None) -> dict[str, Document]:
    """Every codable document by Document.id, registry first."""
    docs: Iterable[Document] = [
        *registry_documents(registry),
        *sinta_documents(shared / "sinta-abstracts" if shared else None),
    ]
    return {d.id: d for d in docs}


def journal(doc: Document) -> str:
    """The group for cross-validation: the journal, or the document itself when none is known."""
    return doc.venue.strip().casefold() or f"doc:{doc.id}"
