"""Words Sastrawi will certainly return unchanged, told without running Sastrawi.

Why this exists: about three in four distinct words of the SINTA abstracts come back from
Sastrawi as they went in (its dictionary words, and names, English terms, typos), and for all but
the dictionary words Sastrawi learns that only after trying every prefix rule, at about 0.5 ms a
word: on a first run, most of the stemming time. This module
answers the same question with a few set lookups, and only ever answers "certainly unchanged"
when Sastrawi's result is provably the word itself; otherwise Sastrawi runs as before. Stems are
therefore exactly Sastrawi's (tests/test_unchanged_words.py checks all 51,654 distinct words of
UniMorph and the SINTA abstracts).

Why it is sound. Sastrawi (PySastrawi 1.2) returns either the word itself or a word of its
dictionary that it reached by stripping affixes. Every form it reaches from a word ``w`` is
``X + w[i:j]``, where

- ``w[j:]`` is a chain of suffixes it strips (derivational is/isme/isasi/i/kan/an, then
  possessive ku/mu/nya, then particle lah/kah/tah/pun), or such a chain with the ``k`` of
  ``kan`` given back (its "loop pengembalian akhiran");
- ``i > 0`` only if a prefix rule fired, and every prefix rule needs ``w`` to begin with be-,
  di-, ke-, se-, ku-, kau-, me-, pe- or te-, or with a consonant, the infix el/em/er/in and a
  vowel;
- ``X`` is what a rule puts back in front: nothing, or a recoded first letter (p, t, s, k, m,
  n, r, ny, ng, pe) or the consonant before an infix. It is at most two letters, always
  begins with a consonant, and is never a whole dictionary word by itself.

So if no dictionary word, with none, its first consonant, or its first two letters when they are
ny/ng/pe taken off, equals such a ``w[i:j]``, nothing Sastrawi can reach is in its dictionary
and it must return ``w``. The sets below are built once per Stemmer from Sastrawi's own
dictionary.
"""

from __future__ import annotations

from collections.abc import Iterable

_DERIVATIONAL = ("", "is", "isme", "isasi", "i", "kan", "an")
_POSSESSIVE = ("", "ku", "mu", "nya")
_PARTICLE = ("", "lah", "kah", "tah", "pun")
_PREFIX_STARTS = ("be", "di", "ke", "se", "ku", "kau", "me", "pe", "te")
_INFIXES = frozenset(("el", "em", "er", "in"))
_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxyz")
_VOWELS = frozenset("aiueo")
_TWO_LETTER_FRONTS = ("ny", "ng", "pe")


def _suffix_chains() -> frozenset[str]:
    chains = {d + p + q for d in _DERIVATIONAL for p in _POSSESSIVE for q in _PARTICLE}
    chains |= {chain[1:] for chain in chains if chain.startswith("kan")}  # 'k' given back
    chains.discard("")
    return frozenset(chains)


_SUFFIX_CHAINS = _suffix_chains()
_LONGEST_CHAIN = max(map(len, _SUFFIX_CHAINS))


class UnchangedWords:
    """``certain(word)``: True only when Sastrawi is sure to return ``word`` as it is."""

    def __init__(self, dictionary: Iterable[str]) -> None:
        self._dictionary = frozenset(dictionary)
        cores = set(self._dictionary)
        for word in self._dictionary:
            if len(word) > 1 and word[0] in _CONSONANTS:
                cores.add(word[1:])
            if len(word) > 2 and word.startswith(_TWO_LETTER_FRONTS):
                cores.add(word[2:])
        self._cores = frozenset(cores)

    def certain(self, word: str) -> bool:
        """For a lower-case a-z word (Sastrawi normalises anything else first)."""
        if word in self._dictionary:
            return True  # Sastrawi's first step: a dictionary word is its own stem
        n = len(word)
        prefixed = word.startswith(_PREFIX_STARTS) or (
            word[0] in _CONSONANTS and word[1:3] in _INFIXES and word[3:4] in _VOWELS
        )
        dictionary, cores = self._dictionary, self._cores
        for k in range(min(_LONGEST_CHAIN, n - 1) + 1):
            if k and word[n - k :] not in _SUFFIX_CHAINS:
                continue
            j = n - k
            if k and word[:j] in dictionary:
                return False
            if prefixed:
                for i in range(1, j):
                    if word[i:j] in cores:
                        return False
        return True
