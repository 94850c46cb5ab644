"""Local-file ingest: real files in tmp_path, a real SQLite store, real PDFs made on the spot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.ingest.files import (
    IngestError,
    IngestReport,
    ingest_paths,
    iter_paths,
    read_file,
    read_with_warnings,
)
from pipeline.store import Store
from tests.pdfmaking import make_pdf

ID_TEXT = (
    "Pemberdayaan Masyarakat Desa di Kabupaten OKU\n\n"
    "Penelitian ini membahas partisipasi masyarakat dalam program pemberdayaan yang "
    "dilaksanakan oleh pemerintah desa dengan dukungan dari lembaga swadaya.\n"
)
EN_TEXT = (
    "Community empowerment in rural Sumatra\n\n"
    "This study examines the participation of the community in programmes that are run by "
    "the village government with the support of local organisations.\n"
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "corpus.sqlite") as opened:
        yield opened


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def only(path: Path):
    documents = read_file(path)
    assert len(documents) == 1
    return documents[0]


class TestIngestError:
    def test_message_is_one_line_naming_path_and_reason(self) -> None:
        error = IngestError("inbox/a.txt", "empty file")
        assert (error.path, error.reason) == ("inbox/a.txt", "empty file")
        assert str(error) == "inbox/a.txt: empty file"


class TestPlainText:
    def test_txt_title_language_and_short_body_as_abstract(self, tmp_path: Path) -> None:
        path = write(tmp_path / "catatan.txt", "\n\n" + ID_TEXT)
        doc = only(path)
        assert doc.source == "files"
        assert doc.title == "Pemberdayaan Masyarakat Desa di Kabupaten OKU"
        assert doc.language == "id"
        assert doc.abstracts["id"].startswith("Pemberdayaan Masyarakat")
        assert doc.full_text == ""
        assert doc.identifier.startswith("sha256:")
        assert doc.extra == {"path": str(path), "filename": "catatan.txt"}

    def test_long_text_is_full_text(self, tmp_path: Path) -> None:
        doc = only(write(tmp_path / "long.txt", EN_TEXT * 40))
        assert doc.language == "en"
        assert doc.abstracts == {}
        assert "village government" in doc.full_text

    def test_title_is_capped(self, tmp_path: Path) -> None:
        doc = only(write(tmp_path / "t.txt", "kata " * 200))
        assert len(doc.title) == 300

    def test_markdown_markup_is_stripped(self, tmp_path: Path) -> None:
        text = (
            "# Program *Desa* Mandiri\n\n"
            "Lihat [laporan lengkap](https://example.org/r) dan **hasil** utama; "
            "nama_berkas tetap utuh.\n\n## Metode\n\n> kutipan wawancara\n"
        )
        doc = only(write(tmp_path / "notes.MD", text))
        body = doc.abstracts[doc.language]
        assert doc.title == "Program Desa Mandiri"
        assert "laporan lengkap dan hasil utama" in body
        assert "https://" not in body and "**" not in body and "#" not in body
        assert "nama_berkas" in body
        assert "\n\nMetode\n\nkutipan wawancara" in body

    def test_html_visible_text_title_and_paragraphs(self, tmp_path: Path) -> None:
        page = (
            "<!doctype html><html><head><title>Dana Desa &amp; Partisipasi</title>"
            "<style>p { color: red }</style><script>var hidden = 1;</script></head>"
            "<body><h1>Judul Halaman</h1><p>Paragraf pertama tentang "
            "pemberdayaan&nbsp;masyarakat &eacute;.</p><noscript>aktifkan JS</noscript>"
            "<template><p>templat</p></template><p>Paragraf<br>kedua</p></body></html>"
        )
        doc = only(write(tmp_path / "page.HTM", page))
        body = doc.abstracts[doc.language]
        assert doc.title == "Dana Desa & Partisipasi"
        assert "Paragraf pertama tentang pemberdayaan masyarakat é." in body  # nbsp -> space
        assert "\n\nParagraf\nkedua" in body
        for hidden in ("color", "hidden", "aktifkan", "templat", "Dana Desa"):
            assert hidden not in body

    def test_html_without_title_uses_first_h1(self, tmp_path: Path) -> None:
        page = "<p>Pengantar</p><h1>Laporan  Tahunan</h1><h1>Lain</h1><p>isi</p>"
        assert only(write(tmp_path / "p.html", page)).title == "Laporan Tahunan"

    def test_pdf_title_from_metadata_and_all_pages(self, tmp_path: Path) -> None:
        path = make_pdf(
            tmp_path / "paper.pdf",
            ["Halaman pertama tentang desa", "Halaman kedua tentang masyarakat"],
            title="Pemberdayaan Perempuan Desa",
        )
        doc = only(path)
        body = doc.abstracts[doc.language]
        assert doc.title == "Pemberdayaan Perempuan Desa"
        assert "Halaman pertama" in body and "Halaman kedua" in body
        assert doc.language == "id"

    def test_pdf_without_metadata_title_uses_first_line(self, tmp_path: Path) -> None:
        path = make_pdf(tmp_path / "p.pdf", ["\nCommunity Participation\nin the village"])
        assert only(path).title == "Community Participation"

    def test_pdf_encrypted_with_empty_password_opens(self, tmp_path: Path) -> None:
        path = make_pdf(tmp_path / "p.pdf", ["Laporan yang terbuka"], encrypt_password="")
        assert "terbuka" in only(path).abstracts["id"]


class TestDecoding:
    def test_utf16_with_bom(self, tmp_path: Path) -> None:
        doc = only(write(tmp_path / "u16.txt", "\ufeff" + ID_TEXT + "Kopi Gayo é\n", "utf-16-le"))
        assert doc.title.startswith("Pemberdayaan")
        assert "Gayo é" in doc.abstracts["id"]

    def test_utf8_bom_is_not_part_of_the_title(self, tmp_path: Path) -> None:
        doc = only(write(tmp_path / "bom.txt", "\ufeff" + ID_TEXT))
        assert doc.title == "Pemberdayaan Masyarakat Desa di Kabupaten OKU"

    def test_latin1_and_cp1252_fall_back(self, tmp_path: Path) -> None:
        doc = only(write(tmp_path / "l1.txt", "Café “Kopi” à São Paulo\n" + ID_TEXT, "cp1252"))
        assert doc.title == "Café “Kopi” à São Paulo"
        latin = only(write(tmp_path / "l2.txt", "Ñandú señor\x81\n" + ID_TEXT, "latin-1"))
        assert latin.title.startswith("Ñandú señor")

    def test_same_text_in_two_encodings_is_one_identifier(self, tmp_path: Path) -> None:
        a = only(write(tmp_path / "a.txt", "Café desa\r\n" + ID_TEXT, "utf-8"))
        b = only(write(tmp_path / "b.txt", "Café desa\n" + ID_TEXT, "utf-16"))
        assert a.identifier == b.identifier


def error_of(path: Path, **kwargs: int) -> IngestError:
    with pytest.raises(IngestError) as caught:
        read_file(path, **kwargs)
    assert caught.value.path == str(path)
    return caught.value


class TestRefusals:
    def test_empty_and_whitespace_only(self, tmp_path: Path) -> None:
        assert error_of(write(tmp_path / "e.txt", "")).reason == "empty file"
        assert error_of(write(tmp_path / "w.md", " \n\t\r\n")).reason == "empty file"
        assert error_of(write(tmp_path / "w16.txt", "\ufeff  \n", "utf-16")).reason == "empty file"

    def test_binary_junk(self, tmp_path: Path) -> None:
        nul = tmp_path / "image.txt"
        nul.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
        assert error_of(nul).reason == "looks binary, not text"
        controls = tmp_path / "ctl.txt"
        controls.write_bytes(bytes(range(1, 32)) * 20 + b"a few words")
        assert error_of(controls).reason == "looks binary, not text"

    def test_unsupported_suffix(self, tmp_path: Path) -> None:
        reason = error_of(write(tmp_path / "x.xyz", "text")).reason
        assert reason == (
            "unsupported file type .xyz; berdaya reads .txt .md .html .pdf .bib .ris .csv"
        )

    def test_missing_file_and_directory(self, tmp_path: Path) -> None:
        assert error_of(tmp_path / "nope.txt").reason == "no such file or directory"
        (tmp_path / "dir.txt").mkdir()
        assert "directory" in error_of(tmp_path / "dir.txt").reason

    def test_size_cap(self, tmp_path: Path) -> None:
        path = write(tmp_path / "big.txt", "desa " * 1000)
        reason = error_of(path, max_bytes=1024).reason
        assert "5000 bytes" in reason and "1024 bytes cap" in reason
        assert read_file(path, max_bytes=5000)

    def test_broken_pdf(self, tmp_path: Path) -> None:
        good = make_pdf(tmp_path / "good.pdf", ["Isi laporan"]).read_bytes()
        broken = tmp_path / "broken.pdf"
        broken.write_bytes(good[: len(good) // 3])
        assert error_of(broken).reason.startswith("not a readable PDF")
        junk = tmp_path / "junk.pdf"
        junk.write_bytes(b"this is not a pdf at all")
        assert error_of(junk).reason.startswith("not a readable PDF")

    def test_encrypted_pdf_needs_password(self, tmp_path: Path) -> None:
        path = make_pdf(tmp_path / "locked.pdf", ["Rahasia"], encrypt_password="kunci")
        assert error_of(path).reason == (
            "encrypted PDF that needs a password; save a copy without one"
        )

    def test_pdf_without_text(self, tmp_path: Path) -> None:
        path = make_pdf(tmp_path / "scan.pdf", [""])
        assert "no extractable text" in error_of(path).reason


class TestIterPaths:
    def test_expands_directories_sorted_and_skips_hidden(self, tmp_path: Path) -> None:
        for name in ("b.txt", "a.txt", ".hidden.txt", "sub/c.md", ".git/x.txt"):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            write(tmp_path / name, "x")
        missing = tmp_path / "missing.txt"
        found = list(iter_paths([tmp_path, missing]))
        assert found == [tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "sub/c.md", missing]


class TestIngestPaths:
    def make_inbox(self, root: Path) -> dict[str, Path]:
        root.mkdir()
        return {
            "id": write(root / "laporan.txt", ID_TEXT),
            "en": write(root / "summary.md", "# Summary\n\n" + EN_TEXT),
            "pdf": make_pdf(root / "paper.pdf", ["Pemberdayaan petani kopi di desa"]),
        }

    def test_batch_with_bad_files_reports_each_and_keeps_the_rest(
        self, tmp_path: Path, store: Store
    ) -> None:
        self.make_inbox(tmp_path / "inbox")
        bad = {
            "empty": write(tmp_path / "empty.txt", ""),
            "junk": tmp_path / "junk.txt",
            "pdf": tmp_path / "broken.pdf",
            "suffix": write(tmp_path / "slides.pptx", "x"),
            "missing": tmp_path / "missing.txt",
        }
        bad["junk"].write_bytes(bytes(range(256)) * 4)
        bad["pdf"].write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF")

        paths = [bad["empty"], tmp_path / "inbox", bad["junk"], bad["pdf"]]
        report = ingest_paths(store, [*paths, bad["suffix"], bad["missing"]])

        assert isinstance(report, IngestReport)
        assert (report.added, report.updated, report.unchanged, report.files) == (3, 0, 0, 3)
        assert store.count() == 3
        lines = [str(error) for error in report.errors]
        assert lines == [
            f"{bad['empty']}: empty file",
            f"{bad['junk']}: looks binary, not text",
            lines[2],
            f"{bad['suffix']}: unsupported file type .pptx; berdaya reads "
            ".txt .md .html .pdf .bib .ris .csv",
            f"{bad['missing']}: no such file or directory",
        ]
        assert lines[2].startswith(f"{bad['pdf']}: not a readable PDF")
        assert all("\n" not in line for line in lines)
        languages = sorted(doc.language for doc in store.iter_documents())
        assert languages == ["en", "id", "id"]

    def test_reingest_is_unchanged_and_adds_nothing(self, tmp_path: Path, store: Store) -> None:
        inbox = self.make_inbox(tmp_path / "inbox")
        first = ingest_paths(store, [tmp_path / "inbox"])
        hash_before = store.corpus_hash()
        again = ingest_paths(store, list(inbox.values()))
        assert (first.added, again.added, again.updated, again.unchanged) == (3, 0, 0, 3)
        assert store.count() == 3
        assert store.corpus_hash() == hash_before

    def test_same_text_under_two_names_is_one_document(self, tmp_path: Path, store: Store) -> None:
        a = write(tmp_path / "a.txt", ID_TEXT)
        b = write(tmp_path / "copy of a.txt", ID_TEXT.replace("\n", "\r\n"))
        first = ingest_paths(store, [a, b])
        assert store.count() == 1
        assert (first.added, first.updated) == (1, 1)
        doc = next(store.iter_documents())
        assert doc.extra == {"path": str(a), "filename": "a.txt", "also_at": [str(b)]}
        again = ingest_paths(store, [b, a])
        assert (again.added, again.updated, again.unchanged) == (0, 0, 2)

    def test_bad_file_leaves_stored_rows_untouched(self, tmp_path: Path, store: Store) -> None:
        notes = tmp_path / "notes.csv"
        write(notes, "title,abstract\nDana Desa,Penelitian ini tentang dana desa.\n")
        assert ingest_paths(store, [notes]).added == 1
        before = list(store.iter_documents())
        hash_before = store.corpus_hash()

        # The same file, now with a new abstract for the stored row followed by binary junk.
        notes.write_bytes(
            b"title,abstract\nDana Desa,Abstrak yang baru.\n" + bytes(range(1, 32)) * 50
        )
        report = ingest_paths(store, [notes, make_pdf(tmp_path / "ok.pdf", ["Isi baru"])])

        assert [str(e) for e in report.errors] == [f"{notes}: looks binary, not text"]
        assert report.added == 1
        stored = [d for d in store.iter_documents() if d.source == "csv"]
        assert stored == before
        assert store.corpus_hash() != hash_before  # the good PDF did go in

    def test_bibliography_warnings_reach_the_report(self, tmp_path: Path, store: Store) -> None:
        bib = write(
            tmp_path / "refs.bib",
            "@article{ok, title={Dana Desa}, year={2020}}\n@article{bad, title={Unclosed,\n",
        )
        report = ingest_paths(store, [bib])
        assert (report.added, report.errors) == (1, [])
        assert len(report.warnings) == 1 and report.warnings[0].startswith(f"{bib}: line 2")

    def test_read_with_warnings_for_plain_files_has_none(self, tmp_path: Path) -> None:
        parsed = read_with_warnings(write(tmp_path / "a.txt", ID_TEXT))
        assert len(parsed.documents) == 1 and parsed.warnings == []
