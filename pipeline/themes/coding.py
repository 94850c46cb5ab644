"""The themes a document is finally given, each with its origin and its supporting sentences.

Order of authority: a human coding (gold, resolved, or imported from a coding sheet) decides for
the documents it covers; elsewhere the classifier decides (it sees the lexicon's hits as features,
so it agrees with the lexicon where the indicators are reliable and overrules it where the gold
set showed they are not). Every code carries evidence a reader can check: the lexicon's sentences
with their indicator terms where the lexicon found the theme, otherwise the sentences whose tokens
weigh most for the theme in the classifier, with those tokens marked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.documents import Document
from pipeline.text.tokens import sentences
from pipeline.themes.agreement import apply_resolutions, read_resolutions
from pipeline.themes.codebook import Codebook
from pipeline.themes.labels import Check, check_labels, merge, read_labels
from pipeline.themes.lexicon import Coding, Evidence, LexiconCoder
from pipeline.themes.model import LEXICON_PREFIX, ThemeClassifier, with_lexicon_features

MAX_EVIDENCE = 2
MAX_TERMS = 5


@dataclass(frozen=True)
class ThemeCode:
    theme: str
    source: str  # "gold" (a human coding), "classifier+lexicon" or "classifier"
    probability: float | None  # the classifier's, where it ran
    evidence: tuple[Evidence, ...]


def load_human_labels(labels_dir: Path, docs: Mapping[str, Document], codebook: Codebook) -> Check:
    """gold.csv with resolutions.csv applied, then researcher.csv over it; checked against the
    texts (a label whose text changed is dropped and reported, never trained on)."""
    gold = read_labels(labels_dir / "gold.csv")
    gold = apply_resolutions(gold, read_resolutions(labels_dir / "resolutions.csv", codebook))
    researcher = read_labels(labels_dir / "researcher.csv")
    return check_labels(merge(gold, researcher), docs, codebook)


def explain(
    text: str,
    language: str,
    theme: str,
    classifier: ThemeClassifier,
    tokenize,
    coder: LexiconCoder,
    surface=str,
    n: int = MAX_EVIDENCE,
) -> tuple[Evidence, ...]:
    """The ``n`` sentences of ``text`` whose tokens weigh most for ``theme``, top terms marked.

    ``tokenize(sentence, language)`` gives the model's tokens without counting them as surface
    forms again (Preprocessor.reread_tokens); ``surface(token)`` the readable form of a token.
    """
    weights = classifier.term_weights(theme)
    if not weights:
        return ()
    scored = []
    for sentence in sentences(text):
        coding = coder.code_text(sentence)
        tokens = with_lexicon_features(tokenize(sentence, language), coding.hits)
        contributions: dict[str, float] = {}
        for token in tokens:
            weight = weights.get(token, 0.0)
            if weight > 0:
                contributions[token] = contributions.get(token, 0.0) + weight
        if contributions:
            scored.append((sum(contributions.values()), sentence, contributions, coding))
    scored.sort(key=lambda s: -s[0])
    out = []
    for _score, sentence, contributions, coding in scored[:n]:
        terms: list[str] = []
        for token, _w in sorted(contributions.items(), key=lambda tw: -tw[1])[:MAX_TERMS]:
            if token.startswith(LEXICON_PREFIX):
                lexicon_theme = token[len(LEXICON_PREFIX) :]
                for evidence in coding.evidence.get(lexicon_theme, []):
                    terms += evidence.terms
            else:
                terms.append(surface(token))
        out.append(Evidence(sentence=sentence, terms=tuple(dict.fromkeys(terms))))
    return tuple(out)


def assign(
    docs: Sequence[Document],
    codings: Sequence[Coding],
    probabilities: np.ndarray,
    human: Mapping[str, frozenset[str]] | Mapping[str, object],
    codebook: Codebook,
    classifier: ThemeClassifier,
    tokenize,
    coder: LexiconCoder,
    surface=str,
) -> list[dict[str, ThemeCode]]:
    """Per document, theme id -> ThemeCode. ``human`` maps document ids to Labels (or code sets)."""
    themes = codebook.ids
    out: list[dict[str, ThemeCode]] = []
    for i, (doc, coding) in enumerate(zip(docs, codings, strict=True)):
        row = probabilities[i]
        label = human.get(doc.id)
        if label is not None:
            chosen = set(getattr(label, "codes", label))  # type: ignore[arg-type]
            source = "gold"
        else:
            chosen = {t for j, t in enumerate(themes) if row[j] >= classifier.threshold}
            source = ""
        codes: dict[str, ThemeCode] = {}
        for theme in sorted(chosen):
            lexical = tuple(coding.evidence.get(theme, ()))
            evidence = lexical or explain(
                doc.text, doc.language, theme, classifier, tokenize, coder, surface
            )
            kind = source or ("classifier+lexicon" if lexical else "classifier")
            codes[theme] = ThemeCode(theme, kind, float(row[themes.index(theme)]), evidence)
        out.append(codes)
    return out
