"""From raw text to lower-case word tokens, with the noise of abstracts removed first.

Why not a general tokenizer: Indonesian abstracts carry URLs, e-mail addresses, in-text citations
("(Lestari, 2023)", "Lestari et al. (2023)"), numbers, hyphenated reduplication (desa-desa =
villages) and, when harvested from old OJS installs, mojibake (UTF-8 read as cp1252: "â€™" for
"’", "Ã©" for "é"). Each is handled here so that later stages see only words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache

_URL = re.compile(r"\b(?:https?://|www\.)\S+|\bdoi:\s*\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
# "(Lestari, 2023)", "(Lestari & Susanti, 2023; Salman 2012)", "(Sujatmiko dkk., 2023: 4)"
_CITATION = re.compile(r"\((?:[^()]*?\b(?:19|20)\d{2}[a-z]?\b[^()]*?)\)")
# the words left behind by a narrative citation: "Lestari et al. (2023)", "Lestari dkk. (2023)"
_ET_AL = re.compile(r"\b(?:et\.?\s+al|dkk)\b\.?", re.IGNORECASE)
# desa-desa -> desa, masing-masing -> masing; a real compound (sosial-ekonomi) stays two words
_REDUPLICATION = re.compile(r"\b(\w+)-\1\b", re.IGNORECASE | re.UNICODE)
# Two letters at least: single letters are initials or list markers. Hyphens and apostrophes
# split, so compounds (sosial-ekonomi) give their parts and digits never enter a word.
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u00C0-\u024F\"'(])")

# Mojibake: the lead characters UTF-8 bytes become when read as cp1252/latin-1.
_MOJIBAKE_MARKERS = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152-\u2122]|\u00e2\u20ac")


@cache
def _cp1252_class() -> re.Pattern[str]:
    """Runs of characters that cp1252 (or latin-1, for its five holes) maps to one high byte."""
    chars = []
    for byte in range(0x80, 0x100):
        try:
            chars.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return re.compile("[" + re.escape("".join(chars)) + "]{2,}")


def _to_bytes(run: str) -> bytes:
    out = bytearray()
    for ch in run:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            out.append(ord(ch))  # latin-1 fallback for 0x81, 0x8d, 0x8f, 0x90, 0x9d
    return bytes(out)


def _repair_run(match: re.Match[str]) -> str:
    run = match.group()
    try:
        return _to_bytes(run).decode("utf-8")
    except (UnicodeDecodeError, ValueError):
        return run  # not mojibake after all (e.g. "«é»"): leave it as written


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252, run by run, and only where the result is valid UTF-8.

    Working per run (not ``text.encode('cp1252').decode('utf-8')`` on the whole) repairs text
    where mojibake sits next to characters cp1252 cannot encode, and leaves real accents alone.
    """
    if not _MOJIBAKE_MARKERS.search(text):
        return text
    return _cp1252_class().sub(_repair_run, text)


def normalise(text: str) -> str:
    """Mojibake repaired, NFKC, then URLs, e-mail addresses and citations removed; reduplication
    folded."""
    text = unicodedata.normalize("NFKC", repair_mojibake(text))
    # Each pattern runs only where its cheap sign is present: most abstracts have none of them.
    lower = text.lower()
    if "http" in lower or "www." in lower or "doi:" in lower:
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    if "(" in text:
        text = _CITATION.sub(" ", text)
    if "et al" in lower or "et. al" in lower or "dkk" in lower:
        text = _ET_AL.sub(" ", text)
    return _REDUPLICATION.sub(r"\1", text) if "-" in text else text


def words(text: str) -> Iterator[str]:
    """Lower-case words of at least two letters; hyphenated compounds split into their parts."""
    yield from word_list(text)


def word_list(text: str) -> list[str]:
    """``words`` as a list, in one pass (the Preprocessor's fast path)."""
    return [w.lower() for w in _WORD.findall(normalise(text))]


def sentences(text: str) -> list[str]:
    """Sentences: a title or paragraph never runs into the next one; within a paragraph, split on
    end punctuation followed by a capital. Good enough for evidence."""
    out: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(unicodedata.normalize("NFKC", repair_mojibake(text))):
        flat = re.sub(r"\s+", " ", paragraph).strip()
        out.extend(s.strip() for s in _SENTENCE_END.split(flat) if s.strip())
    return out
