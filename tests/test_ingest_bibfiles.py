"""Bibliography ingest (BibTeX, RIS, CSV): real files in tmp_path and a real SQLite store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.documents import normalise_title
from pipeline.ingest.bibfiles import parse_bibtex, parse_csv, parse_ris, strip_latex
from pipeline.ingest.files import IngestError, ingest_paths, read_file, read_with_warnings
from pipeline.store import Store

ABSTRACT_ID = (
    "Penelitian ini bertujuan untuk menganalisis partisipasi masyarakat dalam program "
    "pemberdayaan di desa."
)
ABSTRACT_EN = "This study analyses the participation of the community in the village programme."

BIBTEX = r"""
@string{jpm = "Jurnal Pemberdayaan Masyarakat"}

@article{sari2021,
  title    = {Pemberdayaan {M}asyarakat di Kabupaten {\"O}gan {K}omering {U}lu},
  author   = {Sari, Dewi and Putra, Budi and others},
  year     = 2021,
  journal  = jpm,
  doi      = {https://doi.org/10.1234/JPM.2021.001},
  url      = {https://example.org/a},
  abstract = {ABSTRACT_ID},
  keywords = {pemberdayaan; desa, partisipasi},
}

@inproceedings{lee2019,
  title     = "Community {Participation} in \emph{Rural} Development \& Planning",
  author    = "Lee, Ann",
  year      = "in press 2019",
  booktitle = {Proceedings of the Village Conference},
  abstract  = {ABSTRACT_EN},
}

@article{broken,
  title = {Never closed,
  year = 2020

@book{nodate, title = {Buku Tanpa Tahun}, publisher = {Penerbit Desa}, year = {n.d.}}
""".replace("ABSTRACT_ID", ABSTRACT_ID).replace("ABSTRACT_EN", ABSTRACT_EN)

RIS = f"""TY  - JOUR
TI  - Partisipasi Masyarakat dalam Dana Desa
AU  - Sari, Dewi
A1  - Putra, Budi
PY  - 2020///
JO  - Jurnal Desa
DO  - 10.5555/DESA.1
UR  - https://example.org/desa
AB  - {ABSTRACT_ID[:43]}
  {ABSTRACT_ID[44:]}
KW  - dana desa
KW  - Sumatra, Indonesia
ER  -

TY  - BOOK
AU  - Tanpa Judul
ER  -

TY  - CHAP
T1  - Community Participation
Y1  - 2018/05/01
T2  - Handbook of Villages
N2  - {ABSTRACT_EN}
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "corpus.sqlite") as opened:
        yield opened


class TestStripLatex:
    @pytest.mark.parametrize(
        ("raw", "clean"),
        [
            (r"{\"O}gan and \"{u}ber", "Ögan and über"),
            (r"Caf\'{e} \c{c} \v s \'{\i}", "Café ç š í"),
            (r"\emph{Rural} \textbf{Dev} 50\% \& {B}races", "Rural Dev 50% & Braces"),
            (r"1990--2000 --- \ss{} x~y", "1990–2000 — ß x y"),
        ],
    )
    def test_light_cleanup(self, raw: str, clean: str) -> None:
        assert strip_latex(raw) == clean


class TestBibtex:
    def test_fields(self, tmp_path: Path) -> None:
        docs = {d.extra["citation_key"]: d for d in read_file(write(tmp_path / "r.BIB", BIBTEX))}
        assert set(docs) == {"sari2021", "lee2019", "nodate"}

        sari = docs["sari2021"]
        assert sari.source == "bibtex"
        assert sari.title == "Pemberdayaan Masyarakat di Kabupaten Ögan Komering Ulu"
        assert sari.authors == ("Sari, Dewi", "Putra, Budi")
        assert sari.year == 2021
        assert sari.venue == "Jurnal Pemberdayaan Masyarakat"
        assert sari.doi == "10.1234/jpm.2021.001"
        assert sari.identifier == "10.1234/jpm.2021.001"
        assert sari.url == "https://example.org/a"
        assert sari.abstracts == {"id": ABSTRACT_ID}
        assert sari.language == "id"
        assert sari.keywords == ("pemberdayaan", "desa", "partisipasi")
        assert sari.extra == {"citation_key": "sari2021", "entry_type": "article"}

        lee = docs["lee2019"]
        assert lee.title == "Community Participation in Rural Development & Planning"
        assert lee.year == 2019
        assert lee.venue == "Proceedings of the Village Conference"
        assert lee.language == "en" and set(lee.abstracts) == {"en"}
        assert lee.identifier == "lee2019:" + normalise_title(lee.title)

        nodate = docs["nodate"]
        assert (nodate.year, nodate.venue, nodate.abstracts) == (None, "Penerbit Desa", {})

    def test_broken_entry_keeps_the_good_ones_and_is_reported(self, tmp_path: Path) -> None:
        path = write(tmp_path / "r.bib", BIBTEX)
        parsed = read_with_warnings(path)
        assert len(parsed.documents) == 3
        assert len(parsed.warnings) == 1
        warning = parsed.warnings[0]
        first_line = BIBTEX.splitlines().index("@article{broken,") + 1
        assert warning.startswith(f"{path}: line {first_line}: broken entry skipped:")
        assert "\n" not in warning

    def test_duplicate_key_and_missing_title_are_warnings(self) -> None:
        parsed = parse_bibtex(
            "@article{a, title={One}}\n@article{a, title={Two}}\n@misc{b, year={2001}}\n",
            "refs.bib",
        )
        assert [d.title for d in parsed.documents] == ["One"]
        assert parsed.warnings == [
            "refs.bib: line 2: Duplicate entry key 'a'; first one kept",
            "refs.bib: line 3: entry 'b' has no title; skipped",
        ]

    def test_nothing_parseable_is_an_error(self, tmp_path: Path) -> None:
        path = write(tmp_path / "bad.bib", "@article{x,\n title = {open\n")
        with pytest.raises(IngestError, match=r"no usable BibTeX entries \(1 problems"):
            read_file(path)
        with pytest.raises(IngestError, match=r"no usable BibTeX entries$"):
            read_file(write(tmp_path / "comments.bib", "just a comment\n"))


class TestRis:
    def test_fields_continuations_and_warnings(self, tmp_path: Path) -> None:
        path = write(tmp_path / "export.ris", RIS)
        parsed = read_with_warnings(path)
        first, second = parsed.documents

        assert first.source == "ris"
        assert first.title == "Partisipasi Masyarakat dalam Dana Desa"
        assert first.authors == ("Sari, Dewi", "Putra, Budi")
        assert (first.year, first.venue, first.doi) == (2020, "Jurnal Desa", "10.5555/desa.1")
        assert first.identifier == "10.5555/desa.1"
        assert first.abstracts == {"id": ABSTRACT_ID}
        assert first.keywords == ("dana desa", "Sumatra, Indonesia")
        assert first.extra == {"ris_type": "JOUR"}

        assert second.title == "Community Participation"
        assert (second.year, second.venue, second.language) == (2018, "Handbook of Villages", "en")
        assert second.identifier == "title:community participation:2018"

        assert parsed.warnings == [
            f"{path}: line 15: record has no title (TI/T1); skipped",
            f"{path}: line 19: last record has no ER line; kept",
        ]

    def test_no_records_is_an_error(self) -> None:
        with pytest.raises(ValueError, match="no RIS records"):
            parse_ris("just some text\n", "x.ris")


SINTA_HEADER = "JOURNAL_ID,JOURNAL_TITLE,ARTICLE_ID,ARTICLE_TITLE,ARTICLE_ABSTRACT\n"


class TestCsv:
    def test_sinta_shape(self, tmp_path: Path) -> None:
        path = write(
            tmp_path / "sinta.csv",
            SINTA_HEADER
            + f'1,Jurnal Desa,1,Dana Desa dan Partisipasi ,"{ABSTRACT_ID}"\n'
            + f'1,Jurnal Desa,2,"Village Funds, Participation","{ABSTRACT_EN}\nSecond line."\n',
        )
        first, second = read_file(path)
        assert first.source == "csv"
        assert (first.title, first.venue, first.language) == (
            "Dana Desa dan Partisipasi",
            "Jurnal Desa",
            "id",
        )
        assert first.identifier == "title:dana desa dan partisipasi"
        assert second.title == "Village Funds, Participation"
        assert second.abstracts == {"en": ABSTRACT_EN + " Second line."}
        assert first.extra == {}

    def test_aliases_case_and_semicolons(self, tmp_path: Path) -> None:
        text = (
            "Article_Title;Publication Year;DOI;Author;Source_Title;Link;Keywords;Extra\n"
            "Pemberdayaan Nelayan;2019;doi:10.1/NEL;Sari, Dewi;Jurnal Laut;"
            "https://example.org/n;nelayan, pesisir;ignored\n"
        )
        (doc,) = read_file(write(tmp_path / "scopus.csv", text))
        assert (doc.title, doc.year, doc.doi, doc.identifier) == (
            "Pemberdayaan Nelayan",
            2019,
            "10.1/nel",
            "10.1/nel",
        )
        assert (doc.authors, doc.venue, doc.url) == (
            ("Sari, Dewi",),
            "Jurnal Laut",
            "https://example.org/n",
        )
        assert doc.keywords == ("nelayan", "pesisir")

        text = 'TITLE,year,authors,venue,url,keywords\nDesa Wisata,2022,Ani; Budi,J,u,"a; b, c"\n'
        (doc,) = read_file(write(tmp_path / "mine.csv", text))
        assert doc.authors == ("Ani", "Budi")
        assert doc.keywords == ("a", "b", "c")
        assert doc.identifier == "title:desa wisata:2022"

    def test_rows_without_title_are_counted(self, tmp_path: Path) -> None:
        path = write(tmp_path / "t.csv", "title,abstract\n,x\nDesa,y\n  ,z\n\n")
        parsed = read_with_warnings(path)
        assert [d.title for d in parsed.documents] == ["Desa"]
        assert parsed.warnings == [f"{path}: 2 row(s) without a title skipped (first at line 2)"]

    def test_no_title_column_is_an_error(self, tmp_path: Path) -> None:
        path = write(tmp_path / "n.csv", "name,value\na,b\n")
        with pytest.raises(IngestError, match=r"no title column .* columns found: name, value"):
            read_file(path)

    def test_repeated_rows_within_a_file_merge(self) -> None:
        rows = [
            "title,abstract,year\n",
            "Dana Desa,,\n",
            f"DANA DESA!,{ABSTRACT_ID},\n",
        ]
        (doc,) = parse_csv(rows, "x.csv").documents
        assert (doc.title, doc.abstracts) == ("Dana Desa", {"id": ABSTRACT_ID})

    def test_overlapping_files_land_on_one_record(self, tmp_path: Path, store: Store) -> None:
        a = write(
            tmp_path / "a.csv",
            SINTA_HEADER
            + f"1,Jurnal Desa,1,Dana Desa dan Partisipasi,{ABSTRACT_ID}\n"
            + f"1,Jurnal Desa,2,Only In A,{ABSTRACT_ID}\n",
        )
        b = write(
            tmp_path / "b.csv",
            "S0,JOURNAL_TITLE,ARTICLE_TITLE,ARTICLE_ABSTRACT\n"
            + f"S0,Jurnal Desa,Dana Desa dan  Partisipasi ,{ABSTRACT_ID}\n"
            + f"S0,Jurnal Lain,Only In B,{ABSTRACT_EN}\n",
        )
        first = ingest_paths(store, [a, b])
        assert (first.added, first.updated, first.unchanged) == (3, 0, 1)
        assert store.count() == 3
        again = ingest_paths(store, [a, b])
        assert (again.added, again.updated, again.unchanged) == (0, 0, 4)


@pytest.mark.shared_data
@pytest.mark.slow
def test_sinta_abstracts_ingest(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "sinta-abstracts"
    files = [
        folder / "deprecated-dataset-sinta.csv",
        folder / "output_65045a0.csv",
        folder / "dataset-master-sinta-bilingual-v2.csv",
    ]
    with Store(tmp_path / "corpus.sqlite") as store:
        report = ingest_paths(store, files)
        assert report.errors == [] and report.files == 3
        count = store.count()
        assert 3_500 <= count <= 3_800
        languages = Counter(doc.language for doc in store.iter_documents())
        assert languages["id"] >= 0.9 * count
        assert all(doc.source == "csv" and doc.title for doc in store.iter_documents())
