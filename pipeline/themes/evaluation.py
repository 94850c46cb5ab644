"""Cross-validation of theme coding on the gold set, grouped by journal, three systems side by side.

Why grouped by journal: abstracts from one journal share templates and vocabulary (a community
service journal opens every abstract with "Kuliah Kerja Nyata ..."); with that journal on both
sides of a split the classifier would be scored on recognising the journal. So every gold document
of a test journal is tested, and no document of that journal, gold or lexicon-labelled, is
trained on. The lexicon (no training) and a per-theme majority baseline are scored on the same
test documents in the same run, so the three numbers are comparable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import f1_score, precision_score, recall_score
from sklearn.model_selection import GroupKFold

from pipeline.themes.agreement import binary_kappa
from pipeline.themes.codebook import Codebook
from pipeline.themes.labels import Label
from pipeline.themes.model import ThemeClassifier, training_matrix


@dataclass(frozen=True)
class LabelScore:
    """One theme's scores against the gold codings; ``note`` says why a theme was not scored."""

    theme: str
    positives: int
    precision: float | None
    recall: float | None
    f1: float | None
    note: str = ""


# Themes with fewer gold positives are scored but left out of the macro averages: an F1 on one or
# two examples says little and would swing the average.
MIN_POSITIVES = 3
SYSTEMS = ("classifier", "lexicon", "majority")
GOLD_WEIGHT = 5.0


@dataclass(frozen=True)
class Fold:
    train: np.ndarray  # row indices into the whole corpus
    test: np.ndarray  # row indices of gold documents


@dataclass(frozen=True)
class SystemReport:
    """Per-theme scores of one system against the gold codings."""

    name: str
    scores: tuple[LabelScore, ...]
    kappa: Mapping[str, float | None]

    def _evaluated(self) -> list[LabelScore]:
        return [s for s in self.scores if s.f1 is not None and s.positives >= MIN_POSITIVES]

    @property
    def macro_f1(self) -> float | None:
        values = [s.f1 for s in self._evaluated() if s.f1 is not None]
        return float(np.mean(values)) if values else None

    @property
    def mean_kappa(self) -> float | None:
        kept = {s.theme for s in self._evaluated()}
        values = [k for t, k in self.kappa.items() if t in kept and k is not None]
        return float(np.mean(values)) if values else None

    def family_kappa(self, codebook: Codebook) -> dict[str, float | None]:
        """Mean per-theme kappa within each family (themes with enough positives only)."""
        kept = {s.theme for s in self._evaluated()}
        out: dict[str, float | None] = {}
        for family in codebook.families:
            values = [
                self.kappa[t.id]
                for t in codebook.family(family)
                if t.id in kept and self.kappa.get(t.id) is not None
            ]
            out[family] = float(np.mean(values)) if values else None  # type: ignore[arg-type]
        return out


@dataclass(frozen=True)
class Evaluation:
    systems: Mapping[str, SystemReport]
    folds: int
    gold_documents: int
    train_documents: int  # gold + lexicon-labelled rows available for training
    journals: int
    lexicon_training: bool
    probabilities: np.ndarray = field(repr=False)  # out-of-fold (gold docs x themes)


def grouped_folds(
    gold_rows: Sequence[int], groups: Sequence[str], n_splits: int, seed: int
) -> list[Fold]:
    """Folds over the gold rows by group; training rows are every row outside the test groups."""
    gold_rows = np.asarray(gold_rows)
    gold_groups = np.asarray([groups[i] for i in gold_rows])
    n_splits = max(2, min(n_splits, len(set(gold_groups))))
    splitter = GroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    all_groups = np.asarray(groups)
    folds = []
    for _, test_pos in splitter.split(gold_rows, groups=gold_groups):
        test = gold_rows[test_pos]
        held_out = set(gold_groups[test_pos])
        train = np.flatnonzero([g not in held_out for g in all_groups])
        folds.append(Fold(train=train, test=np.sort(test)))
    return folds


def _scores(name: str, themes: Sequence[str], truth: np.ndarray, predicted: np.ndarray):
    scores, kappas = [], {}
    for j, theme in enumerate(themes):
        y, p = truth[:, j], predicted[:, j]
        positives = int(y.sum())
        kappas[theme] = binary_kappa(y, p)
        if positives == 0:
            note = "no gold document has it"
            scores.append(LabelScore(theme, 0, None, None, None, note))
            continue
        scores.append(
            LabelScore(
                theme,
                positives,
                float(precision_score(y, p, zero_division=0)),
                float(recall_score(y, p, zero_division=0)),
                float(f1_score(y, p, zero_division=0)),
                "" if positives >= MIN_POSITIVES else f"only {positives} gold positives",
            )
        )
    return SystemReport(name, tuple(scores), kappas)


def evaluate(
    token_lists: Sequence[Sequence[str]],
    doc_ids: Sequence[str],
    groups: Sequence[str],
    lexicon_themes: Sequence[set[str]],
    gold: Mapping[str, Label],
    codebook: Codebook,
    *,
    seed: int = 0,
    n_splits: int = 5,
    lexicon_training: bool = True,
    gold_weight: float = GOLD_WEIGHT,
) -> Evaluation:
    """Grouped k-fold on the gold documents: classifier, lexicon and majority baseline.

    ``lexicon_training``: train on gold rows and lexicon-labelled rows (the production setting);
    False trains on the gold rows of the training journals only. ``gold_weight``: how much a
    gold row counts against a lexicon-labelled one.
    """
    themes = codebook.ids
    y, is_gold = training_matrix(doc_ids, lexicon_themes, gold, themes)
    lexicon_y, _ = training_matrix(doc_ids, lexicon_themes, {}, themes)
    gold_rows = np.flatnonzero(is_gold)
    folds = grouped_folds(gold_rows, groups, n_splits, seed)
    position = {row: k for k, row in enumerate(gold_rows)}
    predicted = {name: np.zeros((len(gold_rows), len(themes)), dtype=bool) for name in SYSTEMS}
    probabilities = np.zeros((len(gold_rows), len(themes)))
    for fold in folds:
        train = fold.train if lexicon_training else np.intersect1d(fold.train, gold_rows)
        weight = np.where(is_gold[train], gold_weight, 1.0)
        model = ThemeClassifier(themes, seed=seed)
        model.fit([token_lists[i] for i in train], y[train], sample_weight=weight)
        proba = model.predict_proba([token_lists[i] for i in fold.test])
        at = [position[i] for i in fold.test]
        probabilities[at] = proba
        predicted["classifier"][at] = proba >= model.threshold
        predicted["lexicon"][at] = lexicon_y[fold.test]
        predicted["majority"][at] = y[train].mean(axis=0) > 0.5
    truth = y[gold_rows]
    return Evaluation(
        systems={name: _scores(name, themes, truth, predicted[name]) for name in SYSTEMS},
        folds=len(folds),
        gold_documents=len(gold_rows),
        train_documents=len(doc_ids) if lexicon_training else len(gold_rows),
        journals=len({groups[i] for i in gold_rows}),
        lexicon_training=lexicon_training,
        probabilities=probabilities,
    )
