"""OJS oai_dc -> Document, on literal records shaped as OJS 3 writes them."""

from __future__ import annotations

from lxml import etree

from pipeline.ingest.oai import Header, Record
from pipeline.ingest.ojs import normalise_language, record_to_document
from tests.oaiserver import oai_dc

SOURCE = "oai:noken"


def record(metadata: str, identifier: str = "oai:ojs.example.org:article/3452") -> Record:
    return Record(Header(identifier, "2024-06-30T01:02:03Z"), etree.fromstring(metadata))


NOKEN = oai_dc(
    titles=[
        ("Multi-Sector Collaboration in Community Empowerment", "en-US"),
        ("Kolaborasi Multi Sektor dalam Pemberdayaan Masyarakat", "id-ID"),
    ],
    creators=["Lestari, Aprilia", "Oku, Budi"],
    subjects=[
        ("Collaboration; Community Empowerment; LPM", "en-US"),
        ("kolaborasi; pemberdayaan masyarakat", "id-ID"),
    ],
    descriptions=[
        ("This study examines the partnership between the regional government and LPM.", "en-US"),
        ("Penelitian ini mengkaji kemitraan antara pemerintah daerah dan LPM.", "id-ID"),
    ],
    publishers=[("Universitas Muhammadiyah Sorong", "en-US")],
    dates=["2024-06-30"],
    identifiers=[
        "https://ejournal.um-sorong.ac.id/index.php/jn/article/view/3452",
        "10.33506/jn.v10i1.3452",
    ],
    sources=[
        ("Jurnal Noken: Ilmu-Ilmu Sosial; Vol. 10 No. 1 (2024): Juni; 1-15", "en-US"),
        ("Jurnal Noken: Ilmu-Ilmu Sosial; Vol 10 No 1 (2024): Juni; 1-15", "id-ID"),
        ("2598-9936", ""),
        ("2460-9005", ""),
        ("10.33506/jn.v10i1", ""),
    ],
    languages=["eng"],
    relations=["https://ejournal.um-sorong.ac.id/index.php/jn/article/view/3452/1720"],
)


class TestBilingualRecord:
    doc = record_to_document(record(NOKEN), SOURCE)

    def test_identity(self) -> None:
        assert self.doc is not None
        assert self.doc.source == SOURCE
        assert self.doc.identifier == "oai:ojs.example.org:article/3452"
        assert not self.doc.deleted

    def test_both_abstracts_kept_under_their_language(self) -> None:
        assert self.doc is not None
        assert set(self.doc.abstracts) == {"en", "id"}
        assert self.doc.abstracts["id"].startswith("Penelitian ini")

    def test_title_in_record_language_and_others_in_extra(self) -> None:
        assert self.doc is not None
        assert self.doc.language == "en"
        assert self.doc.title == "Multi-Sector Collaboration in Community Empowerment"
        assert self.doc.extra["titles"]["id"].startswith("Kolaborasi")

    def test_people_keywords_year(self) -> None:
        assert self.doc is not None
        assert self.doc.authors == ("Lestari, Aprilia", "Oku, Budi")
        assert self.doc.keywords == (
            "Collaboration",
            "Community Empowerment",
            "LPM",
            "kolaborasi",
            "pemberdayaan masyarakat",
        )
        assert self.doc.year == 2024

    def test_identifiers(self) -> None:
        assert self.doc is not None
        assert self.doc.url == "https://ejournal.um-sorong.ac.id/index.php/jn/article/view/3452"
        assert self.doc.doi == "10.33506/jn.v10i1.3452"

    def test_source_gives_venue_volume_issue_pages_issn(self) -> None:
        assert self.doc is not None
        assert self.doc.venue == "Jurnal Noken: Ilmu-Ilmu Sosial"
        extra = self.doc.extra
        assert (extra["volume"], extra["issue"], extra["pages"]) == ("10", "1", "1-15")
        assert extra["issn"] == ["2598-9936", "2460-9005"]
        assert extra["publisher"] == "Universitas Muhammadiyah Sorong"

    def test_galley_urls(self) -> None:
        assert self.doc is not None
        assert self.doc.extra["galley_urls"] == [
            "https://ejournal.um-sorong.ac.id/index.php/jn/article/view/3452/1720"
        ]


class TestWithoutLanguageTags:
    def test_languages_are_detected(self) -> None:
        metadata = oai_dc(
            titles=[("Peran pemerintah desa dalam pemberdayaan masyarakat pesisir", "")],
            descriptions=[
                (
                    "Penelitian ini bertujuan untuk mengetahui peran pemerintah desa dalam "
                    "pemberdayaan masyarakat yang tinggal di wilayah pesisir.",
                    "",
                ),
                (
                    "This research aims to describe the role of the village government in the "
                    "empowerment of the community that lives on the coast.",
                    "",
                ),
            ],
        )
        doc = record_to_document(record(metadata), SOURCE)
        assert doc is not None
        assert set(doc.abstracts) == {"id", "en"}
        assert doc.language == "id"

    def test_doi_as_url_and_keywords_split_on_semicolons(self) -> None:
        metadata = oai_dc(
            titles=[("A title", "en")],
            identifiers=["https://doi.org/10.5281/ZENODO.123", "oai:zenodo.org:123"],
            subjects=[("desa; BUMDes;  ; desa", ""), ("ekonomi", "")],
        )
        doc = record_to_document(record(metadata), SOURCE, default_venue="Jurnal X")
        assert doc is not None
        assert doc.doi == "10.5281/ZENODO.123"
        assert doc.url == "https://doi.org/10.5281/ZENODO.123"
        assert doc.keywords == ("desa", "BUMDes", "ekonomi")
        assert doc.venue == "Jurnal X"
        assert doc.year is None


class TestHeaders:
    def test_deleted_header_is_a_tombstone(self) -> None:
        deleted = Record(Header("oai:x:9", "2024-01-01", deleted=True))
        doc = record_to_document(deleted, SOURCE)
        assert doc is not None and doc.deleted and doc.identifier == "oai:x:9"

    def test_record_without_identifier_is_skipped(self) -> None:
        assert record_to_document(Record(Header("", "", deleted=True)), SOURCE) is None

    def test_sets_are_kept(self) -> None:
        with_sets = Record(
            Header("oai:x:1", "2024-01-01", set_specs=("jn", "jn:ART")),
            etree.fromstring(oai_dc(titles=[("T", "en")])),
        )
        doc = record_to_document(with_sets, SOURCE)
        assert doc is not None and doc.extra["oai_sets"] == ["jn", "jn:ART"]


def test_language_tags() -> None:
    assert normalise_language("id-ID") == "id"
    assert normalise_language("en_US") == "en"
    assert normalise_language("ind") == "id"
    assert normalise_language("eng") == "en"
    assert normalise_language("Indonesian") == "id"
    assert normalise_language("") == ""
    assert normalise_language("jav") == "jv"
