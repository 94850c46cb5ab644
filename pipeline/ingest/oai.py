"""OAI-PMH 2.0 client: fetching (network, retried) kept apart from parsing (pure, never retried).

Why the split: the Prefect layer retries only the network part, and the parse functions can be
tested on recorded responses without a socket. ``fetch`` turns a request into raw bytes or raises
``FetchError``; ``parse_response`` turns bytes into an ``Identify`` or a ``RecordsPage`` or raises
``ProtocolError`` / ``MalformedResponse``; ``OAIClient`` strings the two together and follows
resumption tokens.

Why so defensive: the XML comes from hundreds of small journal servers we do not control. The parser
never expands entities, never reads a DTD, never touches disk or network, and refuses any document
that carries a DOCTYPE at all (OAI-PMH responses are schema-valid XML and have none), so a billion
laughs or an external entity pointing at ``file:///etc/passwd`` is rejected, not expanded.

Protocol facts used here (OAI-PMH 2.0, openarchives.org/OAI/openarchivesprotocol.html):
- the eight error codes; ``noRecordsMatch`` means an empty result, not a failure;
- the final page of a list carries an empty ``resumptionToken`` (or none);
- a request with a ``resumptionToken`` carries no other argument but ``verb``;
- ``from``/``until`` must use the repository's granularity (``YYYY-MM-DD`` or
  ``YYYY-MM-DDThh:mm:ssZ``, from Identify); ``responseDate`` is always UTC to the second;
- a busy repository answers 503 with ``Retry-After`` (seconds or an HTTP date).
"""

from __future__ import annotations

import email.utils
import logging
import re
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import httpx
from lxml import etree

from pipeline.redact import protect_logger, redact_text, redact_url

log = logging.getLogger(__name__)
protect_logger("httpx")  # it logs each request URL, credentials included

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
_NS = {"oai": OAI_NS}

GRANULARITY_DAY = "YYYY-MM-DD"
GRANULARITY_SECONDS = "YYYY-MM-DDThh:mm:ssZ"

ERROR_CODES = frozenset(
    {
        "badArgument",
        "badResumptionToken",
        "badVerb",
        "cannotDisseminateFormat",
        "idDoesNotExist",
        "noRecordsMatch",
        "noMetadataFormats",
        "noSetHierarchy",
    }
)

# The first element's start: a DOCTYPE can only come before it.
_ROOT_START = re.compile(rb"<[A-Za-z_]")

# Statuses worth asking again: the server (or a proxy) is busy or broken for a while.
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


# -- errors ------------------------------------------------------------------------------------


class OAIError(Exception):
    """Any failure to harvest; ``str(error)`` is one line naming the reason and the URL."""

    def __str__(self) -> str:
        # Messages name URLs: credentials in them are masked once, here (redact.py).
        return redact_text(super().__str__())


class FetchError(OAIError):
    """The network part failed, after the allowed attempts (HTTP status, timeout, dropped link)."""


class MalformedResponse(OAIError):
    """The bytes are not a well-formed, safe OAI-PMH response."""


class ProtocolError(OAIError):
    """The repository answered with an OAI-PMH ``<error code=...>``."""

    def __init__(self, code: str, message: str, url: str) -> None:
        self.code = code
        self.message = message
        self.url = url
        detail = f" ({message})" if message else ""
        super().__init__(f"OAI error {code}{detail} at {url}")


class ResumptionLoop(OAIError):
    """The repository handed out a resumption token it had already given: the list never ends."""


# -- options and raw responses -----------------------------------------------------------------


@dataclass(frozen=True)
class ClientOptions:
    """How patient the client is. Tests shrink the delays; nothing here is read from a global."""

    timeout: float = 60.0
    connect_timeout: float = 15.0
    max_attempts: int = 4
    backoff_base: float = 2.0
    backoff_max: float = 120.0
    retry_after_max: float = 600.0
    retry_budget: int = 40
    max_response_bytes: int = 64 * 1024 * 1024
    max_pages: int = 100_000
    user_agent: str = "berdaya-harvester/0.1 (+OAI-PMH 2.0)"
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)


@dataclass(frozen=True)
class RawResponse:
    """What came over the wire: status, the final URL, and the body bytes (undecoded)."""

    url: str
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


# -- parsed responses --------------------------------------------------------------------------


@dataclass(frozen=True)
class Identify:
    repository_name: str
    base_url: str
    granularity: str
    earliest_datestamp: str
    deleted_record: str
    response_date: str


@dataclass(frozen=True)
class Header:
    identifier: str
    datestamp: str
    set_specs: tuple[str, ...] = ()
    deleted: bool = False


@dataclass(frozen=True)
class Record:
    """One ``<record>``: its header and the metadata element (``None`` for a deleted record)."""

    header: Header
    metadata: Any = None  # lxml element of the metadata format's root, e.g. oai_dc:dc


@dataclass(frozen=True)
class RecordsPage:
    """One ListRecords response: its records, the next token ('' at the end), when it was cut."""

    url: str
    response_date: str
    records: tuple[Record, ...]
    token: str = ""
    complete_list_size: int | None = None
    cursor: int | None = None


# -- the network part --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~0.1 s; one context serves every client of the process.
    return httpx.create_ssl_context()


def make_http_client(options: ClientOptions) -> httpx.Client:
    """An httpx client with explicit timeouts and redirects followed (OJS sites move to https)."""
    timeout = httpx.Timeout(options.timeout, connect=options.connect_timeout)
    return httpx.Client(
        verify=_ssl_context(),
        timeout=timeout,
        follow_redirects=True,
        headers={"User-Agent": options.user_agent, "Accept": "text/xml, application/xml"},
    )


class RetryBudget:
    """Retries left for one harvest, so a flaky server cannot keep a source busy for hours."""

    def __init__(self, total: int) -> None:
        self.left = total

    def take(self) -> bool:
        if self.left <= 0:
            return False
        self.left -= 1
        return True


def fetch(
    http: httpx.Client,
    base_url: str,
    params: Mapping[str, str],
    options: ClientOptions,
    budget: RetryBudget | None = None,
) -> RawResponse:
    """GET ``base_url?params``, retrying busy or broken answers with bounded backoff.

    Returns any response that is not worth retrying (2xx, and 4xx, whose body may be an OAI-PMH
    error, as Zenodo sends with 422); raises ``FetchError`` naming the last reason, the number of
    attempts and the URL.
    """
    # Merged, not replaced: a base URL may carry a query of its own (OJS's ?apiToken=...).
    url = str(httpx.URL(base_url).copy_merge_params(dict(params)))
    shown = redact_url(url)  # what messages and logs say; the request uses ``url``
    timeout = httpx.Timeout(options.timeout, connect=options.connect_timeout)
    reason = "no attempt"
    attempts = 0
    for attempt in range(1, max(1, options.max_attempts) + 1):
        attempts = attempt
        delay: float | None = None
        try:
            with http.stream("GET", url, timeout=timeout) as response:
                status = response.status_code
                if status not in _RETRY_STATUSES:
                    body = _read_capped(response, options.max_response_bytes, url)
                    return RawResponse(str(response.url), status, body, dict(response.headers))
                reason = f"HTTP {status}"
                if status in (429, 503):
                    delay = parse_retry_after(response.headers.get("Retry-After"))
        except httpx.TimeoutException:
            reason = "timed out"
        except httpx.RemoteProtocolError as exc:
            reason = f"connection dropped ({_one_line(str(exc))})"
        except httpx.TransportError as exc:
            reason = f"connection failed ({type(exc).__name__}: {_one_line(str(exc))})"
            if host_not_found(exc):
                # Offline, or a mistyped address: waiting and asking again will not help, and
                # a researcher running offline should not wait a minute per journal.
                reason = f"host not found (offline, or a wrong address: {_one_line(str(exc))})"
                break
        except httpx.HTTPError as exc:  # undecodable body, redirect loop: a bad answer
            reason = f"bad HTTP response ({type(exc).__name__}: {_one_line(str(exc))})"
        if attempt >= options.max_attempts or (budget is not None and not budget.take()):
            break
        if delay is None:
            delay = min(options.backoff_max, options.backoff_base * 2 ** (attempt - 1))
        delay = min(max(delay, 0.0), options.retry_after_max)
        log.info("%s at %s; retry %d in %.2f s", redact_text(reason), shown, attempt, delay)
        options.sleep(delay)
    plural = "attempt" if attempts == 1 else "attempts"
    raise FetchError(redact_text(f"{reason} after {attempts} {plural} at {shown}"))


_NAME_RESOLUTION_FAILURES = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated with hostname",
    "getaddrinfo failed",
)


def host_not_found(exc: BaseException) -> bool:
    """Did the connection fail because the host name does not resolve?"""
    text = str(exc).lower()
    return isinstance(exc, httpx.ConnectError) and any(m in text for m in _NAME_RESOLUTION_FAILURES)


def _read_capped(response: httpx.Response, limit: int, url: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise MalformedResponse(f"response larger than {limit} bytes at {url}")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date; None if absent."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


# -- the pure part -----------------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers are not thread-safe, and this one is cheap.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(body: bytes, url: str) -> Any:
    """The root element of a safe, well-formed document, or ``MalformedResponse``."""
    if not body.strip():
        raise MalformedResponse(f"empty response at {url}")
    root_start = _ROOT_START.search(body)
    prolog = body[: root_start.start() if root_start else len(body)]
    if b"<!DOCTYPE html" in prolog or b"<!doctype html" in prolog:
        raise MalformedResponse(f"an HTML page, not an OAI-PMH response, at {url}")
    if b"<!DOCTYPE" in prolog:
        raise MalformedResponse(f"refused a DOCTYPE (entities are never expanded) at {url}")
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise MalformedResponse(f"malformed XML at {url}: {_one_line(str(exc))}") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise MalformedResponse(f"refused a DOCTYPE (entities are never expanded) at {url}")
    if root.tag != f"{{{OAI_NS}}}OAI-PMH":
        raise MalformedResponse(f"not an OAI-PMH response (root <{root.tag}>) at {url}")
    return root


def check_errors(root: Any, url: str) -> None:
    """Raise ``ProtocolError`` for the first ``<error>`` (a response may hold several)."""
    error = root.find("oai:error", _NS)
    if error is None:
        return
    code = error.get("code", "")
    if code not in ERROR_CODES:
        code = code or "unknown"
    raise ProtocolError(code, _one_line("".join(error.itertext())), url)


def parse_response(raw: RawResponse) -> Any:
    """Root of an OAI-PMH response after its error check; non-OAI HTTP errors raise FetchError."""
    try:
        root = parse_xml(raw.body, raw.url)
    except MalformedResponse:
        if raw.status >= 400:
            raise FetchError(f"HTTP {raw.status} at {raw.url}") from None
        raise
    check_errors(root, raw.url)
    if raw.status >= 400:
        raise FetchError(f"HTTP {raw.status} at {raw.url}")
    return root


def parse_identify(raw: RawResponse) -> Identify:
    root = parse_response(raw)
    node = root.find("oai:Identify", _NS)
    if node is None:
        raise MalformedResponse(f"no <Identify> in the response at {raw.url}")
    granularity = _text(node, "oai:granularity") or GRANULARITY_DAY
    if granularity not in (GRANULARITY_DAY, GRANULARITY_SECONDS):
        raise MalformedResponse(f"unknown granularity {granularity!r} at {raw.url}")
    return Identify(
        repository_name=_text(node, "oai:repositoryName"),
        base_url=_text(node, "oai:baseURL"),
        granularity=granularity,
        earliest_datestamp=_text(node, "oai:earliestDatestamp"),
        deleted_record=_text(node, "oai:deletedRecord"),
        response_date=_text(root, "oai:responseDate"),
    )


def parse_list_records(raw: RawResponse) -> RecordsPage:
    """One page of ListRecords; ``noRecordsMatch`` comes back as an empty final page."""
    try:
        root = parse_response(raw)
    except ProtocolError as exc:
        if exc.code != "noRecordsMatch":
            raise
        root = parse_xml(raw.body, raw.url)
        return RecordsPage(raw.url, _text(root, "oai:responseDate"), ())
    node = root.find("oai:ListRecords", _NS)
    if node is None:
        raise MalformedResponse(f"no <ListRecords> in the response at {raw.url}")
    records = tuple(_record(r) for r in node.iterfind("oai:record", _NS))
    token_node = node.find("oai:resumptionToken", _NS)
    token, size, cursor = "", None, None
    if token_node is not None:
        token = (token_node.text or "").strip()
        size = _int_or_none(token_node.get("completeListSize"))
        cursor = _int_or_none(token_node.get("cursor"))
    return RecordsPage(raw.url, _text(root, "oai:responseDate"), records, token, size, cursor)


def _record(node: Any) -> Record:
    header = node.find("oai:header", _NS)
    if header is None:
        return Record(Header("", ""), None)
    metadata = node.find("oai:metadata", _NS)
    payload = None
    if metadata is not None:
        payload = next((child for child in metadata if isinstance(child.tag, str)), None)
    return Record(
        Header(
            identifier=_text(header, "oai:identifier"),
            datestamp=_text(header, "oai:datestamp"),
            set_specs=tuple((s.text or "").strip() for s in header.iterfind("oai:setSpec", _NS)),
            deleted=header.get("status") == "deleted",
        ),
        payload,
    )


def _text(node: Any, path: str) -> str:
    found = node.find(path, _NS)
    return (found.text or "").strip() if found is not None else ""


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- dates -------------------------------------------------------------------------------------


def parse_datestamp(value: str) -> datetime:
    """A UTC datetime from ``YYYY-MM-DD`` or ``YYYY-MM-DDThh:mm:ssZ`` (what OAI-PMH allows)."""
    value = value.strip()
    if len(value) == 10:
        return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_datestamp(moment: datetime, granularity: str) -> str:
    """``moment`` in the repository's granularity (a finer one is a badArgument)."""
    moment = moment.astimezone(UTC)
    if granularity == GRANULARITY_DAY:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the client --------------------------------------------------------------------------------


def list_records_params(
    metadata_prefix: str,
    from_: str | None = None,
    until: str | None = None,
    set_spec: str | None = None,
) -> dict[str, str]:
    params = {"verb": "ListRecords", "metadataPrefix": metadata_prefix}
    if from_:
        params["from"] = from_
    if until:
        params["until"] = until
    if set_spec:
        params["set"] = set_spec
    return params


class OAIClient:
    """One repository: Identify, and ListRecords followed across resumption tokens."""

    def __init__(
        self,
        base_url: str,
        options: ClientOptions | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url
        self.options = options or ClientOptions()
        self._own_http = http is None
        self.http = http or make_http_client(self.options)
        self.budget = RetryBudget(self.options.retry_budget)

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def __enter__(self) -> OAIClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, params: Mapping[str, str]) -> RawResponse:
        return fetch(self.http, self.base_url, params, self.options, self.budget)

    def identify(self) -> Identify:
        return parse_identify(self.fetch({"verb": "Identify"}))

    def list_records(
        self,
        metadata_prefix: str = "oai_dc",
        from_: str | None = None,
        until: str | None = None,
        set_spec: str | None = None,
    ) -> Iterator[RecordsPage]:
        """Pages of the list, lazily: the caller commits a page before the next is fetched.

        Raises ``ResumptionLoop`` when a token comes back a second time, or when the list runs
        past ``max_pages``; an empty page with a token is followed, not taken as the end.
        """
        params = list_records_params(metadata_prefix, from_, until, set_spec)
        seen: set[str] = set()
        for _page_number in range(self.options.max_pages):
            page = parse_list_records(self.fetch(params))
            yield page
            if not page.token:
                return
            if page.token in seen:
                raise ResumptionLoop(
                    f"resumption token {page.token[:60]!r} repeated (the list never ends) "
                    f"at {page.url}"
                )
            seen.add(page.token)
            params = {"verb": "ListRecords", "resumptionToken": page.token}
        raise ResumptionLoop(
            f"more than {self.options.max_pages} pages (the list never ends) "
            f"at {redact_url(self.base_url)}"
        )
