"""Fixtures shared by several test modules."""

from __future__ import annotations

import os
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
