"""The synthetic corpus of bench/synthetic.py: seeded, streaming, two languages, real affixes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from bench.synthetic import (
    JOURNALS,
    THEMES,
    ber,
    di,
    ke_an,
    men,
    pen,
    pen_an,
    synthetic_document,
    synthetic_documents,
    vocabulary_growth,
)
from pipeline.text.segments import split_segments


def test_same_seed_same_documents_other_seed_others():
    first = list(synthetic_documents(25, seed=1))
    assert first == list(synthetic_documents(25, seed=1))
    assert [d.title for d in first] != [d.title for d in synthetic_documents(25, seed=2)]


def test_documents_stream_and_do_not_depend_on_what_came_before():
    stream = synthetic_documents(10_000_000)
    assert isinstance(stream, Iterator)
    assert next(stream) == synthetic_document(0)
    assert list(synthetic_documents(3, start=40)) == [synthetic_document(i) for i in (40, 41, 42)]


def test_indonesian_words_take_real_affixes():
    assert [men("kelola"), men("pakai"), men("tanam"), men("salur", "kan")] == [
        "mengelola",
        "memakai",
        "menanam",
        "menyalurkan",
    ]
    assert men("produksi") == "memproduksi"  # p before a consonant stays
    assert [men("damping", "i"), di("damping", "i"), pen_an("damping"), pen("damping")] == [
        "mendampingi",
        "didampingi",
        "pendampingan",
        "pendamping",
    ]
    assert [pen_an("berdaya"), men("berdaya", "kan")] == ["pemberdayaan", "memberdayakan"]
    assert [ber("daya"), ber("rencana"), ke_an("sejahtera")] == [
        "berdaya",
        "berencana",
        "kesejahteraan",
    ]


def test_both_languages_alone_side_by_side_and_in_one_field():
    docs = list(synthetic_documents(200, seed=3))
    modes = Counter(d.extra["abstract_mode"] for d in docs)
    assert set(modes) == {"id", "en", "id+en", "one-field"}
    assert all(
        set(d.abstracts) == {"id", "en"} for d in docs if d.extra["abstract_mode"] == "id+en"
    )
    one_field = next(d for d in docs if d.extra["abstract_mode"] == "one-field")
    text = one_field.abstracts["und"]
    assert text.startswith("ABSTRAK") and "ABSTRACT" in text and "Kata kunci:" in text
    languages = {s.language for s in split_segments(text) if s.kind == "text"}
    assert languages == {"id", "en"}
    english = next(d for d in docs if d.extra["abstract_mode"] == "en")
    assert english.language == "en" and re.search(r"\b(the|of|and)\b", english.abstracts["en"])
    indonesian = next(d for d in docs if d.extra["abstract_mode"] == "id")
    assert re.search(r"\b(yang|dan|dalam)\b", indonesian.abstracts["id"])


def test_lengths_metadata_and_journals_look_like_the_literature():
    docs = list(synthetic_documents(150, seed=4))
    for doc in docs:
        for lang, text in doc.abstracts.items():
            parts = text.split("\n\nABSTRACT\n") if lang == "und" else [text]
            for part in parts:
                body = part.split("\nKata kunci:")[0].split("\nKeywords:")[0]
                assert 120 <= len(body.split()) <= 290, (doc.identifier, lang)
        assert 3 <= len(doc.keywords) <= 5 and doc.title and doc.authors
        assert 2008 <= doc.year <= 2025 and doc.venue in {j.name for j in JOURNALS}
        assert set(doc.extra["synthetic_themes"]) <= {t.key for t in THEMES}
    assert len(JOURNALS) == 30 and len(THEMES) >= 15
    assert len({d.venue for d in docs}) >= 15


def test_the_vocabulary_keeps_growing_with_the_corpus():
    (_, _, small, _), (_, _, large, _) = vocabulary_growth([100, 400], seed=5)
    assert large > 1.6 * small  # a long tail of rare words, not a closed word list
