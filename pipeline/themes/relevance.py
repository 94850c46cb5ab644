"""How likely a document is to belong to this field, as a calibrated probability.

Why: a widened corpus is mostly about other things. Of 3,654 SINTA abstracts a few hundred are
about community empowerment, participation, partnership or local and village governance; the
rest are computing, mathematics, theology, medicine. Left in, they got empowerment codes from
passing words ("kesehatan", "pendidikan"), filled the case's nearest neighbours and split the
topics. Every later stage needs to know which documents are of the field.

The score is a logistic model over a few counts a reader can follow: hits of the codebook's
indicators per family (dimensions, actors, roles, collaboration, contexts), hits of the field's
core terms (data/field.toml) in the text and in the title, and the text's length. Logistic
regression's probabilities are calibrated by its loss; the grouped cross-validation below
reports their Brier score beside precision and recall, so "calibrated" is a measured claim.

It learns from hand codings of field membership (corpus/labels/relevance.csv, by document id and
text hash, like the theme codings). A corpus holding enough of them (MIN_LABELLED, both classes)
fits the model on them; any other corpus (a user's own journals) uses the model fitted on them
when it was shipped (data/relevance_model.json, rebuilt by ``python -m bench relevance --write``),
whose cross-validated figures travel with it. A document is in the field when its probability
reaches the threshold (0.5: more likely in than out). The case and its cited works define the
field and are always kept; their scores are still shown.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from pipeline.documents import Document
from pipeline.text.tokens import word_list
from pipeline.themes.codebook import Codebook, Theme
from pipeline.themes.lexicon import Coding, LexiconCoder

FEATURES = (
    "field_terms",  # log(1 + hits of the core terms in the text)
    "field_distinct",  # log(1 + distinct core terms)
    "field_in_title",  # 1 when the title holds a core term
    "dimension",  # log(1 + indicator hits) per codebook family
    "actor",
    "role",
    "collaboration",
    "context",
    "themes",  # log(1 + distinct themes outside method)
    "length",  # log(1 + words of the text)
)
FAMILIES = ("dimension", "actor", "role", "collaboration", "context")
THRESHOLD = 0.5
MIN_LABELLED = 60  # hand-coded documents in the corpus needed to fit here, at least
MIN_PER_CLASS = 15
SHIPPED_MODEL = Path(__file__).with_name("data") / "relevance_model.json"
FIELD_TERMS = Path(__file__).with_name("data") / "field.toml"
LABEL_COLUMNS = ("id", "text_sha256", "in_field", "coder", "note")


class RelevanceError(ValueError):
    """The field definition, the labels or the shipped model cannot be used; says which file."""


@dataclass(frozen=True)
class FieldTerms:
    """The field's core terms, as a one-theme codebook the lexicon coder can match."""

    codebook: Codebook
    sha256: str

    @classmethod
    def load(cls, path: Path = FIELD_TERMS) -> FieldTerms:
        try:
            raw = path.read_bytes()
            data = tomllib.loads(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise RelevanceError(f"{path}: cannot read the field's terms: {exc}") from exc
        terms = tuple(str(t) for t in [*data.get("id_terms", []), *data.get("en_terms", [])])
        if not terms:
            raise RelevanceError(f"{path}: no id_terms or en_terms")
        theme = Theme(id="field", family="context", label="Field", label_id="Bidang", terms=terms)
        digest = hashlib.sha256(raw).hexdigest()
        return cls(Codebook(themes=(theme,), min_hits=1, sha256=digest), digest)


class FeatureMaker:
    """Each document's relevance features, from its lexicon coding and its own text."""

    def __init__(self, codebook: Codebook, field_terms: FieldTerms) -> None:
        self._family = {t.id: t.family for t in codebook.themes}
        self._coder = LexiconCoder(field_terms.codebook)

    def features(self, doc: Document, coding: Coding) -> np.ndarray:
        core, distinct = self.core_terms(doc.text)
        in_title = 1.0 if self.core_terms(doc.title)[0] else 0.0
        per_family = dict.fromkeys(FAMILIES, 0)
        themes = 0
        for theme, hits in coding.hits.items():
            family = self._family.get(theme)
            if family in per_family:
                per_family[family] += hits
                themes += 1
        values = [
            math.log1p(core),
            math.log1p(len(distinct)),
            in_title,
            *(math.log1p(per_family[f]) for f in FAMILIES),
            math.log1p(themes),
            math.log1p(len(word_list(doc.text))),
        ]
        return np.asarray(values, dtype=float)

    def core_terms(self, text: str) -> tuple[int, set[str]]:
        """Hits of the field's core terms in ``text``, and which terms they were."""
        found = self._coder.indicator_hits(text)
        return len(found), {term for _theme, term in found}


# -- the model ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """Grouped (by journal) cross-validated figures of the model on the hand codings."""

    documents: int
    in_field: int
    folds: int
    precision: float
    recall: float
    f1: float
    brier: float
    threshold: float = THRESHOLD

    def sentence(self) -> str:
        return (
            f"Against {self.documents} hand codings of field membership ({self.in_field} in the "
            f"field), {self.folds}-fold cross-validation grouped by journal: precision "
            f"{self.precision:.2f}, recall {self.recall:.2f}, F1 {self.f1:.2f} at the threshold "
            f"{self.threshold:.2f}; Brier score {self.brier:.3f} (0 is perfect calibration)."
        )


@dataclass(frozen=True)
class RelevanceModel:
    coefficients: tuple[float, ...]
    intercept: float
    threshold: float = THRESHOLD
    trained_on: int = 0
    evaluation: Evaluation | None = None
    origin: str = ""  # "corpus" (fitted on this corpus's hand codings) or "shipped"
    field_sha256: str = ""  # of the field terms the features were counted with

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        if features.shape[1] != len(self.coefficients):
            raise RelevanceError(
                f"relevance model has {len(self.coefficients)} weights for "
                f"{features.shape[1]} features"
            )
        z = features @ np.asarray(self.coefficients) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def weights(self) -> dict[str, float]:
        return dict(zip(FEATURES, self.coefficients, strict=True))

    def to_json(self) -> str:
        body = asdict(self)
        body["features"] = list(FEATURES)
        return json.dumps(body, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, origin: str = "shipped") -> RelevanceModel:
        body = json.loads(text)
        if tuple(body.get("features", ())) != FEATURES:
            raise RelevanceError("relevance model: its features are not this version's")
        evaluation = body.get("evaluation")
        return cls(
            coefficients=tuple(float(c) for c in body["coefficients"]),
            intercept=float(body["intercept"]),
            threshold=float(body.get("threshold", THRESHOLD)),
            trained_on=int(body.get("trained_on", 0)),
            evaluation=Evaluation(**evaluation) if evaluation else None,
            origin=origin,
            field_sha256=str(body.get("field_sha256", "")),
        )


def fit_model(features: np.ndarray, labels: np.ndarray, seed: int = 0) -> RelevanceModel:
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=1000, random_state=seed)
    model.fit(features, labels)
    return RelevanceModel(
        tuple(float(c) for c in model.coef_[0]), float(model.intercept_[0]), trained_on=len(labels)
    )


def evaluate(
    features: np.ndarray, labels: np.ndarray, groups: Sequence[str], seed: int = 0, folds: int = 5
) -> Evaluation:
    """Out-of-fold probabilities, each journal's documents scored by a model that saw none of
    that journal (abstracts of one journal share templates and words)."""
    from sklearn.model_selection import GroupKFold

    n_groups = len(set(groups))
    folds = max(2, min(folds, n_groups))
    predicted = np.zeros(len(labels))
    for train, test in GroupKFold(folds, shuffle=True, random_state=seed).split(
        features, labels, groups
    ):
        if len(set(labels[train].tolist())) < 2:
            predicted[test] = labels[train].mean()
            continue
        predicted[test] = fit_model(features[train], labels[train], seed).probabilities(
            features[test]
        )
    chosen = predicted >= THRESHOLD
    true_pos = int((chosen & (labels == 1)).sum())
    precision = true_pos / max(1, int(chosen.sum()))
    recall = true_pos / max(1, int((labels == 1).sum()))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    brier = float(((predicted - labels) ** 2).mean())
    return Evaluation(
        len(labels),
        int(labels.sum()),
        folds,
        round(precision, 4),
        round(recall, 4),
        round(f1, 4),
        round(brier, 4),
    )


def load_shipped(field_terms: FieldTerms, path: Path = SHIPPED_MODEL) -> RelevanceModel:
    """The shipped model, which must have been fitted with these field terms."""
    try:
        model = RelevanceModel.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RelevanceError(f"{path}: cannot load the shipped relevance model: {exc}") from exc
    if model.field_sha256 != field_terms.sha256:
        raise RelevanceError(
            f"{path}: fitted with other field terms than {FIELD_TERMS.name}; "
            "refit it with `python -m bench relevance --write`"
        )
    return model


# -- hand codings of field membership --------------------------------------------------------


def read_relevance_labels(path: Path) -> dict[str, tuple[str, int]]:
    """id -> (text sha256, 0 or 1); a missing file means none yet."""
    if not path.exists():
        return {}
    out: dict[str, tuple[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"id", "text_sha256", "in_field"} - set(reader.fieldnames or ())
        if missing:
            raise RelevanceError(f"{path}: missing columns {sorted(missing)}")
        for number, row in enumerate(reader, start=2):
            value = (row.get("in_field") or "").strip()
            if value not in {"0", "1"}:
                raise RelevanceError(f"{path}:{number}: in_field must be 0 or 1, not {value!r}")
            out[row["id"].strip()] = (row["text_sha256"].strip(), int(value))
    return out


# -- one corpus ------------------------------------------------------------------------------


@dataclass
class Relevance:
    """Every document's probability of belonging to the field, and the decision taken."""

    scores: np.ndarray
    in_field: np.ndarray  # bool; the case and its cited works always True
    model: RelevanceModel
    labelled: int = 0  # hand codings of membership found in this corpus (valid hashes)
    problems: list[str] = field(default_factory=list)

    @property
    def threshold(self) -> float:
        return self.model.threshold

    @property
    def left_out(self) -> int:
        return int((~self.in_field).sum())

    def sentence(self) -> str:
        n = len(self.scores)
        kept = n - self.left_out
        origin = (
            f"fitted on this corpus's {self.model.trained_on} hand codings of field membership"
            if self.model.origin == "corpus"
            else f"as shipped, fitted on {self.model.trained_on} hand-coded SINTA abstracts"
        )
        head = (
            f"Field relevance: {kept:,} of {n:,} documents score at least {self.threshold:.2f} "
            f"(the probability of belonging to community empowerment, participation, partnership "
            f"or local and village governance; model {origin}); {self.left_out:,} are left out of "
            "the neighbours, the map, the topic model and the theme shares, and get no "
            "empowerment codes."
        )
        evaluation = self.model.evaluation
        return head + (" " + evaluation.sentence() if evaluation else "")


def score_relevance(
    features: np.ndarray,
    doc_ids: Sequence[str],
    hashes: Sequence[str],
    journals: Sequence[str],
    field_terms: FieldTerms,
    labels: Mapping[str, tuple[str, int]],
    always_in: Sequence[int] = (),
    seed: int = 0,
) -> Relevance:
    """Score every document (rows of ``features``, from FeatureMaker); fit on ``labels`` when
    the corpus holds enough of them whose text is unchanged (``hashes``: text_hash of each)."""
    labelled_rows, y, problems = [], [], []
    for i, doc_id in enumerate(doc_ids):
        label = labels.get(doc_id)
        if label is None:
            continue
        if label[0] != hashes[i]:
            problems.append(f"relevance coding of {doc_id} not used: its text changed since")
            continue
        labelled_rows.append(i)
        y.append(label[1])
    y_array = np.asarray(y, dtype=int)
    enough = (
        len(y_array) >= MIN_LABELLED
        and int(y_array.sum()) >= MIN_PER_CLASS
        and len(y_array) - int(y_array.sum()) >= MIN_PER_CLASS
    )
    if enough:
        x = features[labelled_rows]
        evaluation = evaluate(x, y_array, [journals[i] for i in labelled_rows], seed)
        fitted = fit_model(x, y_array, seed)
        model = RelevanceModel(
            fitted.coefficients,
            fitted.intercept,
            THRESHOLD,
            len(y_array),
            evaluation,
            "corpus",
            field_terms.sha256,
        )
    else:
        model = load_shipped(field_terms)
    scores = model.probabilities(features) if len(features) else np.zeros(0)
    in_field = scores >= model.threshold
    in_field[list(always_in)] = True
    return Relevance(scores, in_field, model, len(y_array), problems)
