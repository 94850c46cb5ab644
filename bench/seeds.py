"""Do the cited-work rankings hold across seeds? Kendall tau between real `berdaya report --seed`
runs on the bundled corpus (the 16 registry works), and how the ensemble size buys it.

Default: a fresh project with the bundled registry, then `python -m flows.cli report --seed N` in
a subprocess for each seed of ``SEEDS`` (far apart: 1, 777, 20240601; adjacent: 1, 2, 3). From
each run's similarity.csv: the ranking of the works with a text (by the combined score's point
estimate; the title-only works are not ranked), and, for comparison with issue 14's 0.64-0.70,
all 15 works ordered by the same combined formula (title-only works included, from the CSV's
columns). Prints tau-b for every pair of seeds, and each manifest's recorded seeds.

``--curve``: in one process, the topic stage alone refitted for each seed and ensemble size
(``ENSEMBLE_SIZES``), with the topic weight of the combined score (similarity.topic_weight) and
with w = 1: the measurement behind ensemble.MAX_ENSEMBLE.

Run: ``python -m bench seeds`` (about 2 minutes), ``python -m bench seeds --curve`` (1-2 minutes).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau

REPO = Path(__file__).resolve().parents[1]
SEEDS = (1, 777, 20240601, 2, 3)
FAR = (1, 777, 20240601)
ADJACENT = (1, 2, 3)
ENSEMBLE_SIZES = (1, 3, 10, 30, 100, 200, 400)


def _project(root: Path) -> Path:
    """A fresh project holding the bundled registry, codebook and hand codings, ingested."""
    from pipeline import runs
    from pipeline.project import ProjectPaths

    shutil.copytree(REPO / "corpus", root / "corpus", ignore=shutil.ignore_patterns("*.sqlite*"))
    (root / "corpus" / "sources.toml").unlink(missing_ok=True)  # no journals: offline, quiet
    runs.ingest_registry(ProjectPaths(root))
    return root


def _report(root: Path, seed: int) -> Path:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-m", "flows.cli", "report", "--project", str(root), "--seed", str(seed)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"report --seed {seed} failed:\n{out.stdout}\n{out.stderr}")
    folder = (root / "reports" / "latest").resolve()
    return folder


def _scores(folder: Path) -> tuple[dict[str, float], dict[str, float], list[str]]:
    """(ranked works' combined, all 15 by the same formula, the ranked keys in rank order)."""
    with (folder / "similarity.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    ranked = {r["key"]: float(r["combined"]) for r in rows if r["combined"]}
    every = {}
    for r in rows:
        w = float(r["topic_weight"])
        cos, h, j = float(r["tfidf_cosine"]), float(r["topic_hellinger"]), float(r["theme_jaccard"])
        every[r["key"]] = (cos + w * (1 - h) + j) / (2 + w)
    order = [r["key"] for r in rows if r["combined"]]
    return ranked, every, order


def tau(a: dict[str, float], b: dict[str, float]) -> float:
    keys = sorted(set(a) & set(b))
    return float(kendalltau([a[k] for k in keys], [b[k] for k in keys])[0])


def _pairs(scores: dict[int, dict[str, float]], seeds: Sequence[int]) -> list[float]:
    return [tau(scores[x], scores[y]) for x, y in itertools.combinations(seeds, 2)]


def reports(seeds: Sequence[int] = SEEDS) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-seeds-") as tmp:
        root = _project(Path(tmp))
        ranked, every = {}, {}
        for seed in seeds:
            folder = _report(root, seed)
            ranked[seed], every[seed], order = _scores(folder)
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
            recorded = manifest["seeds"]
            ensemble = recorded["topics_ensemble"]
            print(
                f"--seed {seed}: manifest seeds lda={recorded['lda']} sweep="
                f"{recorded['topics_sweep']} classifier={recorded['themes_classifier']} "
                f"ensemble={ensemble['count']} seeds {ensemble['seeds'][:3]}...; ranked: "
                + ", ".join(order),
                flush=True,
            )
        print("\nKendall tau-b between the rankings of two seeds")
        print("| pair | works with a text (the ranking) | all 15 by the same formula |")
        print("|---|---|---|")
        for x, y in itertools.combinations(seeds, 2):
            print(
                f"| {x} vs {y} | {tau(ranked[x], ranked[y]):.3f} | {tau(every[x], every[y]):.3f} |"
            )
        for name, group in (("far apart", FAR), ("adjacent", ADJACENT)):
            group = [s for s in group if s in ranked]
            if len(group) < 2:
                continue
            r, e = _pairs(ranked, group), _pairs(every, group)
            print(
                f"{name} {tuple(group)}: ranking min {min(r):.3f} mean {np.mean(r):.3f}; "
                f"all 15 min {min(e):.3f} mean {np.mean(e):.3f}"
            )


def curve(seeds: Sequence[int] = SEEDS, sizes: Sequence[int] = ENSEMBLE_SIZES) -> None:
    """Topic stage only, per seed and ensemble size; themes and cosine once (they do not vary)."""
    import dataclasses

    from pipeline import runs
    from pipeline.analysis import AnalysisParams, prepare, split_roles
    from pipeline.compare.similarity import compare_to_case, topic_weight
    from pipeline.project import ProjectPaths
    from pipeline.themes.codebook import load_codebook
    from pipeline.themes.run import run_themes
    from pipeline.topics.lda import fit_topics

    with tempfile.TemporaryDirectory(prefix="bench-seeds-") as tmp:
        paths = ProjectPaths(_project(Path(tmp)))
        docs, _ = runs.load_corpus(paths)
        docs = list(docs)
        prepared = prepare(docs)
        case, cited = split_roles(docs)
        themes_run = run_themes(
            docs,
            prepared.tokens,
            load_codebook(paths.codebook),
            paths.corpus / "labels",
            prepared.preprocessor,
            with_evaluation=False,
        )
        themes = themes_run.themes()
        pairs = [set(c.actor_roles) for c in themes_run.codings]
        print("| seeds in the ensemble | weight | ranking: min tau | mean | all 15: min | mean |")
        print("|---|---|---|---|---|---|")
        for size in sizes:
            by_weight: dict[str, tuple[dict, dict]] = {"stability": ({}, {}), "1": ({}, {})}
            for seed in seeds:
                params = AnalysisParams(seed=seed)
                # size 1: one model, as before the ensemble (no stability refits either)
                topic_params = dataclasses.replace(
                    params.topics, ensemble_seeds=size, stability_seeds=min(size, 3)
                )
                topics = fit_topics(
                    prepared.tokens,
                    prepared.preprocessor.surface,
                    topic_params,
                    placed=[case, *cited],
                )
                for name, w in (("stability", topic_weight(topics.stability)), ("1", 1.0)):
                    out = compare_to_case(
                        case,
                        docs,
                        cited,
                        prepared.tokens,
                        topics.doc_topics,
                        themes,
                        pairs,
                        ensemble=topics.ensemble,
                        topic_weight=w,
                    )
                    by_weight[name][0][seed] = {c.key: c.combined for c in out if c.ranked}
                    by_weight[name][1][seed] = {c.key: c.combined for c in out}
            for name, (ranked, every) in by_weight.items():
                r, e = _pairs(ranked, seeds), _pairs(every, seeds)
                print(
                    f"| {size} | {name} | {min(r):.3f} | {np.mean(r):.3f} | {min(e):.3f} | "
                    f"{np.mean(e):.3f} |",
                    flush=True,
                )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench seeds", description=__doc__)
    parser.add_argument("--curve", action="store_true", help="tau against the ensemble size")
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)))
    args = parser.parse_args(argv if argv is not None else [])
    seeds = [int(s) for s in args.seeds.split(",")]
    curve(seeds) if args.curve else reports(seeds)


if __name__ == "__main__":
    main()
