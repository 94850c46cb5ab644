"""Stems kept between runs, so a scheduled refresh stems only the words it has not seen before.

Stemming the distinct words is most of the preprocessing (Sastrawi tries its prefix rules one
regular expression at a time; BENCHMARKS.md), and a word's stem cannot change while the code and
data that decide it stay the same. So the memo of one run is saved and preloaded by the next,
under a *fingerprint* of everything a stem depends on: the Sastrawi and PyStemmer versions, the
stemmer's configuration, the protected-terms and abbreviations files and our stemming code
itself (stemming.py, unchanged.py). Edit the protected terms, upgrade Sastrawi or change that
code and the fingerprint
changes: the old file is simply not read (and is removed on the next save), so a stale stem can
never leak into a run.

The file is plain tab-separated text (language, word, stem), written atomically. A damaged file is
ignored with a warning: the run stems from scratch and writes a good one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from pipeline.artifacts import process_alive
from pipeline.text import resources, stemming, unchanged
from pipeline.text.stemming import StemmerConfig

log = logging.getLogger(__name__)

SUFFIX = ".stems.tsv"
_HEADER = "# berdaya stem cache\tlanguage\tword\tstem"


def fingerprint(config: StemmerConfig) -> str:
    """A short hash of everything that decides a stem under ``config``."""
    digest = hashlib.sha256()
    for package in ("PySastrawi", "PyStemmer"):
        digest.update(f"{package}={_version(package)}\n".encode())
    digest.update(repr(sorted(asdict(config).items())).encode())
    for path in (
        Path(stemming.__file__),
        Path(unchanged.__file__),
        resources.data_path("protected_terms.tsv"),
        resources.data_path("abbreviations.tsv"),
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def cache_file(folder: Path, config: StemmerConfig) -> Path:
    return folder / f"{fingerprint(config)}{SUFFIX}"


def load(path: Path) -> dict[str, dict[str, str]]:
    """language -> {word: stem}; empty when the file is missing or damaged (with a warning)."""
    memo: dict[str, dict[str, str]] = {}
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        return memo
    except (OSError, UnicodeDecodeError) as error:
        log.warning("stem cache %s unreadable (%s); stemming from scratch", path, error)
        return memo
    if not lines or lines[0] != _HEADER:
        log.warning("stem cache %s has no header; stemming from scratch", path)
        return memo
    for number, line in enumerate(lines[1:], start=2):
        if not line:
            continue  # the final newline
        cells = line.split("\t")
        if len(cells) != 3 or not all(cells):
            log.warning("stem cache %s:%d is damaged; stemming from scratch", path, number)
            return {}
        language, word, stem = cells
        memo.setdefault(language, {})[word] = stem
    return memo


def save(path: Path, memo: Mapping[str, Mapping[str, str]]) -> int:
    """Write ``memo`` atomically and remove caches of other fingerprints; returns words saved.

    Words holding a tab or a line break cannot be stored in this format and are left out (the
    tokenizer never makes them; they would just be stemmed again)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        f"{language}\t{word}\t{stem}"
        for language in sorted(memo)
        for word, stem in memo[language].items()
        if word and stem and not _unsafe(word) and not _unsafe(stem)
    ]
    _remove_dead_writers(path.parent)
    handle, temporary = tempfile.mkstemp(prefix=f".stems-{os.getpid()}-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(_HEADER + "\n")
            out.writelines(row + "\n" for row in rows)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    for other in path.parent.glob(f"*{SUFFIX}"):
        if other != path:
            other.unlink(missing_ok=True)
    return len(rows)


def _remove_dead_writers(folder: Path) -> None:
    """Half-written files of a save that was killed (``.stems-<pid>-...``): never read, but
    a few MB each, so they go once their writer is gone."""
    for leftover in folder.glob(".stems-*-*"):
        pid = leftover.name.split("-")[1]
        if pid.isdigit() and not process_alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _unsafe(text: str) -> bool:
    return "\t" in text or "\n" in text or "\r" in text


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"
