"""Which cited works the gathered corpus also holds (a harvested record, an ingested PDF).

The registry describes each cited work; the wider corpus may hold the same work with its full
abstract or text. Each registry entry is turned into a reference and resolved against every
document that is not itself from the registry (DOI first, then title + year + first author), so
the report can say where a cited work was found, how sure the match is and why, and list the ones
not found.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.documents import Document
from pipeline.ingest.references import Reference, Resolution, resolve


def as_reference(doc: Document) -> Reference:
    authors = ", ".join(doc.authors)
    raw = f"{authors} ({doc.year or 'n.d.'}). {doc.title}. {doc.venue}".strip()
    return Reference(
        raw=raw,
        authors=doc.authors,
        year=doc.year,
        title=doc.title,
        venue=doc.venue,
        doi=doc.doi,
        kind="article" if doc.venue else "unknown",
    )


def find_cited_in_corpus(cited: Sequence[Document], corpus: Sequence[Document]) -> list[Resolution]:
    """One Resolution per cited work, against the non-registry documents only."""
    candidates = [d for d in corpus if d.source != "registry"]
    return [resolve(as_reference(doc), candidates) for doc in cited]
