"""Reference strings: parsed into fields in the styles found in Indonesian journals, then resolved
to documents of the store with a confidence and a reason.

The case's own reference list is read in place from ../shared/seeds (never copied here); the
other reference lines are invented for these tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.documents import Document
from pipeline.ingest.generic_titles import distinctive_words, is_generic
from pipeline.ingest.references import (
    Reference,
    ReferenceError,
    describe,
    one_match_per_document,
    parse_authors,
    parse_reference,
    parse_references,
    resolve,
    resolve_in_store,
    title_similarity,
    token_set_ratio,
    unresolved,
)
from pipeline.ingest.registry import load_registry
from pipeline.store import Store

REPO = Path(__file__).resolve().parents[1]
SEED = "000_2a25721aa6e5c7c2.txt"


def fields(ref: Reference) -> dict[str, object]:
    """The parsed fields that are set, without the raw text."""
    return {k: v for k, v in vars(ref).items() if v not in ("", (), None, False) and k != "raw"}


# -- the case's reference list -----------------------------------------------------------------


@pytest.fixture(scope="module")
def case_reference_lines(shared_data: Path) -> list[str]:
    """The lines between the abstract and "How to Cite" of the case's seed document."""
    lines = (shared_data.parent / "seeds" / SEED).read_text(encoding="utf-8").splitlines()
    abstract_heading = next(i for i, line in enumerate(lines) if line.rstrip().endswith("Abstract"))
    end = next(i for i, line in enumerate(lines) if line.strip() == "How to Cite")
    # The heading line is followed by the abstract paragraph, then the references.
    return [line for line in lines[abstract_heading + 2 : end] if line.strip()]


@pytest.fixture
def registry_store(tmp_path: Path):
    registry = load_registry(REPO / "corpus" / "studies.toml")
    with Store(tmp_path / "store.sqlite") as store:
        store.upsert_many(registry.documents)
        yield store, registry


@pytest.mark.shared_data
class TestCaseReferenceList:
    def test_fifteen_references_each_resolve_to_their_registry_key(
        self, case_reference_lines, registry_store
    ):
        store, registry = registry_store
        assert len(case_reference_lines) == 15
        refs = parse_references(case_reference_lines)
        resolutions = resolve_in_store(refs, store)
        expected = [doc.key for doc in registry.cited]  # the registry lists them in cited order
        assert [r.key for r in resolutions] == expected
        for r in resolutions:
            assert r.confidence >= 0.8, (r.key, r.confidence, r.reason)
            assert r.reason
        assert unresolved(resolutions) == []

    def test_every_reference_has_authors_year_title_and_a_kind(self, case_reference_lines):
        for ref in parse_references(case_reference_lines):
            assert ref.authors and ref.year and ref.title, ref.raw
        kinds = [ref.kind for ref in parse_references(case_reference_lines)]
        assert kinds.count("article") == 10
        assert kinds.count("book") == 2  # Bandar Publishing, DAP Press
        assert kinds.count("proceedings") == 1
        assert kinds.count("report") == 1  # the JICA project publication
        assert kinds.count("unknown") == 1  # author, year and title only

    def test_house_style_fields_are_read(self, case_reference_lines):
        refs = {ref.first_author_surname: ref for ref in parse_references(case_reference_lines)}
        assert refs["Sujatmiko"].et_al and refs["Simanjuntak"].et_al
        assert refs["Sujatmiko"].authors == ("Sujatmiko",)
        assert (refs["Sujatmiko"].volume, refs["Sujatmiko"].issue) == ("8", "1")
        assert refs["Lestari"].authors == ("Lestari, Aprilia", "Susanti, E.")
        assert refs["Lestari"].pages == "31-41"  # en dash normalised
        assert refs["Yunus"].authors == ("Yunus Saifuddin", "Suadi", "Fadli")
        assert (refs["Yunus"].place, refs["Yunus"].publisher) == ("Aceh", "Bandar Publishing")
        assert refs["Fadli"].venue == "Prosiding Seminar Nasional Unimus"
        assert refs["Fadli"].title.endswith("(Gerbang Mapan)")
        assert refs["Widjajanti"].title == "Model pemberdayaan masyarakat"


# -- invented reference lines, one style each --------------------------------------------------


class TestApa:
    def test_journal_article_with_doi_url(self):
        ref = parse_reference(
            "Wibowo, T. A., Kusuma, R., & Halim, N. (2021). Peran koperasi desa dalam ketahanan "
            "pangan: Studi di Kabupaten Lahat. Jurnal Kebijakan Publik Daerah, 14(3), 201–219. "
            "https://doi.org/10.1234/JKPD.v14i3.555"
        )
        assert fields(ref) == {
            "authors": ("Wibowo, T. A.", "Kusuma, R.", "Halim, N."),
            "year": 2021,
            "title": "Peran koperasi desa dalam ketahanan pangan: Studi di Kabupaten Lahat",
            "venue": "Jurnal Kebijakan Publik Daerah",
            "volume": "14",
            "issue": "3",
            "pages": "201-219",
            "doi": "10.1234/jkpd.v14i3.555",
            "kind": "article",
        }

    def test_proceedings_with_volume_pages_and_publisher(self):
        ref = parse_reference(
            "Kurniawati, E., & Saputra, H. (2019). Model kolaborasi pentahelix di desa wisata. "
            "Dalam Prosiding Konferensi Nasional Administrasi Negara (Vol. 2, pp. 110-118). "
            "Semarang: Undip Press."
        )
        assert fields(ref) == {
            "authors": ("Kurniawati, E.", "Saputra, H."),
            "year": 2019,
            "title": "Model kolaborasi pentahelix di desa wisata",
            "venue": "Prosiding Konferensi Nasional Administrasi Negara",
            "volume": "2",
            "pages": "110-118",
            "place": "Semarang",
            "publisher": "Undip Press",
            "kind": "proceedings",
        }

    def test_institutional_report(self):
        ref = parse_reference(
            "Badan Perencanaan Daerah. (2022). Laporan Evaluasi Program Desa Mandiri 2021. "
            "Palembang: Bappeda Sumatera Selatan."
        )
        assert fields(ref) == {
            "authors": ("Badan Perencanaan Daerah",),
            "year": 2022,
            "title": "Laporan Evaluasi Program Desa Mandiri 2021",
            "place": "Palembang",
            "publisher": "Bappeda Sumatera Selatan",
            "kind": "report",
        }

    def test_author_and_year_only(self):
        assert fields(parse_reference("Santoso, R. (2015).")) == {
            "authors": ("Santoso, R.",),
            "year": 2015,
            "kind": "unknown",
        }

    def test_undated_work(self):
        ref = parse_reference("Lubis, M. (t.t.). Catatan tentang swadaya masyarakat. Medan: Sinar.")
        assert ref.year is None
        assert (ref.title, ref.place, ref.publisher, ref.kind) == (
            "Catatan tentang swadaya masyarakat",
            "Medan",
            "Sinar",
            "book",
        )


class TestChicago:
    def test_author_date_journal(self):
        ref = parse_reference(
            "Hartono, Budi, and Siti Rahayu. 2019. “Village Funds and Local Participation in "
            "South Sumatra.” Journal of Rural Governance 7 (2): 88–104."
        )
        assert fields(ref) == {
            "authors": ("Hartono, Budi", "Siti Rahayu"),
            "year": 2019,
            "title": "Village Funds and Local Participation in South Sumatra",
            "venue": "Journal of Rural Governance",
            "volume": "7",
            "issue": "2",
            "pages": "88-104",
            "kind": "article",
        }

    def test_notes_bibliography_journal_with_year_after_the_venue(self):
        ref = parse_reference(
            'Hartono, Budi. "Village Funds and Local Participation." Journal of Rural '
            "Governance 7, no. 2 (2019): 88-104."
        )
        assert fields(ref) == {
            "authors": ("Hartono, Budi",),
            "year": 2019,
            "title": "Village Funds and Local Participation",
            "venue": "Journal of Rural Governance",
            "volume": "7",
            "issue": "2",
            "pages": "88-104",
            "kind": "article",
        }

    def test_book_whose_title_asks_a_question(self):
        ref = parse_reference(
            "Harahap, Rizky. 2018. Are Villages Ready? Governance after the Village Law. "
            "Bandung: Alfabeta."
        )
        assert (ref.authors, ref.year, ref.title, ref.place, ref.publisher, ref.kind) == (
            ("Harahap, Rizky",),
            2018,
            "Are Villages Ready? Governance after the Village Law",
            "Bandung",
            "Alfabeta",
            "book",
        )


class TestInformalIndonesian:
    def test_dkk_bare_year_and_vol_no_hal(self):
        ref = parse_reference(
            "Pratama, Dimas dkk. 2020. Pendampingan Petani Kopi oleh LSM di Pagar Alam. "
            "Jurnal Pengabdian Masyarakat Vol. 3 No. 2, Hal. 45-52."
        )
        assert fields(ref) == {
            "authors": ("Pratama, Dimas",),
            "et_al": True,
            "year": 2020,
            "title": "Pendampingan Petani Kopi oleh LSM di Pagar Alam",
            "venue": "Jurnal Pengabdian Masyarakat",
            "volume": "3",
            "issue": "2",
            "pages": "45-52",
            "kind": "article",
        }

    def test_capitalised_dkk_lower_case_vol_no_and_university_after(self):
        ref = parse_reference(
            "Siregar, Lina. Dkk. (2021). Bank Sampah dan Ekonomi Warga. Jurnal Abdimas "
            "vol 2 no 4 Universitas Sumatera Selatan."
        )
        assert fields(ref) == {
            "authors": ("Siregar, Lina",),
            "et_al": True,
            "year": 2021,
            "title": "Bank Sampah dan Ekonomi Warga",
            "venue": "Jurnal Abdimas",
            "volume": "2",
            "issue": "4",
            "publisher": "Universitas Sumatera Selatan",
            "kind": "article",
        }

    def test_book_with_city_and_dan_between_authors(self):
        ref = parse_reference(
            "Nugraha, A. dan Putri, S. 2016. Kemitraan Pemerintah dan Swasta. "
            "Yogyakarta: Pustaka Mandiri."
        )
        assert fields(ref) == {
            "authors": ("Nugraha, A.", "Putri, S."),
            "year": 2016,
            "title": "Kemitraan Pemerintah dan Swasta",
            "place": "Yogyakarta",
            "publisher": "Pustaka Mandiri",
            "kind": "book",
        }


class TestAuthors:
    @pytest.mark.parametrize(
        ("text", "names", "et_al"),
        [
            ("Usman, M. I., Hasan, M., & Nur, N.", ("Usman, M. I.", "Hasan, M.", "Nur, N."), False),
            ("Nursansiwi, Dwi Arini", ("Nursansiwi, Dwi Arini",), False),
            ("Yunus Saifuddin, Suadi, Fadli.", ("Yunus Saifuddin", "Suadi", "Fadli"), False),
            ("Sujatmiko, dkk", ("Sujatmiko",), True),
            ("Rahman, T. et al.", ("Rahman, T.",), True),
            ("", (), False),
        ],
    )  # fmt: skip
    def test_styles(self, text, names, et_al):
        assert parse_authors(text) == (names, et_al)


def test_a_line_without_words_is_refused_naming_the_line():
    with pytest.raises(ReferenceError, match=r"line 2: reference '\(2020\)\.': no words"):
        parse_references(["Santoso, R. (2015).", "(2020).", ""])


# -- resolution ------------------------------------------------------------------------------


def doc(identifier: str, title: str, year: int | None, authors: tuple[str, ...], **kw) -> Document:
    return Document(
        source=kw.pop("source", "files"),
        identifier=identifier,
        title=title,
        year=year,
        authors=authors,
        **kw,
    )


DOCS = [
    doc("a", "Peran Koperasi Desa dalam Ketahanan Pangan", 2021, ("Tri Wibowo",)),
    doc("b", "Model Pemberdayaan Masyarakat Terpadu", 2017, ("Yunus Saifuddin",)),
    doc("c", "Bank Sampah dan Ekonomi Warga Kota", 2021, ("Lina Siregar",), doi="10.5555/bsew.1"),
]


class TestResolve:
    def test_doi_wins_over_a_different_title(self):
        ref = parse_reference(
            "Siregar, L. (2021). Another title. Jurnal X, 1(1), 1-2. doi:10.5555/BSEW.1"
        )
        r = resolve(ref, DOCS)
        assert (r.key, r.confidence, r.reason) == (DOCS[2].key, 1.0, "same DOI 10.5555/bsew.1")

    def test_reworded_title_same_year_and_author(self):
        ref = parse_reference(
            "Wibowo, T. (2021). Peran koperasi desa terhadap ketahanan pangan. Jurnal Y, 2(1), 3-9."
        )
        r = resolve(ref, DOCS)
        assert r.key == DOCS[0].key
        assert 0.8 <= r.confidence < 1.0
        assert "same year" in r.reason and "same first author" in r.reason

    def test_contained_title_of_another_author_and_year_is_not_taken(self):
        ref = parse_reference("Widjajanti, K. (2011). Model pemberdayaan masyarakat.")
        r = resolve(ref, DOCS)
        assert not r.resolved and r.key is None
        assert r.reason.startswith(
            "not found: best candidate “Model Pemberdayaan Masyarakat Terpadu” (2017)"
        )
        assert "years differ (2011 vs 2017)" in r.reason
        assert "first authors differ (Widjajanti vs Yunus Saifuddin)" in r.reason
        assert DOCS[1].id not in r.reason  # named by its title, never by its hash id
        assert r.candidate == DOCS[1]
        assert unresolved([r]) == [r]

    def test_no_shared_word_means_no_candidate(self):
        r = resolve(parse_reference("Ali, B. (2020). Zzz qqq. Jurnal Z."), DOCS)
        assert (r.resolved, r.confidence, r.reason) == (
            False,
            0.0,
            "no document shares a title word with it",
        )

    def test_the_registry_record_wins_a_tie_whatever_the_order(self):
        title, authors = "Kemitraan Konservasi Desa", ("Aon Situmorang",)
        twins = [
            doc("h", title, 2022, authors, source="oai:x"),
            doc("k", title, 2022, authors, source="registry", extra={"key": "situmorang2022"}),
        ]
        ref = parse_reference("Situmorang, Aon. (2022). Kemitraan Konservasi Desa. Jurnal L.")
        assert resolve(ref, twins).key == "situmorang2022"
        assert resolve(ref, twins[::-1]).key == "situmorang2022"

    def test_title_as_published_is_matched_too(self):
        registry_doc = doc(
            "n",
            "Studi Pemberdayaan Sosial NGO di Desa Oi Bura",
            2022,
            ("Nursansiwi, Dwi Arini",),
            extra={"title_as_published": "Studi Pemberdayaan Sosial NGO di Desa Tertinggal"},
        )
        ref = parse_reference(
            "Nursansiwi, D. A. (2022). Studi pemberdayaan sosial NGO di desa tertinggal. "
            "JISIP, 6(2)."
        )
        r = resolve(ref, [registry_doc])
        assert r.confidence == 1.0 and "(as published)" in r.reason


class TestSimilarity:
    def test_token_set_ratio_ignores_order_and_repeats(self):
        assert token_set_ratio("desa model desa", "model desa") == 1.0
        assert token_set_ratio("", "model") == 0.0

    def test_title_similarity_is_symmetric_and_bounded(self):
        a, b = "Model Pemberdayaan Masyarakat", "Model pemberdayaan masyarakat terpadu!"
        assert title_similarity(a, b) == title_similarity(b, a)
        assert 0.8 < title_similarity(a, b) < 1.0
        assert title_similarity("Model, pemberdayaan.", "model pemberdayaan") == 1.0


# -- the matching rule (invented titles) -------------------------------------------------------


def candidate(title: str, year: int | None = None, authors: tuple[str, ...] = ()) -> Document:
    """A harvested record as the SINTA exports hold them: often no year, no author."""
    return doc(f"c-{title}-{year}-{authors}", title, year, authors, source="csv")


class TestGenericTitles:
    @pytest.mark.parametrize(
        "title",
        [
            "Model pemberdayaan masyarakat",
            "Pemberdayaan Masyarakat Desa",
            "Strategi Pemberdayaan Masyarakat Desa Terpadu",  # one distinctive word
            "Collaborative governance dalam perspektif administrasi publik",
            "Community empowerment through village development programs",
        ],
    )
    def test_titles_of_the_fields_common_words_are_generic(self, title):
        assert is_generic(title)

    @pytest.mark.parametrize(
        ("title", "words"),
        [
            ("Pendampingan Petani Kopi oleh LSM di Pagar Alam", ["pendampingan", "petani", "kopi"]),
            ("Pemberdayaan masyarakat nelayan di pesisir Lampung", ["nelayan", "pesisir"]),
            ("Bank sampah and the circular economy of Palembang", ["bank", "sampah"]),
        ],
    )  # fmt: skip
    def test_titles_with_two_distinctive_words_are_not(self, title, words):
        assert not is_generic(title)
        assert distinctive_words(title)[: len(words)] == words


class TestMatchRule:
    def test_a_near_equal_distinctive_title_is_found_without_year_or_author(self):
        ref = parse_reference(
            "Pratama, D. (2020). Pendampingan Petani Kopi oleh LSM di Pagar Alam."
        )
        copy = candidate("PENDAMPINGAN PETANI KOPI OLEH LSM DI KOTA PAGAR ALAM")
        r = resolve(ref, [copy])
        assert r.document == copy
        assert r.reason == "title similarity 0.97, year unknown, first author unknown"

    def test_a_close_title_needs_the_same_year_or_first_author(self):
        ref = parse_reference("Wibowo, T. (2021). Peran koperasi desa terhadap ketahanan pangan.")
        title = "Peran Koperasi Desa dalam Ketahanan Pangan"  # similarity 0.88: close, not equal
        alone = resolve(ref, [candidate(title)])
        assert not alone.resolved
        assert "close but not near-equal (0.96), and neither the year nor the first author" in (
            alone.reason
        )
        assert resolve(ref, [candidate(title, year=2021)]).resolved
        assert resolve(ref, [candidate(title, authors=("Tri Wibowo",))]).resolved
        other = resolve(ref, [candidate(title, year=2019, authors=("Ani Lubis",))])
        assert not other.resolved
        assert "years differ (2021 vs 2019), first authors differ (Wibowo vs Ani Lubis)" in (
            other.reason
        )

    def test_a_generic_title_needs_a_near_equal_title_and_the_same_year_or_author(self):
        ref = parse_reference("Hakim, R. (2015). Pemberdayaan masyarakat desa.")
        same_words = candidate("PEMBERDAYAAN MASYARAKAT DESA")
        unconfirmed = resolve(ref, [same_words])
        assert not unconfirmed.resolved and unconfirmed.candidate == same_words
        assert unconfirmed.reason.endswith(
            "a generic title (no distinctive word) needs a near-equal title (0.96 or more) and "
            "the same year or first author"
        )
        assert resolve(ref, [candidate("Pemberdayaan Masyarakat Desa", year=2015)]).resolved
        longer = candidate("Pemberdayaan Masyarakat Desa Mandiri", 2015, ("Rudi Hakim",))
        assert not resolve(ref, [longer]).resolved  # same year and author, title not near-equal

    def test_a_year_and_an_author_that_both_disagree_veto_an_equal_title(self):
        ref = parse_reference(
            "Pratama, D. (2020). Pendampingan Petani Kopi oleh LSM di Pagar Alam."
        )
        r = resolve(ref, [candidate(ref.title, 2012, ("Ani Lubis",))])
        assert not r.resolved
        assert r.reason.endswith("the year and first author leave a confidence of 0.42, under 0.60")

    def test_the_best_accepted_candidate_wins_over_a_better_scoring_rejected_one(self):
        ref = parse_reference("Wibowo, T. (2021). Peran koperasi desa terhadap ketahanan pangan.")
        unconfirmed = candidate("Peran Koperasi Desa terhadap Ketahanan Pangan Warga Lokal")
        confirmed = candidate("Peran Koperasi Desa dalam Ketahanan Pangan", year=2021)
        r = resolve(ref, [unconfirmed, confirmed])
        assert r.document == confirmed
        assert resolve(ref, [unconfirmed]).confidence > r.confidence  # 0.85 (0.94 x 0.9025)

    def test_a_doi_match_alone_is_certain(self):
        ref = parse_reference("Hakim, R. (2015). Pemberdayaan masyarakat desa. doi:10.5555/pmd.7")
        other = candidate("Sebuah judul lain sama sekali", 2001).with_changes(doi="10.5555/PMD.7")
        assert (resolve(ref, [other]).document, resolve(ref, [other]).confidence) == (other, 1.0)

    def test_candidates_are_named_by_key_or_by_title_venue_and_year(self):
        long = "Kata " * 40
        assert describe(doc("k", "X", 2020, (), extra={"key": "hakim2015"})) == "hakim2015"
        assert describe(doc("t", "Bank  Sampah", 2020, (), venue="Jurnal A")) == (
            "“Bank Sampah” (Jurnal A, 2020)"
        )
        named = describe(doc("l", long, None, ()))
        assert named.startswith("“Kata Kata") and named.endswith("…”") and len(named) <= 102


class TestOneMatchPerDocument:
    def test_the_stronger_match_keeps_a_document_two_works_want(self):
        shared = candidate("Pendampingan Petani Kopi oleh LSM di Pagar Alam", 2020)
        weaker = parse_reference("Lubis, A. (2020). Pendampingan petani kopi di Pagar Alam.")
        stronger = parse_reference(
            "Pratama, D. (2020). Pendampingan Petani Kopi oleh LSM di Pagar Alam."
        )
        first, second = resolve(weaker, [shared]), resolve(stronger, [shared])
        assert first.document == second.document == shared
        kept = one_match_per_document([first, second], ["lubis2020", "pratama2020"])
        assert kept[1] == second
        assert not kept[0].resolved and kept[0].candidate == shared
        assert kept[0].confidence == first.confidence
        assert kept[0].reason.startswith(
            "not found: its best candidate “Pendampingan Petani Kopi oleh LSM di Pagar Alam” "
            "(2020) is the match of pratama2020 (confidence 0.95 against 0.90;"
        )

    def test_a_tie_goes_to_the_work_listed_first_and_other_matches_stay(self):
        shared = candidate("Pendampingan Petani Kopi oleh LSM di Pagar Alam", 2020)
        own = candidate("Bank Sampah dan Ekonomi Sirkular di Palembang", 2021)
        ref = parse_reference(
            "Pratama, D. (2020). Pendampingan Petani Kopi oleh LSM di Pagar Alam."
        )
        other = parse_reference(
            "Siregar, L. (2021). Bank Sampah dan Ekonomi Sirkular di Palembang."
        )
        both = [resolve(ref, [shared]), resolve(ref, [shared]), resolve(other, [own])]
        kept = one_match_per_document(both, ["a", "b", "c"])
        assert [r.resolved for r in kept] == [True, False, True]
        assert "is the match of a " in kept[1].reason

    def test_names_must_match_the_resolutions(self):
        with pytest.raises(ValueError, match="2 resolutions but 1 names"):
            one_match_per_document([resolve(parse_reference("A (2020). B."), [])] * 2, ["x"])


def test_the_rule_the_report_states_is_the_one_in_force():
    from pipeline.ingest.references import NEAR_EQUAL, TITLE_AGREES
    from pipeline.report.i18n import STRINGS

    english, indonesian = STRINGS["cited_rule"]
    for threshold in (NEAR_EQUAL, TITLE_AGREES):
        assert f"{threshold:.2f} or more" in english
        assert f"{threshold:.2f}".replace(".", ",") + " atau lebih" in indonesian
