"""Stop words, as data files a linguist can edit (data/stopwords_id.txt, data/stopwords_en.txt).

Common lists (Sastrawi's, nlp-id's, spaCy's) drop words that matter in empowerment research:
negations (tidak, bukan, belum), togetherness (bersama), capability (mampu) and actors (ibu,
bapak). Ours are curated to keep them; tests pin that they stay out.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


def _read_list(name: str) -> frozenset[str]:
    text = resources.files("pipeline.text").joinpath("data", name).read_text(encoding="utf-8")
    words = (line.strip().lower() for line in text.splitlines())
    return frozenset(w for w in words if w and not w.startswith("#"))


@cache
def stopwords(language: str) -> frozenset[str]:
    """Stop words of ``id`` or ``en``; any other language gets both, as text here mixes them."""
    if language == "id":
        return _read_list("stopwords_id.txt")
    if language == "en":
        return _read_list("stopwords_en.txt")
    return _read_list("stopwords_id.txt") | _read_list("stopwords_en.txt")
