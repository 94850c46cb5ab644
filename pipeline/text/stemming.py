"""Stemming: Sastrawi for Indonesian, Snowball (PyStemmer) for English, memoised by token.

Sastrawi costs far more per call than anything else in the pipeline, but a corpus has few distinct
words (Zipf), so we stem each distinct word once per run and look the rest up. English words pass
through Sastrawi unchanged, so English text goes to the Snowball stemmer instead.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any


class Stemmer:
    """Memoising bilingual stemmer that also remembers which surface forms fell into each stem.

    The surface-form memory is what lets every reader-facing output show words, never bare stems.
    """

    def __init__(self) -> None:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
        from Stemmer import Stemmer as SnowballStemmer

        self._indonesian: Any = StemmerFactory().create_stemmer()
        self._english: Any = SnowballStemmer("english")
        self._memo: dict[tuple[str, str], str] = {}
        self.surfaces: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def stem(self, word: str, language: str) -> str:
        key = (language, word)
        stem = self._memo.get(key)
        if stem is None:
            stem = self._stem_uncached(word, language)
            self._memo[key] = stem
        self.surfaces[stem][word] += 1
        return stem

    def _stem_uncached(self, word: str, language: str) -> str:
        if language == "en":
            return str(self._english.stemWord(word))
        if language == "id":
            return str(self._indonesian.stem(word)) or word
        return word  # other languages are flagged upstream, never mis-stemmed

    @property
    def distinct_words(self) -> int:
        return len(self._memo)

    def surface(self, stem: str) -> str:
        """The most frequent word behind a stem (ties broken alphabetically, for stable output)."""
        forms = self.surfaces.get(stem)
        if not forms:
            return stem
        return min(forms.items(), key=lambda item: (-item[1], item[0]))[0]
