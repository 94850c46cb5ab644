"""A scikit-learn theme classifier trained on the lexicon's codings, with cross-validated scores.

Why train a classifier on labels a lexicon made: it learns which other words go with a theme, so it
can code documents the indicator list misses, and its cross-validated agreement with the lexicon
tells how learnable (and how consistent) each theme is. It is a first version: gold codings by
hand replace the lexicon labels as the target in a later release.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline, make_pipeline

MIN_EXAMPLES_PER_CLASS = 2


@dataclass(frozen=True)
class LabelScore:
    theme: str
    positives: int
    precision: float | None
    recall: float | None
    f1: float | None
    note: str = ""


@dataclass(frozen=True)
class ClassifierReport:
    scores: tuple[LabelScore, ...]
    folds: int
    documents: int

    @property
    def macro_f1(self) -> float | None:
        values = [s.f1 for s in self.scores if s.f1 is not None]
        return float(np.mean(values)) if values else None

    @property
    def evaluated(self) -> int:
        return sum(s.f1 is not None for s in self.scores)


def _tokens_identity(tokens: str) -> list[str]:
    return tokens.split()


def make_model(seed: int) -> Pipeline:
    """TF-IDF over stem tokens (already preprocessed) + a balanced logistic regression."""
    return make_pipeline(
        TfidfVectorizer(
            tokenizer=_tokens_identity, lowercase=False, token_pattern=None, sublinear_tf=True
        ),
        LogisticRegression(class_weight="balanced", max_iter=2000, random_state=seed),
    )


def cross_validate(
    token_lists: Sequence[Sequence[str]],
    labels: dict[str, Sequence[bool]],
    *,
    seed: int,
    max_folds: int = 5,
) -> ClassifierReport:
    """Per theme, stratified k-fold predictions against the lexicon labels.

    Themes with fewer than two documents on either side cannot be cross-validated; they are
    reported with a note rather than silently dropped.
    """
    texts = [" ".join(tokens) for tokens in token_lists]
    scores: list[LabelScore] = []
    used_folds = 0
    for theme, raw in sorted(labels.items()):
        y = np.asarray(raw, dtype=bool)
        positives = int(y.sum())
        smaller_side = min(positives, len(y) - positives)
        if smaller_side < MIN_EXAMPLES_PER_CLASS:
            note = f"not evaluated: {positives} of {len(y)} documents coded with it"
            scores.append(LabelScore(theme, positives, None, None, None, note))
            continue
        folds = min(max_folds, smaller_side)
        used_folds = max(used_folds, folds)
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        predicted = cross_val_predict(make_model(seed), texts, y, cv=splitter)
        scores.append(
            LabelScore(
                theme,
                positives,
                float(precision_score(y, predicted, zero_division=0)),
                float(recall_score(y, predicted, zero_division=0)),
                float(f1_score(y, predicted, zero_division=0)),
            )
        )
    return ClassifierReport(scores=tuple(scores), folds=used_folds, documents=len(texts))
