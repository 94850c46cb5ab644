"""Real responses through the real path: ../shared data served from the loopback server.

- Sickle's sample pages (a four-page list with tombstones, one file per OAI error code, a broken
  document), served as files;
- the Zenodo exchanges recorded by oaipmh-scythe, replayed request by request (HTTP 422 with OAI
  errors, Retry-After on every answer, opaque resumption tokens);
- an OJS-shaped endpoint over the 3,600-odd SINTA abstracts, pages of 100 with resumption tokens.

The data is read in place; nothing from it is copied into the project.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import unescape

import pytest
import yaml

from pipeline.documents import normalise_title
from pipeline.harvest import Source, harvest_source
from pipeline.ingest.oai import (
    GRANULARITY_SECONDS,
    MalformedResponse,
    OAIClient,
    ProtocolError,
    RawResponse,
    parse_identify,
    parse_response,
)
from pipeline.store import Store
from tests.oaiserver import (
    LoopbackServer,
    OAIRepository,
    Reply,
    Request,
    fast_options,
    sinta_records,
)

pytestmark = pytest.mark.shared_data
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "corpus.sqlite") as opened:
        yield opened


# -- Sickle's sample pages ---------------------------------------------------------------------


def sickle_app(folder: Path, first_page: str = "ListRecords.xml") -> Any:
    """Identify.xml for Identify; ``first_page`` for ListRecords; a token names the next file."""

    def app(request: Request) -> Reply:
        if request.verb == "Identify":
            return Reply((folder / "Identify.xml").read_bytes())
        token = request.params.get("resumptionToken")
        name = token if token else first_page
        if "/" in name or not (folder / name).is_file():
            return Reply(b"not here", 404)
        return Reply((folder / name).read_bytes())

    return app


class TestSickleSamples:
    def test_four_page_list_with_tombstones(self, store: Store, shared_data: Path) -> None:
        with LoopbackServer(sickle_app(shared_data / "oai-pmh" / "sickle")) as server:
            source = Source("sickle", server.url + "/oai")
            result = harvest_source(store, source, options=fast_options())
            assert result.ok, result.error
            assert (result.pages, result.added, result.deleted) == (4, 1, 1)
            assert (result.unchanged, result.skipped) == (5, 1)  # page 4: a header with no id
            assert result.harvested_to == "2013-02-27T09:10:56Z"
            again = harvest_source(store, source, options=fast_options())
        assert again.ok
        assert server.requests[-4].params["from"] == "2013-02-26"  # granularity YYYY-MM-DD
        doc = next(store.iter_documents())
        assert doc.identifier == "oai:test.example.com:1585322"
        assert (doc.title, doc.authors, doc.year) == ("Sample Title", ("John Doe",), 2010)
        assert (doc.language, list(doc.abstracts)) == ("en", ["en"])
        assert doc.abstracts["en"].startswith("Lorem ipsum dolor sit amet")
        assert doc.venue == "Sample Source"
        assert doc.url == "http://test.example.com/publication/1585322"
        assert store.count_by_source()["oai:sickle"] == (1, 1)

    @pytest.mark.parametrize(
        ("page", "expected"),
        [
            ("badArgument.xml", "OAI error badArgument at"),
            ("cannotDisseminateFormat.xml", "OAI error cannotDisseminateFormat at"),
            ("idDoesNotExist.xml", "OAI error idDoesNotExist (oai:lcoa1.loc.gov:"),
            ("noSetHierarchy.xml", "OAI error noSetHierarchy"),
            ("undefinedError.xml", "OAI error undefinedError at"),
            ("badResumptionToken.xml", "OAI error badResumptionToken (This resumptionToken"),
            ("ListRecordsBroken.xml", "malformed XML at"),
            ("Identify.xml", "no <ListRecords> in the response at"),
        ],
    )
    def test_error_pages_fail_the_source_with_one_line(
        self, store: Store, shared_data: Path, page: str, expected: str
    ) -> None:
        app = sickle_app(shared_data / "oai-pmh" / "sickle", first_page=page)
        with LoopbackServer(app) as server:
            result = harvest_source(
                store, Source("sickle", server.url + "/oai"), options=fast_options()
            )
        assert not result.ok
        assert result.error.startswith("source sickle: failed: ")
        assert expected in result.error and "\n" not in result.error
        assert store.watermark("oai:sickle").harvested_to is None  # type: ignore[union-attr]

    def test_no_records_match_page_is_success(self, store: Store, shared_data: Path) -> None:
        app = sickle_app(shared_data / "oai-pmh" / "sickle", first_page="noRecordsMatch.xml")
        with LoopbackServer(app) as server:
            result = harvest_source(
                store, Source("sickle", server.url + "/oai"), options=fast_options()
            )
        assert result.ok and result.added == 0
        assert result.harvested_to == "2002-02-08T14:27:19Z"


# -- Zenodo, replayed ----------------------------------------------------------------------------


def zenodo_app(folder: Path) -> Any:
    """Answer each recorded request (matched on path and query arguments) with its response."""
    recorded: dict[tuple[str, frozenset[tuple[str, str]]], dict[str, Any]] = {}
    for cassette in sorted(folder.glob("*.yaml")):
        text = cassette.read_text(encoding="utf-8")
        for interaction in yaml.load(text, Loader=_YAML_LOADER)["interactions"]:
            split = urlsplit(interaction["request"]["uri"])
            key = (split.path, frozenset(parse_qsl(split.query)))
            recorded.setdefault(key, interaction["response"])

    def app(request: Request) -> Reply:
        response = recorded.get((request.path, frozenset(request.params.items())))
        if response is None:
            return Reply(b"not recorded", 404)
        headers = {
            name: values[0]
            for name, values in response["headers"].items()
            if name.lower() in {"content-type", "retry-after"}
        }
        body = (response["body"].get("content") or "").encode()
        return Reply(body, response["status"], headers)

    return app


class TestZenodoReplay:
    def test_identify(self, shared_data: Path) -> None:
        with LoopbackServer(zenodo_app(shared_data / "oai-pmh" / "zenodo")) as server:
            with OAIClient(server.url + "/oai2d", fast_options()) as client:
                identify = client.identify()
            with OAIClient(server.url + "/oai/dataprovider", fast_options()) as client:
                other = client.identify()
            with (
                OAIClient(server.url + "/html", fast_options()) as client,
                pytest.raises(MalformedResponse, match="an HTML page, not an OAI-PMH"),
            ):
                client.identify()
        assert identify.granularity == GRANULARITY_SECONDS
        assert identify.repository_name
        assert other.granularity in ("YYYY-MM-DD", GRANULARITY_SECONDS)

    def test_harvest_follows_opaque_tokens_and_ignores_retry_after_on_success(
        self, store: Store, shared_data: Path
    ) -> None:
        sleeps: list[float] = []
        with LoopbackServer(zenodo_app(shared_data / "oai-pmh" / "zenodo")) as server:
            source = Source("zenodo", server.url + "/oai2d")
            result = harvest_source(store, source, options=fast_options(sleeps))
        assert result.ok, result.error
        assert (result.pages, result.added, result.deleted) == (3, 8, 1)  # one real tombstone
        assert sleeps == []
        docs = list(store.iter_documents())
        assert all(d.doi.lower().startswith("10.5281/zenodo.") for d in docs)
        assert all(d.url.startswith("https://doi.org/10.5281/") for d in docs)
        assert all(d.year and d.year >= 2000 for d in docs)

    def test_http_422_with_oai_errors(self, store: Store, shared_data: Path) -> None:
        with LoopbackServer(zenodo_app(shared_data / "oai-pmh" / "zenodo")) as server:
            bad_prefix = Source("zenodo", server.url + "/oai2d", metadata_prefix="XXX")
            failed = harvest_source(store, bad_prefix, options=fast_options())
            empty_set = Source("zenodo-set", server.url + "/oai2d", set_spec="XXX")
            empty = harvest_source(store, empty_set, options=fast_options())
            with OAIClient(server.url + "/oai2d", fast_options()) as client:
                pages = list(client.list_records("oai_dc", from_="2030-01-01"))
                first = next(client.list_records("oai_dc", from_="2026-04-01"))
                token = parse_response_error(
                    client, {"verb": "ListRecords", "resumptionToken": "XXX"}
                )
                missing = parse_response_error(
                    client,
                    {
                        "verb": "GetRecord",
                        "identifier": "oai:zenodo.org:XXX",
                        "metadataPrefix": "oai_dc",
                    },
                )
        assert "failed: OAI error badArgument (metadataPrefix does not exist) at" in failed.error
        assert empty.ok and empty.added == 0
        assert [len(p.records) for p in pages] == [0]
        assert len(first.records) == 50 and first.token and first.complete_list_size
        assert token.code == "badResumptionToken"
        assert missing.code == "idDoesNotExist"


def parse_response_error(client: OAIClient, params: dict[str, str]) -> ProtocolError:
    with pytest.raises(ProtocolError) as failure:
        parse_response(client.fetch(params))
    return failure.value


def test_identify_parser_on_recorded_bytes(shared_data: Path) -> None:
    body = (shared_data / "oai-pmh" / "sickle" / "Identify.xml").read_bytes()
    identify = parse_identify(RawResponse("file:Identify.xml", 200, body))
    assert (identify.granularity, identify.deleted_record) == ("YYYY-MM-DD", "persistent")


# -- the SINTA abstracts as an OJS endpoint ----------------------------------------------------


@pytest.mark.slow
def test_sinta_endpoint_full_then_incremental(store: Store, shared_data: Path) -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    records = sinta_records(shared_data / "sinta-abstracts", start)
    assert len(records) > 3600
    repo = OAIRepository(records, page_size=100)
    works = {_work_key(r.metadata) for r in records}
    with LoopbackServer(repo) as server:
        source = Source("sinta", server.url + "/index.php/j/oai")
        first = harvest_source(store, source, options=fast_options(timeout=30))
        assert first.ok, first.error
        assert first.pages == -(-len(records) // 100)
        assert first.added + first.duplicates == len(records)
        assert store.count() == len(works) == first.added

        listed = len(server.requests)
        second = harvest_source(store, source, options=fast_options(timeout=30))
        assert second.ok and (second.added, second.updated, second.deleted) == (0, 0, 0)
        assert len(server.requests) - listed == 2  # Identify, and one noRecordsMatch

        now = datetime.now(UTC).replace(microsecond=0)
        for record in records[:3]:
            changed = record.metadata.replace("</dc:title>", " (revisi)</dc:title>", 1)
            repo.put(replace(record, metadata=changed, datestamp=now))
        for record in records[3:5]:
            repo.delete(record.identifier, now)
        third = harvest_source(store, source, options=fast_options(timeout=30))
    assert third.ok and (third.updated, third.deleted, third.added) == (3, 2, 0)
    assert store.count() == len(works) - 2
    docs = list(store.iter_documents())
    assert sum(d.title.endswith("(revisi)") for d in docs) == 3
    assert all(d.abstracts and d.venue and d.doi and d.extra["galley_urls"] for d in docs)
    languages = {lang for d in docs for lang in d.abstracts}
    assert {"id", "en"} <= languages


def _work_key(metadata: str) -> tuple[str, str]:
    """(normalised title, year) of a generated record: what the harvester dedups on."""
    title = metadata.split("<dc:title>", 1)[1].split("</dc:title>", 1)[0]
    year = metadata.split("<dc:date>", 1)[1][:4]
    return normalise_title(unescape(title)), year
