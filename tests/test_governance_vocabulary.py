"""Governance vocabulary through the real Preprocessor: levels apart, inflections together.

The hand-checked list tests/data/governance_words.tsv pins the token each governance word must
reach; the tests below add what one row cannot say: that the levels of regional government and
their heads are all different tokens, in both languages, and that the concept audit reports what
each concept absorbed.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from pipeline.text import resources
from pipeline.text.concept_audit import concept_audit
from pipeline.text.preprocess import Preprocessor
from pipeline.text.stemming import Stemmer
from pipeline.text.thesaurus import default_thesaurus

WORDS_FILE = Path(__file__).parent / "data" / "governance_words.tsv"

# (Indonesian, English) for each level and each head of a level, top to bottom.
LEVELS = {
    "c:province": ("provinsi", "province"),
    "c:governor": ("gubernur", "governor"),
    "c:regency_city": ("kabupaten", "regency"),
    "c:regent_mayor": ("bupati", "regent"),
    "c:sub_district": ("kecamatan", "sub-district"),
    "c:sub_district_head": ("camat", "sub-district head"),
    "c:village": ("desa", "village"),
    "c:village_head": ("kepala desa", "village head"),
    "c:village_consultative_body": ("BPD", "village consultative body"),
    "c:community_empowerment_institution": ("LPM", "community empowerment institution"),
    "c:village_enterprise": ("BUMDes", "village-owned enterprise"),
    "c:musrenbang": ("Musrenbang", "development planning deliberation"),
}


def _rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for number, cells in resources.read_rows(WORDS_FILE, 4):
        word, language, expected, group = cells[:4]
        if language not in ("id", "en"):
            raise ValueError(f"{WORDS_FILE.name}:{number}: language must be id or en")
        rows.append((word, language, expected, group))
    return rows


ROWS = _rows()


@pytest.fixture(scope="module")
def pre() -> Preprocessor:
    return Preprocessor()


@pytest.mark.parametrize(("word", "language", "expected", "group"), ROWS, ids=lambda v: str(v))
def test_each_governance_word_reaches_its_token(pre, word, language, expected, group):
    assert pre.tokens(word, language, count=False) == [expected], group


def test_the_list_is_long_and_names_only_concepts_that_exist():
    assert len(ROWS) >= 100
    groups = Counter(group for *_, group in ROWS)
    assert {"level", "inflection", "lexeme", "institution", "leak"} <= set(groups)
    known = set(default_thesaurus().labels())
    unknown = {e for _, _, e, _ in ROWS if e.startswith("c:") and e not in known}
    assert unknown == set()


def test_every_level_and_every_head_is_its_own_concept_in_both_languages(pre):
    for concept, (indonesian, english) in LEVELS.items():
        assert pre.tokens(indonesian, "id", count=False) == [concept], indonesian
        assert pre.tokens(english, "en", count=False) == [concept], english
    assert len(set(LEVELS)) == len(LEVELS)


def test_a_sentence_keeps_the_levels_apart(pre):
    text = (
        "Bupati dan camat mendampingi kepala desa, lurah dan BPD di tiap kecamatan, "
        "kelurahan dan desa kabupaten ini."
    )
    assert pre.tokens(text, "id", count=False) == [
        "c:regent_mayor",
        "c:sub_district_head",
        "c:facilitation",
        "c:village_head",
        "c:village_head",
        "c:village_consultative_body",
        "c:sub_district",
        "c:village",
        "c:village",
        "c:regency_city",
    ]


def test_units_are_read_apart_from_their_heads_while_their_stems_stay_sastrawis(pre):
    """Sastrawi folds kecamatan into camat and kelurahan into lurah, rightly as morphology (and
    UniMorph agrees); the thesaurus reads the units by thesaurus_forms.tsv instead."""
    stemmer = Stemmer()
    for unit, head in (("kecamatan", "camat"), ("kelurahan", "lurah")):
        assert stemmer.lookup(unit, "id") == head  # the stem, cache and benchmark unchanged
        assert pre.match_stem(unit, "id") != pre.match_stem(head, "id"), unit
    for unit, other in (("kedesaan", "desa"), ("desakan", "desa"), ("perkotaan", "kota")):
        assert pre.match_stem(unit, "id") != pre.match_stem(other, "id"), unit
    assert pre.match_stem("kecamatannya", "id") == pre.match_stem("kecamatan", "id")


def test_thesaurus_forms_are_checked_like_protected_terms(tmp_path):
    path = tmp_path / "f.tsv"
    path.write_text("kecamatan\tkecamatan\tjv\n")
    with pytest.raises(ValueError, match=r"f.tsv:1: language must be id or en"):
        resources.thesaurus_forms.__wrapped__(path)


def test_a_stop_word_is_never_a_concept(pre):
    """The stop word "sebuah" (a, one) stems to buah (fruit, horticulture): no concept."""
    assert pre.tokens("sebuah kebun buah", "id", count=False) == ["c:plantation", "c:horticulture"]
    assert pre.tokens("dari bawah", "id", count=False) == ["c:bottom_up"]  # phrases still match


class TestConceptAudit:
    def test_lists_the_forms_each_concept_absorbed_with_counts(self):
        pre = Preprocessor()
        pre.tokens("Kelurahan dan desa didampingi camat. Pendampingan desa.", "id")
        pre.tokens("The village head and the villages.", "en")
        rows = {r["concept"]: r for r in concept_audit(pre.thesaurus, pre.stemmer.surfaces)}
        assert rows["c:village"]["forms"] == "desa (2); kelurahan (1); villages (1)"
        assert rows["c:village"]["tokens_seen"] == 4
        assert rows["c:facilitation"]["forms"] == "didampingi (1); pendampingan (1)"
        assert rows["c:village_head"]["forms"] == "village head (1)"
        assert rows["c:sub_district_head"]["label"] == "sub-district head / camat"
        assert "c:province" not in rows  # concepts the run never saw are left out

    def test_english_words_the_bridge_mapped_onto_a_concept_are_listed_apart(self):
        pre = Preprocessor()
        pre.tokens("district district", "en")
        pre.tokens("district", "id")  # an Indonesian word of the same stem is no English form
        rows = concept_audit(
            pre.thesaurus,
            pre.stemmer.surfaces,
            {"district": "c:regency_city", "x": "desa"},
            pre.stemmer.surfaces_in("en"),
        )
        assert rows == [
            {
                "concept": "c:regency_city",
                "label": "regency / kabupaten",
                "domain": "administration",
                "tokens_seen": 0,
                "distinct_forms": 0,
                "forms": "",
                "bridged_english": "district (2)",
            }
        ]
