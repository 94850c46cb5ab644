"""One call for the analysis: code a corpus with the classifier and the human codings, with
evidence, and (optionally) the grouped CV and model card; plus the labelling queue.

Kept as plain functions of documents and tokens (no store, no CLI) so ``analysis.py`` and the
``berdaya label`` command can both call them; see the integration notes in the module docstrings
of sheet.py and coding.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.corpus import DocumentsById
from pipeline.documents import ROLE_CASE, ROLE_CITED, Document
from pipeline.text.preprocess import Preprocessor
from pipeline.themes.card import ModelCard
from pipeline.themes.codebook import Codebook
from pipeline.themes.coding import ThemeCode, assign, load_human_labels
from pipeline.themes.evaluation import GOLD_WEIGHT, evaluate
from pipeline.themes.labels import Label
from pipeline.themes.lexicon import Coding, LexiconCoder
from pipeline.themes.model import ThemeClassifier, training_matrix, with_lexicon_features
from pipeline.themes.relevance import (
    FEATURES,
    FeatureMaker,
    FieldTerms,
    Relevance,
    read_relevance_labels,
    score_relevance,
)
from pipeline.themes.sheet import rank_uncertain, write_sheet
from pipeline.themes.texts import journal, text_hash


@dataclass
class ThemeRun:
    codebook: Codebook
    codings: list[Coding]  # the lexicon's, as before
    classifier: ThemeClassifier
    probabilities: np.ndarray  # (documents x themes)
    codes: list[dict[str, ThemeCode]]  # final themes per document, with evidence
    human: dict[str, Label]  # human codings used (gold, resolutions, researcher sheets)
    problems: list[str]  # human codings not used, and why
    card: ModelCard | None
    trained_on: int = 0  # documents the classifier was fitted on
    lexicon_coded: int = 0  # documents without a human coding, of which a sample may be used
    relevance: Relevance | None = None  # field membership of every document (relevance.py)
    abstained: int = 0  # documents outside the field left without empowerment codes

    @property
    def sampled(self) -> bool:
        return self.trained_on < len(self.codings)

    def training_sentence(self) -> str:
        """What the classifier was trained on, for the report's methods."""
        if not self.sampled:
            return ""
        lexicon_used = self.trained_on - (len(self.codings) - self.lexicon_coded)
        return (
            f"With {len(self.codings):,} documents, the classifier (and each fold of its "
            f"cross-validation) was trained on every hand-coded document and a random sample of "
            f"{lexicon_used:,} of the {self.lexicon_coded:,} coded by the lexicon alone (seeded, "
            "so the same corpus gives the same sample): more rows of the lexicon's own codes "
            "teach a linear model little and cost minutes per fit; every document is still "
            "coded by the fitted classifier."
        )

    def themes(self) -> list[set[str]]:
        return [set(codes) for codes in self.codes]


# Documents coded by the lexicon alone that train the classifier, at most (every hand-coded
# document always does). At 10,000 rows one fit of the 34 calibrated models takes about a minute
# on this machine's 2 cores, and a run makes six (the model and five cross-validation folds);
# the rows beyond add only more of the lexicon's own codes. BENCHMARKS.md, "Scale".
MAX_TRAINING_DOCUMENTS = 10_000


def training_rows(is_gold: np.ndarray, limit: int | None, seed: int) -> np.ndarray:
    """Row indices to train on: every hand-coded row, and at most ``limit`` of the others, a
    seeded random sample (all of them when ``limit`` is None or not reached), ascending."""
    gold = np.flatnonzero(is_gold)
    others = np.flatnonzero(~is_gold)
    if limit is not None and len(others) > limit:
        others = np.sort(np.random.default_rng(seed).choice(others, size=limit, replace=False))
    return np.sort(np.concatenate([gold, others]))


class _Features(Sequence[list[str]]):
    """Each document's classifier features (tokens plus lexicon hits), made when asked for:
    the classifier scores documents in batches, so 100,000 documents' feature lists (another
    copy of every token list) never exist at once."""

    def __init__(self, tokens: Sequence[Sequence[str]], codings: Sequence[Coding]) -> None:
        if len(tokens) != len(codings):
            raise ValueError(f"{len(tokens)} token lists for {len(codings)} codings")
        self._tokens, self._codings = tokens, codings

    def __len__(self) -> int:
        return len(self._tokens)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return with_lexicon_features(self._tokens[index], self._codings[index].hits)


def run_themes(
    docs: Sequence[Document],
    tokens: Sequence[Sequence[str]],
    codebook: Codebook,
    labels_dir: Path,
    preprocessor: Preprocessor,
    *,
    seed: int = 0,
    with_evaluation: bool = True,
    gold_weight: float = GOLD_WEIGHT,
    max_training: int | None = MAX_TRAINING_DOCUMENTS,
) -> ThemeRun:
    """Fit on the documents (human codings where present, lexicon elsewhere), predict all.

    ``tokens``: the analysis's document tokens (Preprocessor.document_tokens); the lexicon's hits
    are appended here. ``with_evaluation``: grouped CV on the human-coded documents present in
    ``docs`` (minutes on thousands of documents) for the model card. ``max_training``: at most
    this many lexicon-coded documents train the classifier and each CV fold (see
    ``training_rows``); None for all.
    """
    coder = LexiconCoder(codebook)
    field_terms = FieldTerms.load()
    maker = FeatureMaker(codebook, field_terms)
    # One pass over the documents (a large corpus is read from the store as it goes).
    codings, doc_ids, journals, hashes, field_rows, registry = [], [], [], [], [], []
    for i, doc in enumerate(docs):
        coding = coder.code(doc)
        codings.append(coding)
        doc_ids.append(doc.id)
        journals.append(journal(doc))
        hashes.append(text_hash(doc))
        field_rows.append(maker.features(doc, coding))
        if doc.role in (ROLE_CASE, ROLE_CITED):
            registry.append(i)
    relevance = score_relevance(
        np.vstack(field_rows) if field_rows else np.zeros((0, len(FEATURES))),
        doc_ids,
        hashes,
        journals,
        field_terms,
        read_relevance_labels(labels_dir / "relevance.csv"),
        always_in=registry,
        seed=seed,
    )
    features = _Features(tokens, codings)
    check = load_human_labels(labels_dir, DocumentsById(docs, doc_ids), codebook)
    # Outside the field the lexicon's hits are passing words ("kesehatan" in a clinical paper):
    # they neither code the document nor teach the classifier. Method codes still apply.
    method = {t.id for t in codebook.family("method")}
    lexicon_themes = [
        c.themes(codebook.min_hits)
        if relevance.in_field[i]
        else c.themes(codebook.min_hits) & method
        for i, c in enumerate(codings)
    ]
    y, is_gold = training_matrix(doc_ids, lexicon_themes, check.valid, codebook.ids)
    rows = training_rows(is_gold, max_training, seed)
    classifier = ThemeClassifier(codebook.ids, seed=seed)
    classifier.fit(
        [features[i] for i in rows],
        y[rows],
        sample_weight=np.where(is_gold[rows], gold_weight, 1.0),
    )
    probabilities = classifier.predict_proba(features)
    card = None
    if with_evaluation and is_gold.sum() >= 10:
        evaluation = evaluate(
            [features[i] for i in rows],
            [doc_ids[i] for i in rows],
            [journals[i] for i in rows],
            [lexicon_themes[i] for i in rows],
            check.valid,
            codebook,
            seed=seed,
            gold_weight=gold_weight,
        )
        card = ModelCard.from_evaluation(evaluation, codebook, gold_weight)
    # Each family coded by the better of classifier and lexicon on the hand codings (the card's
    # choice; the classifier everywhere when there is no card).
    lexicon_families = frozenset(
        f for f in codebook.families if card is not None and card.system_for(f) == "lexicon"
    )
    codes = assign(
        docs,
        codings,
        probabilities,
        check.valid,
        codebook,
        classifier,
        preprocessor.reread_tokens,
        coder,
        preprocessor.surface,
        lexicon_families=lexicon_families,
    )
    abstained = 0
    for i, doc_codes in enumerate(codes):
        if relevance.in_field[i] or doc_ids[i] in check.valid:
            continue  # a hand coding decides for its document, in the field or not
        kept = {t: code for t, code in doc_codes.items() if t in method}
        abstained += len(kept) < len(doc_codes)
        codes[i] = kept
    return ThemeRun(
        codebook,
        codings,
        classifier,
        probabilities,
        codes,
        check.valid,
        check.problems,
        card,
        trained_on=len(rows),
        lexicon_coded=int((~is_gold).sum()),
        relevance=relevance,
        abstained=abstained,
    )


def write_label_queue(run: ThemeRun, docs: Sequence[Document], path: Path, limit: int = 50) -> int:
    """The ``limit`` most uncertain documents without a human coding, as a coding sheet."""
    ranked = rank_uncertain([d.id for d in docs], run.probabilities, set(run.human), limit)
    index = {d.id: i for i, d in enumerate(docs)}
    rows = [index[doc_id] for doc_id, _ in ranked]
    write_sheet(path, [docs[i] for i in rows], run.probabilities[rows], run.codebook.ids)
    return len(rows)
