"""Hostile and odd inputs through the real `berdaya ingest` command (issue 8).

One batch holds every bad file next to good ones; the command runs once in a subprocess, under a
bounded wait, and each test checks one file's outcome: one stderr line naming the file and the
reason, the rest of the batch stored, and what was stored before left exactly as it was. Cases
already covered at the function level (tests/test_ingest_files.py) are not repeated here.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.ingest.fulltext import run_isolated
from pipeline.store import Store
from pipeline.text.tokens import repair_mojibake
from tests.pdfmaking import make_pdf

BERDAYA = Path(sys.executable).parent / "berdaya"
_MB = 1024 * 1024
KEEP = "Pemberdayaan masyarakat desa oleh LPM Sriwijaya dan pemerintah kabupaten OKU.\n"
PAGE_TEXT = b"BT /F1 11 Tf 72 740 Td (Kemitraan pemerintah dan lembaga swadaya) Tj ET"
MOJIBAKE_RIGHT = "Pemberdayaan ‘partisipatif’ di desa—kajian lapangan, café.\n"


def _raw_pdf(content: bytes, *, flate: bool = False, prev_loop: bool = False) -> bytes:
    """A one-page PDF written by hand, so its xref and content stream can be made hostile."""
    objects: list[bytes | None] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,  # the content stream
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        if body is None:
            filters = b" /Filter /FlateDecode" if flate else b""
            body = b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(content), filters, content)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    prev = b" /Prev %d" % xref if prev_loop else b""  # the xref section names itself as previous
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        prev,
        xref,
    )
    return bytes(out)


def _bomb_stream(inflated_mb: int = 300) -> bytes:
    """A FlateDecode stream of a text line then ``inflated_mb`` MB of zeros, built streaming."""
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(PAGE_TEXT + b"\n")]
    zeros = bytes(_MB)
    parts.extend(compressor.compress(zeros) for _ in range(inflated_mb))
    parts.append(compressor.flush())
    return b"".join(parts)


@dataclass
class Batch:
    folder: Path
    store_path: Path
    result: subprocess.CompletedProcess[str]
    before: dict[str, str]  # id -> content_hash of what was stored before the batch

    def errors(self) -> list[str]:
        return [line for line in self.result.stderr.splitlines() if line.startswith("error: ")]

    def error_for(self, name: str) -> str:
        lines = [line for line in self.errors() if f"{self.folder / name}: " in line]
        assert len(lines) == 1, self.result.stderr
        return lines[0]

    def documents(self) -> dict[str, tuple[str, str]]:
        """filename -> (id, stored text) of every file document."""
        with Store(self.store_path) as store:
            out = {}
            for doc in store.iter_documents():
                if doc.source == "files":
                    text = doc.full_text or next(iter(doc.abstracts.values()), "")
                    out[doc.extra["filename"]] = (doc.id, text)
                    for other in doc.extra.get("also_at", ()):
                        out[Path(other).name] = (doc.id, text)
            return out


def _hashes(store_path: Path) -> dict[str, str]:
    with sqlite3.connect(store_path) as db:
        return dict(db.execute("SELECT id, content_hash FROM documents"))


def _ingest(project: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    command = [str(BERDAYA), "ingest", "--project", str(project), *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, timeout=240, check=False)


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    project = tmp_path_factory.mktemp("project")
    (project / "corpus" / "inbox").mkdir(parents=True)
    first = tmp_path_factory.mktemp("first")
    (first / "keep.txt").write_text(KEEP, encoding="utf-8")
    done = _ingest(project, first / "keep.txt")
    assert done.returncode == 0, done.stderr
    store_path = project / "corpus" / "berdaya.sqlite"
    before = _hashes(store_path)
    assert len(before) == 1

    folder = tmp_path_factory.mktemp("batch")
    with (folder / "huge.txt").open("wb") as handle:  # sparse: 200 MB long, a few bytes on disk
        handle.write(b"Teks yang terlalu besar.\n")
        handle.truncate(200 * _MB)
    (folder / "loop.pdf").write_bytes(_raw_pdf(PAGE_TEXT, prev_loop=True))
    (folder / "bomb.pdf").write_bytes(_raw_pdf(_bomb_stream(), flate=True))
    (folder / "scripts.html").write_text(
        "<html><head><script>var a = 1;</script></head><body>"
        "<script>document.write('Pemberdayaan')</script><noscript></noscript>"
        "<style>p { color: red }</style></body></html>",
        encoding="utf-8",
    )
    # UTF-8 read as cp1252 and saved again as UTF-8: the classic mojibake of old OJS exports.
    mojibake = MOJIBAKE_RIGHT.encode("utf-8").decode("cp1252")
    (folder / "mojibake.txt").write_text(mojibake, encoding="utf-8")
    twin = "Kemitraan pemerintah daerah dan LSM dalam pemberdayaan petani kopi.\n"
    (folder / "twin_a.txt").write_text(twin, encoding="utf-8")
    (folder / "twin_b.txt").write_text(twin, encoding="utf-8")
    make_pdf(folder / "good.pdf", ["Partisipasi warga dalam musyawarah desa."], title="Baik")
    result = _ingest(project, folder)
    return Batch(folder, store_path, result, before)


def test_command_finishes_and_names_only_the_refused_files(batch: Batch) -> None:
    assert batch.result.returncode == 1, batch.result.stderr  # 1: some files were refused
    refused = {line.split(": ")[1] for line in batch.errors()}
    assert refused == {str(batch.folder / n) for n in ("huge.txt", "bomb.pdf", "scripts.html")}


def test_sparse_200_mb_text_is_refused_by_size_before_reading(batch: Batch) -> None:
    line = batch.error_for("huge.txt")
    # "file is 200.0 MB" is the stat() check: the size is known without reading the file.
    assert "file is 200.0 MB, over the 50.0 MB cap" in line
    assert "huge.txt" not in batch.documents()


def test_pdf_with_a_prev_loop_in_its_xref_is_read_once(batch: Batch) -> None:
    assert not any("loop.pdf" in line for line in batch.errors())
    _id, text = batch.documents()["loop.pdf"]
    assert "Kemitraan pemerintah" in text


def test_decompression_bomb_pdf_is_refused_in_one_line(batch: Batch) -> None:
    line = batch.error_for("bomb.pdf")
    assert "not a readable PDF" in line or "out of memory" in line
    assert "bomb.pdf" not in batch.documents()


def test_html_of_only_scripts_has_no_text(batch: Batch) -> None:
    line = batch.error_for("scripts.html")
    assert line.endswith("no text left after removing markup")


def test_mojibake_text_is_taken_and_readable(batch: Batch) -> None:
    _id, text = batch.documents()["mojibake.txt"]
    text.encode("utf-8")  # valid text, not bytes in disguise
    assert repair_mojibake(text).strip() == MOJIBAKE_RIGHT.strip()


def test_same_file_under_two_names_is_one_document(batch: Batch) -> None:
    documents = batch.documents()
    assert documents["twin_a.txt"][0] == documents["twin_b.txt"][0]
    ids = [doc_id for doc_id, _ in documents.values()]
    assert len(set(ids)) == len(_hashes(batch.store_path))


def test_stored_documents_are_unchanged_and_the_rest_went_in(batch: Batch) -> None:
    after = _hashes(batch.store_path)
    for doc_id, content_hash in batch.before.items():
        assert after[doc_id] == content_hash
    # keep (stored before), loop, mojibake, the twins (one document), good.pdf
    assert len(after) == 5
    assert "good.pdf" in batch.documents()
    # twin_b updates the twin's record (its second name goes into also_at), nothing else changes
    assert "5 files read: 4 documents added, 1 updated" in batch.result.stdout
    assert "3 files refused" in batch.result.stdout


def test_worker_memory_cap_turns_a_huge_allocation_into_one_line() -> None:
    with pytest.raises(ValueError, match=r"ran out of memory \(over the 256 MB cap\)"):
        run_isolated(bytearray, (4 * 1024 * _MB,), timeout=60, memory_limit=256 * _MB)
