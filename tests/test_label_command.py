"""`berdaya label`: a coding sheet of uncertain documents out, a researcher's codings back in."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from pipeline import runs
from pipeline.ingest.files import ingest_paths
from pipeline.project import ProjectPaths
from pipeline.store import Store

BERDAYA = Path(sys.executable).parent / "berdaya"


def berdaya(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BERDAYA), *args, "--project", str(cwd)],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def test_sheet_lists_uncoded_documents_and_import_keeps_the_codes(project):
    note = project / "catatan.txt"
    note.write_text(
        "Kemitraan desa\n\nPemerintah desa bersama LSM mendampingi kelompok tani.", encoding="utf-8"
    )
    paths = ProjectPaths(project)
    runs.ingest_registry(paths)
    with Store(paths.store) as store:
        ingest_paths(store, [note])

    sheet = project / "sheet.csv"
    written = berdaya("label", "--out", str(sheet), cwd=project)
    assert written.returncode == 0, written.stderr
    with sheet.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 1  # the 16 registry works are already hand-coded
    rows[0]["codes"] = "actor.village_government actor.ngo role.facilitator"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    imported = berdaya("label", "--import", str(sheet), cwd=project)
    assert imported.returncode == 0, imported.stderr
    assert "1 documents coded" in imported.stdout
    saved = (project / "corpus" / "labels" / "researcher.csv").read_text(encoding="utf-8")
    assert "actor.ngo actor.village_government role.facilitator,researcher" in saved


def test_unknown_theme_stops_the_import_naming_the_row(project):
    paths = ProjectPaths(project)
    runs.ingest_registry(paths)
    sheet = project / "bad.csv"
    with Store(paths.store) as store:
        doc = next(store.iter_documents())
    sheet.write_text(
        f"id,text_sha256,title,snippet,codes,note\n{doc.id},{'0' * 64},x,y,actor.aliens,\n",
        encoding="utf-8",
    )
    result = berdaya("label", "--import", str(sheet), cwd=project)
    assert result.returncode == 1
    assert "error:" in result.stderr and "bad.csv" in result.stderr
    assert not (project / "corpus" / "labels" / "researcher.csv").exists()
