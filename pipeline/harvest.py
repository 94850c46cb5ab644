"""Incremental, exact harvesting of the configured OAI-PMH sources into the corpus store.

Exact means: after any sequence of complete, failed or killed refreshes, the store holds what one
uninterrupted harvest would give. Three rules get us there:

- each page is committed in its own transaction, so a failure or a kill keeps every page before it;
- the watermark (the ``responseDate`` of the first response of the last COMPLETE harvest) only moves
  after the whole list was read, so the next refresh asks again for everything since the last
  complete one: no gap; upserts by (source, identifier) make re-read pages a no-op: no duplicate;
- the next refresh asks ``from = watermark - overlap`` (a day by default, in the repository's
  granularity), because a repository's clock and its datestamps are not always in step.

A record met twice (on two pages, or in two sources) is stored once: by OAI identifier, then DOI,
then normalised title + year, looked up among harvested (``oai:*``) records only, so a registry
entry never loses its role. An updated record (same identifier, new content) replaces the old one;
a deleted one becomes a tombstone that keeps the stored content.

Full texts (a source with ``fetch_fulltext = true``): a record new in this harvest is stored with
``fulltext_status = "pending"``; once the list is read completely, each pending record's PDF galley
is fetched (``pipeline.ingest.fulltext``: one request at a time per host, a delay between them) and
its text stored in ``full_text`` of the same record, one transaction per article. A failure is one
line in ``SourceResult.fulltext_errors`` and never fails the harvest. A later refresh asks again
for records left ``pending`` (a killed or failed harvest) or ``retry`` (the server was down or
busy: at most ``max_tries`` refreshes in all), never for ``failed`` ones (404, not a PDF, too big,
unreadable: the same request would give the same answer), nor for records stored before the
switch was turned on. A re-harvested record keeps its full text.

``harvest_source`` is the unit a Prefect task calls; ``refresh`` runs several, each isolated from
the others' failures; ``status_rows`` is what ``berdaya status`` shows.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from pipeline.documents import Document, stable_id
from pipeline.ingest.fulltext import (
    STATUS_FAILED,
    STATUS_OK,
    FulltextOptions,
    FulltextResult,
    PoliteFetcher,
    apply_result,
    carry_over,
    failure_line,
    fetch_fulltext,
    mark_pending,
    needs_fulltext,
)
from pipeline.ingest.oai import (
    ClientOptions,
    OAIClient,
    OAIError,
    ProtocolError,
    RecordsPage,
    format_datestamp,
    parse_datestamp,
)
from pipeline.ingest.ojs import record_to_document
from pipeline.redact import redact_text, redact_url
from pipeline.store import Store

log = logging.getLogger(__name__)

DEFAULT_CRON = "0 3 * * 1"
DEFAULT_OVERLAP = timedelta(days=1)
SOURCE_PREFIX = "oai:"

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SOURCE_KEYS = {
    "name",
    "base_url",
    "metadata_prefix",
    "set",
    "enabled",
    "fetch_fulltext",
    "journal",
    "role",
}


# -- configuration -----------------------------------------------------------------------------


class ConfigError(ValueError):
    """corpus/sources.toml is not what we expect; the message names the file, source and key."""


@dataclass(frozen=True)
class Source:
    """One OAI-PMH endpoint (for OJS: ``<site>/index.php/<journal>/oai``)."""

    name: str
    base_url: str
    metadata_prefix: str = "oai_dc"
    set_spec: str | None = None
    enabled: bool = True
    fetch_fulltext: bool = False
    journal: str = ""
    role: str = ""
    fulltext_options: FulltextOptions = field(default_factory=FulltextOptions)

    @property
    def shown_url(self) -> str:
        """``base_url`` as we print it: credentials masked (redact.py)."""
        return redact_url(self.base_url)

    @property
    def source_id(self) -> str:
        """The ``Document.source`` of its records: ``oai:<name>``."""
        return f"{SOURCE_PREFIX}{self.name}"


@dataclass(frozen=True)
class SourcesConfig:
    sources: tuple[Source, ...]
    cron: str = DEFAULT_CRON

    @property
    def enabled(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.enabled)


def load_sources(path: str | Path) -> SourcesConfig:
    """Read and check corpus/sources.toml: ``[schedule] cron`` and ``[[source]]`` tables."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    cron = str(data.get("schedule", {}).get("cron", DEFAULT_CRON))
    if len(cron.split()) != 5:
        raise ConfigError(f"{path}: [schedule] cron {cron!r} must have five fields")
    fulltext = _fulltext_options(path, data.get("fulltext", {}))
    sources: list[Source] = []
    for number, table in enumerate(data.get("source", []), start=1):
        where = f"{path}: source #{number} ({table.get('name', 'unnamed')})"
        unknown = set(table) - _SOURCE_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        name = str(table.get("name", ""))
        if not _NAME.match(name):
            raise ConfigError(f"{where}: name must be lower-case letters, digits, - or _")
        base_url = str(table.get("base_url", ""))
        if not base_url.startswith(("http://", "https://")):
            shown = redact_url(base_url)
            raise ConfigError(f"{where}: base_url must be an http(s) URL, got {shown!r}")
        if any(s.name == name for s in sources):
            raise ConfigError(f"{where}: duplicate name {name!r}")
        sources.append(
            Source(
                name=name,
                base_url=base_url,
                metadata_prefix=str(table.get("metadata_prefix", "oai_dc")),
                set_spec=str(table["set"]) if table.get("set") else None,
                enabled=bool(table.get("enabled", True)),
                fetch_fulltext=bool(table.get("fetch_fulltext", False)),
                journal=str(table.get("journal", "")),
                role=str(table.get("role", "")),
                fulltext_options=fulltext,
            )
        )
    return SourcesConfig(tuple(sources), cron)


# [fulltext] key -> (FulltextOptions field, factor to its unit, smallest allowed value)
_FULLTEXT_KEYS: dict[str, tuple[str, float, float]] = {
    "delay_seconds": ("delay", 1.0, 0.0),
    "max_megabytes": ("max_bytes", 1024 * 1024, 0.001),
    "max_pages": ("max_pages", 1, 1),
    "extract_timeout_seconds": ("extract_timeout", 1.0, 0.1),
    "timeout_seconds": ("timeout", 1.0, 0.1),
    "max_tries": ("max_tries", 1, 1),
}


def _fulltext_options(path: Path, table: object) -> FulltextOptions:
    """The ``[fulltext]`` table of sources.toml: how politely and how far PDFs are fetched."""
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [fulltext] must be a table")
    unknown = set(table) - set(_FULLTEXT_KEYS)
    if unknown:
        raise ConfigError(f"{path}: [fulltext]: unknown key(s) {', '.join(sorted(unknown))}")
    changes: dict[str, float | int] = {}
    for key, value in table.items():
        name, factor, smallest = _FULLTEXT_KEYS[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or value < smallest:
            raise ConfigError(f"{path}: [fulltext] {key} must be a number >= {smallest:g}")
        scaled = value * factor
        changes[name] = int(scaled) if name in ("max_bytes", "max_pages", "max_tries") else scaled
    return replace(FulltextOptions(), **changes)  # type: ignore[arg-type]


# -- results -----------------------------------------------------------------------------------


@dataclass
class SourceResult:
    """What one harvest of one source did; ``error`` is one line, empty when ``ok``."""

    name: str
    ok: bool = False
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    duplicates: int = 0
    skipped: int = 0
    pages: int = 0
    harvested_to: str = ""
    error: str = ""
    fulltext_fetched: int = 0
    fulltext_failed: int = 0
    fulltext_errors: list[str] = field(default_factory=list)  # one line per article

    @property
    def line(self) -> str:
        if not self.ok:
            return self.error
        texts = ""
        if self.fulltext_fetched or self.fulltext_failed:
            texts = f"; full texts: {self.fulltext_fetched} stored, {self.fulltext_failed} failed"
        return (
            f"source {self.name}: ok: {self.added} added, {self.updated} updated, "
            f"{self.deleted} deleted, {self.unchanged} unchanged, {self.duplicates} duplicates "
            f"({self.pages} pages, up to {self.harvested_to}){texts}"
        )


@dataclass(frozen=True)
class StatusRow:
    name: str
    enabled: bool
    last_complete: datetime | None
    harvested_to: str
    records: int
    tombstones: int
    last_error: str


# -- harvesting --------------------------------------------------------------------------------


@dataclass
class _PageCounts:
    """What the dedup step saw; upsert_many's own counts do not tell tombstones apart."""

    new_tombstones: int = 0  # upsert_many counts them "added"
    marked_deleted: int = 0  # upsert_many counts them "updated"
    duplicates: int = 0
    skipped: int = 0


def harvest_source(
    store: Store,
    source: Source,
    *,
    options: ClientOptions | None = None,
    http: httpx.Client | None = None,
    overlap: timedelta = DEFAULT_OVERLAP,
    max_restarts: int = 1,
    fulltext: FulltextOptions | None = None,
) -> SourceResult:
    """Harvest what changed in ``source`` since its last complete harvest; never raises OAIError.

    Failures (network, protocol, malformed XML, endless lists) come back as ``ok=False`` with one
    line in ``error``, recorded in the store; what was committed stays, the watermark stays.
    ``badResumptionToken`` restarts the interval from the top at most ``max_restarts`` times.
    With ``source.fetch_fulltext``, a complete harvest then fetches the full texts of the
    records that need one (``fulltext`` overrides ``source.fulltext_options``).
    """
    result = SourceResult(source.name)
    try:
        with OAIClient(source.base_url, options, http) as client:
            identify = client.identify()
            from_ = _from_parameter(store, source, identify.granularity, overlap)
            harvested_to = ""
            oai_sources = {s for s in store.count_by_source() if s.startswith(SOURCE_PREFIX)}
            oai_sources.add(source.source_id)
            for attempt in range(max_restarts + 1):
                try:
                    pages = client.list_records(
                        source.metadata_prefix, from_, None, source.set_spec
                    )
                    for page in pages:
                        harvested_to = harvested_to or page.response_date
                        _commit_page(store, source, page, oai_sources, result)
                    break
                except ProtocolError as exc:
                    if exc.code != "badResumptionToken" or attempt >= max_restarts:
                        raise
                    log.warning("source %s: %s; restarting the interval", source.name, exc)
            harvested_to = harvested_to or identify.response_date
            if not harvested_to:
                raise OAIError(f"no responseDate to keep as the watermark at {source.shown_url}")
        store.set_watermark(source.source_id, harvested_to)
        result.ok = True
        result.harvested_to = harvested_to
    except OAIError as exc:
        result.error = redact_text(f"source {source.name}: failed: {exc}")
        store.record_source_error(source.source_id, result.error)
        log.warning("%s", result.error)
        return result
    if source.fetch_fulltext:
        # Only after a complete list: a server failing mid-list would most likely fail these too;
        # the records stay pending and the next refresh fetches them.
        fetch_fulltexts(store, source, fulltext or source.fulltext_options, result)
    log.info("%s", result.line)
    return result


def fetch_fulltexts(
    store: Store,
    source: Source,
    options: FulltextOptions,
    result: SourceResult | None = None,
    *,
    fetcher: PoliteFetcher | None = None,
) -> SourceResult:
    """Fetch the full text of each record of ``source`` that needs one; never raises for one.

    Each article is upserted in its own transaction: a kill keeps what was fetched.
    """
    result = result if result is not None else SourceResult(source.name, ok=True)
    wanted = [d.id for d in store.iter_documents(sources=[source.source_id]) if needs_fulltext(d)]
    if not wanted:
        return result
    own = fetcher is None
    fetcher = fetcher or PoliteFetcher(options)
    try:
        for doc_id in wanted:
            doc = store.get(doc_id)
            if doc is None or not needs_fulltext(doc):
                continue
            try:
                outcome = fetch_fulltext(doc, fetcher)
            except Exception as exc:  # a bug on one odd article must not stop the others
                log.exception("full text of %s %s", doc.source, doc.identifier)
                reason = " ".join(f"unexpected {type(exc).__name__}: {exc}".split())
                outcome = FulltextResult(STATUS_FAILED, error=reason)
            updated = apply_result(doc, outcome, options.max_tries)
            store.upsert(updated)
            if updated.extra.get("fulltext_status") == STATUS_OK:
                result.fulltext_fetched += 1
            else:
                result.fulltext_failed += 1
                line = failure_line(updated)
                result.fulltext_errors.append(line)
                log.warning("%s", line)
    finally:
        if own:
            fetcher.close()
    return result


def _from_parameter(
    store: Store, source: Source, granularity: str, overlap: timedelta
) -> str | None:
    mark = store.watermark(source.source_id)
    if mark is None or not mark.harvested_to:
        return None
    return format_datestamp(parse_datestamp(mark.harvested_to) - overlap, granularity)


def _commit_page(
    store: Store, source: Source, page: RecordsPage, oai_sources: set[str], result: SourceResult
) -> None:
    """Store one page in one transaction and add its counts to ``result``."""
    counts = _PageCounts()
    docs = (record_to_document(r, source.source_id, source.journal) for r in page.records)
    resolved = _resolve(store, docs, oai_sources, counts, source.fetch_fulltext)
    outcome = store.upsert_many(resolved)
    result.pages += 1
    result.added += outcome["added"] - counts.new_tombstones
    result.updated += outcome["updated"] - counts.marked_deleted
    result.unchanged += outcome["unchanged"]
    result.deleted += counts.new_tombstones + counts.marked_deleted
    result.duplicates += counts.duplicates
    result.skipped += counts.skipped


def _resolve(
    store: Store,
    docs: Iterable[Document | None],
    oai_sources: set[str],
    counts: _PageCounts,
    fetch_fulltext: bool = False,
) -> Iterator[Document]:
    """The documents to upsert, after dedup; runs inside the page's transaction.

    Reads see the page's own earlier writes (same connection), so a record twice on one page is
    handled like a record on two pages. A new record of a full-text source is marked pending; an
    update keeps the stored full text.
    """
    for doc in docs:
        if doc is None:
            counts.skipped += 1
            continue
        stored = store.get(doc.id)
        if doc.deleted:
            if stored is not None and stored.deleted:
                yield stored  # already a tombstone: upsert_many counts it unchanged
                continue
            if stored is None:
                counts.new_tombstones += 1
                yield doc
            else:
                counts.marked_deleted += 1
                yield stored.with_changes(deleted=True)
            continue
        if stored is not None and not (stored.deleted and not stored.title):
            yield carry_over(stored, doc)  # same identifier: an update (or unchanged)
            continue
        if _stored_elsewhere(store, doc, oai_sources):
            counts.duplicates += 1
            continue
        yield mark_pending(doc) if fetch_fulltext else doc


def _stored_elsewhere(store: Store, doc: Document, oai_sources: set[str]) -> bool:
    """Is this work already stored under another harvested (source, identifier)?"""
    for other in oai_sources:
        if other == doc.source:
            continue
        found = store.get(stable_id(other, doc.identifier))
        if found is not None and not found.deleted:
            return True
    found = store.find_duplicate(doc, sources=sorted(oai_sources))
    return found is not None and found.id != doc.id


def refresh(
    store: Store,
    sources: Sequence[Source] | SourcesConfig,
    *,
    options: ClientOptions | None = None,
    http: httpx.Client | None = None,
    overlap: timedelta = DEFAULT_OVERLAP,
    only: Iterable[str] | None = None,
) -> list[SourceResult]:
    """Harvest every enabled source in turn; one source's failure never stops the others."""
    chosen = sources.sources if isinstance(sources, SourcesConfig) else tuple(sources)
    wanted = set(only) if only is not None else None
    results: list[SourceResult] = []
    for source in chosen:
        if not source.enabled or (wanted is not None and source.name not in wanted):
            continue
        try:
            result = harvest_source(store, source, options=options, http=http, overlap=overlap)
        except Exception as exc:  # a bug or a store error: still isolate the other sources
            result = SourceResult(source.name)
            result.error = f"source {source.name}: failed: {type(exc).__name__}: {exc}"
            result.error = redact_text(" ".join(result.error.split()))
            store.record_source_error(source.source_id, result.error)
            log.exception("%s", result.error)
        results.append(result)
    return results


def status_rows(store: Store, sources: Sequence[Source] | SourcesConfig) -> list[StatusRow]:
    """Per source: last complete refresh, live records, tombstones, last error."""
    chosen = sources.sources if isinstance(sources, SourcesConfig) else tuple(sources)
    counts = store.count_by_source()
    rows = []
    for source in chosen:
        mark = store.watermark(source.source_id)
        live, dead = counts.get(source.source_id, (0, 0))
        last_complete = None
        if mark is not None and mark.last_complete is not None:
            last_complete = datetime.fromtimestamp(mark.last_complete, UTC)
        rows.append(
            StatusRow(
                name=source.name,
                enabled=source.enabled,
                last_complete=last_complete,
                harvested_to=(mark.harvested_to or "") if mark else "",
                records=live,
                tombstones=dead,
                last_error=mark.last_error if mark else "",
            )
        )
    return rows


# -- python -m pipeline.harvest ----------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """A plain entry point (the Typer CLI wraps ``refresh`` itself): one line per source."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.harvest", description=__doc__)
    parser.add_argument("--store", default="corpus/berdaya.sqlite", help="SQLite store path")
    parser.add_argument("--sources", default="corpus/sources.toml", help="sources.toml path")
    parser.add_argument("--only", action="append", help="harvest only this source (repeatable)")
    parser.add_argument("--timeout", type=float, default=ClientOptions.timeout)
    parser.add_argument("--attempts", type=int, default=ClientOptions.max_attempts)
    parser.add_argument("--backoff", type=float, default=ClientOptions.backoff_base)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    config = load_sources(args.sources)
    options = ClientOptions(
        timeout=args.timeout, max_attempts=args.attempts, backoff_base=args.backoff
    )
    with Store(args.store) as store:
        results = refresh(store, config, options=options, only=args.only)
    for result in results:
        print(result.line)
        for line in result.fulltext_errors:
            print(f"  {line}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
