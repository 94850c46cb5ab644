"""Run outputs written atomically, with a manifest of hashes that is checked before anything loads.

A folder is written under a temporary name and renamed into place only when complete, so a crash
never leaves a half-written model or report that looks finished. Model files are loaded only when
their sha256 matches the manifest we wrote: a pickle from anywhere else is never unpickled.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
LIBRARIES = (
    "gensim",
    "tomotopy",
    "scikit-learn",
    "PySastrawi",
    "PyStemmer",
    "py3langid",
    "pandas",
    "numpy",
    "scipy",
    "matplotlib",
    "Jinja2",
    "prefect",
    "pypdf",
    "lxml",
    "httpx",
)


class ArtifactError(RuntimeError):
    """An artifact folder is missing, incomplete or altered; the message names the file."""


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_artifact_dir(
    root: Path, name: str, fill: Callable[[Path], None], manifest: dict[str, Any]
) -> Path:
    """Create ``root/name`` atomically: ``fill`` writes into a temporary folder, we hash every
    file into the manifest, then rename the folder into place."""
    root.mkdir(parents=True, exist_ok=True)
    final = root / name
    if final.exists():
        raise ArtifactError(f"{final}: already exists; run ids are never reused")
    remove_stale_temporaries(root)
    temporary = root / f".tmp-{name}-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    try:
        fill(temporary)
        files = {
            str(p.relative_to(temporary)): sha256_file(p)
            for p in sorted(temporary.rglob("*"))
            if p.is_file()
        }
        body = {**manifest, "files": files, "command": " ".join(sys.argv)}
        (temporary / MANIFEST).write_text(
            json.dumps(body, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
        )
        _fsync_dir(temporary)
        temporary.rename(final)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return final


def remove_stale_temporaries(root: Path) -> list[Path]:
    """Delete ``.tmp-<name>-<pid>`` folders left by a writer that died (kill -9, power loss).

    Only folders whose pid is no longer alive go: a concurrent writer's folder is left alone.
    Returns what was removed.
    """
    removed = []
    for candidate in root.glob(".tmp-*-*"):
        pid = candidate.name.rsplit("-", 1)[1]
        if not pid.isdigit() or not candidate.is_dir() or process_alive(int(pid)):
            continue
        shutil.rmtree(candidate, ignore_errors=True)
        removed.append(candidate)
    return removed


def process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def verify_artifact_dir(folder: Path, root: Path | None = None) -> dict[str, Any]:
    """Return the manifest if every file it lists is there with its hash; raise otherwise."""
    folder = folder.resolve()
    if root is not None and not folder.is_relative_to(root.resolve()):
        raise ArtifactError(f"{folder}: artifacts are only loaded from {root}")
    manifest_path = folder / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ArtifactError(f"{manifest_path}: no readable manifest ({exc})") from exc
    for relative, expected in manifest.get("files", {}).items():
        path = folder / relative
        if not path.is_file():
            raise ArtifactError(f"{path}: listed in the manifest but missing")
        if sha256_file(path) != expected:
            raise ArtifactError(f"{path}: sha256 does not match the manifest; refusing to load")
    return manifest


def point_latest(root: Path, name: str, link: str = "latest") -> Path:
    """Make ``root/latest`` point at ``root/name`` in one atomic rename of a symlink.

    The symlink is made as ``.latest-<pid>`` first; one left by a writer that died before the
    rename is removed here, as ``remove_stale_temporaries`` removes dead writers' folders.
    """
    latest = root / link
    if latest.exists() and not latest.is_symlink():
        shutil.rmtree(latest)
    for stale in root.glob(f".{link}-*"):
        pid = stale.name.rsplit("-", 1)[1]
        if pid.isdigit() and stale.is_symlink() and not process_alive(int(pid)):
            stale.unlink()
    temporary = root / f".{link}-{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(name, target_is_directory=True)
    os.replace(temporary, latest)
    return latest


def _fsync_dir(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
