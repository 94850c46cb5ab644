"""Theme classifier benchmark: the same machinery on a public data set, and the gold-set CV.

1. SIB-200 Indonesian (topic classification, 7 labels, single-label; ../shared/data/sib-200-ind):
   our pipeline (Preprocessor tokens -> TF-IDF -> one calibrated LinearSVC per label, the
   most probable label wins) against a plain TF-IDF + LinearSVC on the raw text, trained on
   train.tsv, scored as test macro-F1, both in this run.
2. The gold codings: grouped-by-journal CV of the theme classifier against the lexicon alone and a
   majority baseline (pipeline.themes.evaluation), the numbers of the model card.

Run: ``python -m bench.themes`` (``--skip-gold`` for part 1 only; part 2 takes a few minutes).
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.svm import LinearSVC

from pipeline.text.preprocess import Preprocessor
from pipeline.themes.card import ModelCard
from pipeline.themes.evaluation import GOLD_WEIGHT
from pipeline.themes.goldset import load_goldset
from pipeline.themes.model import ThemeClassifier

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SIB = SHARED / "sib-200-ind"


def _read(name: str) -> tuple[list[str], list[str]]:
    with (SIB / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r["text"] for r in rows], [r["category"] for r in rows]


def sib200(seed: int = 0) -> dict[str, float]:
    train_x, train_y = _read("train.tsv")
    test_x, test_y = _read("test.tsv")
    labels = sorted(set(train_y))

    started = time.perf_counter()
    baseline = LinearSVC(random_state=seed)
    vectorizer = TfidfVectorizer()
    baseline.fit(vectorizer.fit_transform(train_x), train_y)
    base_pred = baseline.predict(vectorizer.transform(test_x))
    base_time = time.perf_counter() - started

    started = time.perf_counter()
    pre = Preprocessor()
    train_tokens = [pre.text_tokens(t, "id") for t in train_x]
    test_tokens = [pre.text_tokens(t, "id") for t in test_x]
    y = np.array([[lab == c for c in labels] for lab in train_y])
    model = ThemeClassifier(labels, seed=seed).fit(train_tokens, y)
    ours = [labels[j] for j in model.predict_proba(test_tokens).argmax(axis=1)]
    ours_time = time.perf_counter() - started
    return {
        "baseline_macro_f1": float(f1_score(test_y, base_pred, average="macro")),
        "ours_macro_f1": float(f1_score(test_y, ours, average="macro")),
        "baseline_s": base_time,
        "ours_s": ours_time,
        "train": len(train_x),
        "test": len(test_x),
    }


def gold(seed: int = 0) -> ModelCard:
    goldset = load_goldset()
    if goldset.problems:
        print(f"  {len(goldset.problems)} gold label(s) not used: {goldset.problems[:3]}")
    evaluation = goldset.evaluate(seed=seed)
    for name, report in evaluation.systems.items():
        print(f"  {name:10s} macro-F1 {report.macro_f1:.3f}  mean kappa {report.mean_kappa:.3f}")
    print("  per theme (gold positives, F1 classifier / lexicon):")
    for clf, lex in zip(
        evaluation.systems["classifier"].scores, evaluation.systems["lexicon"].scores, strict=True
    ):
        print(f"    {clf.theme:34s} {clf.positives:4d}  {clf.f1 or 0:.2f} / {lex.f1 or 0:.2f}")
    card = ModelCard.from_evaluation(evaluation, goldset.codebook, GOLD_WEIGHT)
    used = ", ".join(f"{f} {card.system_for(f)}" for f in goldset.codebook.families)
    print(f"  per-family choice ({used}): mean kappa {card.chosen_mean_kappa or 0:.3f}")
    return card


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.themes")
    parser.add_argument("--skip-gold", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv if argv is not None else [])
    result = sib200(args.seed)
    print(f"SIB-200 ind: train {result['train']}, test {result['test']}, 7 labels")
    for name, key in (
        ("TF-IDF + LinearSVC (raw text)", "baseline"),
        ("berdaya theme classifier", "ours"),
    ):
        f1, seconds = result[f"{key}_macro_f1"], result[f"{key}_s"]
        print(f"  {name:32s} test macro-F1 {f1:.3f}  ({seconds:.1f} s)")
    if not args.skip_gold:
        print("Gold set: grouped-by-journal CV")
        print(gold(args.seed).markdown())


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
