"""CSV ingest that maps columns, a journal-to-subject join, and reports of a filtered corpus."""

from __future__ import annotations

import csv
import io
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import runs
from pipeline.corpus import CorpusChanged, CorpusFilter, StoredCorpus, parse_years
from pipeline.documents import Document, normalise_title
from pipeline.ingest.bibfiles import parse_column_map, parse_csv
from pipeline.ingest.files import IngestError, ingest_paths, read_with_warnings
from pipeline.ingest.subjects import (
    SubjectTableError,
    has_subject,
    load_journal_subjects,
    with_subjects,
)
from pipeline.project import ProjectPaths, new_run_id
from pipeline.store import Store
from tests.reporting import FAST

BERDAYA = Path(sys.executable).parent / "berdaya"


def _parse(text: str, columns: dict[str, str] | None = None) -> list[Document]:
    return parse_csv(io.StringIO(text, newline=""), "t.csv", columns).documents


def test_indonesian_headers_are_recognised_without_a_mapping():
    [doc] = _parse(
        "Judul;Penulis;Tahun;Jurnal;Abstrak;Kata Kunci;DOI\n"
        "Kemitraan desa;Sari Putri dan Budi Santoso & Ani;2019;Jurnal Desa;"
        "Pemerintah desa bekerja sama dengan kelompok tani.;kemitraan, desa;10.1/abc\n"
    )
    assert doc.title == "Kemitraan desa"
    assert doc.authors == ("Sari Putri", "Budi Santoso", "Ani")
    assert doc.year == 2019
    assert doc.venue == "Jurnal Desa"
    assert doc.keywords == ("kemitraan", "desa")
    assert doc.doi == "10.1/abc"
    assert doc.abstract.startswith("Pemerintah desa")


def test_sinta_headers_are_recognised():
    [doc] = _parse(
        "JOURNAL_ID,JOURNAL_TITLE,ARTICLE_ID,ARTICLE_TITLE,ARTICLE_ABSTRACT\n"
        "3,Jurnal Contoh,9,Judul contoh,Ringkasan buatan sendiri untuk uji.\n"
    )
    assert (doc.title, doc.venue) == ("Judul contoh", "Jurnal Contoh")
    assert doc.year is None and doc.authors == ()


def test_columns_map_headers_the_aliases_do_not_know():
    text = "NAMA ARTIKEL,THN,SIAPA,MEDIA\nPartisipasi warga,2021,Rina Wati;Joko,Jurnal Warga\n"
    mapping = parse_column_map("title=NAMA ARTIKEL, year=THN,authors=SIAPA,venue=media")
    [doc] = _parse(text, mapping)
    assert (doc.title, doc.year, doc.authors, doc.venue) == (
        "Partisipasi warga",
        2021,
        ("Rina Wati", "Joko"),
        "Jurnal Warga",
    )


def test_a_mapping_wins_over_a_recognised_header():
    text = "title,year,tahun_terbit\nSebuah judul,1999,2020\n"
    [doc] = _parse(text, {"year": "TAHUN_TERBIT"})
    assert doc.year == 2020


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ("tahunn=TAHUN", "unknown field 'tahunn'"),
        ("year", "'year' is not FIELD=COLUMN"),
        ("year=", "'year=' is not FIELD=COLUMN"),
        ("", "nothing given"),
    ],
)
def test_a_bad_mapping_is_one_line_naming_the_item(given, named):
    with pytest.raises(ValueError) as caught:
        parse_column_map(given)
    message = str(caught.value)
    assert named in message and "\n" not in message


def test_a_mapped_column_missing_from_the_file_refuses_it_naming_both(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("judul,tahun\nSatu,2020\n", encoding="utf-8")
    with pytest.raises(IngestError) as caught:
        read_with_warnings(path, columns={"authors": "PENULIS_UTAMA"})
    assert str(caught.value) == (
        f"{path}: --columns authors=PENULIS_UTAMA: no such column; columns found: judul, tahun"
    )


def _subject_table(tmp_path: Path) -> Path:
    path = tmp_path / "subjects.csv"
    path.write_text(
        "JOURNAL_TITLE,JOURNAL_SUBJECTS\n"
        'Jurnal Desa,"Social Sciences, Economics, Econometrics & Finance"\n'
        "JURNAL  TEKNIK!,Engineering\n",
        encoding="utf-8",
    )
    return path


def test_journal_subjects_are_joined_by_title_up_to_case_and_punctuation(tmp_path):
    table = load_journal_subjects(_subject_table(tmp_path))
    desa = with_subjects(
        Document(source="csv", identifier="1", title="t", venue="jurnal desa"), table
    )
    assert desa.extra["subjects"] == ["Social Sciences", "Economics", "Econometrics & Finance"]
    teknik = with_subjects(
        Document(source="csv", identifier="2", title="t", venue="Jurnal Teknik"), table
    )
    assert teknik.extra["subjects"] == ["Engineering"]
    other = Document(source="csv", identifier="3", title="t", venue="Jurnal Lain")
    assert with_subjects(other, table) is other
    assert has_subject(desa, "social sciences")
    assert has_subject(desa, "Economics, Econometrics & Finance")  # SINTA's name, commas and all
    assert not has_subject(teknik, "Social Sciences")


def test_a_subject_table_without_a_subject_column_is_refused_naming_the_columns(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("journal,rank\nJ,1\n", encoding="utf-8")
    with pytest.raises(SubjectTableError, match="columns found: journal, rank"):
        load_journal_subjects(path)


def test_ingest_stores_the_subjects_on_each_document(tmp_path):
    data = tmp_path / "abstrak.csv"
    data.write_text("judul,jurnal,tahun\nSatu,Jurnal Desa,2018\nDua,Jurnal Lain,2020\n", "utf-8")
    table = load_journal_subjects(_subject_table(tmp_path))
    with Store(tmp_path / "s.sqlite") as store:
        report = ingest_paths(store, [data], journal_subjects=table)
        assert report.added == 2
        docs = {d.title: d for d in store.iter_documents()}
    assert docs["Satu"].extra["subjects"][0] == "Social Sciences"
    assert "subjects" not in docs["Dua"].extra


@pytest.mark.shared_data
def test_sinta_abstracts_join_their_journal_subjects(shared_data):
    """Every article whose journal the table lists with a subject gets it: 2,177 of the 2,656
    (82%); the others' journals are missing from the table or listed with no subject."""
    folder = shared_data / "sinta-abstracts"
    table = load_journal_subjects(folder / "journal-subject.csv")
    with (folder / "journal-subject.csv").open(encoding="utf-8", newline="") as handle:
        listed = {
            normalise_title(row["JOURNAL_TITLE"])
            for row in csv.DictReader(handle)
            if row["JOURNAL_SUBJECTS"].strip()
        }
    docs = read_with_warnings(folder / "deprecated-dataset-sinta.csv").documents
    joined = [with_subjects(d, table) for d in docs]
    assert [("subjects" in d.extra) for d in joined] == [
        normalise_title(d.venue) in listed for d in docs
    ]
    assert sum("subjects" in d.extra for d in joined) / len(joined) > 0.8
    assert any(has_subject(d, "Social Sciences") for d in joined)


def test_years_parse_or_fail_in_one_line():
    assert parse_years("2015-2024") == (2015, 2024)
    assert parse_years("2020") == (2020, 2020)
    for bad in ("2015-", "15-24", "2024-2015", "2015 to 2024"):
        with pytest.raises(ValueError, match=rf"--years '{bad}'"):
            parse_years(bad)


def _store_with_years(tmp_path: Path) -> tuple[Path, list[Document]]:
    docs = [
        Document(
            source="csv",
            identifier=str(i),
            title=f"Dokumen {i}",
            year=year,
            venue=venue,
            abstracts={"id": f"Teks buatan nomor {i}."},
            extra={"subjects": subjects} if subjects else {},
        )
        for i, (year, venue, subjects) in enumerate(
            [
                (2014, "Jurnal Desa", ["Social Sciences"]),
                (2016, "Jurnal Desa", ["Social Sciences"]),
                (2024, "Jurnal Teknik", ["Engineering"]),
                (None, "Jurnal Desa", ["Social Sciences"]),
            ]
        )
    ]
    case = Document(
        source="registry", identifier="k", title="Kasus", year=2010, extra={"role": "case"}
    )
    path = tmp_path / "s.sqlite"
    with Store(path) as store:
        store.upsert_many([*docs, case])
    return path, docs


def test_a_filter_keeps_years_journals_subjects_and_always_the_registry(tmp_path):
    path, _ = _store_with_years(tmp_path)

    def titles(keep: CorpusFilter) -> set[str]:
        return {d.title for d in StoredCorpus.open(path, keep)}

    assert titles(CorpusFilter(years=(2015, 2024))) == {"Kasus", "Dokumen 1", "Dokumen 2"}
    assert titles(CorpusFilter(journals=("JURNAL TEKNIK",))) == {"Kasus", "Dokumen 2"}
    both = CorpusFilter(years=(2015, 2024), subjects=("social sciences",))
    assert titles(both) == {"Kasus", "Dokumen 1"}
    assert len(StoredCorpus.open(path, CorpusFilter())) == 5


def test_a_filtered_corpus_still_notices_a_kept_document_changing(tmp_path):
    path, docs = _store_with_years(tmp_path)
    corpus = StoredCorpus.open(path, CorpusFilter(years=(2015, 2024)))
    copy = pickle.loads(pickle.dumps(corpus))
    assert [d.title for d in copy] == [d.title for d in corpus]
    with Store(path) as store:
        store.upsert(docs[0].with_changes(title="left out anyway"))  # 2014: not in the corpus
    assert len(list(corpus)) == 3
    with Store(path) as store:
        store.upsert(docs[1].with_changes(title="changed"))
    with pytest.raises(CorpusChanged, match=docs[1].id):
        list(corpus)


def test_a_filtered_report_says_so_on_the_page_and_in_the_manifest(project):
    paths = ProjectPaths(project)
    runs.ingest_registry(paths)
    wider = [
        Document(
            source="csv",
            identifier=str(i),
            title=f"Kemitraan pemerintah desa dan LSM {i}",
            year=2010 + i,
            venue="Jurnal Desa",
            abstracts={"id": f"Pemerintah desa bermitra dengan LSM mendampingi warga {i}."},
        )
        for i in range(10)
    ]
    with Store(paths.store) as store:
        store.upsert_many(wider)
    keep = CorpusFilter(years=(2015, 2024))
    docs, corpus_hash = runs.load_corpus(paths, keep)
    assert len(docs) == 16 + 5  # the registry, and 2015-2019 of the wider ones
    analysis = runs.run_analysis(docs, paths, FAST)
    manifest = runs.base_manifest(new_run_id(), analysis, corpus_hash, paths)
    manifest["corpus_filter"] = keep.as_dict()
    folder = runs.write_run_report(analysis, paths, manifest)
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert "Filtered corpus: only documents published 2015-2024 are analysed, 5 beyond" in html
    assert "Filtered corpus" in (folder / "report.md").read_text(encoding="utf-8")
    saved = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert saved["corpus_filter"] == {"years": "2015-2024"}
    assert saved["documents"] == 21
    with (folder / "citations" / "corpus.ris").open(encoding="utf-8") as handle:
        assert sum(1 for line in handle if line.startswith("TY  - ")) == 21


def _berdaya(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BERDAYA), *args], capture_output=True, text=True, timeout=300, check=False
    )


def test_cli_bad_columns_and_bad_years_are_one_line_naming_them(project):
    data = project / "a.csv"
    data.write_text("judul\nSatu\n", encoding="utf-8")
    bad = _berdaya("ingest", str(data), "--columns", "tahunn=TAHUN", "--project", str(project))
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "error: --columns: unknown field 'tahunn' in 'tahunn=TAHUN'; fields: title, abstract, "
        "venue, year, doi, authors, url, keywords"
    ]
    years = _berdaya("report", "--years", "2015-20x4", "--project", str(project))
    assert years.returncode == 2
    assert years.stderr.strip().splitlines() == [
        "error: --years '2015-20x4': expected FIRST-LAST, e.g. --years 2015-2024"
    ]


def test_cli_ingest_maps_columns_and_joins_subjects(project, tmp_path):
    data = project / "a.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [["JUDUL_X", "THN", "jurnal"], ["Satu", "2020", "Jurnal Desa"]]
        )
    table = _subject_table(tmp_path)
    done = _berdaya(
        "ingest",
        str(data),
        "--columns",
        "title=JUDUL_X,year=THN",
        "--journal-subjects",
        str(table),
        "--project",
        str(project),
    )
    assert done.returncode == 0, done.stderr
    with Store(ProjectPaths(project).store) as store:
        [doc] = list(store.iter_documents())
    assert (doc.title, doc.year, doc.extra["subjects"][0]) == ("Satu", 2020, "Social Sciences")
