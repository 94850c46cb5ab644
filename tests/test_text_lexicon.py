"""Segments, abbreviations, protected terms, thesaurus, audit, phrases, the parallel path."""

from __future__ import annotations

import csv

import pytest

from pipeline.documents import Document
from pipeline.text import resources
from pipeline.text.phrases import apply_phrases, learn_phrases
from pipeline.text.preprocess import Preprocessor, preprocess_parallel
from pipeline.text.segments import KEYWORDS, TEXT, Segment, is_mixed, split_segments
from pipeline.text.stemming import Stemmer, stemming_audit, write_stemming_audit
from pipeline.text.thesaurus import Thesaurus, default_thesaurus

OJS = (
    "ABSTRAK Penelitian ini membahas pemberdayaan masyarakat desa oleh pemerintah daerah. "
    "Kata kunci: pemberdayaan, desa ABSTRACT This study discusses community empowerment by "
    "local government in villages. Keywords: empowerment, village"
)


@pytest.fixture(scope="module")
def stemmer() -> Stemmer:
    return Stemmer()


class TestSegments:
    def test_ojs_headings_and_keyword_lines_split_the_abstract(self):
        assert split_segments(OJS) == [
            Segment(
                "id", "Penelitian ini membahas pemberdayaan masyarakat desa oleh pemerintah daerah."
            ),
            Segment("id", "pemberdayaan, desa", KEYWORDS),
            Segment(
                "en", "This study discusses community empowerment by local government in villages."
            ),
            Segment("en", "empowerment, village", KEYWORDS),
        ]

    def test_glued_headings_of_harvested_text(self):
        text = (
            "ABSTRAKPenelitian ini membahas pemberdayaan masyarakat di desa.Kata Kunci: desa."
            "ABSTRACTThis study discusses the empowerment of the community in the village."
        )
        assert [(s.language, s.kind) for s in split_segments(text)] == [
            ("id", TEXT),
            ("id", KEYWORDS),
            ("en", TEXT),
        ]

    def test_two_paragraphs_without_headings(self):
        text = (
            "Penelitian ini membahas partisipasi masyarakat dalam pembangunan desa. Hasilnya "
            "menunjukkan bahwa partisipasi masih rendah.\n\nThis study examines community "
            "participation in village development. The results show that participation is low."
        )
        segments = split_segments(text)
        assert [s.language for s in segments] == ["id", "en"]
        assert segments[1].text.startswith("This study")
        assert is_mixed(text)

    def test_other_languages_are_flagged(self):
        text = "Sugeng enjing, kula badhe tindak dhateng peken. Penelitian ini membahas desa."
        assert [s.language for s in split_segments(text)] == ["jv", "id"]

    def test_one_language_is_one_segment(self):
        assert not is_mixed("Penelitian ini membahas pemberdayaan masyarakat di desa.")
        assert len(split_segments("Penelitian ini membahas desa. Hasilnya baik.")) == 1


class TestAbbreviations:
    def test_are_never_stemmed_nor_dropped(self, stemmer):
        for lower in resources.abbreviations():
            assert stemmer.lookup(lower, "id") == lower
            assert stemmer.lookup(lower, "en") == lower
        pre = Preprocessor(thesaurus=False)
        assert pre.tokens("Peran LSM, KWT dan RT dalam Musrenbang", "id") == [
            "peran",
            "lsm",
            "kwt",
            "rt",
            "musrenbang",
        ]

    def test_are_shown_as_written_in_the_data_file(self, stemmer):
        stemmer.stem("BUMDes", "id")
        assert stemmer.surface("bumdes") == "BUMDes"


class TestProtectedTerms:
    def test_governance_words_keep_their_meaning(self, stemmer):
        assert stemmer.lookup("pemerintah", "id") != stemmer.lookup("pemerintahan", "id")
        assert stemmer.lookup("pemerintahannya", "id") == "pemerintahan"
        assert stemmer.lookup("kebijakan", "id") != stemmer.lookup("bijak", "id")
        assert stemmer.lookup("pemberdayaan", "id") != stemmer.lookup("daya", "id")
        assert stemmer.lookup("memberdayakan", "id") == stemmer.lookup("pemberdayaan", "id")
        assert stemmer.lookup("government", "en") != stemmer.lookup("governance", "en")

    def test_protected_terms_never_collapse_into_one_another(self, stemmer):
        for language, table in resources.protected_terms().items():
            by_stem: dict[str, set[str]] = {}
            for form, lemma in table.items():
                by_stem.setdefault(stemmer.lookup(form, language), set()).add(lemma)
            merged = {stem: lemmas for stem, lemmas in by_stem.items() if len(lemmas) > 1}
            assert merged == {}, language

    def test_bad_rows_are_named(self, tmp_path):
        path = tmp_path / "p.tsv"
        path.write_text("desa\tdesa\tjv\n")
        with pytest.raises(ValueError, match=r"p.tsv:1: language must be id or en"):
            resources.protected_terms.__wrapped__(path)


class TestThesaurus:
    def test_covers_the_field(self):
        thesaurus = default_thesaurus()
        assert len(thesaurus.concepts) >= 150
        domains = {c.domain for c in thesaurus.concepts.values()}
        assert {"governance", "empowerment", "village", "covid", "religion", "gender"} <= domains

    def test_no_term_belongs_to_two_concepts(self):
        pre = Preprocessor()  # read as the Preprocessor reads them (thesaurus_forms.tsv)
        for language in ("id", "en"):
            keys = default_thesaurus().keys(language, pre.match_stem)
            assert {k: v for k, v in keys.items() if len(v) > 1} == {}, language

    def test_both_languages_land_on_one_concept(self):
        pre = Preprocessor()
        assert pre.tokens("pemberdayaan masyarakat oleh LSM", "id") == [
            "c:community_empowerment",
            "c:ngo",
        ]
        assert pre.tokens("community empowerment by NGOs", "en") == [
            "c:community_empowerment",
            "c:ngo",
        ]
        assert pre.surface("c:ngo").startswith("non-governmental organization / lembaga")

    def test_longest_phrase_wins_and_inflection_does_not_matter(self):
        pre = Preprocessor()
        assert pre.tokens("pemerintah desa", "id") == ["c:village_government"]
        assert pre.tokens("pemerintah", "id") == ["c:government"]
        assert pre.tokens("villages", "en") == ["c:village"]

    def test_foreign_single_words_are_not_false_friends(self):
        pre = Preprocessor()
        assert pre.tokens("air", "id") == ["c:water"]
        assert "c:water" not in pre.tokens("air pollution", "en")
        assert pre.tokens("good governance", "id") == ["c:good_governance"]

    def test_a_custom_thesaurus_file(self, tmp_path):
        path = tmp_path / "t.tsv"
        path.write_text("kopi_rakyat\teconomy\tsmallholder coffee\tkopi rakyat\n")
        pre = Preprocessor(thesaurus=Thesaurus.load(path))
        assert pre.tokens("kopi rakyat", "id") == ["c:kopi_rakyat"]
        assert pre.surface("c:kopi_rakyat") == "smallholder coffee / kopi rakyat"


class TestAudit:
    def test_lists_the_forms_behind_each_stem(self, tmp_path):
        pre = Preprocessor()
        pre.tokens("pembangunan membangun bangunan pemberdayaan masyarakat", "id")
        rows = {row["token"]: row for row in stemming_audit(pre.stemmer)}
        assert rows["bangun"]["forms"] == "bangunan (1); membangun (1)"
        assert rows["c:community_empowerment"]["forms"] == "pemberdayaan masyarakat (1)"
        path = write_stemming_audit(pre.stemmer, tmp_path / "audit.csv")
        with path.open(encoding="utf-8") as handle:
            assert {r["token"] for r in csv.DictReader(handle)} == set(rows)


class TestPhrases:
    def test_learned_bigrams_are_deterministic_and_readable(self):
        stream = [["bank", "sampah", "desa"], ["bank", "sampah", "warga"]] * 5
        first, second = learn_phrases(stream, 2, 0.1), learn_phrases(stream, 2, 0.1)
        assert apply_phrases(first, ["bank", "sampah"]) == ["bank+sampah"]
        assert apply_phrases(second, ["bank", "sampah"]) == ["bank+sampah"]
        pre = Preprocessor(thesaurus=False, phrases=first)
        assert pre.tokens("bank sampah", "id") == ["bank+sampah"]
        assert pre.surface("bank+sampah") == "bank sampah"


class TestParallel:
    def test_same_tokens_in_the_same_order_and_same_surfaces(self):
        texts = [OJS, "Pembangunan desa oleh pemerintah desa.", "Kesejahteraan nelayan pesisir."]
        docs = [*texts * 4, Document(source="t", identifier="1", title="Kebijakan desa")]
        serial = Preprocessor()
        expected = [serial._one(d) for d in docs]
        parallel = Preprocessor()
        assert list(parallel.map_parallel(docs, workers=2, chunksize=2)) == expected
        assert parallel.stemmer.surfaces == serial.stemmer.surfaces
        assert preprocess_parallel(texts, workers=1) == expected[:3]


TEXT_READ_AGAIN = (
    "Kemitraan pemerintah daerah dan LSM dalam pemberdayaan masyarakat desa melalui BUMDes."
)


def test_text_read_again_does_not_count_as_surface_forms_twice():
    """Evidence sentences are tokenised after the corpus; the audit and labels must not see
    their words a second time."""
    pre = Preprocessor()
    tokens = pre.text_tokens(TEXT_READ_AGAIN)
    before = {t: dict(forms) for t, forms in pre.stemmer.surfaces.items()}
    again = pre.reread_tokens(TEXT_READ_AGAIN)
    assert again == tokens
    assert {t: dict(forms) for t, forms in pre.stemmer.surfaces.items()} == before
