"""Topic-model benchmark: gensim against tomotopy on the same corpora, in one run.

Two corpora:

- planted: a synthetic corpus drawn from LDA's own generative story with known topics (15 topics
  over 3,000 words, 3,000 documents of about 80 words, alpha 0.1, eta 0.02). Recovery = mean over
  the true topics of the top-10 Jaccard with the fitted topic matched one-to-one (Hungarian); also
  the greedy best match (as in DESIGN.md). Ceiling = the same measure for the *empirical* topics
  (word counts of the sampled assignments) against the true ones: what sampling noise leaves for
  any method to recover. Plus the K the sweep rule picks on it (truth: 15).
- SINTA: the ~3,660 SINTA abstracts (../shared/data/sinta-abstracts, three files, deduplicated
  by lower-cased title, read in place), tokenised by the text stage; the whole topic stage
  (``fit_topics``: sweep over K, three seeds at the chosen K), then c_v and NPMI of the chosen
  model over all documents.

Each engine and corpus runs in its own subprocess, so wall time and peak RSS (ru_maxrss) are its
own; the tokens are prepared once in this process and handed over in a temporary pickle.
Ratios are against gensim measured in the same run.

Run: ``python -m bench.topics`` (about 10 minutes on 2 cores). ``--full``: K 5-30, 10 passes.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

SINTA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sinta-abstracts"
SINTA_FILES = (
    "deprecated-dataset-sinta.csv",
    "output_65045a0.csv",
    "dataset-master-sinta-bilingual-v2.csv",
)
ENGINES = ("gensim", "tomotopy")
PLANTED_K = 15
SEED = 20240601
# The default run fits ~20 models per engine and must stay near 10 minutes on 2 shared cores: three
# K values and gensim at 5 passes (the pipeline's default is 10). ``--full``: K 5-30, 10 passes.
PLANTED_SWEEP = {False: (10, 15, 20), True: (5, 10, 15, 20, 25)}
SINTA_SWEEP = {False: (5, 15, 25), True: (5, 10, 15, 20, 25, 30)}
PASSES = {False: 5, True: 10}


# -- corpora ---------------------------------------------------------------------------------


def planted_corpus(
    k: int = PLANTED_K, vocabulary: int = 3000, documents: int = 3000, seed: int = 7
) -> dict[str, Any]:
    """Documents drawn from LDA's generative model, with the true and the empirical topics."""
    rng = np.random.default_rng(seed)
    words = np.array([f"w{i:04d}" for i in range(vocabulary)])
    phi = rng.dirichlet(np.full(vocabulary, 0.02), size=k)
    cdf = np.cumsum(phi, axis=1)
    counts = np.zeros((k, vocabulary))
    docs = []
    for _ in range(documents):
        theta = rng.dirichlet(np.full(k, 0.1))
        n = max(10, rng.poisson(80))
        z = rng.choice(k, size=n, p=theta)
        u = rng.random(n)
        w = np.array(
            [
                min(int(np.searchsorted(cdf[t], x)), vocabulary - 1)
                for t, x in zip(z, u, strict=True)
            ]
        )
        np.add.at(counts, (z, w), 1)
        docs.append(words[w].tolist())
    top = lambda m: [words[np.argsort(-row)[:10]].tolist() for row in m]  # noqa: E731
    return {"tokens": docs, "true": top(phi), "empirical": top(counts)}


def sinta_tokens() -> list[list[str]]:
    """The SINTA abstracts, deduplicated by lower-cased title, as text-stage tokens."""
    from pipeline.documents import Document
    from pipeline.text.language import detect_language
    from pipeline.text.preprocess import Preprocessor
    from pipeline.text.quality import read_sinta

    if csv.field_size_limit() < 1 << 24:
        csv.field_size_limit(1 << 24)
    pre = Preprocessor()
    tokens = []
    for n, (title, raw) in enumerate(read_sinta(SINTA, SINTA_FILES)):
        if not title:
            continue
        abstract = " ".join(raw.split())
        language = detect_language(abstract or title)
        doc = Document(
            source="bench",
            identifier=str(n),
            title=title,
            abstracts={language: abstract} if abstract else {},
            language=language,
        )
        tokens.append(pre.document_tokens(doc))
    return tokens


# -- measures ----------------------------------------------------------------------------------


def recovery(true: list[list[str]], found: list[list[str]]) -> tuple[float, float]:
    """(Hungarian one-to-one, greedy best-match) mean top-10 Jaccard of the true topics."""
    from pipeline.topics.align import jaccard_matrix, match_topics

    matched = np.zeros(len(true))
    for i, _j, score in match_topics(true, found):
        matched[i] = score
    return float(matched.mean()), float(jaccard_matrix(true, found).max(axis=1).mean())


# -- workers (one subprocess each) -------------------------------------------------------------


def _peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM). Not ru_maxrss: that survives exec, so a child started
    from a large parent reports the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _worker(task: str, engine: str, data: Path, full: bool) -> dict[str, Any]:
    from pipeline.topics.engines import fit_model
    from pipeline.topics.lda import TopicParams, build_dictionary, fit_topics
    from pipeline.topics.sweep import coherence

    with data.open("rb") as handle:
        corpus = pickle.load(handle)
    base_mb = _peak_rss_mb()
    out: dict[str, Any] = {"task": task, "engine": engine}
    if task == "planted":
        tokens = corpus["tokens"]
        params = TopicParams(engine=engine, seed=SEED, passes=PASSES[full])
        dictionary = build_dictionary(tokens, params)
        started = time.perf_counter()
        model = fit_model(tokens, dictionary, PLANTED_K, SEED, params.engine_params())
        out["fit_s"] = time.perf_counter() - started
        out["recovery"], out["recovery_best"] = recovery(corpus["true"], model.top_words(10))
        started = time.perf_counter()
        swept = fit_topics(
            tokens,
            str,
            dataclasses.replace(params, k_values=PLANTED_SWEEP[full], stability_seeds=2),
        )
        out["sweep_s"] = time.perf_counter() - started
        out["chosen_k"] = swept.k
        out["stability"] = swept.stability.mean
    else:
        tokens = corpus
        params = TopicParams(
            k_values=SINTA_SWEEP[full], engine=engine, seed=SEED, passes=PASSES[full]
        )
        started = time.perf_counter()
        result = fit_topics(tokens, str, params)
        out["stage_s"] = time.perf_counter() - started
        out["sweep_s"] = sum(s.seconds for s in result.sweep.scores)
        texts = [[t for t in doc if t in result.dictionary.token2id] for doc in tokens]
        out["chosen_k"] = result.k
        out["npmi"] = coherence(result.top_stems, texts, result.dictionary, "c_npmi")
        out["c_v"] = coherence(result.top_stems, texts, result.dictionary, "c_v")
        out["stability"] = result.stability.mean
        out["unstable"] = len(result.stability.unstable)
        out["curves"] = result.sweep.curves().to_dict(orient="list")
        out["documents"] = result.documents
        out["example"] = [", ".join(w[:6]) for w in result.top_stems[:3]]
    out["peak_rss_mb"] = _peak_rss_mb()
    out["base_rss_mb"] = base_mb
    return out


def _run_worker(task: str, engine: str, data: Path, full: bool) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.topics", "--worker", task, "--engine", engine]
    command += ["--data", str(data)] + (["--full"] if full else [])
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench.topics worker {task}/{engine} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - started
    return result


# -- the report --------------------------------------------------------------------------------


def _ratio(value: float, base: float) -> str:
    return f"{value / base:5.2f}x" if base else "  n/a"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.topics", description=__doc__)
    parser.add_argument(
        "--full", action="store_true", help="K 5-30 and gensim at 10 passes (about 40 minutes)"
    )
    parser.add_argument("--worker", choices=("planted", "sinta"), help=argparse.SUPPRESS)
    parser.add_argument("--engine", choices=ENGINES, default="gensim", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])  # bench's runner passes none
    if args.worker:
        print(json.dumps(_worker(args.worker, args.engine, args.data, args.full)))
        return 0
    if not SINTA.is_dir():
        print(f"bench.topics: needs {SINTA} (the ../shared data beside the project)")
        return 2
    engines = [e for e in ENGINES if e == "gensim" or _has(e)]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        planted = planted_corpus()
        planted_path = Path(tmp) / "planted.pickle"
        planted_path.write_bytes(pickle.dumps(planted))
        ceiling = recovery(planted["true"], planted["empirical"])
        sinta_path = Path(tmp) / "sinta.pickle"
        tokens = sinta_tokens()
        sinta_path.write_bytes(pickle.dumps(tokens))
        prep_s = time.perf_counter() - started
        rows = {
            (task, engine): _run_worker(task, engine, path, args.full)
            for task, path in (("planted", planted_path), ("sinta", sinta_path))
            for engine in engines
        }
    _print(rows, engines, ceiling, len(tokens), prep_s, args.full)
    return 0


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        print(f"({module} not installed: its column is left out)")
        return False
    return True


def _print(
    rows: dict[tuple[str, str], dict[str, Any]],
    engines: list[str],
    ceiling: tuple[float, float],
    sinta_docs: int,
    prep_s: float,
    full: bool,
) -> None:
    print(
        f"corpora prepared in {prep_s:.1f} s: planted ({PLANTED_K} topics, 3,000 docs), "
        f"SINTA ({sinta_docs:,} distinct titles); gensim at {PASSES[full]} passes, tomotopy at 200 "
        f"Gibbs sweeps, one worker each"
    )
    print(
        f"planted-topic recovery (top-10 Jaccard, Hungarian / best match); ceiling from sampling "
        f"noise {ceiling[0]:.3f} / {ceiling[1]:.3f}"
    )
    base = rows[("planted", "gensim")]
    for engine in engines:
        r = rows[("planted", engine)]
        print(
            f"  {engine:9s} recovery {r['recovery']:.3f} / {r['recovery_best']:.3f} "
            f"({_ratio(r['recovery'], base['recovery'])})  fit at K={PLANTED_K} "
            f"{r['fit_s']:6.1f} s ({_ratio(r['fit_s'], base['fit_s'])})  sweep picks K="
            f"{r['chosen_k']} of {PLANTED_SWEEP[full]} (truth {PLANTED_K}), stability "
            f"{r['stability']:.2f}  "
            f"peak RSS {r['peak_rss_mb']:.0f} MB"
        )
    base = rows[("sinta", "gensim")]
    grown = base["peak_rss_mb"] - base["base_rss_mb"]
    print(
        f"SINTA: whole topic stage (sweep over K={SINTA_SWEEP[full]}, 3 seeds at the chosen K); "
        f"{base['documents']} documents"
    )
    for engine in engines:
        r = rows[("sinta", engine)]
        print(
            f"  {engine:9s} K={r['chosen_k']:2d}  NPMI {r['npmi']:+.3f} "
            f"({_ratio(r['npmi'], base['npmi'])})"
            f"  c_v {r['c_v']:.3f}  stability {r['stability']:.2f} ({r['unstable']} unstable)"
            f"  sweep {r['sweep_s']:6.1f} s ({_ratio(r['sweep_s'], base['sweep_s'])})"
            f"  stage {r['stage_s']:6.1f} s ({_ratio(r['stage_s'], base['stage_s'])})"
            f"  peak RSS {r['peak_rss_mb']:.0f} MB, {r['peak_rss_mb'] - r['base_rss_mb']:.0f} MB "
            f"above the loaded tokens ({_ratio(r['peak_rss_mb'] - r['base_rss_mb'], grown)})"
        )
    print("SINTA sweep curves (K: c_v / NPMI / diversity):")
    for engine in engines:
        c = rows[("sinta", engine)]["curves"]
        cells = "  ".join(
            f"{k}: {cv:.3f}/{npmi:+.3f}/{div:.2f}"
            for k, cv, npmi, div in zip(c["k"], c["c_v"], c["npmi"], c["diversity"], strict=True)
        )
        print(f"  {engine:9s} {cells}")
    for engine in engines:
        print(f"  {engine} topics, e.g.: " + " | ".join(rows[("sinta", engine)]["example"]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
