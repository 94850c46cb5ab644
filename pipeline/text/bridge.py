"""An English -> Indonesian word bridge, learned from the corpus's own bilingual abstracts.

Why: Indonesian journals publish most abstracts in Indonesian and some in English only, or in
both. Stemmed separately, the two languages share almost no tokens, so every model that compares
documents (TF-IDF, LDA, the classifier) sorts them by language before subject: on 3,654 SINTA
abstracts the case (an English text) landed in a topic made of the English halves of bilingual
abstracts on mathematics education. The concept thesaurus (thesaurus.py) puts a few hundred of
this field's terms on one vocabulary; it cannot list the rest of the language.

The corpus holds its own translations: a bilingual abstract says the same twice. Across many
such pairs a word and its translation occur in the same pairs far more often than chance, which
is the classic way to read a lexicon out of a parallel corpus (association by the Dice
coefficient, kept only where the two words are each other's best partner). Learned per run from
the corpus at hand, so nothing third-party is shipped, and a corpus with too few bilingual
abstracts simply gets no bridge (the thesaurus still applies).

English tokens of every document are then rewritten through the bridge (Preprocessor.tokens,
language "en" only: an Indonesian "air" is water and must never be read as English "air"), so
an English abstract lands on the Indonesian vocabulary of the same subject. BENCHMARKS.md
("Cross-lingual") measures it: retrieving each bilingual abstract's other half, held out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from pipeline.text.thesaurus import is_concept

# Fewer bilingual abstracts than this teach too few words to be worth a bridge.
MIN_PAIRS = 30
# A word must occur in at least this many pairs on its side (rarer ones cannot be told apart
# from coincidence), and co-occur with its partner in at least as many.
MIN_PAIRS_PER_WORD = 3
# Dice coefficient of a word pair: 2 * pairs with both / (pairs with one + pairs with the other).
# Below 0.5 most pairs learned from 286 SINTA abstracts were wrong ("yet" -> "tata"); above it,
# nearly all right (BENCHMARKS.md, "Cross-lingual").
MIN_DICE = 0.5
# Documents read to find bilingual abstracts, at most (segmenting costs ~0.4 ms a document;
# documents come in id order, which is a hash order, so these are a fair sample).
MAX_SCAN = 20_000


@dataclass(frozen=True)
class Bridge:
    """English token -> Indonesian token (a stem or a concept), with what it was learned from."""

    mapping: dict[str, str] = field(default_factory=dict)
    pairs: int = 0  # bilingual abstracts it was learned from
    dice: dict[str, float] = field(default_factory=dict)  # of each English token's pairing

    def __bool__(self) -> bool:
        return bool(self.mapping)

    def translate(self, tokens: Sequence[str]) -> list[str]:
        get = self.mapping.get
        return [get(token, token) for token in tokens]

    def sentence(self) -> str:
        """For the report's methods."""
        if not self.mapping:
            return (
                f"No English-Indonesian word bridge: the corpus holds {self.pairs} bilingual "
                f"abstracts, fewer than the {MIN_PAIRS} needed; only the concept thesaurus "
                "joins the two languages."
            )
        return (
            f"English words were mapped onto their Indonesian counterparts by a bridge of "
            f"{len(self.mapping):,} word pairs learned from the corpus's own "
            f"{self.pairs:,} bilingual abstracts (words found together in at least "
            f"{MIN_PAIRS_PER_WORD} abstract pairs, Dice >= {MIN_DICE}, each the other's best "
            "partner), so English and Indonesian texts on one subject share a vocabulary."
        )

    def rows(self) -> list[dict[str, object]]:
        """The bridge as a table (bridge.csv in the report folder) for a linguist to check."""
        return [
            {"english": en, "indonesian": idn, "dice": round(self.dice.get(en, 0.0), 3)}
            for en, idn in sorted(self.mapping.items())
        ]


def learn_bridge(
    pairs: Iterable[tuple[Sequence[str], Sequence[str]]],
    *,
    min_pairs: int = MIN_PAIRS,
    min_count: int = MIN_PAIRS_PER_WORD,
    min_dice: float = MIN_DICE,
) -> Bridge:
    """A bridge from (Indonesian tokens, English tokens) of each bilingual abstract.

    A word pair is kept when both words occur in at least ``min_count`` abstract pairs, together
    in at least ``min_count``, with Dice >= ``min_dice``, and each is the other's best partner
    (ties broken by co-occurrence count, then alphabetically, so the result is deterministic).
    Concept tokens are never keys: the thesaurus already put them on one vocabulary.
    """
    id_sets, en_sets = [], []
    for indonesian, english in pairs:
        id_sets.append(set(indonesian))
        en_sets.append({t for t in english if not is_concept(t)})
    n = len(id_sets)
    if n < min_pairs:
        return Bridge({}, n)
    id_matrix, id_vocab = _incidence(id_sets, min_count)
    en_matrix, en_vocab = _incidence(en_sets, min_count)
    if not id_vocab or not en_vocab:
        return Bridge({}, n)
    together = (en_matrix.T @ id_matrix).tocoo()  # English x Indonesian co-occurrence counts
    en_df = np.asarray(en_matrix.sum(axis=0)).ravel()
    id_df = np.asarray(id_matrix.sum(axis=0)).ravel()
    keep = together.data >= min_count
    rows, cols, counts = together.row[keep], together.col[keep], together.data[keep]
    dice = 2.0 * counts / (en_df[rows] + id_df[cols])
    best_for_en: dict[int, tuple[float, int, str, int]] = {}
    best_for_id: dict[int, tuple[float, int, str, int]] = {}
    for r, c, count, score in zip(rows, cols, counts, dice, strict=True):
        if score < min_dice:
            continue
        key_en = (float(score), int(count), id_vocab[c], int(c))
        if r not in best_for_en or _better(key_en, best_for_en[r]):
            best_for_en[r] = key_en
        key_id = (float(score), int(count), en_vocab[r], int(r))
        if c not in best_for_id or _better(key_id, best_for_id[c]):
            best_for_id[c] = key_id
    mapping, scores = {}, {}
    for r, (score, _count, _word, c) in best_for_en.items():
        if best_for_id[c][3] == r:  # mutual best partners
            mapping[en_vocab[r]] = id_vocab[c]
            scores[en_vocab[r]] = score
    return Bridge(dict(sorted(mapping.items())), n, scores)


def _better(a: tuple[float, int, str, int], b: tuple[float, int, str, int]) -> bool:
    """Higher Dice, then more pairs together, then the alphabetically first word."""
    return (a[0], a[1]) > (b[0], b[1]) or ((a[0], a[1]) == (b[0], b[1]) and a[2] < b[2])


def _incidence(sets: list[set[str]], min_count: int) -> tuple[sparse.csr_matrix, list[str]]:
    """Pairs x words 0/1 matrix over the words in at least ``min_count`` sets."""
    counts: dict[str, int] = {}
    for words in sets:
        for word in words:
            counts[word] = counts.get(word, 0) + 1
    vocab = sorted(w for w, c in counts.items() if c >= min_count)
    column = {w: i for i, w in enumerate(vocab)}
    indptr, indices = [0], []
    for words in sets:
        indices.extend(sorted(column[w] for w in words if w in column))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.int32)
    matrix = sparse.csr_matrix((data, indices, indptr), shape=(len(sets), len(vocab)))
    return matrix, vocab
