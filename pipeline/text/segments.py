"""Language per segment: an abstract that holds an Indonesian and an English part, split.

OJS abstracts often carry both languages in one field: "ABSTRAK ... Kata kunci: ... ABSTRACT ...
Keywords: ...", two paragraphs, or (harvested without line breaks) two runs glued together:
"...Median Method.ABSTRACTCluster analysis is...". Stemming such a field in one language
mis-stems half of it, and counting it as one language skews every per-language statistic.

Headings (Abstrak/Abstract/Intisari, Kata kunci/Keywords) are strong boundaries and name their
language. Between them, each sentence is identified by language-marker words (py3langid only when
they do not decide), sentences too short to tell take their neighbours' language, and runs of one
language become a segment. Javanese, Arabic and other languages come out as their own codes, so the
Preprocessor leaves them unstemmed rather than mis-stemming them as Indonesian.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipeline.text.language import decide_language, detect_language, marker_counts
from pipeline.text.tokens import repair_mojibake

TEXT = "text"
KEYWORDS = "keywords"

_HEADING = re.compile(
    r"(?P<abstract>(?<![A-Za-z])(?:ABSTRAK|ABSTRACT|INTISARI)(?![a-z])"
    r"|(?:^|(?<=[.!?\s]))(?:Abstrak|Abstract|Intisari)(?=\s*[:.\-–—]|\s*$|\s+[A-Z]))"
    r"\s*[:.\-–—]?\s*"
    r"|(?P<keywords>(?<![A-Za-z])(?:Kata[\s-]*[Kk]unci|KATA[\s-]*KUNCI|Key\s*[Ww]ords?|KEY\s*WORDS?)"
    r"\s*[:：\-–—]\s*)"
)
_HEADING_LANGUAGE = {"abstrak": "id", "intisari": "id", "abstract": "en", "kata": "id", "key": "en"}
# A sentence ends at . ! ? followed by space and a capital, or glued to a capital (".The"),
# and at every line break.
_SENTENCE = re.compile(
    r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z\u00C0-\u024F])|(?<=[a-z0-9)\]][.!?])(?=[A-Z][a-z])|\s*\n\s*"
)
# The end of a keyword list: a full stop (or line break) followed by more text.
_KEYWORDS_END = re.compile(r"\.\s*(?=[A-Z\u00C0-\u024F])|\n")
_MIN_SENTENCE_WORDS = 4


@dataclass(frozen=True)
class Segment:
    """A run of text in one language: ``id``, ``en``, another ISO 639-1 code, or ``und``."""

    language: str
    text: str
    kind: str = TEXT  # TEXT or KEYWORDS (a "Kata kunci:" / "Keywords:" list)


def split_segments(text: str, default: str = "und") -> list[Segment]:
    """Split ``text`` into runs of one language, headings and keyword lists marked.

    ``default`` is the language given to text nothing in it identifies (a lone heading).
    """
    text = unicodedata.normalize("NFKC", repair_mojibake(text))
    pieces: list[tuple[str, str, str | None]] = []  # (kind, text, language hint)
    headings = list(_HEADING.finditer(text))
    position, hint = 0, None
    for n, heading in enumerate(headings):
        if heading.start() < position:
            continue  # inside a keyword list already taken
        _add_text(pieces, text[position : heading.start()], hint)
        language = _heading_key(heading.group())
        position, hint = heading.end(), language
        if heading.group("keywords"):
            following = [h.start() for h in headings[n + 1 :] if h.start() >= position]
            limit = following[0] if following else len(text)
            end = _KEYWORDS_END.search(text, position, limit)
            stop, position = (end.start(), end.end()) if end else (limit, limit)
            keywords = text[heading.end() : stop].strip(" .;,")
            if keywords:
                pieces.append((KEYWORDS, keywords, language))
            hint = None  # what follows a keyword list is in either language
    _add_text(pieces, text[position:], hint)
    return _merge(_assign(pieces, default))


def _heading_key(heading: str) -> str:
    word = re.sub(r"[^a-z]", "", heading.lower())
    for prefix, language in _HEADING_LANGUAGE.items():
        if word.startswith(prefix):
            return language
    return "und"


def _add_text(pieces: list[tuple[str, str, str | None]], text: str, hint: str | None) -> None:
    for sentence in _SENTENCE.split(text):
        if sentence.strip():
            pieces.append((TEXT, sentence.strip(), hint))


def _assign(pieces: list[tuple[str, str, str | None]], default: str) -> list[Segment]:
    """Language per piece; short, undecided sentences take the language of their neighbours."""
    languages = []
    for kind, text, hint in pieces:
        if kind == KEYWORDS:
            languages.append(hint or detect_language(text))
        else:
            languages.append(detect_language(text, min_words=_MIN_SENTENCE_WORDS))
    for i, language in enumerate(languages):
        if language == "und":
            languages[i] = pieces[i][2] or _neighbour(languages, i) or default
    return [
        Segment(language, text, kind)
        for (kind, text, _), language in zip(pieces, languages, strict=True)
    ]


def _neighbour(languages: list[str], i: int) -> str | None:
    for j in [*range(i - 1, -1, -1), *range(i + 1, len(languages))]:
        if languages[j] != "und":
            return languages[j]
    return None


def _merge(segments: list[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for segment in segments:
        last = merged[-1] if merged else None
        if last and last.kind == segment.kind == TEXT and last.language == segment.language:
            merged[-1] = Segment(last.language, f"{last.text} {segment.text}", TEXT)
        else:
            merged.append(segment)
    return merged


def is_mixed(text: str) -> bool:
    """Cheap test for a field worth segmenting: headings, or both languages' marker words."""
    return single_language(text) is None


def single_language(text: str) -> str | None:
    """The language of a field plainly in one language, or None when it needs segmenting.

    Most abstracts are in one language; this costs one pass of marker counting, where splitting
    costs a language decision per sentence. A field is plainly one language when it has no
    headings and the other language's marker words are few (quoted titles, terms).
    """
    lower = text.lower()
    signs = ("bstra" in lower, "intisari" in lower, "kunci" in lower, "key" in lower)
    if any(signs) and _HEADING.search(text):
        return None
    id_hits, en_hits, n_words = marker_counts(text)
    if min(id_hits, en_hits) >= 3 and min(id_hits, en_hits) >= 0.2 * max(id_hits, en_hits):
        return None
    return decide_language(text, id_hits, en_hits, n_words)
