"""The multi-label theme classifier: TF-IDF over stems and concepts, one calibrated linear model
per theme.

Why this design:

- Input is token lists (stems and thesaurus concepts from ``pipeline.text``), not raw text, so the
  classifier sees both languages on one vocabulary, as the lexicon and the topic model do.
- One-vs-rest with a shared TF-IDF: each theme is its own yes/no question (a document can be about
  economic and social empowerment at once), and one vocabulary keeps the weights comparable.
- LinearSVC wrapped in CalibratedClassifierCV (sigmoid): a strong linear text model whose scores
  become probabilities, which the labelling queue (uncertainty) and the report (confidence) need.
  A theme with too few examples for calibration folds falls back to a balanced logistic
  regression, and a theme with one class only to its prior: every theme always answers.
- Training labels are the gold codings where a document has them and the lexicon's codings
  elsewhere (``training_matrix``): the gold set is small (hundreds), the corpus is thousands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from pipeline.themes.labels import Label

THRESHOLD = 0.5
PREDICT_BATCH = 5_000  # documents scored at once (see predict_proba)


def _identity(tokens: Sequence[str]) -> Sequence[str]:
    return tokens


class _Prior:
    """A 'model' for a theme seen with one class only: it predicts the training share."""

    def __init__(self, share: float) -> None:
        self.share = share

    def predict_proba(self, X) -> np.ndarray:
        n = X.shape[0]
        return np.column_stack([np.full(n, 1 - self.share), np.full(n, self.share)])


class ThemeClassifier:
    """Fit on token lists and a (documents x themes) boolean matrix; predict probabilities.

    scikit-learn conventions: ``__init__`` stores parameters, ``fit`` learns attributes ending in
    ``_`` and returns self.
    """

    def __init__(
        self,
        themes: Sequence[str],
        *,
        seed: int = 0,
        c: float = 0.5,
        calibration_folds: int = 3,
        min_df: int = 2,
        threshold: float = THRESHOLD,
    ) -> None:
        self.themes = tuple(themes)
        self.seed = seed
        self.c = c
        self.calibration_folds = calibration_folds
        self.min_df = min_df
        self.threshold = threshold

    def fit(
        self,
        token_lists: Sequence[Sequence[str]],
        y: np.ndarray,
        sample_weight: np.ndarray | None = None,
    ) -> ThemeClassifier:
        """``sample_weight``: e.g. gold rows weighted above lexicon-labelled ones."""
        y = np.asarray(y, dtype=bool)
        if y.shape != (len(token_lists), len(self.themes)):
            raise ValueError(
                f"labels shape {y.shape}; expected {len(token_lists), len(self.themes)}"
            )
        min_df = self.min_df if len(token_lists) >= 10 * self.min_df else 1
        self.vectorizer_ = TfidfVectorizer(
            analyzer=_identity, lowercase=False, sublinear_tf=True, min_df=min_df
        )
        x = self.vectorizer_.fit_transform(token_lists)
        self.models_ = [self._fit_one(x, y[:, j], sample_weight) for j in range(len(self.themes))]
        self.kinds_ = tuple(_kind(m) for m in self.models_)
        self._weights = {}  # term_weights per theme, for this fit
        return self

    def _fit_one(self, x, y: np.ndarray, weight: np.ndarray | None):
        positives = int(y.sum())
        smaller = min(positives, len(y) - positives)
        if smaller == 0:
            return _Prior(float(positives > 0))
        if smaller >= self.calibration_folds:
            splitter = StratifiedKFold(self.calibration_folds, shuffle=True, random_state=self.seed)
            svc = LinearSVC(C=self.c, class_weight="balanced", random_state=self.seed)
            # ensemble=False: one Platt calibrator on out-of-fold scores, one SVC on all rows;
            # three times faster than the ensemble and its weights read as one model.
            calibrated = CalibratedClassifierCV(svc, method="sigmoid", cv=splitter, ensemble=False)
            return calibrated.fit(x, y, sample_weight=weight)
        logistic = LogisticRegression(class_weight="balanced", max_iter=2000, C=self.c * 4)
        return logistic.fit(x, y, sample_weight=weight)

    def predict_proba(
        self, token_lists: Sequence[Sequence[str]], batch: int = PREDICT_BATCH
    ) -> np.ndarray:
        """(documents x themes) probabilities that each theme applies.

        Documents are scored ``batch`` at a time: each row's features and scores depend on that
        row alone, so the result is the same, and 100,000 documents never need their TF-IDF
        matrix (and its intermediates) all at once."""
        parts = [np.empty((0, len(self.themes)))]
        for start in range(0, len(token_lists), batch):
            x = self.vectorizer_.transform(token_lists[start : start + batch])
            parts.append(np.column_stack([m.predict_proba(x)[:, 1] for m in self.models_]))
        return np.vstack(parts)

    def predict(self, token_lists: Sequence[Sequence[str]]) -> np.ndarray:
        return self.predict_proba(token_lists) >= self.threshold

    def term_weights(self, theme: str) -> dict[str, float]:
        """Token -> linear weight for ``theme``; {} for a theme answered by its prior.

        Kept per theme once computed: the evidence of every classifier-coded theme asks for them,
        and building the table walks the whole vocabulary (tens of thousands of terms)."""
        cache: dict[str, dict[str, float]] = self.__dict__.setdefault("_weights", {})
        if theme not in cache:
            cache[theme] = self._term_weights(theme)
        return cache[theme]

    def _term_weights(self, theme: str) -> dict[str, float]:
        model = self.models_[self.themes.index(theme)]
        if isinstance(model, CalibratedClassifierCV):
            coef = np.mean([c.estimator.coef_[0] for c in model.calibrated_classifiers_], axis=0)
        elif isinstance(model, LogisticRegression):
            coef = model.coef_[0]
        else:
            return {}
        vocabulary = self.vectorizer_.get_feature_names_out()
        return {str(t): float(w) for t, w in zip(vocabulary, coef, strict=True) if w}

    def top_terms(self, theme: str, n: int = 10) -> list[tuple[str, float]]:
        weights = self.term_weights(theme)
        return sorted(((t, w) for t, w in weights.items() if w > 0), key=lambda tw: -tw[1])[:n]


def _kind(model: object) -> str:
    if isinstance(model, CalibratedClassifierCV):
        return "calibrated-svc"
    if isinstance(model, LogisticRegression):
        return "logistic"
    return "prior"


def training_matrix(
    doc_ids: Sequence[str],
    lexicon_themes: Sequence[set[str]],
    gold: Mapping[str, Label],
    themes: Sequence[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Labels for training: gold codes where a document has them, lexicon codes elsewhere.

    Returns the (documents x themes) matrix and a boolean vector saying which rows are gold.
    """
    index = {t: j for j, t in enumerate(themes)}
    y = np.zeros((len(doc_ids), len(themes)), dtype=bool)
    is_gold = np.zeros(len(doc_ids), dtype=bool)
    for i, doc_id in enumerate(doc_ids):
        label = gold.get(doc_id)
        codes = label.codes if label is not None else lexicon_themes[i]
        is_gold[i] = label is not None
        for code in codes:
            if code in index:
                y[i, index[code]] = True
    return y, is_gold


LEXICON_PREFIX = "lex:"


def with_lexicon_features(tokens: Sequence[str], lexicon_hits: Mapping[str, int]) -> list[str]:
    """The document's tokens plus one ``lex:<theme>`` token per indicator hit of the lexicon.

    Why: the codebook's indicators, exclusions and phrase rules encode what a few hundred gold
    documents cannot teach; as features the classifier learns per theme how far to trust them
    and what else goes with the theme.
    """
    extra = [
        f"{LEXICON_PREFIX}{theme}" for theme, n in sorted(lexicon_hits.items()) for _ in range(n)
    ]
    return [*tokens, *extra]
