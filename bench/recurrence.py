"""Topics that recur, on a project's own corpus: for each K, how many topics come back over the
seed ensemble, their stability and NPMI (BENCHMARKS.md, "Topics: recurring topics").

The topic stage exactly as a run fits it (``fit_topics``: field documents only, the case and its
cited works placed, the seed ensemble, the medoid reference), once per K given, with the sweep
reduced to that K. ``--sweeps 200`` also runs each K with Gibbs sweeps held at 200 (the stage
before small corpora got more, lda.gibbs_iterations_for), for comparison.

Run: ``python -m bench recurrence --project /tmp/topics-proj`` on a project holding the SINTA
store (see the helpers' notes); without ``--project`` it says so and stops (``make bench``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

DEFAULT_KS = (5, 8, 10, 15, 20, 25)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench recurrence")
    parser.add_argument("--project", type=Path, help="a berdaya project with its corpus store")
    parser.add_argument("--ks", default=",".join(map(str, DEFAULT_KS)))
    parser.add_argument("--sweeps", type=int, default=0, help="also with this many Gibbs sweeps")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv or [])
    if args.project is None:
        print("bench.recurrence needs --project (a project holding a corpus store); skipped")
        return

    from pipeline.analysis import prepare, split_roles
    from pipeline.project import ProjectPaths
    from pipeline.runs import load_corpus
    from pipeline.themes.codebook import load_codebook
    from pipeline.themes.run import run_themes
    from pipeline.topics import lda
    from pipeline.topics.lda import TopicParams, fit_topics

    paths = ProjectPaths(args.project)
    docs, _ = load_corpus(paths)
    prepared = prepare(docs, stem_cache=paths.stem_cache)
    tokens = prepared.tokens
    themes = run_themes(
        docs,
        tokens,
        load_codebook(paths.codebook),
        paths.corpus / "labels",
        prepared.preprocessor,
        seed=args.seed,
        with_evaluation=False,
    )
    outside = (
        [] if themes.relevance is None else np.flatnonzero(~themes.relevance.in_field).tolist()
    )
    case, cited = split_roles(docs)
    print(f"{len(docs)} documents, {len(outside)} outside the field")
    print(
        "| K | Gibbs sweeps | seeds | recurring | their mean stability | mean over all K "
        "| NPMI (recurring) | NPMI (all K) | s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    settings = [(None, k) for k in map(int, args.ks.split(","))]
    if args.sweeps:
        settings += [(args.sweeps, k) for k in map(int, args.ks.split(","))]
    cap = lda.MAX_GIBBS_ITERATIONS
    for sweeps, k in settings:
        lda.MAX_GIBBS_ITERATIONS = cap if sweeps is None else sweeps
        params = TopicParams(k_values=(k,), seed=args.seed, documents_per_topic=1)
        started = time.perf_counter()
        result = fit_topics(
            tokens, prepared.preprocessor.surface, params, placed=[case, *cited], outside=outside
        )
        stability = result.stability
        gibbs = lda.gibbs_iterations_for(
            sum(result.dictionary.cfs.values()), params.gibbs_iterations
        )
        print(
            f"| {k} | {gibbs} | {len(stability.seeds)} | {len(stability.recurring)} "
            f"| {_num(stability.recurring_mean, '')} | {stability.mean:.3f} "
            f"| {_num(result.npmi['recurring'])} | {_num(result.npmi['all'])} "
            f"| {time.perf_counter() - started:.0f} |",
            flush=True,
        )
    lda.MAX_GIBBS_ITERATIONS = cap


def _num(value: float, sign: str = "+") -> str:
    return "n/a" if value != value else f"{value:{sign}.3f}"
