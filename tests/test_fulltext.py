"""Full texts: PDF galleys found, fetched politely and read safely; failures named, never fatal.

Real PDFs (tests.pdfmaking) served over a real loopback OJS site (tests.oaiserver.OJSSite).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.documents import Document
from pipeline.harvest import ConfigError, Source, harvest_source, load_sources
from pipeline.ingest.fulltext import (
    STATUS_FAILED,
    STATUS_OK,
    STATUS_PENDING,
    STATUS_RETRY,
    FulltextOptions,
    FulltextResult,
    PoliteFetcher,
    apply_result,
    carry_over,
    check_pdf,
    download_url,
    extract_text,
    extract_text_isolated,
    galley_links,
    needs_fulltext,
)
from pipeline.ingest.oai import RawResponse
from pipeline.store import Store
from tests.oaiserver import (
    Concurrency,
    LoopbackServer,
    OJSSite,
    Reply,
    fast_options,
    html_reply,
    landing_page,
    route,
)
from tests.pdfmaking import make_pdf

BODY = "Pemberdayaan masyarakat desa oleh pemerintah kabupaten dan LSM.\nKemitraan yang setara."
# No delay, in-process extraction: fast; the worker process has its own tests below.
QUICK = FulltextOptions(delay=0.0, extract_timeout=None, timeout=2.0, backoff=0.01)


def pdf_bytes(tmp_path: Path, text: str = BODY, pages: int = 1, name: str = "a.pdf") -> bytes:
    return make_pdf(
        tmp_path / name, [f"{text}\nHalaman {i + 1}" for i in range(pages)]
    ).read_bytes()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "corpus.sqlite") as opened:
        yield opened


@pytest.fixture
def site() -> Iterator[OJSSite]:
    journal = OJSSite()
    with LoopbackServer(journal) as server:
        journal.url = server.url
        yield journal


def harvest(  # type: ignore[no-untyped-def]
    store: Store, site: OJSSite, options: FulltextOptions = QUICK, fetch_fulltext: bool = True
):
    source = Source("loop", site.oai_url, fetch_fulltext=fetch_fulltext)
    return harvest_source(store, source, options=fast_options(timeout=2.0), fulltext=options)


def stored(store: Store, n: int) -> Document:
    """Article ``n`` as stored (found by its landing-page URL)."""
    docs = store.iter_documents(sources=["oai:loop"])
    return next(d for d in docs if d.url.endswith(f"/view/{n}"))


# -- pure functions ----------------------------------------------------------------------------


class TestWhereThePdfIs:
    def test_view_becomes_download(self) -> None:
        url = "https://j.example.ac.id/index.php/jn/article/view/3452/1234"
        assert (
            download_url(url) == "https://j.example.ac.id/index.php/jn/article/download/3452/1234"
        )
        assert download_url(download_url(url)) == download_url(url)
        assert download_url("https://example.org/paper.pdf") == "https://example.org/paper.pdf"

    def test_landing_page_links_of_the_same_article_only_best_first(self) -> None:
        page = (
            '<a class="obj_galley_link file" href="/index.php/jn/article/view/7/12">EPUB</a>'
            '<a class="obj_galley_link pdf" href="view/7/11?x=1&amp;y=2">PDF</a>'
            '<a href="https://j.org/index.php/jn/article/view/8/13">another article</a>'
            '<meta name="citation_pdf_url" content="https://j.org/index.php/jn/article/download/7/11">'
        )
        links = galley_links(page, "https://j.org/index.php/jn/article/view/7")
        assert links == [
            "https://j.org/index.php/jn/article/download/7/11",
            "https://j.org/index.php/jn/article/download/7/12",
        ]

    def test_no_galley_on_page(self) -> None:
        assert galley_links("<html><a href='/about'>About</a></html>", "https://j.org/a") == []


class TestCheckPdf:
    def raw(self, body: bytes, status: int = 200, kind: str = "application/pdf") -> RawResponse:
        return RawResponse("https://j.org/f", status, body, {"content-type": kind})

    def test_a_pdf_passes(self, tmp_path: Path) -> None:
        check_pdf(self.raw(pdf_bytes(tmp_path)), 10**6)

    @pytest.mark.parametrize(
        ("status", "transient"), [(404, False), (403, False), (503, True), (429, True)]
    )
    def test_http_errors_name_status_and_url(self, status: int, transient: bool) -> None:
        with pytest.raises(Exception, match=f"HTTP {status} at https://j.org/f") as info:
            check_pdf(self.raw(b"", status), 10**6)
        assert info.value.transient is transient  # type: ignore[attr-defined]

    def test_html_is_not_a_pdf_whatever_it_is_called(self) -> None:
        with pytest.raises(Exception, match=r"not a PDF \(.*text/html.*\) at https://j.org/f"):
            check_pdf(self.raw(b"<html>login</html>", kind="text/html"), 10**6)
        with pytest.raises(Exception, match="no %PDF- signature"):
            check_pdf(self.raw(b"PK\x03\x04 a zip"), 10**6)

    def test_too_big(self, tmp_path: Path) -> None:
        with pytest.raises(Exception, match="too big: over the 100 bytes cap"):
            check_pdf(self.raw(pdf_bytes(tmp_path)), 100)


class TestExtraction:
    def test_text_and_page_cap(self, tmp_path: Path) -> None:
        data = make_pdf(tmp_path / "p.pdf", ["satu halaman", "dua halaman", "tiga halaman"])
        text, pages = extract_text(data.read_bytes(), max_pages=2)
        assert (pages, "satu" in text, "dua" in text, "tiga" in text) == (2, True, True, False)

    def test_broken_pdf(self) -> None:
        with pytest.raises(ValueError, match="not a readable PDF"):
            extract_text(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n%%EOF")

    def test_password_pdf(self, tmp_path: Path) -> None:
        data = make_pdf(tmp_path / "x.pdf", [BODY], encrypt_password="rahasia").read_bytes()
        with pytest.raises(ValueError, match="needs a password"):
            extract_text(data)

    def test_worker_process_gives_the_same_text(self, tmp_path: Path) -> None:
        data = pdf_bytes(tmp_path, pages=2)
        assert extract_text_isolated(data, timeout=120) == extract_text(data)

    def test_worker_reports_a_broken_pdf(self) -> None:
        with pytest.raises(ValueError, match="not a readable PDF"):
            extract_text_isolated(b"%PDF-1.4 nothing else", timeout=120)

    def test_worker_is_stopped_at_the_time_limit(self, tmp_path: Path) -> None:
        # No process starts, imports pypdf and answers within a millisecond: the limit strikes.
        with pytest.raises(ValueError, match=r"timed out after 0\.001 s"):
            extract_text_isolated(pdf_bytes(tmp_path), timeout=0.001)


class TestRecordState:
    doc = Document("oai:loop", "oai:x:1", "T", extra={"fulltext_status": STATUS_PENDING})

    def test_retry_counts_tries_then_gives_up(self) -> None:
        down = FulltextResult(STATUS_RETRY, "https://j.org/f", error="HTTP 503 at https://j.org/f")
        once = apply_result(self.doc, down, max_tries=2)
        assert once.extra["fulltext_status"] == STATUS_RETRY and needs_fulltext(once)
        twice = apply_result(once, down, max_tries=2)
        assert twice.extra["fulltext_status"] == STATUS_FAILED and not needs_fulltext(twice)
        assert twice.extra["fulltext_tries"] == 2

    def test_ok_clears_the_error(self) -> None:
        failed = apply_result(self.doc, FulltextResult(STATUS_RETRY, error="down"))
        ok = apply_result(failed, FulltextResult(STATUS_OK, "https://j.org/f", "teks", 1))
        assert ok.full_text == "teks" and "fulltext_error" not in ok.extra
        assert ok.extra["fulltext_url"] == "https://j.org/f"

    def test_reharvested_record_keeps_its_full_text(self) -> None:
        ok = apply_result(self.doc, FulltextResult(STATUS_OK, "https://j.org/f", "teks", 1))
        incoming = Document("oai:loop", "oai:x:1", "T (revised)")
        kept = carry_over(ok, incoming)
        assert kept.full_text == "teks" and kept.title == "T (revised)"
        assert kept.extra["fulltext_status"] == STATUS_OK


# -- through the harvest, over loopback --------------------------------------------------------


class TestHarvestFetchesFullTexts:
    def test_galley_from_dc_relation(self, store: Store, site: OJSSite, tmp_path: Path) -> None:
        site.add_article(1, pdf_bytes(tmp_path))
        result = harvest(store, site)
        assert result.ok and (result.fulltext_fetched, result.fulltext_failed) == (1, 0)
        doc = stored(store, 1)
        assert "Kemitraan yang setara" in doc.full_text
        assert doc.abstracts["id"].startswith("Abstrak artikel 1")  # the abstract stays beside it
        assert doc.extra["fulltext_status"] == STATUS_OK
        assert doc.extra["fulltext_url"] == site.galley_url(1, 101, "download")
        assert site.file_requests == ["/index.php/jn/article/download/1/101"]

    def test_galley_found_on_the_landing_page(
        self, store: Store, site: OJSSite, tmp_path: Path
    ) -> None:
        site.add_article(2, pdf_bytes(tmp_path), relation=False)
        site.files["/index.php/jn/article/view/2"] = html_reply(landing_page(site, 2, [102]))
        site.add_article(3, pdf_bytes(tmp_path, "Teks lengkap tiga"), relation=False)
        page = landing_page(site, 3, [103], citation_pdf=True)
        site.files["/index.php/jn/article/view/3"] = html_reply(page)
        result = harvest(store, site)
        assert (result.fulltext_fetched, result.fulltext_failed) == (2, 0)
        assert "Kemitraan" in stored(store, 2).full_text
        assert "Teks lengkap tiga" in stored(store, 3).full_text
        # the other article linked from the page is never fetched
        assert not any("/999" in path or "/1002" in path for path in site.file_requests)

    def test_failures_are_one_line_each_and_never_fail_the_harvest(
        self, store: Store, site: OJSSite, tmp_path: Path
    ) -> None:
        big = pdf_bytes(tmp_path, "x" * 200, pages=20)
        site.add_article(1)  # no file: 404
        site.add_article(2, html_reply("<html><body>Silakan login</body></html>"))
        site.add_article(3, big)
        site.add_article(4, b"%PDF-1.4\nbroken beyond repair")
        site.add_article(5, pdf_bytes(tmp_path))
        site.add_article(6, relation=False)  # no relation, landing page 404
        options = FulltextOptions(delay=0, extract_timeout=None, max_bytes=len(big) - 1)
        result = harvest(store, site, options)
        assert result.ok and result.added == 6
        assert (result.fulltext_fetched, result.fulltext_failed) == (1, 5)
        lines = "\n".join(result.fulltext_errors)
        assert len(result.fulltext_errors) == 5 and all(
            "\n" not in x for x in result.fulltext_errors
        )
        assert "oai:loopback:article/1: no full text: HTTP 404 at http" in lines
        assert "oai:loopback:article/2: no full text: not a PDF (" in lines
        assert "oai:loopback:article/3: no full text: too big: over the" in lines
        assert "oai:loopback:article/4: no full text: not a readable PDF" in lines
        assert "oai:loopback:article/6: no full text: article page: HTTP 404" in lines
        for n in (1, 2, 3, 4, 6):
            assert stored(store, n).extra["fulltext_status"] == STATUS_FAILED
        assert "full texts: 1 stored, 5 failed" in result.line

    def test_server_down_is_retried_next_refresh_failures_are_not(
        self, store: Store, site: OJSSite, tmp_path: Path
    ) -> None:
        site.add_article(1)  # 404: permanent
        site.add_article(2, Reply(b"busy", status=503))
        first = harvest(store, site)
        assert stored(store, 2).extra["fulltext_status"] == STATUS_RETRY
        assert "asked again next refresh" in "\n".join(first.fulltext_errors)
        site.files["/index.php/jn/article/download/2/102"] = Reply(
            pdf_bytes(tmp_path), headers={"Content-Type": "application/pdf"}
        )
        before = len(site.file_requests)
        second = harvest(store, site)
        assert (second.fulltext_fetched, second.fulltext_failed) == (1, 0)
        assert site.file_requests[before:] == ["/index.php/jn/article/download/2/102"]
        assert stored(store, 2).extra["fulltext_tries"] == 2

    def test_a_refresh_keeps_fetched_texts_and_fetches_only_new_records(
        self, store: Store, site: OJSSite, tmp_path: Path
    ) -> None:
        recent = datetime.now(UTC) - timedelta(hours=1)
        record = site.add_article(1, pdf_bytes(tmp_path), when=recent)
        harvest(store, site)
        text = stored(store, 1).full_text
        again = harvest(store, site)  # the overlap window re-reads article 1
        assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
        assert stored(store, 1).full_text == text
        revised = record.metadata.replace("nomor 1<", "nomor 1 (revisi)<")
        site.repository.put(replace(record, metadata=revised, datestamp=datetime.now(UTC)))
        site.add_article(2, pdf_bytes(tmp_path, "Artikel baru"), when=recent)
        third = harvest(store, site)
        assert (third.added, third.updated, third.fulltext_fetched) == (1, 1, 1)
        assert stored(store, 1).title.endswith("(revisi)") and stored(store, 1).full_text == text
        assert site.file_requests.count("/index.php/jn/article/download/1/101") == 1

    def test_switch_off_fetches_nothing_and_old_records_are_not_backfilled(
        self, store: Store, site: OJSSite, tmp_path: Path
    ) -> None:
        site.add_article(1, pdf_bytes(tmp_path))
        off = harvest(store, site, fetch_fulltext=False)
        assert off.ok and site.file_requests == []
        assert "fulltext_status" not in stored(store, 1).extra
        on = harvest(store, site)
        assert on.fulltext_fetched == 0 and site.file_requests == []

    def test_in_a_worker_process(self, store: Store, site: OJSSite, tmp_path: Path) -> None:
        site.add_article(1, pdf_bytes(tmp_path))
        result = harvest(store, site, FulltextOptions(delay=0, extract_timeout=120))
        assert result.fulltext_fetched == 1 and "Kemitraan" in stored(store, 1).full_text


class TestPoliteness:
    def test_one_request_at_a_time_per_host_across_concurrent_harvests(
        self, tmp_path: Path
    ) -> None:
        shared = Concurrency()
        journals = [OJSSite("jn", hold=0.05, concurrency=shared)]
        journals.append(OJSSite("pdp", hold=0.05, concurrency=shared))
        pdf = pdf_bytes(tmp_path)
        with LoopbackServer(route(*journals)) as server:
            for offset, journal in enumerate(journals):
                journal.url = server.url
                for n in range(1 + 10 * offset, 5 + 10 * offset):
                    journal.add_article(n, pdf)
            results = []

            def run(journal: OJSSite) -> None:
                with Store(tmp_path / "corpus.sqlite") as own:
                    source = Source(journal.journal, journal.oai_url, fetch_fulltext=True)
                    results.append(
                        harvest_source(own, source, options=fast_options(timeout=5), fulltext=QUICK)
                    )

            threads = [threading.Thread(target=run, args=(j,)) for j in journals]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
        assert sorted(r.fulltext_fetched for r in results) == [4, 4]
        assert len(shared.paths) == 8
        assert shared.max_active == 1  # never two full-text requests to the host at once

    def test_delay_between_requests_to_one_host_not_across_hosts(self, tmp_path: Path) -> None:
        now = [0.0]
        sleeps: list[float] = []

        def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            now[0] += seconds

        pdf = pdf_bytes(tmp_path)
        first, second = OJSSite("jn"), OJSSite("jn")
        with LoopbackServer(first) as a, LoopbackServer(second) as b:
            first.url, second.url = a.url, b.url
            for n in (1, 2, 3):
                first.add_article(n, pdf)
            second.add_article(1, pdf)
            options = FulltextOptions(delay=2.5, extract_timeout=None, timeout=2.0)
            order = [first.galley_url(1, 101, "download"), first.galley_url(2, 102, "download")]
            order += [second.galley_url(1, 101, "download"), first.galley_url(3, 103, "download")]
            with PoliteFetcher(options, sleep=sleep, clock=lambda: now[0]) as fetcher:
                for url in order:
                    assert fetcher.get(url, options.max_bytes).status == 200
        # a wait before the 2nd and the 4th request (same host as the one before on that host),
        # none before the first request to the other host
        assert sleeps == [2.5, 2.5]
        assert first.file_requests == [
            "/index.php/jn/article/download/1/101",
            "/index.php/jn/article/download/2/102",
            "/index.php/jn/article/download/3/103",
        ]

    def test_the_query_of_a_url_is_kept(self, tmp_path: Path) -> None:
        journal = OJSSite()
        with LoopbackServer(journal) as server:
            journal.url = server.url
            journal.add_article(1, pdf_bytes(tmp_path))
            with PoliteFetcher(QUICK) as fetcher:
                url = journal.galley_url(1, 101, "download") + "?inline=1&x=a%20b"
                assert fetcher.get(url, QUICK.max_bytes).status == 200
        assert server.requests[-1].params == {"inline": "1", "x": "a b"}


class TestConfiguration:
    def test_fulltext_table(self, tmp_path: Path) -> None:
        path = tmp_path / "sources.toml"
        path.write_text(
            "[fulltext]\ndelay_seconds = 0.25\nmax_megabytes = 5\nmax_pages = 40\n"
            'extract_timeout_seconds = 30\n\n[[source]]\nname = "j"\n'
            'base_url = "https://j.org/index.php/j/oai"\nfetch_fulltext = true\n',
            encoding="utf-8",
        )
        (source,) = load_sources(path).sources
        options = source.fulltext_options
        assert source.fetch_fulltext
        assert (options.delay, options.max_bytes, options.max_pages) == (0.25, 5 * 2**20, 40)
        assert options.extract_timeout == 30

    def test_defaults_are_polite(self, tmp_path: Path) -> None:
        path = tmp_path / "sources.toml"
        path.write_text('[[source]]\nname = "j"\nbase_url = "https://j.org/oai"\n')
        options = load_sources(path).sources[0].fulltext_options
        assert 1.0 <= options.delay <= 2.0 and options.max_bytes == 20 * 2**20

    @pytest.mark.parametrize(
        ("body", "message"),
        [("delay_secs = 1", "unknown key"), ("max_pages = 0", "max_pages must be a number")],
    )
    def test_bad_fulltext_table(self, tmp_path: Path, body: str, message: str) -> None:
        path = tmp_path / "sources.toml"
        path.write_text(f"[fulltext]\n{body}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=message):
            load_sources(path)
