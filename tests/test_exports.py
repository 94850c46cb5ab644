"""Citation exports: what a reference manager reads back from our BibTeX, RIS and CSL-JSON.

Read back with maintained parsers (bibtexparser 2, rispy), never with our own readers, so a
mistake in our writer cannot be hidden by the same mistake in our reader.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts

from pipeline import runs
from pipeline.documents import Document
from pipeline.ingest.registry import load_registry
from pipeline.project import ProjectPaths
from pipeline.report.exports import (
    KeyMaker,
    citation_of,
    csl_item,
    parse_name,
    registry_venue,
    write_exports,
)

REGISTRY = Path(__file__).resolve().parents[1] / "corpus" / "studies.toml"
BERDAYA = Path(sys.executable).parent / "berdaya"

# The CSL-JSON variables Zotero's importer maps onto its item fields.
ZOTERO_CSL_FIELDS = {
    "type",
    "title",
    "author",
    "issued",
    "container-title",
    "volume",
    "issue",
    "page",
    "DOI",
    "URL",
    "ISSN",
    "publisher",
    "publisher-place",
    "language",
    "note",
    "keyword",
    "id",
    "citation-key",
}
ZOTERO_TYPES = {
    "article-journal": "journalArticle",
    "book": "book",
    "paper-conference": "conferencePaper",
    "report": "report",
    "document": "document",
}


def zotero_item(item: dict) -> dict:
    """What Zotero keeps of a CSL-JSON item (its itemFromCSLJSON mapping, reduced to the fields
    a citation needs): creators, date, publication title, DOI."""
    return {
        "itemType": ZOTERO_TYPES[item["type"]],
        "title": item["title"],
        "creators": [(a["family"], a.get("given", "")) for a in item.get("author", [])],
        "date": str(item["issued"]["date-parts"][0][0]) if "issued" in item else "",
        "publicationTitle": item.get("container-title", ""),
        "publisher": item.get("publisher", ""),
        "DOI": item.get("DOI", ""),
        "extra": item.get("note", ""),
    }


@pytest.fixture(scope="module")
def registry_export(tmp_path_factory) -> tuple[Path, list[Document]]:
    registry = load_registry(REGISTRY)
    folder = tmp_path_factory.mktemp("citations")
    docs = list(registry.documents)
    write_exports(
        folder,
        docs,
        case_id=registry.case.id,
        cited_ids=[d.id for d in registry.cited],
        reserved=[d.key for d in docs],
    )
    return folder, docs


def _bib(path: Path) -> dict:
    library = bibtexparser.parse_file(
        str(path),
        append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors(), SplitNameParts()],
    )
    assert not library.failed_blocks
    return {entry.key: entry for entry in library.entries}


def test_every_registry_work_is_in_each_format_under_its_registry_key(registry_export):
    folder, docs = registry_export
    keys = {d.key for d in docs}
    assert set(_bib(folder / "corpus.bib")) == keys
    with (folder / "corpus.ris").open(encoding="utf-8") as handle:
        assert {r["id"] for r in rispy.load(handle)} == keys
    assert {i["id"] for i in json.loads((folder / "corpus.json").read_text("utf-8"))} == keys
    assert set(_bib(folder / "case.bib")) == {"oku2024"}
    assert len(_bib(folder / "cited.bib")) == 15


def test_zotero_style_import_keeps_authors_year_venue_and_doi(registry_export):
    folder, _ = registry_export
    items = {i["id"]: i for i in json.loads((folder / "corpus.json").read_text("utf-8"))}
    for item in items.values():
        assert set(item) <= ZOTERO_CSL_FIELDS, item["id"]
        assert item["author"] and all(a["family"] for a in item["author"]), item["id"]
        assert item["issued"]["date-parts"][0][0] > 1900
    case = zotero_item(items["oku2024"])
    assert case["creators"] == [
        ("Lestari", "Aprilia"),
        ("Anggara", "Ikang Putra"),
        ("Anita", "Ema"),
    ]
    assert case["date"] == "2024"
    assert case["publicationTitle"] == "Jurnal Noken: Ilmu-Ilmu Sosial"
    assert "Sriwijawa" in case["extra"] and "typo" in case["extra"]
    sujatmiko = zotero_item(items["sujatmiko2023"])  # the seed has "Sujatmiko, dkk"
    assert sujatmiko["creators"] == [
        ("Sujatmiko", ""),
        ("Orbawati", "Eny Boedi"),
        ("Fadlurrahman", ""),
        ("Mukti", "Ari"),
    ]
    assert sujatmiko["DOI"] == "10.36982/jpg.v8i1.2528"
    assert sujatmiko["publicationTitle"] == "Jurnal Pemerintahan dan Politik"
    nursansiwi = zotero_item(items["nursansiwi2022"])
    assert nursansiwi["title"] == "Studi Pemberdayaan Sosial NGO di Desa Tertinggal"
    assert nursansiwi["DOI"] == "10.58258/jisip.v6i2.3038"
    assert "Not found online" in zotero_item(items["lestari2023"])["extra"]  # found = false
    assert "Not found online" not in sujatmiko["extra"]
    assert zotero_item(items["yunus2017"])["itemType"] == "book"
    assert zotero_item(items["yunus2017"])["publisher"] == "Bandar Publishing"


def test_venues_carry_no_provenance_notes_in_any_format(registry_export):
    folder, _ = registry_export
    for name in ("corpus.bib", "corpus.ris", "corpus.json"):
        text = (folder / name).read_text(encoding="utf-8")
        for note in ("inferred", "venue not given", "Book -", "123dok", "scite.ai"):
            assert note not in text, (name, note)


def test_bibtex_and_ris_read_back_the_same_facts_as_the_csl_json(registry_export):
    folder, docs = registry_export
    bib = _bib(folder / "corpus.bib")
    with (folder / "corpus.ris").open(encoding="utf-8") as handle:
        ris = {r["id"]: r for r in rispy.load(handle)}
    for doc in docs:
        citation = citation_of(doc)
        entry, record = bib[doc.key], ris[doc.key]
        assert entry["title"] == citation.title
        assert record["title"] == citation.title
        families = [n.family for n in citation.authors]
        assert [" ".join(a.last) for a in entry["author"] if a.last != ["others"]] == families
        assert [a.split(",")[0] for a in record["authors"]] == families
        assert entry["year"] == record["year"] == str(doc.year)
        if citation.container:
            venue_field = "booktitle" if citation.type == "paper-conference" else "journal"
            assert entry[venue_field] == record["secondary_title"] == citation.container
        if doc.doi:
            assert entry["doi"] == record["doi"] == doc.doi
    assert bib["lestari2023"]["pages"] == "31–41"  # 31--41 in the file, an en dash decoded
    assert ris["lestari2023"]["start_page"] == "31" and ris["lestari2023"]["end_page"] == "41"
    assert [a.last for a in bib["simanjuntak2023"]["author"]][-1] == ["others"]  # "dkk"


def _doc(title: str, authors: tuple[str, ...] = ("Putri, Sari",), **kw) -> Document:
    return Document(
        source="csv", identifier=title, title=title, authors=authors, year=2020, venue="J", **kw
    )


def test_special_characters_survive_every_format(tmp_path):
    title = 'Dana {desa} 100% & "BUMDes"_2: \\ ~ ^ $ # biaya\nbaris baru, ĕ é'
    doc = _doc(title, authors=("Hasibuan, Ṣiti",), doi="10.1/x_y%z", keywords=("a; b", "c"))
    write_exports(tmp_path, [doc], case_id="", cited_ids=[], sets=["corpus"])
    flat = title.replace("\n", " ")
    [entry] = _bib(tmp_path / "corpus.bib").values()
    # pylatexenc typesets \textasciicircum{} as the modifier letter, as LaTeX prints it
    assert entry["title"].replace("\u02c6", "^") == flat
    assert entry["doi"] == "10.1/x_y%z"
    with (tmp_path / "corpus.ris").open(encoding="utf-8") as handle:
        [record] = rispy.load(handle)
    assert record["title"] == flat
    assert record["authors"] == ["Hasibuan, Ṣiti"]
    [item] = json.loads((tmp_path / "corpus.json").read_text("utf-8"))
    assert item["title"] == flat
    assert item["DOI"] == "10.1/x_y%z"


def test_keys_are_author_year_word_and_never_clash(tmp_path):
    docs = [
        _doc("Pemberdayaan desa"),
        _doc("Pemberdayaan kota"),
        _doc("The pemberdayaan of towns"),
        _doc("Kemitraan", authors=()),
    ]
    keys = KeyMaker(reserved=["putri2020pemberdayaan"])
    made = [keys(citation_of(d)).key for d in docs]
    assert made == [
        "putri2020pemberdayaana",
        "putri2020pemberdayaanb",
        "putri2020pemberdayaanc",
        "anon2020kemitraan",
    ]


def test_the_corpus_is_read_in_one_pass(tmp_path):
    """A generator can be read once: the corpus is streamed, never listed or read twice."""
    registry = load_registry(REGISTRY)
    others = (_doc(f"Judul nomor {i}") for i in range(500))
    counts = write_exports(
        tmp_path,
        (d for part in (registry.documents, others) for d in part),
        case_id=registry.case.id,
        cited_ids=[d.id for d in registry.cited],
        neighbour_ids=[_doc("Judul nomor 7").id],
    )
    assert counts == {"corpus": 516, "case": 1, "cited": 15, "neighbours": 1}
    assert len(_bib(tmp_path / "neighbours.bib")) == 1


def test_a_harvested_article_keeps_its_volume_issue_pages_publisher_and_issn():
    doc = Document(
        source="oai:moderat",
        identifier="oai:x:1",
        title="Tata kelola kolaboratif",
        authors=("Wati, Rina", "Joko Susilo"),
        year=2022,
        venue="Moderat: Jurnal Ilmiah Ilmu Pemerintahan",
        doi="10.25157/moderat.v8i1.1",
        extra={
            "volume": "8",
            "issue": "1",
            "pages": "10-20",
            "publisher": "Universitas Galuh",
            "issn": ["2442-3777"],
        },
    )
    item = zotero_item(csl_item(KeyMaker()(citation_of(doc))))
    assert item["creators"] == [("Wati", "Rina"), ("Susilo", "Joko")]
    assert (item["publicationTitle"], item["publisher"], item["date"]) == (
        "Moderat: Jurnal Ilmiah Ilmu Pemerintahan",
        "Universitas Galuh",
        "2022",
    )
    full = csl_item(KeyMaker()(citation_of(doc)))
    assert (full["volume"], full["issue"], full["page"], full["ISSN"]) == (
        "8",
        "1",
        "10-20",
        "2442-3777",
    )
    assert full["id"] == "wati2022tata"


def test_names_and_venues_are_cleaned_as_a_citation_needs():
    assert parse_name("Lestari, Aprilia.").given == "Aprilia"
    assert parse_name("Susanti, E.").given == "E."
    assert parse_name("Hardi Warsono (Universitas Diponegoro)").family == "Warsono"
    assert parse_name("Budiyono").given == ""
    venue = registry_venue("Jurnal X: Ilmu (Universitas Y) - inferred from the URL", "")
    assert (venue["container"], venue["publisher"]) == ("Jurnal X: Ilmu", "Universitas Y")
    assert registry_venue("Jurnal Z (JZ)", "")["container"] == "Jurnal Z (JZ)"
    assert registry_venue("Book - Medan: Penerbit A", "")["place"] == "Medan"


def test_export_command_writes_the_files_and_names_a_bad_format(project):
    paths = ProjectPaths(project)
    runs.ingest_registry(paths)
    out = project / "out"
    done = subprocess.run(
        [str(BERDAYA), "export", "--out", str(out), "--project", str(project)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "neighbours come from the latest report" in done.stderr
    assert len(_bib(out / "cited.bib")) == 15
    bad = subprocess.run(
        [str(BERDAYA), "export", "--format", "bib,endnote", "--project", str(project)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: --format: unknown endnote; choose from bib, ris, json"
