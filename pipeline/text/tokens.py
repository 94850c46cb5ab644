"""From raw text to lower-case word tokens, with the noise of abstracts removed first.

Why not a general tokenizer: Indonesian abstracts carry URLs, e-mail addresses, in-text citations
("(Lestari, 2023)"), numbers, and hyphenated reduplication (desa-desa = villages). Each is handled
here so that later stages see only words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
# "(Lestari, 2023)", "(Lestari & Susanti, 2023; Salman 2012)", "(Sujatmiko dkk., 2023: 4)"
_CITATION = re.compile(r"\((?:[^()]*?\b(?:19|20)\d{2}[a-z]?\b[^()]*?)\)")
# desa-desa -> desa, masing-masing -> masing; a real compound (sosial-ekonomi) stays two words
_REDUPLICATION = re.compile(r"\b(\w+)-\1\b", re.IGNORECASE | re.UNICODE)
_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*", re.UNICODE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u00C0-\u024F\"'(])")


def normalise(text: str) -> str:
    """NFKC, then URLs, e-mail addresses and citations removed; reduplication folded."""
    text = unicodedata.normalize("NFKC", text)
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _CITATION.sub(" ", text)
    return _REDUPLICATION.sub(r"\1", text)


def words(text: str) -> Iterator[str]:
    """Lower-case words of at least two letters; hyphenated compounds split into their parts."""
    for match in _WORD.finditer(normalise(text)):
        for part in match.group().lower().replace("'", "-").split("-"):
            if len(part) >= 2:
                yield part


def sentences(text: str) -> list[str]:
    """Sentences: a title or paragraph never runs into the next one; within a paragraph, split on
    end punctuation followed by a capital. Good enough for evidence."""
    out: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(unicodedata.normalize("NFKC", text)):
        flat = re.sub(r"\s+", " ", paragraph).strip()
        out.extend(s.strip() for s in _SENTENCE_END.split(flat) if s.strip())
    return out
