"""A real OAI-PMH server on 127.0.0.1 for the harvester's tests: no mocks, real sockets.

``LoopbackServer`` runs any ``app(request) -> Reply`` in a ThreadingHTTPServer thread; a Reply can
be slow, held until an event, cut off mid-body, or carry any status and headers. ``OAIRepository``
is such an app: an OJS-shaped repository (Identify, ListRecords with from/until/set, pages with
resumption tokens, the OAI error codes) whose pages can be replaced by faults. ``sinta_records``
builds oai_dc records from the SINTA abstracts in ../shared, read in place.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape, quoteattr

from pipeline.documents import normalise_title

GRANULARITY_DAY = "YYYY-MM-DD"
GRANULARITY_SECONDS = "YYYY-MM-DDThh:mm:ssZ"


@dataclass(frozen=True)
class Request:
    path: str
    params: dict[str, str]

    @property
    def verb(self) -> str:
        return self.params.get("verb", "")


@dataclass
class Reply:
    """What to send; ``drop_after``: announce the full length, send that many bytes, hang up."""

    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hold: threading.Event | None = None
    drop_after: int | None = None


App = Callable[[Request], Reply]


class LoopbackServer:
    """``with LoopbackServer(app) as server: server.url``; ``server.requests`` lists what came."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                split = urlsplit(self.path)
                request = Request(split.path, dict(parse_qsl(split.query, keep_blank_values=True)))
                with server._lock:
                    server.requests.append(request)
                try:
                    reply = server.app(request)
                except Exception as exc:  # a bug in a test app: say so rather than hang
                    reply = Reply(f"test app failed: {exc!r}".encode(), status=599)
                if reply.hold is not None:
                    reply.hold.wait(timeout=60)
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    headers = {"Content-Type": "text/xml; charset=utf-8", **reply.headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    if reply.drop_after is not None:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    if reply.drop_after is not None:
                        self.wfile.write(reply.body[: reply.drop_after])
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

        return Handler


# -- OAI-PMH documents -------------------------------------------------------------------------


def envelope(inner: str, request_attrs: dict[str, str] | None = None, when: str = "") -> bytes:
    """An OAI-PMH response document around ``inner``."""
    when = when or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in (request_attrs or {}).items())
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<responseDate>{when}</responseDate>"
        f"<request{attrs}>http://loopback/oai</request>{inner}</OAI-PMH>"
    ).encode()


def error_body(code: str, message: str = "") -> bytes:
    return envelope(f'<error code="{code}">{escape(message)}</error>')


def oai_dc(
    *,
    titles: Iterable[tuple[str, str]] = (),
    descriptions: Iterable[tuple[str, str]] = (),
    creators: Iterable[str] = (),
    subjects: Iterable[tuple[str, str]] = (),
    dates: Iterable[str] = (),
    identifiers: Iterable[str] = (),
    sources: Iterable[tuple[str, str]] = (),
    languages: Iterable[str] = (),
    relations: Iterable[str] = (),
    publishers: Iterable[tuple[str, str]] = (),
) -> str:
    """An oai_dc element as OJS writes it; (text, xml:lang) pairs, '' for no xml:lang."""

    def element(name: str, text: str, lang: str = "") -> str:
        attr = f' xml:lang="{lang}"' if lang else ""
        return f"<dc:{name}{attr}>{escape(text)}</dc:{name}>"

    parts = [element("title", t, lang) for t, lang in titles]
    parts += [element("creator", c) for c in creators]
    parts += [element("subject", s, lang) for s, lang in subjects]
    parts += [element("description", d, lang) for d, lang in descriptions]
    parts += [element("publisher", p, lang) for p, lang in publishers]
    parts += [element("date", d) for d in dates]
    parts += [element("type", "info:eu-repo/semantics/article")]
    parts += [element("identifier", i) for i in identifiers]
    parts += [element("source", s, lang) for s, lang in sources]
    parts += [element("language", lang) for lang in languages]
    parts += [element("relation", r) for r in relations]
    return (
        '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">' + "".join(parts) + "</oai_dc:dc>"
    )


# -- an OJS-shaped repository ------------------------------------------------------------------


@dataclass(frozen=True)
class RepoRecord:
    identifier: str
    datestamp: datetime
    metadata: str = ""
    deleted: bool = False
    sets: tuple[str, ...] = ()


def _stamp(moment: datetime, granularity: str) -> str:
    if granularity == GRANULARITY_DAY:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class OAIRepository:
    """An OAI-PMH 2.0 data provider over an in-memory list of records.

    Tokens are stateless (the query and an offset, base64) with a ``generation``:
    ``expire_tokens()`` makes every token handed out so far a ``badResumptionToken``.
    ``before_page(page_number, request)`` may return a Reply to serve instead of the page (a fault),
    or block, or signal; ``faults[page_number]`` is a queue of such replies, each served once;
    ``repeat_on_page[page_number]`` lists identifiers listed again on that page (as servers whose
    list shifts under a harvest do).
    """

    def __init__(
        self,
        records: Iterable[RepoRecord] = (),
        *,
        page_size: int = 100,
        granularity: str = GRANULARITY_SECONDS,
        sets: Iterable[str] = (),
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.records: dict[str, RepoRecord] = {r.identifier: r for r in records}
        self.page_size = page_size
        self.granularity = granularity
        self.sets = tuple(sets)
        self.now = now or (lambda: datetime.now(UTC).replace(microsecond=0))
        self.generation = 0
        self.faults: dict[int, list[Reply]] = {}
        self.before_page: Callable[[int, Request], Reply | None] | None = None
        self.identify_faults: list[Reply] = []
        self.repeat_on_page: dict[int, list[str]] = {}
        self.pages_served = 0
        self._lock = threading.Lock()

    # changes, as a journal editor makes them
    def put(self, record: RepoRecord) -> None:
        with self._lock:
            self.records.pop(record.identifier, None)
            self.records[record.identifier] = record

    def delete(self, identifier: str, when: datetime) -> None:
        self.put(RepoRecord(identifier, when, deleted=True, sets=self.records[identifier].sets))

    def expire_tokens(self) -> None:
        self.generation += 1

    def add_fault(self, page: int, *replies: Reply) -> None:
        self.faults.setdefault(page, []).extend(replies)

    # the protocol
    def __call__(self, request: Request) -> Reply:
        params = dict(request.params)
        verb = params.pop("verb", "")
        if verb == "Identify":
            if self.identify_faults:
                return self.identify_faults.pop(0)
            return self._ok(self._identify())
        if verb != "ListRecords":
            return self._ok(error_body("badVerb", f"verb {verb!r} is not supported here"))
        return self._list_records(request, params)

    def _ok(self, body: bytes) -> Reply:
        return Reply(body)

    def _identify(self) -> bytes:
        return envelope(
            "<Identify><repositoryName>Loopback OJS</repositoryName>"
            "<baseURL>http://loopback/oai</baseURL><protocolVersion>2.0</protocolVersion>"
            "<adminEmail>editor@example.org</adminEmail>"
            "<earliestDatestamp>2000-01-01T00:00:00Z</earliestDatestamp>"
            f"<deletedRecord>persistent</deletedRecord><granularity>{self.granularity}"
            "</granularity></Identify>",
            {"verb": "Identify"},
            _stamp(self.now(), GRANULARITY_SECONDS),
        )

    def _list_records(self, request: Request, params: dict[str, str]) -> Reply:
        if "resumptionToken" in params:
            if len(params) != 1:
                return self._ok(error_body("badArgument", "resumptionToken is exclusive"))
            query = self._decode(params["resumptionToken"])
            if query is None:
                return self._ok(error_body("badResumptionToken", "unknown or expired token"))
        else:
            unknown = set(params) - {"metadataPrefix", "from", "until", "set"}
            if unknown or "metadataPrefix" not in params:
                return self._ok(error_body("badArgument", f"bad arguments {sorted(params)}"))
            for name in ("from", "until"):
                if name in params and not self._valid_stamp(params[name]):
                    return self._ok(error_body("badArgument", f"{name} not in granularity"))
            query = {**params, "offset": 0}
        if query["metadataPrefix"] != "oai_dc":
            return self._ok(error_body("cannotDisseminateFormat", query["metadataPrefix"]))
        if query.get("set") and not self.sets:
            return self._ok(error_body("noSetHierarchy", "this repository has no sets"))
        page_number = int(query["offset"]) // self.page_size + 1
        if self.faults.get(page_number):
            return self.faults[page_number].pop(0)
        if self.before_page is not None:
            fault = self.before_page(page_number, request)
            if fault is not None:
                return fault
        with self._lock:
            matching = [r for r in self.records.values() if self._matches(r, query)]
        if not matching:
            return self._ok(error_body("noRecordsMatch"))
        offset = int(query["offset"])
        page = matching[offset : offset + self.page_size]
        page += [self.records[i] for i in self.repeat_on_page.get(page_number, [])]
        token = ""
        if offset + self.page_size < len(matching):
            token = self._encode({**query, "offset": offset + self.page_size})
        token_xml = (
            f'<resumptionToken completeListSize="{len(matching)}" cursor="{offset}">'
            f"{token}</resumptionToken>"
            if token or offset
            else ""
        )
        inner = "<ListRecords>" + "".join(self._record_xml(r) for r in page) + token_xml
        self.pages_served += 1
        return self._ok(envelope(inner + "</ListRecords>", {"verb": "ListRecords"}))

    def _valid_stamp(self, value: str) -> bool:
        fmt = "%Y-%m-%d" if self.granularity == GRANULARITY_DAY else "%Y-%m-%dT%H:%M:%SZ"
        try:
            datetime.strptime(value, fmt)
        except ValueError:
            return False
        return True

    def _matches(self, record: RepoRecord, query: dict[str, Any]) -> bool:
        stamp = _stamp(record.datestamp, self.granularity)
        if query.get("from") and stamp < query["from"]:
            return False
        if query.get("until") and stamp > query["until"]:
            return False
        return not (query.get("set") and query["set"] not in record.sets)

    def _record_xml(self, record: RepoRecord) -> str:
        status = ' status="deleted"' if record.deleted else ""
        sets = "".join(f"<setSpec>{escape(s)}</setSpec>" for s in record.sets)
        header = (
            f"<header{status}><identifier>{escape(record.identifier)}</identifier>"
            f"<datestamp>{_stamp(record.datestamp, self.granularity)}</datestamp>{sets}</header>"
        )
        if record.deleted:
            return f"<record>{header}</record>"
        return f"<record>{header}<metadata>{record.metadata}</metadata></record>"

    def _encode(self, query: dict[str, Any]) -> str:
        payload = json.dumps({**query, "generation": self.generation}, sort_keys=True)
        return base64.urlsafe_b64encode(payload.encode()).decode()

    def _decode(self, token: str) -> dict[str, Any] | None:
        try:
            query = json.loads(base64.urlsafe_b64decode(token.encode()))
        except ValueError:
            return None
        if not isinstance(query, dict) or query.pop("generation", None) != self.generation:
            return None
        return query


# -- synthetic and real record sets ------------------------------------------------------------


def article(
    n: int, *, when: datetime, title: str = "", abstract_id: str = "", **extra: Any
) -> RepoRecord:
    """A small bilingual OJS article, numbered ``n``."""
    year = 2015 + n % 9
    title = title or f"Pemberdayaan masyarakat desa melalui kemitraan nomor {n}"
    abstract_id = abstract_id or (
        f"Penelitian ini membahas pemberdayaan masyarakat desa yang ke-{n} dan peran pemerintah."
    )
    metadata = oai_dc(
        titles=[
            (title, "id-ID"),
            (f"Community empowerment through partnership number {n}", "en-US"),
        ],
        descriptions=[
            (abstract_id, "id-ID"),
            (f"This study examines the {n}th village community empowerment programme.", "en-US"),
        ],
        creators=[f"Penulis, Nama {n}", "Lestari, Aprilia"],
        subjects=[("pemberdayaan; kemitraan; desa", "id-ID")],
        dates=[f"{year}-06-30"],
        identifiers=[
            f"https://journal.example.org/index.php/jn/article/view/{n}",
            f"10.12345/jn.v1i1.{n}",
        ],
        sources=[
            (
                f"Jurnal Contoh: Ilmu Sosial; Vol. {1 + n % 5} No. {1 + n % 2} ({year}); 1-15",
                "en-US",
            ),
            ("2598-9936", ""),
        ],
        languages=["ind"],
        relations=[f"https://journal.example.org/index.php/jn/article/view/{n}/{n + 5000}"],
        **extra,
    )
    return RepoRecord(f"oai:journal.example.org:article/{n}", when, metadata)


SINTA_FILES = (
    "deprecated-dataset-sinta.csv",
    "output_65045a0.csv",
    "dataset-master-sinta-bilingual-v2.csv",
)


def sinta_records(folder: Path, start: datetime) -> list[RepoRecord]:
    """The SINTA abstracts as OJS records, deduplicated on the lower-cased title (about 3,660).

    Dates, volumes and DOIs are made up but deterministic; the year comes from a hash of the
    normalised title, so titles that differ only in punctuation are also one work to the harvester.
    """
    subjects: dict[str, str] = {}
    with open(folder / "journal-subject.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            subjects[row["JOURNAL_TITLE"].strip()] = row["JOURNAL_SUBJECTS"] or ""
    seen: set[str] = set()
    records: list[RepoRecord] = []
    for name in SINTA_FILES:
        with open(folder / name, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                title = " ".join(row["ARTICLE_TITLE"].split())
                abstract = row["ARTICLE_ABSTRACT"].strip()
                if not title or title.lower() in seen:
                    continue
                seen.add(title.lower())
                n = len(records) + 1
                journal = " ".join(row["JOURNAL_TITLE"].split())
                digest = hashlib.sha256(normalise_title(title).encode()).digest()
                year = 2010 + digest[0] % 14
                keywords = "; ".join(s.strip() for s in subjects.get(journal, "").split(","))
                metadata = oai_dc(
                    titles=[(title, "")],
                    descriptions=[(abstract, "")] if abstract else [],
                    creators=[f"Penulis {n % 211}, A."],
                    subjects=[(keywords, "en-US")] if keywords.strip("; ") else [],
                    dates=[f"{year}-{1 + n % 12:02d}-15"],
                    identifiers=[
                        f"https://sinta.example.org/index.php/j/article/view/{n}",
                        f"10.99999/sinta.{n}",
                    ],
                    sources=[(f"{journal}; Vol. {1 + n % 20} No. {1 + n % 4} ({year})", "en-US")],
                    relations=[f"https://sinta.example.org/index.php/j/article/view/{n}/{n}"],
                )
                stamp = start.replace(microsecond=0) + timedelta(minutes=n)
                records.append(RepoRecord(f"oai:sinta.example.org:article/{n}", stamp, metadata))
    return records


def with_metadata(record: RepoRecord, metadata: str, when: datetime) -> RepoRecord:
    return replace(record, metadata=metadata, datestamp=when)


def fast_options(sleeps: list[float] | None = None, **changes: Any) -> Any:
    """Options for tests: tiny timeouts; waits recorded in ``sleeps`` instead of slept."""
    from pipeline.ingest.oai import ClientOptions

    record = sleeps.append if sleeps is not None else (lambda _delay: None)
    settings: dict[str, Any] = {
        "timeout": 0.5,
        "connect_timeout": 0.5,
        "max_attempts": 4,
        "backoff_base": 0.001,
        "backoff_max": 0.01,
        "sleep": record,
        **changes,
    }
    return ClientOptions(**settings)


# -- an OJS site: OAI endpoint, article pages, galley files -------------------------------------


class Concurrency:
    """Requests being handled now, the most at once, and their paths in arrival order."""

    def __init__(self) -> None:
        self.active = 0
        self.max_active = 0
        self.paths: list[str] = []
        self._lock = threading.Lock()

    def enter(self, path: str) -> None:
        with self._lock:
            self.active += 1
            self.max_active = max(self.max_active, self.active)
            self.paths.append(path)

    def leave(self) -> None:
        with self._lock:
            self.active -= 1


class OJSSite:
    """One OJS journal on the loopback server: ``/index.php/<journal>/oai`` is ``repository``;
    article pages and galley files are whatever ``add_article`` / ``files`` put there (404 else).

    Every request that is not OAI is counted in ``concurrency`` (which journals of one site may
    share) while the app handles it, after waiting ``hold`` seconds: a client that asks two at
    once is seen with ``max_active`` 2; one that asks one at a time never is.
    """

    def __init__(
        self, journal: str = "jn", hold: float = 0.0, concurrency: Concurrency | None = None
    ) -> None:
        self.repository = OAIRepository([], page_size=10)
        self.journal = journal
        self.hold = hold
        self.url = ""  # set once the server is up: ``site.url = server.url``
        self.files: dict[str, Reply] = {}
        self.concurrency = concurrency or Concurrency()

    @property
    def file_requests(self) -> list[str]:
        return [p for p in self.concurrency.paths if p.startswith(self.prefix + "/")]

    @property
    def prefix(self) -> str:
        return f"/index.php/{self.journal}"

    @property
    def oai_url(self) -> str:
        return f"{self.url}{self.prefix}/oai"

    def article_url(self, n: int) -> str:
        return f"{self.url}{self.prefix}/article/view/{n}"

    def galley_url(self, n: int, galley: int, action: str = "view") -> str:
        return f"{self.url}{self.prefix}/article/{action}/{n}/{galley}"

    def add_article(
        self,
        n: int,
        galley: bytes | Reply | None = None,
        *,
        relation: bool = True,
        landing: str | None = None,
        when: datetime | None = None,
    ) -> RepoRecord:
        """Article ``n`` with galley ``n + 100``: in dc:relation when ``relation``; its download
        serves ``galley`` (bytes are a PDF); ``landing`` is the HTML of its article page."""
        galley_id = n + 100
        metadata = oai_dc(
            titles=[(f"Pemberdayaan masyarakat desa nomor {n}", "id-ID")],
            descriptions=[(f"Abstrak artikel {n} tentang pemberdayaan masyarakat.", "id-ID")],
            creators=[f"Penulis, Nama {n}"],
            dates=["2024-06-30"],
            identifiers=[self.article_url(n)],
            languages=["ind"],
            relations=[self.galley_url(n, galley_id)] if relation else [],
        )
        record = RepoRecord(
            f"oai:loopback:article/{n}", when or datetime(2024, 1, 1, tzinfo=UTC), metadata
        )
        self.repository.put(record)
        if galley is not None:
            reply = galley if isinstance(galley, Reply) else pdf_reply(galley)
            self.files[f"{self.prefix}/article/download/{n}/{galley_id}"] = reply
        if landing is not None:
            self.files[f"{self.prefix}/article/view/{n}"] = html_reply(landing)
        return record

    def __call__(self, request: Request) -> Reply:
        if request.path == f"{self.prefix}/oai":
            return self.repository(request)
        self.concurrency.enter(request.path)
        try:
            if self.hold:
                time.sleep(self.hold)
            found = self.files.get(request.path)
            return found or html_reply("<html><body>Not found</body></html>", status=404)
        finally:
            self.concurrency.leave()


def route(*sites: OJSSite) -> App:
    """One app serving several journals of one site, each under its own /index.php/<journal>."""

    def app(request: Request) -> Reply:
        for site in sites:
            if request.path.startswith(site.prefix + "/"):
                return site(request)
        return html_reply("<html><body>Not found</body></html>", status=404)

    return app


def pdf_reply(data: bytes, content_type: str = "application/pdf") -> Reply:
    return Reply(data, headers={"Content-Type": content_type})


def html_reply(page: str, status: int = 200) -> Reply:
    return Reply(page.encode(), status=status, headers={"Content-Type": "text/html; charset=utf-8"})


def landing_page(site: OJSSite, n: int, galleys: Iterable[int], citation_pdf: bool = False) -> str:
    """An OJS 3 article page: galley buttons, links to other articles, optional citation_pdf_url."""
    meta = ""
    if citation_pdf:
        first = next(iter(galleys))
        meta = f'<meta name="citation_pdf_url" content="{site.galley_url(n, first, "download")}">'
    buttons = "".join(
        f'<a class="obj_galley_link pdf" href="{site.galley_url(n, g)}">PDF</a>' for g in galleys
    )
    other = f'<a class="obj_galley_link pdf" href="{site.galley_url(n + 1, n + 999)}">PDF</a>'
    return (
        f"<!DOCTYPE html><html><head><title>Artikel {n}</title>{meta}</head><body>"
        f'<h1 class="page_title">Artikel {n}</h1><ul class="galleys_links"><li>{buttons}</li></ul>'
        f'<div class="most_read">{other}</div></body></html>'
    )
