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


def cross_lingual_p_at_1(pairs: Sequence[tuple[str, str]], preprocessor: Preprocessor) -> float:
    """Share of halves whose nearest neighbour among all 2n halves is their own other half."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(pairs)
    if n < 2:
        raise ValueError(f"need at least two bilingual abstracts, got {n}")
    docs = [preprocessor.tokens(i, "id") for i, _ in pairs]
    docs += [preprocessor.tokens(e, "en") for _, e in pairs]
    vectorizer = TfidfVectorizer(analyzer=lambda tokens: tokens, sublinear_tf=True)
    matrix = vectorizer.fit_transform(docs)
    similarity = (matrix @ matrix.T).toarray()
    np.fill_diagonal(similarity, -1.0)
    nearest = similarity.argmax(axis=1)
    partner = np.concatenate([np.arange(n, 2 * n), np.arange(n)])
    return float((nearest == partner).mean())


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
