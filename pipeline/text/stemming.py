"""Stemming: Sastrawi for Indonesian, Snowball (PyStemmer) for English, memoised by token.

Sastrawi costs far more per call than anything else in the pipeline, but a corpus has few distinct
words (Zipf), so we stem each distinct word once per run and look the rest up. English words pass
through Sastrawi unchanged, so English text goes to the Snowball stemmer instead.

Around Sastrawi sit three layers, each switchable so its effect can be measured (quality.py):

- abbreviations (data/abbreviations.tsv): BUMDes, LSM, Pemkab ... are kept as they are;
- protected terms (data/protected_terms.tsv): words whose Sastrawi stem means something else here
  (pemerintah -> perintah "an order", kebijakan -> bijak "wise") are kept whole or mapped to a
  chosen lemma; Indonesian clitics (-nya, -lah, ...) are stripped before the lookup;
- morphology Sastrawi lacks: the confix ketidak-...-an (ketidakadilan -> adil) and the suffixes
  -wan/-wati (karyawan -> karya). Against UniMorph these gain more than the protected terms
  deliberately give up, so the default is never less accurate than plain Sastrawi.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.text import resources
from pipeline.text.unchanged import UnchangedWords

CLITICS = ("nya", "lah", "kah", "pun", "ku", "mu")
_CLITICS = CLITICS
_PLAIN_WORD = re.compile(r"[a-z]+")
_WAN = re.compile(r"^([a-z]{3,}?)(?:wan|wati)$")


@dataclass(frozen=True)
class StemmerConfig:
    """Which layers run around Sastrawi; the defaults are what the pipeline uses."""

    abbreviations: bool = True
    protected: bool = True
    morphology: bool = True

    @classmethod
    def plain(cls) -> StemmerConfig:
        return cls(abbreviations=False, protected=False, morphology=False)


class Stemmer:
    """Memoising bilingual stemmer that also remembers which surface forms fell into each stem.

    The surface-form memory is what lets every reader-facing output show words, never bare stems.
    ``labels`` holds display forms for tokens that are not stems of one word: abbreviations
    (``bumdes`` -> ``BUMDes``) and concepts of the thesaurus (``c:...``), registered by their owner.
    """

    def __init__(self, config: StemmerConfig | None = None) -> None:
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
        from Stemmer import Stemmer as SnowballStemmer

        self.config = config or StemmerConfig()
        self._sastrawi: Any = StemmerFactory().create_stemmer()
        # The bare stemmer, for words already lower-case a-z: skips Sastrawi's own text
        # normalisation and cache, which we replace with ours.
        self._sastrawi_word: Any = self._sastrawi.delegatedStemmer.stem_word
        # Most words Sastrawi leaves as they are cost it every rule; this tells them in a few
        # lookups, with a proof that the answer is Sastrawi's own (see unchanged.py).
        self._unchanged = UnchangedWords(self._sastrawi.delegatedStemmer.dictionary.words)
        self._english: Any = SnowballStemmer("english")
        self._abbreviations = resources.abbreviations() if self.config.abbreviations else {}
        protected = resources.protected_terms() if self.config.protected else {}
        self._protected: Mapping[str, Mapping[str, str]] = protected
        self._memo: dict[str, dict[str, str]] = defaultdict(dict)
        self._counts: dict[str, Counter[str]] = defaultdict(Counter)
        self._extra_surfaces: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.labels: dict[str, str] = {}
        self._surfaces_cache: dict[str, Counter[str]] | None = None

    # -- stemming ---------------------------------------------------------------------------

    def stem(self, word: str, language: str) -> str:
        """The stem of one word, counted as a surface form of it."""
        stem = self.lookup(word, language)
        self._counts[language][word] += 1
        self._surfaces_cache = None
        return stem

    def stem_all(self, words: list[str], language: str) -> list[str]:
        """Stems of many words in one language, not yet counted (the Preprocessor counts the
        words it keeps with ``count``): the fast path."""
        memo = self._memo[language]
        get = memo.get
        out: list[str] = []
        append = out.append
        for word in words:
            stem = get(word)
            if stem is None:
                stem = self._stem_uncached(word, language)
                memo[word] = stem
            append(stem)
        return out

    def count(self, words: list[str], language: str) -> None:
        """Count already-stemmed words as surface forms of their stems."""
        self._counts[language].update(words)
        self._surfaces_cache = None

    def lookup(self, word: str, language: str) -> str:
        """The stem, memoised, without counting the word as seen (for thesaurus keys, tests)."""
        memo = self._memo[language]
        stem = memo.get(word)
        if stem is None:
            stem = self._stem_uncached(word, language)
            memo[word] = stem
        return stem

    def _stem_uncached(self, word: str, language: str) -> str:
        lower = word.lower()
        if lower in self._abbreviations:
            self.labels.setdefault(lower, self._abbreviations[lower])
            return lower
        if language == "en":
            lemma = self._protected.get("en", {}).get(lower)
            return lemma or str(self._english.stemWord(lower))
        if language == "id":
            return self._indonesian(lower)
        return word  # other languages are flagged upstream, never mis-stemmed

    def _indonesian(self, word: str) -> str:
        protected = self._protected.get("id")
        if protected:
            lemma = protected.get(word) or _without_clitic(word, protected)
            if lemma:
                return lemma
        if self.config.morphology:
            stem = self._extra_morphology(word)
            if stem:
                return stem
        if not word.isascii():
            return word  # Sastrawi would drop the letters it does not know (é, Arabic script)
        if _PLAIN_WORD.fullmatch(word):
            return self._sastrawi_plain(word)
        return str(self._sastrawi.stem(word)) or word  # hyphens, clitics like kuasa-Mu

    def _extra_morphology(self, word: str) -> str | None:
        """Affixes Sastrawi does not know; None when none applies."""
        if word.startswith("ketidak") and len(word) > 10:
            base = _strip_clitic(word[7:])
            base = base[:-2] if base.endswith("an") else base
            if len(base) >= 3:
                return self._indonesian(base)
        match = _WAN.match(_strip_clitic(word))
        if match and self._sastrawi_plain(word) == word:
            root = self._sastrawi_plain(match.group(1))
            if self._in_dictionary(root):
                return root
        return None

    def _sastrawi_plain(self, word: str) -> str:
        """Sastrawi's stem of a lower-case a-z word."""
        if self._unchanged.certain(word):
            return word
        return str(self._sastrawi_word(word)) or word

    def _in_dictionary(self, word: str) -> bool:
        return bool(self._sastrawi.delegatedStemmer.dictionary.contains(word))

    # -- what a reader sees -----------------------------------------------------------------

    @property
    def distinct_words(self) -> int:
        return sum(len(memo) for memo in self._memo.values())

    def add_surface(self, token: str, form: str, count: int = 1) -> None:
        """Count ``form`` as a surface of ``token`` (concepts: the phrase that was matched)."""
        self._extra_surfaces[token][form] += count
        self._surfaces_cache = None

    def take_counts(
        self,
    ) -> tuple[dict[str, dict[str, str]], dict[str, Counter[str]], dict[str, Counter[str]]]:
        """Hand over (and forget) the counts since the last call, with the stems of the words
        counted: what a worker process sends back with each chunk."""
        counts, extra = dict(self._counts), dict(self._extra_surfaces)
        memo = {lang: {w: self._memo[lang][w] for w in words} for lang, words in counts.items()}
        self._counts = defaultdict(Counter)
        self._extra_surfaces = defaultdict(Counter)
        self._surfaces_cache = None
        return memo, counts, extra

    def merge(
        self,
        memo: Mapping[str, Mapping[str, str]],
        counts: Mapping[str, Mapping[str, int]],
        extra: Mapping[str, Mapping[str, int]],
    ) -> None:
        """Add what a worker process handed over (see Preprocessor.map_parallel)."""
        self.preload(memo)
        for language, words in counts.items():
            self._counts[language].update(words)
        for token, forms in extra.items():
            self._extra_surfaces[token].update(forms)
        self._surfaces_cache = None

    def preload(self, memo: Mapping[str, Mapping[str, str]]) -> None:
        """Take stems made elsewhere (a worker, the stem cache of an earlier run) as if made
        here: abbreviations among the words get their display labels, as stemming gives them."""
        for language, stems in memo.items():
            self._memo[language].update(stems)
            for word in stems:
                label = self._abbreviations.get(word.lower())
                if label:
                    self.labels.setdefault(word.lower(), label)
        self._surfaces_cache = None

    def memo(self) -> dict[str, dict[str, str]]:
        """A copy of every stem made or taken so far, by language (for the stem cache)."""
        return {language: dict(stems) for language, stems in self._memo.items()}

    @property
    def surfaces(self) -> dict[str, Counter[str]]:
        """Stem -> Counter of the words seen behind it (built lazily from per-word counts)."""
        if self._surfaces_cache is None:
            table: defaultdict[str, Counter[str]] = defaultdict(Counter)
            for language, counts in self._counts.items():
                memo = self._memo[language]
                for word, n in counts.items():
                    table[memo[word]][word] += n
            for token, forms in self._extra_surfaces.items():
                table[token].update(forms)
            self._surfaces_cache = dict(table)
        return self._surfaces_cache

    def surfaces_in(self, language: str) -> dict[str, Counter[str]]:
        """Stem -> Counter of the words of one language seen behind it (the concept audit lists
        the English words the bridge moved, without the Indonesian words of the same stem)."""
        table: defaultdict[str, Counter[str]] = defaultdict(Counter)
        memo = self._memo[language]
        for word, n in self._counts.get(language, Counter()).items():
            table[memo[word]][word] += n
        return dict(table)

    def surface(self, stem: str) -> str:
        """A label for a token: the display form of an abbreviation or concept, else the most
        frequent word behind the stem (ties broken alphabetically, for stable output)."""
        label = self.labels.get(stem)
        if label:
            return label
        forms = self.surfaces.get(stem)
        if not forms:
            return stem
        return min(forms.items(), key=lambda item: (-item[1], item[0]))[0]


def _strip_clitic(word: str) -> str:
    for clitic in _CLITICS:
        if word.endswith(clitic) and len(word) - len(clitic) >= 4:
            return word[: -len(clitic)]
    return word


def _without_clitic(word: str, table: Mapping[str, str]) -> str | None:
    base = _strip_clitic(word)
    return table.get(base) if base != word else None


# -- the stemming audit -----------------------------------------------------------------------

AUDIT_COLUMNS = ("token", "label", "tokens_seen", "distinct_forms", "forms")


def stemming_audit(stemmer: Stemmer, min_forms: int = 1) -> list[dict[str, Any]]:
    """Which surface forms fell into each stem (or concept), most frequent stem first.

    The report stage writes this next to the topics so a reader can check that no stem lumps
    together words of different meaning (the failure protected terms exist to fix).
    """
    rows = []
    for token, forms in stemmer.surfaces.items():
        if len(forms) < min_forms:
            continue
        ordered = sorted(forms.items(), key=lambda item: (-item[1], item[0]))
        rows.append(
            {
                "token": token,
                "label": stemmer.surface(token),
                "tokens_seen": sum(forms.values()),
                "distinct_forms": len(forms),
                "forms": "; ".join(f"{form} ({n})" for form, n in ordered),
            }
        )
    rows.sort(key=lambda row: (-row["tokens_seen"], row["token"]))
    return rows


def write_stemming_audit(stemmer: Stemmer, path: Path, min_forms: int = 1) -> Path:
    """The audit as CSV (UTF-8, header row), for the report stage."""
    write_rows(stemming_audit(stemmer, min_forms), path)
    return path


def write_rows(rows: Iterable[Mapping[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=AUDIT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
