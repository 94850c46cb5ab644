"""The Document record and the SQLite corpus store: identity, upserts, transactions, hashes."""

from __future__ import annotations

import sqlite3

import pytest

from pipeline.documents import Document, normalise_doi, normalise_title, stable_id
from pipeline.store import Store


def make_doc(identifier: str = "a1", **changes: object) -> Document:
    base = Document(
        source="test",
        identifier=identifier,
        title="Pemberdayaan Masyarakat Desa",
        abstracts={"id": "Kolaborasi pemerintah daerah dengan LSM."},
        year=2023,
        doi="10.1234/ABC",
        language="id",
    )
    return base.with_changes(**changes)


class TestIdentity:
    def test_id_depends_only_on_source_and_identifier(self):
        assert make_doc().id == make_doc(title="Another title").id == stable_id("test", "a1")
        assert make_doc("a2").id != make_doc("a1").id

    def test_doi_is_normalised_from_url_and_case(self):
        assert normalise_doi("https://doi.org/10.1234/ABC") == "10.1234/abc"
        assert normalise_doi("doi: 10.1234/Abc") == "10.1234/abc"

    def test_title_normalisation_ignores_case_accents_and_punctuation(self):
        assert normalise_title("Pemberdayaan: Masyarakat—Désa!") == "pemberdayaan masyarakat desa"

    def test_content_hash_changes_with_content_only(self):
        assert make_doc().content_hash == make_doc().content_hash
        assert make_doc().content_hash != make_doc(abstracts={"id": "lain"}).content_hash

    def test_title_only_when_no_abstract_and_no_full_text(self):
        assert make_doc(abstracts={}).title_only
        assert not make_doc().title_only


class TestStore:
    def test_upsert_adds_then_is_unchanged_then_updates(self, tmp_path):
        with Store(tmp_path / "c.sqlite") as store:
            assert store.upsert(make_doc()) == "added"
            assert store.upsert(make_doc()) == "unchanged"
            assert store.upsert(make_doc(title="Judul baru")) == "updated"
            assert store.count() == 1
            assert store.get(make_doc().id).title == "Judul baru"

    def test_round_trip_keeps_every_field(self, tmp_path):
        doc = make_doc(authors=("A", "B"), keywords=("x", "y"), extra={"role": "case"})
        with Store(tmp_path / "c.sqlite") as store:
            store.upsert(doc)
            assert store.get(doc.id) == doc

    def test_failed_batch_leaves_the_store_as_it_was(self, tmp_path):
        with Store(tmp_path / "c.sqlite") as store:
            store.upsert(make_doc("kept"))
            before = store.corpus_hash()

            def batch():
                yield make_doc("new-1")
                raise RuntimeError("bad record in the middle")

            with pytest.raises(RuntimeError, match="bad record"):
                store.upsert_many(batch())
            assert store.count() == 1
            assert store.corpus_hash() == before

    def test_corpus_hash_is_independent_of_insertion_order(self, tmp_path):
        docs = [make_doc(f"d{i}", title=f"t{i}") for i in range(5)]
        with Store(tmp_path / "a.sqlite") as a, Store(tmp_path / "b.sqlite") as b:
            a.upsert_many(docs)
            b.upsert_many(reversed(docs))
            assert a.corpus_hash() == b.corpus_hash()
            assert [d.id for d in a.iter_documents()] == sorted(d.id for d in docs)

    def test_tombstones_are_hidden_but_counted(self, tmp_path):
        with Store(tmp_path / "c.sqlite") as store:
            store.upsert(make_doc("live"))
            store.upsert(make_doc("gone", deleted=True))
            assert store.count() == 1
            assert store.count(include_deleted=True) == 2
            assert store.count_by_source() == {"test": (1, 1)}

    def test_find_duplicate_by_doi_then_title_and_year(self, tmp_path):
        with Store(tmp_path / "c.sqlite") as store:
            store.upsert(make_doc("first"))
            by_doi = make_doc("other", source="x", doi="https://doi.org/10.1234/abc")
            assert store.find_duplicate(by_doi).identifier == "first"
            by_title = make_doc("other", doi="", title="PEMBERDAYAAN masyarakat desa.")
            assert store.find_duplicate(by_title).identifier == "first"
            assert store.find_duplicate(by_title.with_changes(year=1999)) is None
            assert store.find_duplicate(by_doi, sources=["elsewhere"]) is None

    def test_watermark_survives_errors_until_the_next_complete_harvest(self, tmp_path):
        with Store(tmp_path / "c.sqlite") as store:
            store.set_watermark("oai:x", "2026-01-01T00:00:00Z")
            store.record_source_error("oai:x", "HTTP 500")
            mark = store.watermark("oai:x")
            assert mark.harvested_to == "2026-01-01T00:00:00Z"
            assert mark.last_error == "HTTP 500"
            store.set_watermark("oai:x", "2026-02-01T00:00:00Z")
            assert store.watermark("oai:x").last_error == ""

    def test_store_file_is_a_real_sqlite_database_in_wal_mode(self, tmp_path):
        path = tmp_path / "c.sqlite"
        Store(path).close()
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_many_connections_opening_a_new_store_at_once_all_succeed(tmp_path):
    """Two journals harvested at once into a fresh project open the same new store together;
    switching it to WAL must wait for the other, not fail with "database is locked"."""
    import threading

    for round_ in range(20):
        path = tmp_path / f"fresh-{round_}.sqlite"
        errors: list[BaseException] = []
        start = threading.Barrier(6)

        def open_store(path=path, errors=errors, start=start) -> None:
            start.wait()
            try:
                with Store(path) as store:
                    store.count_by_source()
            except BaseException as error:  # collected: a thread's exception is otherwise lost
                errors.append(error)

        threads = [threading.Thread(target=open_store) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
