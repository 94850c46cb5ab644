"""The themes a document is finally given, each with its origin and its supporting sentences.

Order of authority: a human coding (gold, resolved, or imported from a coding sheet) decides for
the documents it covers; elsewhere the classifier decides (it sees the lexicon's hits as features,
so it agrees with the lexicon where the indicators are reliable and overrules it where the gold
set showed they are not). Every code carries evidence a reader can check, and says which kind:
sentences holding the theme's own indicator terms (marked), never the title of a work that has
more text; where no sentence holds one, the classifier's deciding features, labelled "classifier
features: ...", or for a human coding a line saying that no sentence holds an indicator.
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
from pipeline.themes.lexicon import CLAUSE_BREAK, Coding, Evidence, LexiconCoder
from pipeline.themes.model import LEXICON_PREFIX, ThemeClassifier, with_lexicon_features

MAX_EVIDENCE = 2
MAX_TERMS = 5


@dataclass(frozen=True)
class ThemeCode:
    theme: str
    source: str  # "gold" (a human coding), "classifier+lexicon", "classifier" or "lexicon"
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
    n: int = MAX_TERMS,
    codebook: Codebook | None = None,
) -> tuple[Evidence, ...]:
    """The features of ``text`` that weigh most for ``theme`` in the classifier, as one Evidence of
    kind "classifier" ("classifier features: ..."): what decided a code no sentence supports with
    an indicator of the theme. Lexicon features are named by their theme ("indicators of ...").

    ``tokenize(text, language)`` gives the model's tokens without counting them as surface
    forms again (Preprocessor.reread_tokens); ``surface(token)`` the readable form of a token.
    """
    weights = classifier.term_weights(theme)
    if not weights:
        return ()
    coding = coder.code_text(text)
    tokens = with_lexicon_features(tokenize(text, language), coding.hits)
    contributions: dict[str, float] = {}
    for token in tokens:
        weight = weights.get(token, 0.0)
        if weight > 0:
            contributions[token] = contributions.get(token, 0.0) + weight
    if not contributions:
        return ()
    named: list[str] = []
    for token, _w in sorted(contributions.items(), key=lambda tw: (-tw[1], tw[0]))[:n]:
        if token.startswith(LEXICON_PREFIX):
            other = token[len(LEXICON_PREFIX) :]
            named.append(f"indicators of {codebook.label(other) if codebook else other}")
        else:
            named.append(surface(token))
    named = list(dict.fromkeys(named))
    return (Evidence(f"classifier features: {', '.join(named)}", tuple(named), "classifier"),)


HAND_CODED = "hand-coded: no sentence of the text holds an indicator of this theme"
HAND_CODED_TITLE = (
    "hand-coded: an indicator of this theme stands only in the title or keywords, which are "
    "evidence only for a work known by nothing else"
)


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
    lexicon_families: frozenset[str] = frozenset(),
) -> list[dict[str, ThemeCode]]:
    """Per document, theme id -> ThemeCode. ``human`` maps document ids to Labels (or code sets).
    ``lexicon_families``: families the lexicon codes instead of the classifier (the model card's
    choice: where its kappa against the hand codings is the higher)."""
    themes = codebook.ids
    by_lexicon = {t.id for t in codebook.themes if t.family in lexicon_families}
    out: list[dict[str, ThemeCode]] = []
    for i, (doc, coding) in enumerate(zip(docs, codings, strict=True)):
        row = probabilities[i]
        label = human.get(doc.id)
        if label is not None:
            chosen = set(getattr(label, "codes", label))  # type: ignore[arg-type]
            source = "gold"
        else:
            lexical_codes = coding.themes(codebook.min_hits)
            chosen = {
                t
                for j, t in enumerate(themes)
                if (t in lexical_codes if t in by_lexicon else row[j] >= classifier.threshold)
            }
            source = ""
        codes: dict[str, ThemeCode] = {}
        for theme in sorted(chosen):
            lexical = tuple(coding.evidence.get(theme, ()))
            evidence = lexical or tuple(coder.indicator_sentences(doc, theme, MAX_EVIDENCE))
            if not evidence and source:
                in_title = theme in coding.hits or theme in coder.code_text(doc.title).hits
                note = HAND_CODED_TITLE if in_title and not doc.title_only else HAND_CODED
                evidence = (Evidence(note, (), "hand-coded"),)
            elif not evidence:
                evidence = explain(
                    doc.text,
                    doc.language,
                    theme,
                    classifier,
                    tokenize,
                    coder,
                    surface,
                    codebook=codebook,
                )
            if source:
                kind = source
            elif theme in by_lexicon:
                kind = "lexicon"
            else:
                kind = "classifier+lexicon" if lexical else "classifier"
            codes[theme] = ThemeCode(theme, kind, float(row[themes.index(theme)]), evidence)
        out.append(codes)
    return out


def evidence_problem(
    doc: Document, theme: str, evidence: Evidence, coder: LexiconCoder, codebook: Codebook
) -> str:
    """Why ``evidence`` does not show a reader what supports ``theme`` in ``doc`` ("" when it
    does): an indicator or title row must hold, in its sentence, each of its marked terms, and
    each must be one of that theme's own indicators; a title only for a work with nothing else;
    other rows must say what they are."""
    if evidence.kind == "classifier":
        ok = evidence.sentence.startswith("classifier features: ") and bool(evidence.terms)
        return "" if ok else "a classifier row that does not name its features"
    if evidence.kind == "hand-coded":
        return "" if evidence.sentence.startswith("hand-coded: ") else "an unlabelled hand row"
    if evidence.kind not in ("indicator", "title"):
        return f"unknown kind {evidence.kind!r}"
    if not evidence.terms:
        return "no indicator term marked"
    own = set(codebook.theme(theme).terms)
    if not set(evidence.terms) <= own:
        return f"marks {sorted(set(evidence.terms) - own)}, not indicators of {theme}"
    found = {
        term
        for clause in CLAUSE_BREAK.split(evidence.sentence)
        for _p, t, term in coder.match(clause)
        if t == theme
    }
    if not set(evidence.terms) <= found:
        return f"the sentence does not hold {sorted(set(evidence.terms) - found)}"
    headings = set(sentences(doc.title)) | set(sentences("; ".join(doc.keywords)))
    if evidence.kind == "title" and not doc.title_only:
        return "a title row for a work that has more text"
    if evidence.kind == "indicator" and not doc.title_only and evidence.sentence in headings:
        return "the title used as evidence for a work that has more text"
    return ""
