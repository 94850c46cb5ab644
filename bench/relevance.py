"""Field relevance: the model against the hand codings, and what it replaces, in one run.

Reads the SINTA abstracts in place (../shared/data) with the registry works, codes them with the
codebook's lexicon, and scores the relevance model (pipeline/themes/relevance.py) against the
hand codings of field membership (corpus/labels/relevance.csv) by 5-fold cross-validation grouped
by journal. Beside it, in the same run, the rule the pipeline used before: "in the field" when
the lexicon gives any empowerment dimension (what coded 348 of 416 computer-science papers).

``--write`` refits the model on every hand coding and writes it, with these figures, to
pipeline/themes/data/relevance_model.json: the model a corpus without enough hand codings of its
own uses. Run: ``python -m bench relevance [--write]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from pipeline.themes.codebook import load_codebook
from pipeline.themes.lexicon import LexiconCoder
from pipeline.themes.relevance import (
    SHIPPED_MODEL,
    THRESHOLD,
    FeatureMaker,
    FieldTerms,
    RelevanceModel,
    evaluate,
    fit_model,
    read_relevance_labels,
)
from pipeline.themes.texts import REPO, SHARED_DATA, all_documents, journal, text_hash


def _precision_recall(chosen: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    true_pos = int((chosen & (truth == 1)).sum())
    return true_pos / max(1, int(chosen.sum())), true_pos / max(1, int((truth == 1).sum()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench relevance", description=__doc__)
    parser.add_argument("--write", action="store_true", help="refit and write the shipped model")
    args = parser.parse_args(argv if argv is not None else [])
    if not SHARED_DATA.is_dir():
        print(f"bench.relevance: needs {SHARED_DATA} (the ../shared data beside the project)")
        return 2
    codebook = load_codebook(REPO / "corpus" / "codebook.toml")
    labels = read_relevance_labels(REPO / "corpus" / "labels" / "relevance.csv")
    docs = all_documents(SHARED_DATA)
    coded = [docs[i] for i in sorted(labels) if i in docs and text_hash(docs[i]) == labels[i][0]]
    stale = len(labels) - len(coded)
    field_terms = FieldTerms.load()
    maker, coder = FeatureMaker(codebook, field_terms), LexiconCoder(codebook)
    dimensions = {t.id for t in codebook.family("dimension")}
    rows, before = [], []
    for doc in coded:
        coding = coder.code(doc)
        rows.append(maker.features(doc, coding))
        before.append(bool(coding.themes(codebook.min_hits) & dimensions))
    x, y = np.vstack(rows), np.array([labels[d.id][1] for d in coded])
    groups = [journal(d) for d in coded]
    print(
        f"{len(coded)} hand-coded documents ({int(y.sum())} in the field, {len(set(groups))} "
        f"journals; {stale} codings not matched to a current text)"
    )
    old_p, old_r = _precision_recall(np.array(before), y)
    print(
        f"  any empowerment dimension by the lexicon (before): precision {old_p:.2f}, "
        f"recall {old_r:.2f}"
    )
    evaluation = evaluate(x, y, groups, seed=0)
    print(
        f"  relevance model, grouped 5-fold CV at {THRESHOLD:.2f}: precision "
        f"{evaluation.precision:.2f}, recall {evaluation.recall:.2f}, F1 {evaluation.f1:.2f}, "
        f"Brier {evaluation.brier:.3f}"
    )
    fitted = fit_model(x, y, seed=0)
    for name, weight in fitted.weights().items():
        print(f"    {name:16s} {weight:+.3f}")
    if args.write:
        model = RelevanceModel(
            fitted.coefficients,
            fitted.intercept,
            THRESHOLD,
            len(y),
            evaluation,
            "shipped",
            field_terms.sha256,
        )
        Path(SHIPPED_MODEL).write_text(model.to_json(), encoding="utf-8")
        print(f"  written: {SHIPPED_MODEL.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
