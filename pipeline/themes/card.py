"""A model card for the theme classifier: data, metrics, limits, as a dataclass the report renders.

Why a card: a reader of the report must be able to tell how far to trust a theme code, i.e. what
the model was trained on, how it was tested (grouped by journal, against hand codings) and where
it is weak (themes with few gold examples), without reading the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.themes.codebook import Codebook
from pipeline.themes.evaluation import MIN_POSITIVES, Evaluation


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


@dataclass(frozen=True)
class ModelCard:
    codebook_sha256: str
    themes: int
    gold_documents: int
    training_documents: int
    journals: int
    folds: int
    gold_weight: float
    macro_f1: dict[str, float | None]  # system -> macro-F1
    mean_kappa: dict[str, float | None]
    family_kappa: dict[str, dict[str, float | None]]  # system -> family -> kappa
    weak_themes: tuple[str, ...]  # fewer than MIN_POSITIVES gold positives
    # family -> the system that codes it where no hand coding does: the lexicon where its kappa
    # beats the classifier's on these folds, else the classifier
    family_system: dict[str, str] = field(default_factory=dict)
    chosen_mean_kappa: float | None = None  # mean per-theme kappa of that choice

    def system_for(self, family: str) -> str:
        return self.family_system.get(family, "classifier")

    @classmethod
    def from_evaluation(
        cls, evaluation: Evaluation, codebook: Codebook, gold_weight: float
    ) -> ModelCard:
        systems = evaluation.systems
        weak = tuple(s.theme for s in systems["classifier"].scores if s.positives < MIN_POSITIVES)
        family_kappa = {name: s.family_kappa(codebook) for name, s in systems.items()}
        family_system = {}
        for family in codebook.families:
            lexicon = family_kappa["lexicon"].get(family)
            classifier = family_kappa["classifier"].get(family)
            better = lexicon is not None and (classifier is None or lexicon > classifier)
            family_system[family] = "lexicon" if better else "classifier"
        kappas = [
            systems[family_system[t.family]].kappa.get(t.id)
            for t in codebook.themes
            if t.id not in weak
        ]
        kappas = [k for k in kappas if k is not None]
        return cls(
            codebook_sha256=codebook.sha256,
            themes=len(codebook.themes),
            gold_documents=evaluation.gold_documents,
            training_documents=evaluation.train_documents,
            journals=evaluation.journals,
            folds=evaluation.folds,
            gold_weight=gold_weight,
            macro_f1={name: s.macro_f1 for name, s in systems.items()},
            mean_kappa={name: s.mean_kappa for name, s in systems.items()},
            family_kappa=family_kappa,
            weak_themes=weak,
            family_system=family_system,
            chosen_mean_kappa=sum(kappas) / len(kappas) if kappas else None,
        )

    def markdown(self) -> str:
        families = list(next(iter(self.family_kappa.values()), {}))
        lines = [
            "### Theme classifier: model card",
            "",
            "**Model.** TF-IDF over stems and bilingual concepts plus the lexicon's indicator hits "
            "as features; one LinearSVC per theme with sigmoid-calibrated probabilities "
            "(balanced classes); a theme applies at p >= 0.5.",
            "",
            f"**Data.** Trained on {self.training_documents} documents: hand (gold) codings "
            f"where present ({self.gold_documents} documents, weight {self.gold_weight:g}), "
            "the codebook lexicon's codings elsewhere. "
            f"Codebook sha256 {self.codebook_sha256[:12]}, {self.themes} themes.",
            "",
            f"**Evaluation.** {self.folds}-fold cross-validation on the gold documents grouped by "
            f"journal ({self.journals} journals; no journal on both sides of a split), "
            "against the lexicon alone and a per-theme majority baseline in the same run. "
            f"Macro averages over themes with at least {MIN_POSITIVES} gold positives.",
            "",
            "| system | macro-F1 | mean kappa | " + " | ".join(families) + " |",
            "|---|---|---|" + "---|" * len(families),
        ]
        for name, f1 in self.macro_f1.items():
            per_family = " | ".join(_fmt(self.family_kappa[name].get(f)) for f in families)
            lines.append(f"| {name} | {_fmt(f1)} | {_fmt(self.mean_kappa[name])} | {per_family} |")
        if self.family_system:
            chosen = "; ".join(
                f"{f}: {self.system_for(f)} (classifier "
                f"{_fmt(self.family_kappa['classifier'].get(f))}, lexicon "
                f"{_fmt(self.family_kappa['lexicon'].get(f))})"
                for f in families
            )
            lines += [
                "",
                f"**Used per family** (where no hand coding decides, the better system on these "
                f"folds): {chosen}. Mean kappa of that choice {_fmt(self.chosen_mean_kappa)} "
                "(chosen on the same folds it is scored on, so slightly optimistic).",
            ]
        lines += [
            "",
            "**Limits.** One first coder made the gold set (agreement with a second coder is "
            "measured separately); the gold set leans towards community-service and agricultural "
            "extension journals; the lexicon labels used for training are noisy; "
            f"themes with too few gold examples to score: {', '.join(self.weak_themes) or 'none'}. "
            "Abstracts only: what a paper says only in its full text is not seen. On the corpus "
            "the model codes documents it was trained on with their lexicon labels, so there it "
            "departs from the lexicon mainly where the gold set taught it to.",
        ]
        return "\n".join(lines)
