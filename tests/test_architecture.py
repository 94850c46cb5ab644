"""The layering the design promises: pipeline/ is pure and never imports Prefect."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_pipeline_never_imports_prefect():
    modules = sorted(
        ".".join(path.relative_to(REPO).with_suffix("").parts)
        for path in (REPO / "pipeline").rglob("*.py")
        if path.name != "__main__.py"
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m == 'prefect' or m.startswith('prefect.'))\n"
        "print(leaked[:5])\n"
        "sys.exit(1 if leaked else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_pipeline_source_mentions_prefect_imports():
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "pipeline").rglob("*.py")
        if "import prefect" in path.read_text() or "from prefect" in path.read_text()
    ]
    assert offenders == []
