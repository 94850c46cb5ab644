"""A run's corpus is streamed from the store, pinned to the documents it started with."""

from __future__ import annotations

import multiprocessing
import pickle
import tracemalloc

import pytest

from pipeline.corpus import CorpusChanged, DocumentsById, StoredCorpus
from pipeline.documents import Document
from pipeline.store import Store


def _doc(n: int, full_text: str = "") -> Document:
    return Document(
        source="test",
        identifier=f"w{n:05d}",
        title=f"Kemitraan pemerintah daerah dan LSM {n}",
        abstracts={"id": f"Pemberdayaan masyarakat desa nomor {n}."},
        year=2000 + n % 25,
        full_text=full_text,
    )


@pytest.fixture()
def store_path(tmp_path):
    path = tmp_path / "corpus.sqlite"
    with Store(path) as store:
        store.upsert_many(_doc(n) for n in range(50))
    return path


def test_reads_the_same_documents_in_the_same_order_as_the_store(store_path):
    corpus = StoredCorpus.open(store_path)
    with Store(store_path) as store:
        expected = list(store.iter_documents())
        assert corpus.corpus_hash() == store.corpus_hash()
    assert len(corpus) == 50
    assert list(corpus) == expected
    assert list(corpus) == expected  # a second pass reads again
    assert corpus[0] == expected[0] and corpus[-1] == expected[-1]
    assert corpus[10:13] == expected[10:13]
    with pytest.raises(IndexError):
        corpus[50]


def test_tombstoned_documents_are_not_part_of_the_corpus(store_path):
    with Store(store_path) as store:
        store.upsert(_doc(3).with_changes(deleted=True))
    corpus = StoredCorpus.open(store_path)
    assert len(corpus) == 49
    assert _doc(3).id not in corpus.ids


def test_a_document_changed_during_the_run_is_an_error_naming_it(store_path):
    corpus = StoredCorpus.open(store_path)
    changed = _doc(7).with_changes(title="Another title")
    with Store(store_path) as store:
        store.upsert(changed)
    index = corpus.ids.index(changed.id)
    with pytest.raises(CorpusChanged, match=changed.id):
        corpus[index]
    with pytest.raises(CorpusChanged, match=changed.id):
        list(corpus)


def test_documents_added_or_removed_during_the_run_are_an_error(store_path):
    corpus = StoredCorpus.open(store_path)
    with Store(store_path) as store:
        store.upsert(_doc(99))
    with pytest.raises(CorpusChanged, match="gained or lost"):
        list(corpus)

    corpus = StoredCorpus.open(store_path)
    with Store(store_path) as store:
        store.upsert(_doc(99).with_changes(deleted=True))
    with pytest.raises(CorpusChanged, match="lost documents"):
        list(corpus)


def _titles(corpus: StoredCorpus) -> list[str]:
    return [doc.title for doc in corpus]


def test_a_copy_in_another_process_reads_the_store_itself(store_path):
    corpus = StoredCorpus.open(store_path)
    copy = pickle.loads(pickle.dumps(corpus))
    assert list(copy) == list(corpus)
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(_titles, (corpus,)) == [d.title for d in corpus]


def test_holds_ids_not_texts(tmp_path):
    """2,000 documents with 50 KB of full text each: 100 MB of text stays in the store."""
    path = tmp_path / "big.sqlite"
    page = "Pemberdayaan masyarakat melalui kemitraan pemerintah daerah dan LSM. " * 740
    with Store(path) as store:
        store.upsert_many(_doc(n, full_text=page) for n in range(2_000))
    tracemalloc.start()
    corpus = StoredCorpus.open(path)
    lengths = [len(doc.full_text) for doc in corpus]  # a whole pass, one document at a time
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert sum(lengths) > 100_000_000
    assert held < 2_000_000  # ids and hashes
    assert peak < 10_000_000  # never more than a few documents at once
    assert len(corpus) == 2_000


def test_documents_by_id_reads_only_what_is_asked_for(store_path):
    corpus = StoredCorpus.open(store_path)
    by_id = DocumentsById(corpus, corpus.ids)
    assert len(by_id) == 50
    assert by_id.get(_doc(4).id) == _doc(4)
    assert by_id.get("nope") is None
