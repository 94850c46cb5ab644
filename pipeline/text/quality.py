"""Measured quality of the text stage: lemma accuracy and cross-lingual alignment.

Two questions decide whether the text stage is right, and both are answered on public gold data
(read in place from ../shared/data by tests and bench/text.py, never copied here):

- Stemming: against UniMorph's hand-made Indonesian lemmas, how often is the stem the gold lemma,
  per configuration (plain Sastrawi, with our morphology, with protected terms)? Protected terms
  depart from the gold on purpose (UniMorph: kebijakan -> bijak), so we report how many forms they
  give up as well as the accuracy.
- One vocabulary for two languages: split bilingual abstracts into their Indonesian and English
  halves and ask how often each half's nearest neighbour (TF-IDF cosine) among all halves is its
  own other half (P@1). Without the thesaurus the halves share little but names and numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.text.preprocess import Preprocessor
from pipeline.text.segments import TEXT, split_segments
from pipeline.text.stemming import Stemmer, StemmerConfig

STEMMER_CONFIGS: dict[str, StemmerConfig] = {
    "plain Sastrawi": StemmerConfig.plain(),
    "+ morphology (ketidak-an, -wan/-wati)": StemmerConfig(
        abbreviations=False, protected=False, morphology=True
    ),
    "+ morphology + protected terms (default)": StemmerConfig(abbreviations=False),
    "protected terms alone (not shipped)": StemmerConfig(
        abbreviations=False, protected=True, morphology=False
    ),
}


def read_unimorph(path: Path) -> list[tuple[str, str]]:
    """Distinct (lemma, form) pairs of a UniMorph TSV (lemma<TAB>form<TAB>features)."""
    pairs = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = line.split("\t")
        if len(cells) >= 2 and cells[0] and cells[1]:
            pairs.add((cells[0], cells[1]))
    return sorted(pairs)


@dataclass(frozen=True)
class LemmaScore:
    config: str
    correct: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0


def lemma_accuracy(
    stemmer: Stemmer, pairs: Sequence[tuple[str, str]], name: str = ""
) -> LemmaScore:
    correct = sum(stemmer.lookup(form, "id") == lemma for lemma, form in pairs)
    return LemmaScore(name, correct, len(pairs))


def lemma_accuracies(pairs: Sequence[tuple[str, str]]) -> list[LemmaScore]:
    return [lemma_accuracy(Stemmer(c), pairs, name) for name, c in STEMMER_CONFIGS.items()]


# -- cross-lingual alignment -----------------------------------------------------------------


def bilingual_halves(abstracts: Iterable[str], min_words: int = 20) -> list[tuple[str, str]]:
    """(Indonesian half, English half) of each abstract that holds both (keyword lists left out:
    they are often in English in both halves)."""
    pairs = []
    for abstract in abstracts:
        parts: dict[str, list[str]] = {"id": [], "en": []}
        for segment in split_segments(abstract):
            if segment.kind == TEXT and segment.language in parts:
                parts[segment.language].append(segment.text)
        halves = {lang: " ".join(texts) for lang, texts in parts.items()}
        if all(len(text.split()) >= min_words for text in halves.values()):
            pairs.append((halves["id"], halves["en"]))
    return pairs


@dataclass(frozen=True)
class Retrieval:
    """How well each half of a bilingual abstract finds its other half among all halves."""

    name: str
    p_at_1: float  # share whose nearest half is their own other half
    mrr: float  # mean of 1 / rank of the other half
    halves: int


def retrieval_ranks(id_tokens: Sequence[Sequence[str]], en_tokens: Sequence[Sequence[str]]):
    """Rank (1 = nearest) of each half's other half among all 2n halves, by TF-IDF cosine;
    Indonesian halves first, then English. Ties count against the query (pessimistic)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(id_tokens)
    if n < 2 or len(en_tokens) != n:
        raise ValueError(f"need at least two pairs of halves, got {n} and {len(en_tokens)}")
    vectorizer = TfidfVectorizer(analyzer=lambda tokens: tokens, sublinear_tf=True)
    matrix = vectorizer.fit_transform([*id_tokens, *en_tokens])
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, -np.inf)
    partner = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    own = similarity[np.arange(2 * n), partner]
    return (similarity >= own[:, None]).sum(axis=1)  # the partner itself counts once


def cross_lingual_retrieval(
    pairs: Sequence[tuple[str, str]],
    preprocessor: Preprocessor,
    name: str,
    bridge_pool: Sequence[tuple[str, str]] | None = None,
    folds: int = 5,
) -> Retrieval:
    """P@1 and MRR of retrieving the other half of each of ``pairs`` (Indonesian, English).

    With ``bridge_pool`` (bilingual abstracts to learn the English -> Indonesian bridge from,
    which may include ``pairs``), the bridge is learned ``folds`` times, each time without the
    pairs whose halves are then the queries: a held-out measure, as a run's corpus would learn
    its bridge from other abstracts than the one it compares. ``preprocessor`` must have no
    bridge of its own."""
    import numpy as np

    from pipeline.text.bridge import learn_bridge

    id_tokens = [preprocessor.tokens(i, "id", count=False) for i, _ in pairs]
    en_tokens = [preprocessor.tokens(e, "en", count=False) for _, e in pairs]
    n = len(pairs)
    if bridge_pool is None:
        ranks = retrieval_ranks(id_tokens, en_tokens)
    else:
        pool = [
            (preprocessor.tokens(i, "id", count=False), preprocessor.tokens(e, "en", count=False))
            for i, e in bridge_pool
        ]
        index = {pair: k for k, pair in enumerate(bridge_pool)}
        ranks = np.zeros(2 * n, dtype=int)
        fold_of = np.arange(n) % folds
        for fold in range(folds):
            queries = np.flatnonzero(fold_of == fold)
            held_out = {index[pairs[k]] for k in queries if pairs[k] in index}
            bridge = learn_bridge(p for k, p in enumerate(pool) if k not in held_out)
            fold_ranks = retrieval_ranks(id_tokens, [bridge.translate(t) for t in en_tokens])
            ranks[queries] = fold_ranks[queries]
            ranks[queries + n] = fold_ranks[queries + n]
    return Retrieval(name, float((ranks == 1).mean()), float((1.0 / ranks).mean()), 2 * n)


def cross_lingual_p_at_1(pairs: Sequence[tuple[str, str]], preprocessor: Preprocessor) -> float:
    """Share of halves whose nearest neighbour among all 2n halves is their own other half."""
    return cross_lingual_retrieval(pairs, preprocessor, "").p_at_1


# -- the SINTA abstracts ---------------------------------------------------------------------

SINTA_FILES = (
    "dataset-master-sinta-bilingual-v2.csv",
    "deprecated-dataset-sinta.csv",
    "output_65045a0.csv",
)


BILINGUAL_FILE = SINTA_FILES[0]


def read_sinta(directory: Path, files: Sequence[str] = SINTA_FILES) -> list[tuple[str, str]]:
    """(title, abstract) of the SINTA abstract files, deduplicated by lower-cased title."""
    import csv

    seen: set[str] = set()
    out = []
    for name in files:
        with (directory / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                title = (row.get("ARTICLE_TITLE") or "").strip()
                key = title.lower()
                if key in seen:
                    continue
                seen.add(key)
                out.append((title, row.get("ARTICLE_ABSTRACT") or ""))
    return out
