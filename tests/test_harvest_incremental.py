"""Incremental and exact: watermarks, overlap, updates, deletions, duplicates, configuration."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.harvest import ConfigError, Source, harvest_source, load_sources, status_rows
from pipeline.ingest.oai import parse_datestamp
from pipeline.store import Store
from tests.oaiserver import (
    GRANULARITY_DAY,
    LoopbackServer,
    OAIRepository,
    Reply,
    article,
    fast_options,
    oai_dc,
)

T0 = datetime(2022, 1, 1, tzinfo=UTC)
REPO_ROOT = Path(__file__).resolve().parents[1]


def make_repo(n: int = 25, **kwargs: object) -> OAIRepository:
    records = [article(i, when=T0 + timedelta(hours=i)) for i in range(1, n + 1)]
    return OAIRepository(records, page_size=10, **kwargs)  # type: ignore[arg-type]


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "corpus.sqlite") as opened:
        yield opened


def harvest(store: Store, server: LoopbackServer, name: str = "noken", **changes: object):  # type: ignore[no-untyped-def]
    src = Source(name, server.url + "/oai", **changes)  # type: ignore[arg-type]
    return harvest_source(store, src, options=fast_options())


class TestWatermark:
    def test_refresh_asks_from_watermark_minus_overlap(self, store: Store) -> None:
        with LoopbackServer(make_repo()) as server:
            first = harvest(store, server)
            second = harvest(store, server)
        assert first.ok and second.ok
        assert (second.added, second.updated, second.unchanged) == (0, 0, 0)
        asked = server.requests[-1].params
        assert "from" not in server.requests[1].params
        expected = parse_datestamp(first.harvested_to) - timedelta(days=1)
        assert asked["from"] == expected.strftime("%Y-%m-%dT%H:%M:%SZ")

    def test_day_granularity_is_respected(self, store: Store) -> None:
        # The loopback repository answers badArgument to a from finer than its granularity.
        with LoopbackServer(make_repo(granularity=GRANULARITY_DAY)) as server:
            assert harvest(store, server).ok
            second = harvest(store, server)
        assert second.ok, second.error
        assert len(server.requests[-1].params["from"]) == len("2024-01-01")

    def test_overlap_rereads_recent_changes_as_unchanged(self, store: Store) -> None:
        repo = make_repo()
        with LoopbackServer(repo) as server:
            assert harvest(store, server).ok
            repo.put(replace(repo.records["oai:journal.example.org:article/3"], datestamp=now()))
            second = harvest(store, server)
        assert (second.unchanged, second.added, second.updated) == (1, 0, 0)

    def test_failed_refresh_keeps_the_old_watermark_and_the_next_has_no_gap(
        self, store: Store
    ) -> None:
        repo = make_repo()
        with LoopbackServer(repo) as server:
            first = harvest(store, server)
            mark = store.watermark("oai:noken")
            assert mark is not None and mark.harvested_to == first.harvested_to
            for i in range(1, 16):  # 15 records change: two pages
                repo.put(article(i, when=now(), abstract_id=f"Abstrak baru yang ke-{i} dari desa."))
            repo.add_fault(2, *[Reply(b"oops", 500)] * 4)
            failed = harvest(store, server)
            assert not failed.ok and failed.updated == 10
            after = store.watermark("oai:noken")
            assert after is not None and after.harvested_to == first.harvested_to
            assert after.last_error == failed.error
            resumed = harvest(store, server)
        assert resumed.ok
        assert (resumed.updated, resumed.unchanged) == (5, 10)
        changed = [
            d for d in store.iter_documents() if d.abstracts["id"].startswith("Abstrak baru")
        ]
        assert len(changed) == 15 and store.count() == 25


class TestChanges:
    def test_updated_record_replaces_the_old_one(self, store: Store) -> None:
        repo = make_repo()
        with LoopbackServer(repo) as server:
            harvest(store, server)
            old = next(d for d in store.iter_documents() if d.identifier.endswith("/7"))
            repo.put(article(7, when=now(), title="Judul yang diperbaiki tentang desa"))
            result = harvest(store, server)
        assert (result.updated, result.added) == (1, 0)
        new = store.get(old.id)
        assert new is not None and new.title == "Judul yang diperbaiki tentang desa"
        assert store.count() == 25

    def test_deleted_record_becomes_a_tombstone_keeping_its_content(self, store: Store) -> None:
        repo = make_repo()
        with LoopbackServer(repo) as server:
            harvest(store, server)
            repo.delete("oai:journal.example.org:article/4", now())
            result = harvest(store, server)
            again = harvest(store, server)
        assert (result.deleted, result.updated) == (1, 0)
        assert again.deleted == 0 and again.unchanged == 1
        doc = next(
            d for d in store.iter_documents(include_deleted=True) if d.identifier.endswith("/4")
        )
        assert doc.deleted and doc.title.startswith("Pemberdayaan")
        assert store.count() == 24
        assert store.count_by_source()["oai:noken"] == (24, 1)

    def test_deleted_before_ever_seen_is_a_bare_tombstone(self, store: Store) -> None:
        repo = make_repo(3)
        repo.delete("oai:journal.example.org:article/2", T0)
        with LoopbackServer(repo) as server:
            result = harvest(store, server)
        assert (result.added, result.deleted) == (2, 1)
        assert store.count_by_source()["oai:noken"] == (2, 1)

    def test_record_listed_on_two_pages_is_stored_once(self, store: Store) -> None:
        repo = make_repo()
        repo.repeat_on_page[3] = ["oai:journal.example.org:article/5"]
        with LoopbackServer(repo) as server:
            result = harvest(store, server)
        assert (result.added, result.unchanged) == (25, 1)
        assert store.count() == 25

    def test_record_without_identifier_is_skipped(self, store: Store) -> None:
        repo = make_repo(2)
        repo.put(replace(repo.records["oai:journal.example.org:article/2"], identifier=""))
        with LoopbackServer(repo) as server:
            result = harvest(store, server)
        assert result.ok and (result.added, result.skipped) == (2, 1)


class TestDuplicatesAcrossSources:
    def test_same_work_in_two_sources_is_stored_once(self, store: Store) -> None:
        journal = make_repo(10)
        # An aggregator re-publishes articles 5-15 under its own OAI identifiers; DOIs are equal.
        aggregated = [
            replace(article(i, when=T0), identifier=f"oai:aggregator.example.org:{i}")
            for i in range(5, 16)
        ]
        aggregator = OAIRepository(aggregated, page_size=4)
        with LoopbackServer(journal) as a, LoopbackServer(aggregator) as b:
            harvest(store, a, "noken")
            result = harvest(store, b, "aggregator")
        assert (result.added, result.duplicates) == (5, 6)
        assert store.count() == 15

    def test_same_oai_identifier_in_two_sources(self, store: Store) -> None:
        with LoopbackServer(make_repo(5)) as a, LoopbackServer(make_repo(5)) as b:
            harvest(store, a, "noken")
            result = harvest(store, b, "mirror")
        assert (result.added, result.duplicates) == (0, 5)

    def test_same_title_and_year_without_doi(self, store: Store) -> None:
        bare = oai_dc(
            titles=[("Pemberdayaan masyarakat desa melalui kemitraan nomor 3", "id")],
            dates=["2018-01-01"],  # article 3's year: 2015 + 3 % 9
        )
        other = OAIRepository([article(3, when=T0)])
        other.put(replace(other.records["oai:journal.example.org:article/3"], metadata=bare))
        other.records = {
            "oai:other:3": replace(other.records.popitem()[1], identifier="oai:other:3")
        }
        with LoopbackServer(make_repo(5)) as a, LoopbackServer(other) as b:
            harvest(store, a, "noken")
            result = harvest(store, b, "other")
        assert result.duplicates == 1 and store.count() == 5

    def test_registry_records_are_not_dedup_targets(self, store: Store) -> None:
        registry = article(1, when=T0)
        with LoopbackServer(make_repo(1)) as server:
            harvest(store, server)
        doc = next(store.iter_documents())
        store.upsert(doc.with_changes(source="registry", identifier="oku2024"))
        store.upsert(doc.with_changes(deleted=True))
        with LoopbackServer(OAIRepository([registry])) as server:
            result = harvest(store, server, "again")
        assert result.added == 1  # the registry copy does not count as a harvested duplicate


class TestConfiguration:
    def test_project_sources_file(self) -> None:
        config = load_sources(REPO_ROOT / "corpus" / "sources.toml")
        assert config.cron == "0 3 * * 1"
        noken = next(s for s in config.sources if s.name == "noken")
        assert noken.base_url == "https://ejournal.um-sorong.ac.id/index.php/jn/oai"
        assert noken.enabled and not noken.fetch_fulltext and noken.metadata_prefix == "oai_dc"
        assert noken.source_id == "oai:noken"
        assert all(s.base_url.endswith("/oai") for s in config.sources)
        assert "pdp-uigm" in {s.name for s in config.enabled}

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ('[[source]]\nname = "x"\nbase_url = "https://a/oai"\ncolour = 1\n', "unknown key"),
            ('[[source]]\nname = "X Y"\nbase_url = "https://a/oai"\n', "name must be"),
            ('[[source]]\nname = "x"\nbase_url = "ftp://a"\n', "base_url must be"),
            ('[schedule]\ncron = "weekly"\n', "five fields"),
            ("[[source]\n", "not valid TOML"),
        ],
    )
    def test_bad_files_name_the_problem(self, tmp_path: Path, text: str, message: str) -> None:
        path = tmp_path / "sources.toml"
        path.write_text(text)
        with pytest.raises(ConfigError, match=message):
            load_sources(path)

    def test_set_and_defaults(self, tmp_path: Path) -> None:
        path = tmp_path / "sources.toml"
        path.write_text('[[source]]\nname = "jn"\nbase_url = "https://a/oai"\nset = "jn:ART"\n')
        config = load_sources(path)
        assert config.cron == "0 3 * * 1"
        assert config.sources[0].set_spec == "jn:ART" and config.sources[0].enabled

    def test_status_rows_before_any_harvest(self, store: Store) -> None:
        rows = status_rows(store, [Source("noken", "https://a/oai")])
        assert rows[0].last_complete is None and rows[0].records == 0 and rows[0].last_error == ""
