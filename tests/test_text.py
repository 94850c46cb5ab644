"""Tokens, stop words, stemming and language: the text stage."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.documents import Document
from pipeline.text.language import detect_language
from pipeline.text.preprocess import Preprocessor
from pipeline.text.stemming import Stemmer, StemmerConfig
from pipeline.text.stopwords import stopwords
from pipeline.text.tokens import normalise, repair_mojibake, sentences, words


def _mojibake(text: str) -> str:
    """What a UTF-8 text looks like read as cp1252 (latin-1 for the bytes cp1252 lacks)."""
    out = []
    for byte in text.encode("utf-8"):
        try:
            out.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


class TestTokens:
    def test_urls_emails_and_citations_are_removed(self):
        text = "Lihat https://ojs.example/a dan tulis ke x@y.ac.id (Lestari & Susanti, 2023)."
        assert list(words(text)) == ["lihat", "dan", "tulis", "ke"]

    def test_reduplication_is_folded(self):
        assert list(words("desa-desa dan masing-masing")) == ["desa", "dan", "masing"]

    def test_numbers_and_single_letters_are_dropped(self):
        assert list(words("Tahun 2023 ada 5 desa a b")) == ["tahun", "ada", "desa"]

    def test_nfkc_folds_compatibility_characters(self):
        assert normalise("ﬁnal") == "final"

    def test_titles_do_not_run_into_the_first_sentence(self):
        assert sentences("Judul\n\nKalimat satu. Kalimat dua.") == [
            "Judul",
            "Kalimat satu.",
            "Kalimat dua.",
        ]

    def test_narrative_citations_leave_no_et_al(self):
        assert list(words("Menurut Lestari et al. (2023) dan Salman dkk. (2012)")) == [
            "menurut",
            "lestari",
            "dan",
            "salman",
        ]

    def test_mojibake_is_repaired(self):
        assert repair_mojibake("Itâ€™s a cafÃ© â€“ â€œdesaâ€") == "It’s a café – “desa”"

    def test_real_accents_are_left_alone(self):
        assert repair_mojibake("naïve «é» Ã la carte") == "naïve «é» Ã la carte"

    @given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x2122)))
    def test_mojibake_repair_undoes_cp1252_misreading(self, text):
        if text.isascii():
            assert repair_mojibake(text) == text
        else:
            assert repair_mojibake(_mojibake(text)) == text

    @given(st.text())
    def test_words_are_lowercase_letters_only(self, text):
        for word in words(text):
            assert word == word.lower()
            assert len(word) >= 2
            assert not any(ch.isdigit() for ch in word)


class TestStopWords:
    def test_negations_and_actor_words_are_kept(self):
        for word in ("tidak", "bukan", "belum", "bersama", "mampu", "ibu", "bapak", "warga"):
            assert word not in stopwords("id")
        for word in ("not", "no", "without", "together", "women"):
            assert word not in stopwords("en")

    def test_function_words_are_removed(self):
        assert {"yang", "dan", "di"} <= stopwords("id")
        assert {"the", "of", "and"} <= stopwords("en")


class TestStemming:
    def test_indonesian_goes_to_sastrawi_and_english_to_snowball(self):
        stemmer = Stemmer(StemmerConfig.plain())
        assert stemmer.stem("kebijakan", "id") == "bijak"
        assert stemmer.stem("empowerment", "en") == "empower"
        assert stemmer.stem("kebijakan", "jv") == "kebijakan"  # other languages never mis-stemmed

    def test_each_distinct_word_is_stemmed_once(self):
        stemmer = Stemmer()
        for _ in range(3):
            stemmer.stem("pemberdayaan", "id")
        assert stemmer.distinct_words == 1

    def test_surface_form_is_the_most_frequent_word_behind_a_stem(self):
        stemmer = Stemmer()
        for word in ["pemberdayaan", "pemberdayaan", "memberdayakan"]:
            stemmer.stem(word, "id")
        assert stemmer.surface("berdaya") == "pemberdayaan"
        assert stemmer.surface("never-seen") == "never-seen"

    def test_sastrawi_integration_pairs_all_pass(self, shared_data):
        stemmer = Stemmer(StemmerConfig.plain())
        lines = (shared_data / "sastrawi-tests" / "integration_pairs.tsv").read_text().splitlines()
        pairs = [line.split("\t") for line in lines[1:] if line.strip()]
        assert len(pairs) == 35
        wrong = [(w, e, stemmer.stem(w, "id")) for w, e in pairs if stemmer.stem(w, "id") != e]
        assert wrong == []

    def test_integration_pairs_differ_by_default_only_where_terms_are_protected(self, shared_data):
        stemmer = Stemmer()
        lines = (shared_data / "sastrawi-tests" / "integration_pairs.tsv").read_text().splitlines()
        pairs = [line.split("\t") for line in lines[1:] if line.strip()]
        wrong = {w for w, e in pairs if stemmer.stem(w, "id") != e}
        assert wrong == {"kebijakan", "kinerja", "pemerintah"}


class TestLanguage:
    def test_indonesian_and_english_titles(self):
        assert detect_language("Pemberdayaan masyarakat desa melalui BUMDes") == "id"
        assert detect_language("Community empowerment through village enterprises") == "en"

    def test_javanese_and_arabic_are_named_not_taken_for_indonesian(self):
        assert detect_language("Sugeng enjing, kula badhe tindak dhateng peken") == "jv"
        assert detect_language("المجتمع المدني والتمكين") == "ar"

    def test_no_letters_is_undetermined(self):
        assert detect_language("2023 — 14, 15") == "und"


class TestPreprocessor:
    def test_each_abstract_is_stemmed_in_its_own_language(self):
        doc = Document(
            source="t",
            identifier="1",
            title="Kebijakan",
            abstracts={"en": "Policies empower villages", "id": "kebijakan desa"},
            language="id",
        )
        plain = Preprocessor(Stemmer(StemmerConfig.plain()), thesaurus=False)
        assert plain.document_tokens(doc) == ["bijak", "polici", "empow", "villag", "bijak", "desa"]
        ours = Preprocessor(thesaurus=False).document_tokens(doc)
        assert ours == ["kebijakan", "policy", "empowerment", "villag", "kebijakan", "desa"]
