"""One writer at a time per project: an advisory lock on corpus/.berdaya.lock.

Two runs at once (a scheduled refresh firing during a manual `berdaya run`, say) would interleave
their writes and their reports. SQLite would keep the store itself consistent, but not the run
as a whole; so every command that writes takes this lock first, and a second one waits or stops
with a message naming who holds it. flock is released by the kernel when its holder dies, even
by kill -9, so a crash never leaves the project locked.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

LOCK_NAME = ".berdaya.lock"


class ProjectBusy(RuntimeError):
    """Another berdaya process holds the project lock; the message says which and since when."""


class ProjectLock:
    """Hold with ``with ProjectLock(corpus_dir, purpose):``; ``wait`` seconds before giving up."""

    def __init__(self, corpus_dir: Path, purpose: str, wait: float = 0.0) -> None:
        self.path = corpus_dir / LOCK_NAME
        self.purpose = purpose
        self.wait = wait
        self._handle: int | None = None

    def __enter__(self) -> ProjectLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _describe(self.path)
                    os.close(handle)
                    raise ProjectBusy(
                        f"another berdaya process is writing to this project ({holder}); "
                        f"wait for it to finish, or pass --wait. Lock file: {self.path}"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(handle, 0)
        info = {
            "pid": os.getpid(),
            "purpose": self.purpose,
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.write(handle, json.dumps(info).encode())
        self._handle = handle
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            os.close(self._handle)
            self._handle = None


def _describe(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, json.JSONDecodeError):
        return "holder unknown"
    return f"{info.get('purpose', '?')}, pid {info.get('pid', '?')}, since {info.get('since', '?')}"
