"""The OAI-PMH client: pure parsing on literal documents, fetching against a loopback server."""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from pipeline.ingest.oai import (
    GRANULARITY_DAY,
    GRANULARITY_SECONDS,
    FetchError,
    MalformedResponse,
    OAIClient,
    ProtocolError,
    RawResponse,
    ResumptionLoop,
    fetch,
    format_datestamp,
    list_records_params,
    parse_datestamp,
    parse_identify,
    parse_list_records,
    parse_retry_after,
    parse_xml,
)
from tests.oaiserver import LoopbackServer, Reply, Request, envelope, error_body, fast_options

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-01T00:00:00Z</responseDate>
<ListRecords><record><header><identifier>oai:x:1</identifier><datestamp>2024-01-01</datestamp>
</header><metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&lol9;</dc:title></oai_dc:dc></metadata>
</record></ListRecords></OAI-PMH>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE OAI-PMH [<!ENTITY passwd SYSTEM "file:///etc/passwd">]>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2024-01-01T00:00:00Z</responseDate>
<ListRecords><record><header><identifier>oai:x:1</identifier><datestamp>2024-01-01</datestamp>
</header><metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&passwd;</dc:title></oai_dc:dc></metadata>
</record></ListRecords></OAI-PMH>"""


def raw(body: bytes, status: int = 200) -> RawResponse:
    return RawResponse("http://loopback/oai?verb=ListRecords", status, body)


class TestParsing:
    def test_list_records_page_with_token(self) -> None:
        body = envelope(
            "<ListRecords><record><header><identifier>oai:x:1</identifier>"
            "<datestamp>2024-05-01</datestamp><setSpec>jn:ART</setSpec></header>"
            "<metadata><oai_dc:dc xmlns:oai_dc='http://www.openarchives.org/OAI/2.0/oai_dc/'/>"
            "</metadata></record><record><header status='deleted'><identifier>oai:x:2"
            "</identifier><datestamp>2024-05-02</datestamp></header></record>"
            '<resumptionToken completeListSize="250" cursor="0">abc</resumptionToken>'
            "</ListRecords>",
            when="2024-06-01T10:00:00Z",
        )
        page = parse_list_records(raw(body))
        assert page.token == "abc"
        assert page.complete_list_size == 250
        assert page.response_date == "2024-06-01T10:00:00Z"
        assert [r.header.identifier for r in page.records] == ["oai:x:1", "oai:x:2"]
        assert page.records[0].header.set_specs == ("jn:ART",)
        assert page.records[0].metadata is not None
        assert page.records[1].header.deleted and page.records[1].metadata is None

    def test_empty_token_ends_the_list(self) -> None:
        body = envelope('<ListRecords><resumptionToken cursor="100"/></ListRecords>')
        page = parse_list_records(raw(body))
        assert page.token == "" and page.records == ()

    def test_no_records_match_is_an_empty_final_page(self) -> None:
        page = parse_list_records(raw(error_body("noRecordsMatch"), status=422))
        assert page.records == () and page.token == "" and page.response_date

    @pytest.mark.parametrize(
        "code",
        [
            "badArgument",
            "badResumptionToken",
            "badVerb",
            "cannotDisseminateFormat",
            "idDoesNotExist",
            "noSetHierarchy",
            "noMetadataFormats",
        ],
    )
    def test_other_error_codes_raise_with_code_and_url(self, code: str) -> None:
        with pytest.raises(ProtocolError, match=rf"OAI error {code} \(why\) at http://loopback"):
            parse_list_records(raw(error_body(code, "why")))

    def test_http_error_without_oai_body(self) -> None:
        with pytest.raises(FetchError, match="HTTP 404 at http://loopback"):
            parse_list_records(raw(b"<html>not found</html>", status=404))

    @pytest.mark.parametrize("body", [b"", b"broken xml", b"<OAI-PMH xmlns='x'><a>", b"<html/>"])
    def test_malformed_or_foreign_documents(self, body: bytes) -> None:
        with pytest.raises(MalformedResponse, match="at http://loopback"):
            parse_list_records(raw(body))

    @pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY])
    def test_entities_are_never_expanded(self, body: bytes) -> None:
        with pytest.raises(MalformedResponse, match="refused a DOCTYPE"):
            parse_xml(body, "http://loopback/oai")

    def test_identify_granularity(self) -> None:
        body = envelope(
            "<Identify><repositoryName>J</repositoryName><baseURL>http://x/oai</baseURL>"
            "<protocolVersion>2.0</protocolVersion><earliestDatestamp>2001-01-01"
            "</earliestDatestamp><deletedRecord>no</deletedRecord>"
            "<granularity>YYYY-MM-DD</granularity></Identify>"
        )
        identify = parse_identify(raw(body))
        assert identify.granularity == GRANULARITY_DAY
        assert identify.repository_name == "J"

    def test_params_keep_only_given_arguments(self) -> None:
        assert list_records_params("oai_dc", "2024-01-01", None, "jn") == {
            "verb": "ListRecords",
            "metadataPrefix": "oai_dc",
            "from": "2024-01-01",
            "set": "jn",
        }


class TestDates:
    def test_format_respects_granularity(self) -> None:
        moment = datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC)
        assert format_datestamp(moment, GRANULARITY_DAY) == "2024-03-05"
        assert format_datestamp(moment, GRANULARITY_SECONDS) == "2024-03-05T14:07:09Z"

    def test_parse_both_granularities(self) -> None:
        assert parse_datestamp("2024-03-05") == datetime(2024, 3, 5, tzinfo=UTC)
        assert parse_datestamp("2024-03-05T14:07:09Z") == datetime(2024, 3, 5, 14, 7, 9, tzinfo=UTC)

    def test_retry_after_seconds_and_http_date(self) -> None:
        now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=UTC)
        assert parse_retry_after("120", now) == 120.0
        assert parse_retry_after("Mon, 01 Jan 2024 12:00:30 GMT", now) == 30.0
        assert parse_retry_after("Mon, 01 Jan 2024 11:00:00 GMT", now) == 0.0
        assert parse_retry_after("soon", now) is None
        assert parse_retry_after(None, now) is None


def serve_sequence(*replies: Reply) -> tuple[LoopbackServer, list[Reply]]:
    """A server answering with ``replies`` in turn, then a valid empty final page."""
    queue = list(replies)

    def app(request: Request) -> Reply:
        if queue:
            return queue.pop(0)
        return Reply(envelope("<ListRecords></ListRecords>"))

    return LoopbackServer(app), queue


def do_fetch(server: LoopbackServer, options: object) -> RawResponse:
    with httpx.Client() as http:
        return fetch(http, server.url + "/oai", {"verb": "ListRecords"}, options)  # type: ignore[arg-type]


class TestFetchRetries:
    def test_503_retry_after_seconds_is_honoured(self) -> None:
        sleeps: list[float] = []
        server, _ = serve_sequence(Reply(b"busy", 503, {"Retry-After": "7"}))
        with server:
            response = do_fetch(server, fast_options(sleeps))
        assert response.status == 200
        assert sleeps == [7.0]

    def test_503_retry_after_http_date_is_honoured(self) -> None:
        sleeps: list[float] = []
        when = datetime.now(UTC) + timedelta(seconds=30)
        header = email.utils.format_datetime(when, usegmt=True)
        server, _ = serve_sequence(Reply(b"busy", 503, {"Retry-After": header}))
        with server:
            do_fetch(server, fast_options(sleeps))
        assert len(sleeps) == 1 and 25 <= sleeps[0] <= 31

    def test_retry_after_is_capped(self) -> None:
        sleeps: list[float] = []
        server, _ = serve_sequence(Reply(b"busy", 503, {"Retry-After": "86400"}))
        with server:
            do_fetch(server, fast_options(sleeps, retry_after_max=5.0))
        assert sleeps == [5.0]

    def test_retry_after_on_a_200_is_not_a_wait(self) -> None:
        sleeps: list[float] = []
        server, _ = serve_sequence(
            Reply(envelope("<ListRecords></ListRecords>"), 200, {"Retry-After": "57"})
        )
        with server:
            do_fetch(server, fast_options(sleeps))
        assert sleeps == []

    def test_500s_back_off_exponentially_then_fail_naming_attempts_and_url(self) -> None:
        sleeps: list[float] = []
        server, _ = serve_sequence(*[Reply(b"oops", 500)] * 10)
        options = fast_options(sleeps, backoff_base=1.0, backoff_max=3.0)
        with server, pytest.raises(FetchError) as failure:
            do_fetch(server, options)
        assert sleeps == [1.0, 2.0, 3.0]
        assert str(failure.value) == (
            f"HTTP 500 after 4 attempts at {server.url}/oai?verb=ListRecords"
        )
        assert len(server.requests) == 4

    def test_500_then_success(self) -> None:
        server, _ = serve_sequence(Reply(b"oops", 500), Reply(b"oops", 502))
        with server:
            assert do_fetch(server, fast_options()).status == 200

    def test_timeouts_are_retried_and_bounded(self) -> None:
        server, _ = serve_sequence(*[Reply(b"late", delay=0.3)] * 10)
        with server, pytest.raises(FetchError, match=r"^timed out after 3 attempts at http"):
            do_fetch(server, fast_options(timeout=0.05, max_attempts=3))

    def test_connection_dropped_mid_body_is_retried(self) -> None:
        page = envelope("<ListRecords></ListRecords>")
        # The retry gets the same page (not a fresh one, whose responseDate may differ).
        server, _ = serve_sequence(Reply(page, drop_after=40), Reply(page))
        with server:
            assert do_fetch(server, fast_options()).body == page
        assert len(server.requests) == 2

    def test_connection_dropped_every_time_fails(self) -> None:
        page = envelope("<ListRecords></ListRecords>")
        server, _ = serve_sequence(*[Reply(page, drop_after=40)] * 10)
        with server, pytest.raises(FetchError, match=r"^connection dropped .* after 4 attempts"):
            do_fetch(server, fast_options())

    def test_connection_refused(self) -> None:
        server, _ = serve_sequence()
        with server:
            url = server.url
        with httpx.Client() as http, pytest.raises(FetchError, match="connection failed"):
            fetch(http, url + "/oai", {"verb": "Identify"}, fast_options())

    def test_undecodable_body_is_retried_then_named(self) -> None:
        garbage = Reply(b"not gzip at all", headers={"Content-Encoding": "gzip"})
        server, _ = serve_sequence(*[garbage] * 4)
        with server, pytest.raises(FetchError, match=r"^bad HTTP response \(DecodingError"):
            do_fetch(server, fast_options())
        assert len(server.requests) == 4

    def test_client_4xx_body_reaches_the_parser(self) -> None:
        server, _ = serve_sequence(Reply(error_body("badArgument", "no such prefix"), 422))
        with server:
            response = do_fetch(server, fast_options())
        assert response.status == 422
        with pytest.raises(ProtocolError, match="badArgument"):
            parse_list_records(response)

    def test_retry_budget_is_shared_across_requests(self) -> None:
        server, _ = serve_sequence(*[Reply(b"oops", 500)] * 20)
        with server, OAIClient(server.url + "/oai", fast_options(retry_budget=2)) as client:
            with pytest.raises(FetchError, match="after 3 attempts"):
                client.fetch({"verb": "Identify"})
            with pytest.raises(FetchError, match="after 1 attempt at"):
                client.fetch({"verb": "Identify"})


class TestListRecords:
    def test_repeated_token_is_detected(self) -> None:
        page = envelope("<ListRecords><resumptionToken>same-again</resumptionToken></ListRecords>")

        def app(request: Request) -> Reply:
            return Reply(page)

        with (
            LoopbackServer(app) as server,
            OAIClient(server.url, fast_options()) as client,
            pytest.raises(ResumptionLoop, match="'same-again' repeated"),
        ):
            list(client.list_records())
        assert len(server.requests) == 2

    def test_endless_distinct_tokens_are_bounded(self) -> None:
        counter = iter(range(10**6))

        def app(request: Request) -> Reply:
            token = f"t{next(counter)}"
            return Reply(
                envelope(f"<ListRecords><resumptionToken>{token}</resumptionToken></ListRecords>")
            )

        with (
            LoopbackServer(app) as server,
            OAIClient(server.url, fast_options(max_pages=5)) as client,
            pytest.raises(ResumptionLoop, match="more than 5 pages"),
        ):
            list(client.list_records())

    def test_token_request_carries_only_verb_and_token(self) -> None:
        pages = [
            envelope("<ListRecords><resumptionToken>next one</resumptionToken></ListRecords>"),
            envelope("<ListRecords><resumptionToken/></ListRecords>"),
        ]

        def app(request: Request) -> Reply:
            return Reply(pages.pop(0))

        with LoopbackServer(app) as server, OAIClient(server.url, fast_options()) as client:
            assert len(list(client.list_records("oai_dc", "2024-01-01", None, "jn"))) == 2
        assert server.requests[1].params == {"verb": "ListRecords", "resumptionToken": "next one"}


def test_a_host_that_does_not_resolve_is_not_retried():
    from pipeline.ingest.oai import host_not_found

    assert host_not_found(httpx.ConnectError("[Errno -2] Name or service not known"))
    assert host_not_found(httpx.ConnectError("[Errno -3] Temporary failure in name resolution"))
    assert not host_not_found(httpx.ConnectError("[Errno 111] Connection refused"))
    assert not host_not_found(httpx.ReadTimeout("timed out"))
