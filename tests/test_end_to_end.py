"""The main job through the real CLI and real Prefect flows, on a temporary copy of corpus/."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.ingest.registry import load_registry

BERDAYA = Path(sys.executable).parent / "berdaya"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BERDAYA), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "200"},
        timeout=600,
    )


def test_help_lists_the_commands(tmp_path):
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("run", "ingest", "refresh", "report", "status"):
        assert re.search(rf"\b{command}\b", result.stdout), command


def test_a_report_before_the_registry_is_stored_is_one_line_naming_what_is_missing(project):
    """`berdaya report` analyses only what is stored; with no case there yet it says so."""
    result = run_cli("report", "--project", str(project), cwd=project)
    assert result.returncode == 2
    assert "no case study stored" in result.stderr and "berdaya refresh" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.slow
def test_main_job_writes_a_report_covering_all_fifteen_cited_works(project):
    inbox_file = project / "corpus" / "inbox" / "catatan.txt"
    inbox_file.write_text(
        "Catatan lapangan\n\nPemerintah desa bersama LSM mendampingi kelompok tani.",
        encoding="utf-8",
    )
    (project / "corpus" / "inbox" / "rusak.pdf").write_bytes(b"%PDF-1.4 not really")

    result = run_cli("run", "--project", str(project), cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rusak.pdf" in result.stderr  # the bad file is named, the run goes on
    assert "Report:" in result.stdout

    latest = project / "reports" / "latest"
    html = (latest / "index.html").read_text(encoding="utf-8")
    markdown = (latest / "report.md").read_text(encoding="utf-8")
    manifest = json.loads((latest / "manifest.json").read_text(encoding="utf-8"))
    registry = load_registry(project / "corpus" / "studies.toml")
    for work in registry.cited:
        row = re.search(
            # ranked works: cosine, topic distance (interval), ...; title-only: cosine, themes
            rf"\| {work.key} \| \d* \| ([0-9.]+) \| ([0-9.]+)",
            markdown,
        )
        assert row, f"{work.key} missing from report.md with numbers"
        assert f'id="work-{work.key}"' in html
    assert not re.search(r'(?:src|href)="(?!data:|#|explorer\.html"|citations/)', html)
    for name in ("case", "cited", "neighbours", "corpus"):
        for suffix in ("bib", "ris", "json"):
            assert f"citations/{name}.{suffix}" in manifest["files"]
    assert "https://" not in (latest / "explorer.html").read_text(encoding="utf-8")
    assert manifest["documents"] == 17  # 16 registry works + the inbox note
    assert len(manifest["corpus_hash"]) == 64
    assert manifest["libraries"]["prefect"].startswith("3.")
    assert (project / "models" / manifest["run_id"] / "manifest.json").is_file()

    status = run_cli("status", "--project", str(project), cwd=project)
    assert "registry: 16 records" in status.stdout


def test_ingest_names_each_bad_file_and_keeps_the_rest(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Pemberdayaan masyarakat\n\nKolaborasi pemerintah dan LSM.", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    shutil.copy(good, tmp_path / "copy-of-good.txt")
    result = run_cli(
        "ingest",
        str(good),
        str(empty),
        str(tmp_path / "copy-of-good.txt"),
        "--project",
        str(tmp_path),
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stderr.count("error") == 1
    assert "empty.txt" in result.stderr
    assert "1 documents added" in result.stdout
