"""Fixtures shared by several test modules."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The repository sits next to ../shared; the data there is too large (and not ours) to vendor.
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``: skipped where absent, but a failure under CI, which must have it."""
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    reason = f"shared data not found at {SHARED_DATA} (tests marked shared_data need it)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true, so this is an error, not a skip")
    pytest.skip(reason)


# Prefect keeps its database and cache records under PREFECT_HOME; a fresh temporary one per test
# session keeps runs from leaking between sessions. Set before any test module imports prefect.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="berdaya-prefect-")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A temporary project folder holding a copy of the bundled corpus/ definitions."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("studies.toml", "codebook.toml"):
        shutil.copy(REPO / "corpus" / name, corpus / name)
    shutil.copytree(REPO / "corpus" / "labels", corpus / "labels")
    (corpus / "inbox").mkdir()
    return tmp_path


def store_sinta_with_registry(root: Path, shared: Path):
    """The registry and the three SINTA abstract files stored in ``root``'s project, as
    `berdaya refresh` and `berdaya ingest` store them (in the order the gold codings assume:
    where two files hold one article, the last wins). Returns the project's paths."""
    from pipeline import runs
    from pipeline.ingest.files import ingest_paths
    from pipeline.project import ProjectPaths
    from pipeline.store import Store
    from pipeline.themes.texts import SINTA_FILES

    paths = ProjectPaths(root)
    runs.ingest_registry(paths)
    with Store(paths.store) as store:
        result = ingest_paths(store, [shared / "sinta-abstracts" / f for f in SINTA_FILES])
        assert result.errors == []
        assert 3500 <= store.count() - 16 <= 3800
    return paths
