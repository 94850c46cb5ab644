"""The shortcut for words Sastrawi leaves unchanged never changes a stem (text/unchanged.py)."""

from __future__ import annotations

import pytest
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from pipeline.text.quality import read_sinta, read_unimorph
from pipeline.text.tokens import words
from pipeline.text.unchanged import UnchangedWords


@pytest.fixture(scope="module")
def sastrawi():
    return StemmerFactory().create_stemmer().delegatedStemmer


@pytest.fixture(scope="module")
def unchanged(sastrawi):
    return UnchangedWords(sastrawi.dictionary.words)


def test_dictionary_words_and_words_without_any_affix_are_told_unchanged(unchanged):
    for word in ("desa", "masyarakat", "sumatera", "development", "community", "lpm"):
        assert unchanged.certain(word), word


@pytest.mark.parametrize(
    "word",
    [
        "pemberdayaan",  # prefix + confix
        "masyarakatnya",  # suffix only
        "diberdayakan",
        "kinerja",  # the -in- infix: Sastrawi gives kerja
        "kauselor",  # the kau- prefix
        "pembelajaran",  # ajar through belajar
        "menyapu",  # a recoded first letter: sapu
    ],
)
def test_words_sastrawi_stems_are_never_told_unchanged(unchanged, sastrawi, word):
    assert not unchanged.certain(word)
    assert sastrawi.stem_word(word) != word


@pytest.mark.shared_data
def test_every_word_told_unchanged_is_one_sastrawi_leaves_unchanged(
    shared_data, sastrawi, unchanged
):
    """Every UniMorph form and lemma and every word of the SINTA abstracts (51,654 words)."""
    vocabulary = set()
    for lemma, form in read_unimorph(shared_data / "unimorph-ind" / "ind"):
        vocabulary.update((lemma.lower(), form.lower()))
    for title, abstract in read_sinta(shared_data / "sinta-abstracts"):
        vocabulary.update(w.lower() for w in words(f"{title}\n\n{abstract}"))
    vocabulary = {w for w in vocabulary if w.isascii() and w.isalpha()}
    assert len(vocabulary) > 35_000

    told = [w for w in sorted(vocabulary) if unchanged.certain(w)]
    wrong = [w for w in told if sastrawi.stem_word(w) != w]
    assert wrong == []
    # and it is worth having: most words Sastrawi leaves unchanged are told without it
    rest = vocabulary.difference(told)
    left_alone = sum(1 for w in rest if sastrawi.stem_word(w) == w)
    assert len(told) / (len(told) + left_alone) > 0.75
