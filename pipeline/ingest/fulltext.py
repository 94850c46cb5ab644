"""Full texts of harvested OJS articles: the PDF galley, fetched politely, its text read safely.

Why: an abstract is 150-250 words; the codebook's indicator terms and the topic model see far more
of what an article says in its body. OAI-PMH ``oai_dc`` carries no full text, only links.

Where the PDF is. OJS lists each galley in ``dc:relation`` as
``.../article/view/<article>/<galley>`` (``Document.extra["galley_urls"]``): that is an HTML page
wrapping a PDF viewer; the file itself is at ``.../article/download/<article>/<galley>``. Journals
that omit ``dc:relation`` still link their galleys from the article page (``Document.url``): its
``citation_pdf_url`` meta tag (written for Google Scholar) or its ``obj_galley_link`` anchors. Only
galleys of the same article are followed (landing pages also link other articles).

Politeness. These are small university servers. Requests to one host go one at a time (a lock per
``host:port``, shared by every fetcher of the process, so two journals on one OJS site are paced
together) with ``delay`` seconds between the end of one and the start of the next. Each request
goes through ``pipeline.ingest.oai.fetch``: bounded retries, Retry-After honoured.

Safety. A body over ``max_bytes`` is refused while streaming (never read whole); a body without the
``%PDF-`` signature is refused whatever its Content-Type says; the text is extracted in a worker
process that is killed after ``extract_timeout`` seconds (a crafted or broken PDF can make pypdf
loop for minutes), and at most ``max_pages`` pages and ``max_chars`` characters are kept.

Outcomes, kept in ``Document.extra``: ``fulltext_status`` is ``ok``, ``failed`` (permanent: 404,
not a PDF, too big, unreadable, no galley: asking again would give the same answer), or ``retry``
(the server was down or busy: a later refresh asks again, at most ``max_tries`` times in all,
then ``failed``); ``fulltext_url`` is the URL the text came from (or the last one tried),
``fulltext_error`` the one-line reason of a failure, ``fulltext_tries`` how many refreshes tried.

Everything here but ``PoliteFetcher``, ``run_isolated`` and ``extract_text_isolated`` is a pure
function.
"""

from __future__ import annotations

import html
import io
import logging
import multiprocessing
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from pipeline.documents import Document
from pipeline.ingest.oai import (
    ClientOptions,
    FetchError,
    MalformedResponse,
    RawResponse,
    fetch,
    make_http_client,
)
from pipeline.redact import redact_text

log = logging.getLogger(__name__)

STATUS_PENDING = "pending"
STATUS_OK = "ok"
STATUS_FAILED = "failed"
STATUS_RETRY = "retry"

_MB = 1024 * 1024
_PDF_MAGIC = b"%PDF-"
# The PDF specification lets a signature sit anywhere in the first 1024 bytes (some servers
# prepend a BOM or a blank line).
_MAGIC_WINDOW = 1024
_SPACES = re.compile(r"\s+")
_GALLEY = re.compile(r"/article/(view|download)/([^/?#]+)/([^/?#]+)")
_ARTICLE = re.compile(r"/article/(?:view|download)/([^/?#]+)")
_META_PDF = re.compile(
    r"""<meta\b[^>]*\bname\s*=\s*["']citation_pdf_url["'][^>]*>""", re.IGNORECASE
)
_CONTENT = re.compile(r"""\bcontent\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.IGNORECASE | re.DOTALL)
_HREF = re.compile(r"""\bhref\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_CLASS = re.compile(r"""\bclass\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class FulltextOptions:
    """How full texts are fetched; sources.toml ``[fulltext]`` sets some, tests shrink them."""

    delay: float = 1.5  # seconds between two requests to one host
    max_bytes: int = 20 * _MB  # a bigger PDF is refused
    max_html_bytes: int = 5 * _MB  # an article landing page
    max_pages: int = 300
    max_chars: int = 2_000_000
    extract_timeout: float | None = 60.0  # None: extract in this process (page cap only)
    timeout: float = 60.0  # per request
    max_attempts: int = 2  # per request, within one refresh (oai.fetch's retries)
    backoff: float = 2.0  # seconds before the first retry of a busy server (then doubled)
    max_tries: int = 3  # refreshes that may try a record whose server was down
    max_galleys: int = 3  # galleys tried per article (PDF, then other formats)

    def client_options(self) -> ClientOptions:
        return ClientOptions(
            timeout=self.timeout,
            connect_timeout=min(15.0, self.timeout),
            max_attempts=self.max_attempts,
            backoff_base=self.backoff,
            max_response_bytes=max(self.max_bytes, self.max_html_bytes),
            user_agent="berdaya-harvester/0.1 (full texts; one request at a time)",
        )


class FulltextError(Exception):
    """One galley that gave no text; ``transient`` when asking later may succeed."""

    def __init__(self, url: str, reason: str, *, transient: bool = False) -> None:
        super().__init__(url, reason)
        self.url = url
        self.reason = reason
        self.transient = transient

    def __str__(self) -> str:
        shown = f"{self.reason} at {self.url}" if self.url else self.reason
        return redact_text(shown)  # never show credentials that were in a URL


@dataclass(frozen=True)
class FulltextResult:
    """What fetching one article's full text gave: text and source URL, or the reason."""

    status: str
    url: str = ""
    text: str = ""
    pages: int = 0
    error: str = ""


# -- pure: where the PDF is --------------------------------------------------------------------


def download_url(galley_url: str) -> str:
    """``.../article/view/<a>/<g>`` -> ``.../article/download/<a>/<g>``; other URLs unchanged."""
    return _GALLEY.sub(lambda m: f"/article/download/{m.group(2)}/{m.group(3)}", galley_url, 1)


def article_id(url: str) -> str:
    """The OJS article id in an article or galley URL, '' when the URL is not OJS-shaped."""
    match = _ARTICLE.search(urlsplit(url).path)
    return match.group(1) if match else ""


def galley_links(page: str, page_url: str) -> list[str]:
    """Download URLs of the PDF galleys an OJS article page links, best first.

    ``citation_pdf_url`` first (OJS writes it for the PDF galley), then anchors to
    ``/article/view|download/<same article>/<galley>`` marked as PDF, then the other galleys.
    """
    wanted = article_id(page_url)
    found: list[tuple[int, str]] = []
    for tag in _META_PDF.findall(page):
        if content := _CONTENT.search(tag):
            found.append((0, html.unescape(content.group(1)).strip()))
    for attrs, inner in _ANCHOR.findall(page):
        href = _HREF.search(attrs)
        if not href:
            continue
        css = _CLASS.search(attrs)
        marks = f"{css.group(1) if css else ''} {_TAGS.sub(' ', inner)}".lower()
        found.append((1 if "pdf" in marks else 2, html.unescape(href.group(1)).strip()))
    urls: list[str] = []
    for _rank, href in sorted(found, key=lambda pair: pair[0]):
        absolute = urljoin(page_url, href)
        match = _GALLEY.search(urlsplit(absolute).path)
        if not absolute.startswith(("http://", "https://")) or not match:
            continue
        if wanted and match.group(2) != wanted:
            continue
        url = download_url(absolute)
        if url not in urls:
            urls.append(url)
    return urls


def galley_candidates(doc: Document) -> list[str]:
    """Download URLs from ``dc:relation`` galleys, in the order the record lists them."""
    urls: list[str] = []
    for galley in doc.extra.get("galley_urls", ()) or ():
        url = download_url(str(galley))
        if url not in urls:
            urls.append(url)
    return urls


def check_pdf(raw: RawResponse, max_bytes: int) -> None:
    """Raise FulltextError unless ``raw`` is a successful response holding a PDF under the cap."""
    if raw.status >= 400:
        transient = raw.status in (408, 425, 429) or raw.status >= 500
        raise FulltextError(raw.url, f"HTTP {raw.status}", transient=transient)
    if len(raw.body) > max_bytes:
        raise FulltextError(raw.url, f"too big: over the {_size(max_bytes)} cap")
    if _PDF_MAGIC not in raw.body[:_MAGIC_WINDOW]:
        kind = _content_type(raw) or "no Content-Type"
        shown = f"{_size(len(raw.body))}, {kind}" if raw.body else "empty body"
        raise FulltextError(raw.url, f"not a PDF ({shown}; no %PDF- signature)")


def _content_type(raw: RawResponse) -> str:
    headers = {k.lower(): v for k, v in raw.headers.items()}
    return headers.get("content-type", "").split(";")[0].strip().lower()


def _size(n: int) -> str:
    return f"{n / _MB:.1f} MB" if n >= _MB else f"{n} bytes"


# -- pure: PDF text ----------------------------------------------------------------------------


def extract_text(data: bytes, max_pages: int = 300, max_chars: int = 2_000_000) -> tuple[str, int]:
    """(text, pages read) of a PDF, at most ``max_pages`` pages and ``max_chars`` characters.

    Raises ValueError naming the reason: unreadable, needs a password, or no text (scanned).
    """
    from pypdf import PasswordType, PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise ValueError("encrypted PDF that needs a password")
        parts: list[str] = []
        size = 0
        read = 0
        for page in reader.pages[:max_pages]:
            read += 1
            text = (page.extract_text() or "").strip()
            if text:
                parts.append(text)
                size += len(text)
            if size >= max_chars:
                break
    except ValueError as error:
        if "password" in str(error):
            raise
        raise ValueError(f"not a readable PDF ({_one_line(error)})") from None
    except Exception as error:
        # pypdf reports damage through its own errors and through plain ones (KeyError,
        # zlib.error, RecursionError...): any of them means this file is unreadable.
        raise ValueError(f"not a readable PDF ({_one_line(error)})") from None
    text = "\n\n".join(parts)[:max_chars]
    if not text.strip():
        raise ValueError("PDF has no extractable text (scanned images?)")
    return text, read


def _one_line(error: BaseException) -> str:
    return _SPACES.sub(" ", str(error)).strip() or type(error).__name__


def _limit_memory(memory_limit: int | None) -> None:
    """Cap this process's address space at ``memory_limit`` bytes more than it uses now."""
    if memory_limit is None:
        return
    import resource

    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            in_use = int(statm.read().split()[0]) * resource.getpagesize()
    except OSError:  # no /proc (macOS): count from zero, the cap is then on the whole process
        in_use = 0
    cap = in_use + memory_limit
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):  # a platform that refuses the cap: the timeout still holds
        log.debug("could not cap the worker's memory at %d bytes", cap)


def _isolated_worker(
    conn: Any, target: Callable[..., Any], args: tuple[Any, ...], memory_limit: int | None
) -> None:
    try:
        _limit_memory(memory_limit)
        conn.send(("ok", target(*args)))
    except ValueError as error:
        conn.send(("error", str(error)))
    except MemoryError:
        cap = f"{memory_limit / _MB:.0f} MB" if memory_limit else "its"
        conn.send(("error", f"PDF text extraction ran out of memory (over the {cap} cap)"))
    except BaseException as error:  # a crash in pypdf must still come back as one line
        conn.send(("error", f"not a readable PDF ({_one_line(error)})"))
    finally:
        conn.close()


def run_isolated(
    target: Callable[..., Any],
    args: tuple[Any, ...],
    *,
    timeout: float,
    memory_limit: int | None = None,
) -> Any:
    """``target(*args)`` in a fresh worker process, killed after ``timeout`` seconds.

    ``target`` must be a module-level function; it reports failure by raising ValueError, whose
    message comes back as the ValueError raised here. With ``memory_limit`` (bytes), the worker's
    address space may grow by at most that much (RLIMIT_AS): a decompression bomb then ends in a
    MemoryError, reported in one line, instead of swapping the machine.

    A spawned (not forked) process: forking a process that runs threads (Prefect's, httpx's) can
    deadlock the child. Starting one costs a fraction of a second. Raises ValueError with the
    reason, including a timeout or a crash.
    """
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(
        target=_isolated_worker,
        args=(sender, target, args, memory_limit),
        name="berdaya-pdf-text",
        daemon=not multiprocessing.current_process().daemon,
    )
    worker.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise ValueError(f"PDF text extraction timed out after {timeout:g} s")
        try:
            kind, payload = receiver.recv()
        except EOFError:
            worker.join(5)
            raise ValueError(
                f"PDF text extraction crashed (worker exit code {worker.exitcode})"
            ) from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join(5)
        receiver.close()
    if kind != "ok":
        raise ValueError(payload)
    return payload


def extract_text_isolated(
    data: bytes,
    *,
    timeout: float,
    max_pages: int = 300,
    max_chars: int = 2_000_000,
    memory_limit: int | None = None,
) -> tuple[str, int]:
    """``extract_text`` in a fresh worker process (``run_isolated``): time and memory capped."""
    return run_isolated(
        extract_text, (data, max_pages, max_chars), timeout=timeout, memory_limit=memory_limit
    )


# -- the polite fetcher ------------------------------------------------------------------------


@dataclass
class _HostSlot:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float | None = None  # clock() when the last request to this host ended


_SLOTS: dict[str, _HostSlot] = {}
_SLOTS_LOCK = threading.Lock()


def _slot(url: str) -> _HostSlot:
    host = urlsplit(url).netloc.lower()
    with _SLOTS_LOCK:
        return _SLOTS.setdefault(host, _HostSlot())


class PoliteFetcher:
    """GETs one URL at a time per host, ``delay`` seconds apart; see the module notes."""

    def __init__(
        self,
        options: FulltextOptions | None = None,
        *,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.options = options or FulltextOptions()
        self._client_options = replace(self.options.client_options(), sleep=sleep)
        self._own_http = http is None
        self.http = http or make_http_client(self._client_options)
        self.http.headers["Accept"] = "application/pdf, text/html;q=0.9, */*;q=0.5"
        self._sleep = sleep
        self._clock = clock

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def __enter__(self) -> PoliteFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, max_bytes: int) -> RawResponse:
        """The response to GET ``url``; FulltextError for a failure worth naming."""
        slot = _slot(url)
        with slot.lock:
            if slot.last is not None:
                wait = self.options.delay - (self._clock() - slot.last)
                if wait > 0:
                    self._sleep(wait)
            options = replace(self._client_options, max_response_bytes=max_bytes)
            # fetch() sets the query from its params: pass the URL's own query as params.
            parsed = httpx.URL(url)
            params = dict(parsed.params.multi_items())
            try:
                return fetch(self.http, str(parsed.copy_with(query=None)), params, options)
            except MalformedResponse:  # the only one fetch raises: over the size cap
                raise FulltextError(url, f"too big: over the {_size(max_bytes)} cap") from None
            except FetchError as error:
                raise FulltextError("", str(error), transient=True) from None
            finally:
                slot.last = self._clock()


# -- one article -------------------------------------------------------------------------------


def fetch_fulltext(doc: Document, fetcher: PoliteFetcher) -> FulltextResult:
    """Find, download and read one article's PDF; never raises for a network or PDF problem."""
    options = fetcher.options
    errors: list[FulltextError] = []
    candidates = galley_candidates(doc)
    if not candidates:
        if not doc.url.startswith(("http://", "https://")):
            return FulltextResult(STATUS_FAILED, error="no galley link and no article page")
        try:
            raw = fetcher.get(doc.url, options.max_html_bytes)
            if raw.status >= 400:
                transient = raw.status in (408, 425, 429) or raw.status >= 500
                raise FulltextError(raw.url, f"HTTP {raw.status}", transient=transient)
        except FulltextError as error:
            status = STATUS_RETRY if error.transient else STATUS_FAILED
            return FulltextResult(status, doc.url, error=f"article page: {error}")
        candidates = galley_links(raw.body.decode("utf-8", errors="replace"), raw.url)
        if not candidates:
            reason = f"no PDF galley linked from the article page {raw.url}"
            return FulltextResult(STATUS_FAILED, doc.url, error=reason)
    for url in candidates[: options.max_galleys]:
        try:
            raw = fetcher.get(url, options.max_bytes)
            check_pdf(raw, options.max_bytes)
            text, pages = _extract(raw.body, options)
        except FulltextError as error:
            errors.append(error)
            continue
        except ValueError as error:
            errors.append(FulltextError(url, str(error)))
            continue
        return FulltextResult(STATUS_OK, raw.url, text, pages)
    transient = any(e.transient for e in errors)
    reason = "; ".join(str(e) for e in errors)
    last = next((e.url for e in reversed(errors) if e.url), candidates[0])
    return FulltextResult(STATUS_RETRY if transient else STATUS_FAILED, last, error=reason)


def _extract(data: bytes, options: FulltextOptions) -> tuple[str, int]:
    if options.extract_timeout is None:
        return extract_text(data, options.max_pages, options.max_chars)
    return extract_text_isolated(
        data,
        timeout=options.extract_timeout,
        max_pages=options.max_pages,
        max_chars=options.max_chars,
    )


# -- the record --------------------------------------------------------------------------------


def needs_fulltext(doc: Document) -> bool:
    """New in a harvest of a full-text source (``pending``), or its server was down (``retry``)."""
    return not doc.deleted and doc.extra.get("fulltext_status") in (STATUS_PENDING, STATUS_RETRY)


def mark_pending(doc: Document) -> Document:
    """A newly harvested record whose full text is to be fetched after its page is committed."""
    return doc.with_changes(extra={**doc.extra, "fulltext_status": STATUS_PENDING})


def carry_over(stored: Document, incoming: Document) -> Document:
    """``incoming`` (a re-harvested record) keeping the full text and full-text state of ``stored``.

    Without this, every update of the metadata, and every re-read of the overlap window, would
    wipe a fetched full text (and count as an update).
    """
    kept = {k: v for k, v in stored.extra.items() if k.startswith("fulltext_")}
    if not kept and not stored.full_text:
        return incoming
    return incoming.with_changes(
        full_text=incoming.full_text or stored.full_text, extra={**incoming.extra, **kept}
    )


def apply_result(doc: Document, result: FulltextResult, max_tries: int = 3) -> Document:
    """``doc`` with the outcome recorded: the text as ``full_text``, the state in ``extra``."""
    extra = {k: v for k, v in doc.extra.items() if k not in ("fulltext_error", "fulltext_pages")}
    tries = int(extra.get("fulltext_tries", 0)) + 1
    extra["fulltext_tries"] = tries
    if result.url:
        extra["fulltext_url"] = result.url
    if result.status == STATUS_OK:
        extra["fulltext_status"] = STATUS_OK
        extra["fulltext_pages"] = result.pages
        return doc.with_changes(full_text=result.text, extra=extra)
    status = result.status
    if status == STATUS_RETRY and tries >= max_tries:
        status = STATUS_FAILED
    extra["fulltext_status"] = status
    extra["fulltext_error"] = result.error
    return doc.with_changes(extra=extra)


def failure_line(doc: Document) -> str:
    """One line naming the article and the reason (``doc`` as ``apply_result`` left it)."""
    retry = doc.extra.get("fulltext_status") == STATUS_RETRY
    again = " (asked again next refresh)" if retry else ""
    reason = doc.extra.get("fulltext_error", "")
    return f"{doc.source} {doc.identifier}: no full text: {reason}{again}"
