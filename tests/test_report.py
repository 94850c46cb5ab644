"""The report: all works present, numbers shown, untrusted text escaped everywhere, no network."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import bibtexparser
import pytest
import rispy

from pipeline.documents import Document
from pipeline.report.writer import md_escape
from tests.reporting import FAST, write_hostile_report

WIDER = Document(
    source="files",
    identifier="wider-1",
    title="Kemitraan pemerintah desa dan LSM dalam pemberdayaan ekonomi",
    abstracts={"id": "Pemerintah desa bermitra dengan LSM untuk mendampingi kelompok usaha."},
    language="id",
)
HOSTILE = '<script>alert("x")</script> "><img src=x onerror=alert(1)> =HYPERLINK("http://evil")'


@pytest.fixture(scope="module")
def written_report(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("project")
    folder, _ = write_hostile_report(root, HOSTILE, "Pemerintah daerah mendanai LSM.", [WIDER])
    return folder


def test_report_folder_holds_html_markdown_tables_and_manifest(written_report):
    names = {p.name for p in written_report.iterdir()}
    assert {"index.html", "report.md", "manifest.json", "similarity.csv", "themes.csv"} <= names
    assert {"explorer.html", "stemming_audit.csv", "concept_audit.csv"} <= names
    latest = written_report.parent / "latest"
    assert (latest / "index.html").read_bytes() == (written_report / "index.html").read_bytes()


def test_every_cited_work_has_numeric_similarities(written_report):
    with (written_report / "similarity.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 15
    for row in rows:
        for column in ("tfidf_cosine", "topic_hellinger", "theme_jaccard"):
            assert 0.0 <= float(row[column]) <= 1.0
        # a work known only by title has no combined score: it is not ranked
        if row["known_only_by_title"] == "False":
            assert 0.0 <= float(row["combined"]) <= 1.0
        else:
            assert row["combined"] == ""
    html = (written_report / "index.html").read_text(encoding="utf-8")
    for row in rows:
        assert f'id="work-{row["key"]}"' in html


def test_title_only_works_are_marked(written_report):
    with (written_report / "similarity.csv").open(encoding="utf-8") as handle:
        rows = {r["key"]: r for r in csv.DictReader(handle)}
    assert rows["lestari2023"]["known_only_by_title"] == "True"
    assert rows["sujatmiko2023"]["known_only_by_title"] == "False"
    assert "known only by title" in (written_report / "index.html").read_text(encoding="utf-8")


def test_html_references_nothing_outside_the_file(written_report):
    html = (written_report / "index.html").read_text(encoding="utf-8")
    for attribute in re.findall(r'(?:src|href)="([^"]*)"', html):
        beside = attribute == "explorer.html" or attribute.startswith("citations/")
        assert attribute.startswith(("data:", "#")) or beside, attribute
    assert "<link" not in html
    assert "http://" not in html.replace("http://evil", "")
    assert "https://" not in html


def test_untrusted_text_is_escaped_in_html(written_report):
    html = (written_report / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_untrusted_text_is_escaped_in_markdown(written_report):
    markdown = (written_report / "report.md").read_text(encoding="utf-8")
    assert "<script>" not in markdown
    assert "&lt;script&gt;" in markdown
    assert md_escape("a|b<c") == "a\\|b&lt;c"


def test_csv_cells_that_look_like_formulas_are_defused(written_report):
    with (written_report / "evidence.csv").open(encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_documents_csv_has_every_document_with_its_mixture_and_no_live_formulas(written_report):
    with (written_report / "documents.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 17  # the case, its 15 cited works and the wider document
    roles = [r["role"] for r in rows]
    assert roles.count("case") == 1 and roles.count("cited") == 15 and roles.count("corpus") == 1
    topic_columns = [c for c in rows[0] if re.fullmatch(r"T\d+", c)]
    for row in rows:
        assert abs(sum(float(row[c]) for c in topic_columns) - 1) < 0.01
        assert row["top_topic"] in topic_columns
    assert not any(v.startswith(("=", "+", "@")) for row in rows for v in row.values())
    index = (written_report / "index.html").read_text(encoding="utf-8")
    assert "documents.csv" in index


def test_manifest_records_corpus_parameters_versions_and_file_hashes(written_report):
    manifest = json.loads((written_report / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["corpus_hash"]) == 64
    assert manifest["seeds"]["topics_sweep"] == FAST.topics.seed
    # the model shown is the ensemble's medoid, one of its seeds
    assert manifest["seeds"]["lda"] in manifest["seeds"]["topics_ensemble"]["seeds"]
    assert manifest["parameters"]["topics"]["k_values"] == [2, 3]
    assert manifest["libraries"]["gensim"].startswith("4.")
    assert manifest["metrics"]["cited_works"] == 15
    assert set(manifest["files"]) >= {"index.html", "report.md", "similarity.csv"}


def test_headings_are_in_english_and_indonesian_with_a_switch(written_report):
    html = (written_report / "index.html").read_text(encoding="utf-8")
    assert 'id="lang-en"' in html and 'id="lang-id"' in html
    assert (
        '<span class="en" lang="en">Summary</span><span class="id" lang="id">Ringkasan</span>'
        in html
    )


def test_nearest_uncited_works_are_listed(written_report):
    with (written_report / "nearest_uncited.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["title"] for row in rows] == [WIDER.title]


def test_cited_works_in_the_corpus_are_named_by_key_and_title_and_never_by_hash_id(written_report):
    with (written_report / "cited_in_corpus.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 15
    assert all(row["title"] and row["reason"] for row in rows)
    assert [row["found"] for row in rows] == ["False"] * 15  # only a wider document to match
    assert not any(re.search(r"\b[0-9a-f]{16}\b", row["reason"]) for row in rows)
    named = [row for row in rows if WIDER.title in row["reason"]]
    assert named and all(row["reason"].startswith("not found: best candidate “") for row in named)
    html = (written_report / "index.html").read_text(encoding="utf-8")
    assert "0 of the 15 cited works found in the corpus." in html
    markdown = (written_report / "report.md").read_text(encoding="utf-8")
    assert "## The cited works found in the gathered corpus" in markdown
    assert "| lestari2023 | Innovation Of Local Government" in markdown


def test_report_folder_holds_citation_files_that_parse(written_report):
    folder = written_report / "citations"
    library = bibtexparser.parse_file(str(folder / "corpus.bib"))
    assert not library.failed_blocks
    with (folder / "corpus.ris").open(encoding="utf-8") as handle:
        records = rispy.load(handle)
    items = json.loads((folder / "corpus.json").read_text(encoding="utf-8"))
    assert len(library.entries) == len(records) == len(items)
    assert len(json.loads((folder / "cited.json").read_text(encoding="utf-8"))) == 15
    assert [i["id"] for i in json.loads((folder / "case.json").read_text("utf-8"))] == ["oku2024"]
