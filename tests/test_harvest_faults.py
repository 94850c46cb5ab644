"""Every fault a journal server can throw, over a real loopback socket, through harvest_source.

Each fault is injected on page 2 of a 3-page list (records 1-10 are on page 1), so the tests also
show what a failure keeps (page 1, committed), what it leaves (the watermark), and that the next
refresh completes the list with no gap and no duplicate.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.harvest import Source, harvest_source, refresh, status_rows
from pipeline.store import Store
from tests.oaiserver import (
    LoopbackServer,
    OAIRepository,
    Reply,
    Request,
    article,
    envelope,
    error_body,
    fast_options,
)
from tests.test_oai_client import BILLION_LAUGHS, EXTERNAL_ENTITY

T0 = datetime(2022, 1, 1, tzinfo=UTC)
N = 25


def make_repo(n: int = N, **kwargs: object) -> OAIRepository:
    records = [article(i, when=T0 + timedelta(hours=i)) for i in range(1, n + 1)]
    return OAIRepository(records, page_size=10, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "corpus.sqlite") as opened:
        yield opened


def source(server: LoopbackServer, name: str = "noken", **changes: object) -> Source:
    return Source(name, server.url + "/index.php/jn/oai", **changes)  # type: ignore[arg-type]


def identifiers(store: Store, name: str = "noken") -> list[str]:
    return sorted(d.identifier for d in store.iter_documents(sources=[f"oai:{name}"]))


def all_identifiers(n: int = N) -> list[str]:
    return sorted(f"oai:journal.example.org:article/{i}" for i in range(1, n + 1))


def assert_resumes_exactly(store: Store, server: LoopbackServer) -> None:
    """The next refresh completes the list: every record once, page 1 re-read as unchanged."""
    again = harvest_source(store, source(server), options=fast_options())
    assert again.ok, again.error
    assert identifiers(store) == all_identifiers()
    assert store.count() == N
    assert again.added == N - 10 and again.unchanged == 10


class TestRecoveredByRetry:
    @pytest.mark.parametrize(
        ("fault", "expected_sleeps"),
        [
            (Reply(b"busy", 503, {"Retry-After": "3"}), [3.0]),
            (Reply(b"oops", 500), [0.001]),
            (Reply(b"late", delay=1.0), [0.001]),
            (Reply(b"<OAI-PMH" + b" " * 5000, drop_after=100), [0.001]),
        ],
        ids=["503-retry-after", "500", "timeout", "dropped-mid-page"],
    )
    def test_one_fault_then_success(
        self, store: Store, fault: Reply, expected_sleeps: list[float]
    ) -> None:
        repo = make_repo()
        repo.add_fault(2, fault)
        sleeps: list[float] = []
        with LoopbackServer(repo) as server:
            result = harvest_source(
                store, source(server), options=fast_options(sleeps, timeout=0.2)
            )
        assert result.ok, result.error
        assert (result.added, result.pages) == (N, 3)
        assert sleeps == expected_sleeps
        assert identifiers(store) == all_identifiers()

    def test_503_with_http_date(self, store: Store) -> None:
        repo = make_repo()
        when = datetime.now(UTC) + timedelta(seconds=20)
        repo.add_fault(
            2, Reply(b"busy", 503, {"Retry-After": when.strftime("%a, %d %b %Y %H:%M:%S GMT")})
        )
        sleeps: list[float] = []
        with LoopbackServer(repo) as server:
            result = harvest_source(store, source(server), options=fast_options(sleeps))
        assert result.ok
        assert len(sleeps) == 1 and 15 <= sleeps[0] <= 21


def fail_then_resume(store: Store, repo: OAIRepository, *faults: Reply) -> str:
    """Inject ``faults`` on page 2, harvest (must fail), check what stayed, resume."""
    repo.add_fault(2, *faults)
    with LoopbackServer(repo) as server:
        failed = harvest_source(store, source(server), options=fast_options())
        assert not failed.ok
        assert failed.added == 10
        assert identifiers(store) == all_identifiers()[:0] + sorted(
            f"oai:journal.example.org:article/{i}" for i in range(1, 11)
        )
        mark = store.watermark("oai:noken")
        assert mark is not None and mark.harvested_to is None
        assert mark.last_error == failed.error
        assert "\n" not in failed.error
        assert failed.error.startswith("source noken: failed: ")
        assert server.url in failed.error
        repo.faults.clear()
        assert_resumes_exactly(store, server)
        assert store.watermark("oai:noken").last_error == ""  # type: ignore[union-attr]
    return failed.error


class TestSourceFails:
    def test_500_after_bounded_attempts(self, store: Store) -> None:
        line = fail_then_resume(store, make_repo(), *[Reply(b"oops", 500)] * 4)
        assert "failed: HTTP 500 after 4 attempts at http://127.0.0.1:" in line
        assert "resumptionToken=" in line

    def test_timeouts_after_bounded_attempts(self, store: Store) -> None:
        repo = make_repo()
        repo.add_fault(2, *[Reply(b"late", delay=0.5)] * 4)
        with LoopbackServer(repo) as server:
            result = harvest_source(store, source(server), options=fast_options(timeout=0.05))
        assert not result.ok and "timed out after 4 attempts at" in result.error

    def test_connection_dropped_every_time(self, store: Store) -> None:
        line = fail_then_resume(store, make_repo(), *[Reply(b"x" * 500, drop_after=10)] * 4)
        assert "connection dropped" in line and "after 4 attempts" in line

    def test_truncated_xml(self, store: Store) -> None:
        page = envelope("<ListRecords><record><header><identifier>oai:x:1</identifier>")
        line = fail_then_resume(store, make_repo(), Reply(page[:-20]))
        assert "malformed XML at http://" in line

    def test_malformed_xml(self, store: Store) -> None:
        line = fail_then_resume(store, make_repo(), Reply(b"broken xml"))
        assert "malformed XML" in line

    def test_html_error_page_with_200(self, store: Store) -> None:
        line = fail_then_resume(store, make_repo(), Reply(b"<html><body>Error</body></html>"))
        assert "not an OAI-PMH response" in line

    @pytest.mark.parametrize(
        "code",
        [
            "badArgument",
            "badVerb",
            "cannotDisseminateFormat",
            "idDoesNotExist",
            "noSetHierarchy",
            "noMetadataFormats",
        ],
    )
    def test_oai_error_codes_fail_the_source(self, store: Store, code: str) -> None:
        line = fail_then_resume(store, make_repo(), Reply(error_body(code, "said the server")))
        assert f"failed: OAI error {code} (said the server) at http://" in line

    @pytest.mark.parametrize("bomb", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["laughs", "xxe"])
    def test_xml_bombs_are_refused_not_expanded(self, store: Store, bomb: bytes) -> None:
        line = fail_then_resume(store, make_repo(), Reply(bomb))
        assert "refused a DOCTYPE" in line
        texts = " ".join(d.text for d in store.iter_documents())
        assert "lollol" not in texts and "root:" not in texts

    def test_a_resumption_token_that_repeats_forever(self, store: Store) -> None:
        repo = make_repo()
        first_page = repo(Request("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}))
        with LoopbackServer(repo) as server:
            repo.add_fault(2, *[first_page] * 3)
            result = harvest_source(store, source(server), options=fast_options())
            assert not result.ok
            assert "repeated (the list never ends)" in result.error
            assert store.count() == 10
            repo.faults.clear()
            assert_resumes_exactly(store, server)


class TestProtocolOutcomes:
    def test_no_records_match_is_success_with_nothing_new(self, store: Store) -> None:
        with LoopbackServer(make_repo(0)) as server:
            result = harvest_source(store, source(server), options=fast_options())
        assert result.ok and result.added == 0
        assert store.watermark("oai:noken").harvested_to  # type: ignore[union-attr]

    def test_bad_resumption_token_restarts_the_interval_once(self, store: Store) -> None:
        repo = make_repo()
        expired = False

        def app(request: Request) -> Reply:
            nonlocal expired
            reply = repo(request)
            if (
                request.verb == "ListRecords"
                and "resumptionToken" not in request.params
                and not expired
            ):
                repo.expire_tokens()  # the token just handed out is now stale
                expired = True
            return reply

        with LoopbackServer(app) as server:
            result = harvest_source(store, source(server), options=fast_options())
        assert result.ok, result.error
        assert (result.added, result.unchanged) == (N, 10)
        assert identifiers(store) == all_identifiers()

    def test_bad_resumption_token_twice_fails(self, store: Store) -> None:
        bad = Reply(error_body("badResumptionToken", "expired"))
        line = fail_then_resume(store, make_repo(), bad, bad)
        assert "OAI error badResumptionToken (expired)" in line

    def test_real_cannot_disseminate_format(self, store: Store) -> None:
        with LoopbackServer(make_repo()) as server:
            result = harvest_source(
                store, source(server, metadata_prefix="marcxml"), options=fast_options()
            )
        assert "OAI error cannotDisseminateFormat (marcxml)" in result.error
        assert store.count() == 0

    def test_real_no_set_hierarchy(self, store: Store) -> None:
        with LoopbackServer(make_repo()) as server:
            result = harvest_source(
                store, source(server, set_spec="jn:ART"), options=fast_options()
            )
        assert "OAI error noSetHierarchy" in result.error

    def test_empty_pages_are_followed(self, store: Store) -> None:
        pages = {
            "": "<resumptionToken>p2</resumptionToken>",
            "p2": "<resumptionToken>p3</resumptionToken>",
            "p3": "<resumptionToken>p4</resumptionToken>",
        }
        repo = make_repo(3)

        def app(request: Request) -> Reply:
            if request.verb == "Identify":
                return repo(request)
            token = request.params.get("resumptionToken", "")
            if token in pages:
                return Reply(envelope(f"<ListRecords>{pages[token]}</ListRecords>"))
            return repo(Request("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}))

        with LoopbackServer(app) as server:
            result = harvest_source(store, source(server), options=fast_options())
        assert result.ok and (result.pages, result.added) == (4, 3)

    def test_identify_failure_fails_the_source_before_any_list(self, store: Store) -> None:
        repo = make_repo()
        repo.identify_faults = [Reply(b"down", 503)] * 4
        with LoopbackServer(repo) as server:
            result = harvest_source(store, source(server), options=fast_options())
        assert result.error == (
            f"source noken: failed: HTTP 503 after 4 attempts at "
            f"{server.url}/index.php/jn/oai?verb=Identify"
        )


class TestIsolation:
    def test_a_failing_source_does_not_stop_the_others(self, store: Store) -> None:
        broken = make_repo()
        broken.add_fault(1, *[Reply(b"oops", 500)] * 4)
        good = make_repo()
        with LoopbackServer(broken) as bad_server, LoopbackServer(good) as good_server:
            sources = [source(bad_server, "broken"), source(good_server, "noken")]
            results = refresh(store, sources, options=fast_options())
            assert [r.ok for r in results] == [False, True]
            assert results[0].error.startswith("source broken: failed: HTTP 500 after 4 attempts")
            assert identifiers(store) == all_identifiers()
            rows = {row.name: row for row in status_rows(store, sources)}
        assert rows["broken"].last_error == results[0].error
        assert rows["broken"].last_complete is None and rows["broken"].records == 0
        assert rows["noken"].last_complete is not None and rows["noken"].records == N
        assert rows["noken"].last_error == ""

    def test_disabled_sources_are_not_harvested(self, store: Store) -> None:
        with LoopbackServer(make_repo()) as server:
            results = refresh(store, [source(server, enabled=False)], options=fast_options())
        assert results == [] and server.requests == []
