"""Where a project's files live, and how a run is named.

Everything is relative to one project folder (the repository, or BERDAYA_HOME), so a test can run
the whole pipeline on a temporary copy of corpus/ without touching the real one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class ProjectPaths:
    root: Path

    @classmethod
    def discover(cls, root: str | Path | None = None) -> ProjectPaths:
        """BERDAYA_HOME, else the nearest folder upwards that holds corpus/studies.toml."""
        if root is not None:
            return cls(Path(root).resolve())
        if home := os.environ.get("BERDAYA_HOME"):
            return cls(Path(home).resolve())
        here = Path.cwd().resolve()
        for folder in (here, *here.parents):
            if (folder / "corpus" / "studies.toml").is_file():
                return cls(folder)
        return cls(here)

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def store(self) -> Path:
        return self.corpus / "berdaya.sqlite"

    @property
    def registry(self) -> Path:
        return self.corpus / "studies.toml"

    @property
    def codebook(self) -> Path:
        return self.corpus / "codebook.toml"

    @property
    def sources(self) -> Path:
        return self.corpus / "sources.toml"

    @property
    def inbox(self) -> Path:
        return self.corpus / "inbox"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def models(self) -> Path:
        return self.root / "models"

    @property
    def stem_cache(self) -> Path:
        """Stems kept between runs (derived data: safe to delete, rebuilt by the next run)."""
        return self.root / ".cache" / "stems"


def new_run_id(now: datetime | None = None) -> str:
    """Sortable, unique enough for one machine: UTC time to the microsecond."""
    now = now or datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S%fZ")
