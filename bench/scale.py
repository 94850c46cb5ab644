"""Scale benchmark: the whole pipeline on synthetic corpora of growing size, stage by stage.

``python -m bench scale --sizes 1000,10000,100000`` runs, for each size, a fresh process that
builds a temporary project (the bundled registry, codebook and hand codings), streams the
synthetic documents of bench/synthetic.py into its SQLite store in batches, and then runs the
stages of a real run: load the corpus, preprocess (one process, where cheap, and two worker
processes), topics, themes, compare, save the models, write the report. Per stage it records
wall time and peak memory; the table shows how each grows with the corpus (10k/1k, 100k/10k),
with the smallest size as the baseline measured in the same run.

How memory is measured, and why this way:

- each size runs in its own process, so one size's peak never carries over into the next;
- the parent's exact peak per stage: Linux's high-water mark (VmHWM), reset at the start of each
  stage by writing 5 to /proc/self/clear_refs and read at its end (a sampler thread's maximum
  where that file cannot be written);
- worker processes (the preprocessing pool): a thread samples the RSS of the process and its
  children every 20 ms, and the whole tree's peak is the largest sum seen. Pages a forked
  worker shares with the parent count twice there, so it is an upper bound;
- tracemalloc would see only Python's allocations and slows a 100k run several-fold.

The stages inside ``analyse`` (topics, themes, compare) are the real ones, run by
``pipeline.runs.run_analysis``; the benchmark only wraps the functions analysis.py calls, to
mark where each stage begins and ends.

``make bench`` runs 1,000 and 10,000 documents (about 10 minutes); 100,000 is opt-in (about 20
minutes more on 2 cores).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = (1_000, 10_000)
BATCH = 2_000  # documents per store transaction
SERIAL_PREPROCESS_MAX = 10_000  # above this, only the parallel preprocessing is timed
SAMPLE_SECONDS = 0.02
MB = 1024 * 1024
TARGET_MB = 4 * 1024
STAGES = (
    "store",
    "load",
    "preprocess (1 process)",
    "preprocess (2 workers)",
    "topics",
    "themes",
    "compare",
    "save models",
    "report",
)


# -- memory -------------------------------------------------------------------------------------


class MemoryMonitor:
    """Peak RSS per stage: the process's own (VmHWM), and the process tree's (sampled)."""

    def __init__(self, interval: float = SAMPLE_SECONDS) -> None:
        self.interval = interval
        self.process = psutil.Process()
        self.stages: dict[str, dict[str, float]] = {}
        self._stage: str | None = None
        self._self_peak = 0
        self._tree_peak = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)
        self.can_reset_hwm = _reset_hwm()

    def __enter__(self) -> MemoryMonitor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        own = self.process.memory_info().rss
        tree = own
        with contextlib.suppress(psutil.Error):
            for child in self.process.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    tree += child.memory_info().rss
        with self._lock:
            self._self_peak = max(self._self_peak, own)
            self._tree_peak = max(self._tree_peak, tree)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time ``name`` and record its peaks; stages do not nest."""
        if self._stage is not None:
            raise RuntimeError(f"stage {name!r} started inside stage {self._stage!r}")
        start_rss = self.process.memory_info().rss
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.can_reset_hwm = self.can_reset_hwm and _reset_hwm()
        with self._lock:
            self._self_peak = self._tree_peak = start_rss
        self._stage = name
        started = time.perf_counter()
        try:
            yield
        finally:
            seconds = time.perf_counter() - started
            self._sample()
            self._stage = None
            children_after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            hwm = _read_hwm() if self.can_reset_hwm else None
            with self._lock:
                own_peak = max(hwm or 0, self._self_peak)
                tree_peak = max(self._tree_peak, own_peak)
            record = self.stages.setdefault(
                name,
                {"seconds": 0.0, "start_mb": start_rss / MB, "peak_mb": 0.0, "tree_peak_mb": 0.0},
            )
            record["seconds"] += seconds
            record["peak_mb"] = max(record["peak_mb"], own_peak / MB)
            record["tree_peak_mb"] = max(record["tree_peak_mb"], tree_peak / MB)
            if children_after > children_before:  # ru_maxrss is in kB on Linux
                record["worker_peak_mb"] = children_after / 1024


def _reset_hwm() -> bool:
    """Reset this process's peak-RSS mark (Linux >= 4.0); False where that is not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _read_hwm() -> int | None:
    """VmHWM of this process, in bytes."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _marked(monitor: MemoryMonitor, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with monitor.stage(name):
            return fn(*args, **kwargs)

    return wrapper


# -- one size, in its own process ---------------------------------------------------------------


def make_project(root: Path) -> None:
    """A project folder with the bundled registry, codebook and hand codings (as the tests do)."""
    corpus = root / "corpus"
    corpus.mkdir(parents=True)
    for name in ("studies.toml", "codebook.toml"):
        shutil.copy(REPO / "corpus" / name, corpus / name)
    shutil.copytree(REPO / "corpus" / "labels", corpus / "labels")
    (corpus / "inbox").mkdir()


def run_one(n: int, seed: int, workers: int, serial_max: int, keep: Path | None) -> dict[str, Any]:
    """Every stage on ``n`` synthetic documents; returns the measurements as plain data."""
    import pipeline.analysis as analysis_module
    from bench.synthetic import synthetic_documents
    from pipeline import runs
    from pipeline.analysis import AnalysisParams, prepare
    from pipeline.project import ProjectPaths, new_run_id
    from pipeline.store import Store
    from pipeline.text.preprocess import chunked

    root = Path(tempfile.mkdtemp(prefix=f"berdaya-scale-{n}-")) if keep is None else keep
    result: dict[str, Any] = {"documents": n, "load_before": os.getloadavg()}
    started_all = time.perf_counter()
    try:
        make_project(root)
        paths = ProjectPaths(root)
        with MemoryMonitor() as monitor:
            with monitor.stage("store"):
                runs.ingest_registry(paths)
                generating = 0.0
                with Store(paths.store) as store:
                    stream = synthetic_documents(n, seed)
                    while True:
                        t0 = time.perf_counter()
                        batch = next(chunked(stream, BATCH), None)
                        generating += time.perf_counter() - t0
                        if not batch:
                            break
                        store.upsert_many(batch)
            result["generate_seconds"] = generating
            result["store_mb"] = paths.store.stat().st_size / MB

            with monitor.stage("load"):
                docs, corpus_hash = runs.load_corpus(paths)
            _say(n, f"{len(docs):,} documents loaded")

            serial_tokens = None
            if n <= serial_max:
                with monitor.stage("preprocess (1 process)"):
                    serial_tokens = prepare(docs, workers=1).tokens
            with monitor.stage("preprocess (2 workers)"):
                prepared = prepare(docs, workers=workers)
            if serial_tokens is not None:
                result["parallel_tokens_equal_serial"] = serial_tokens == prepared.tokens
                del serial_tokens
            _say(n, "preprocessed")

            wrapped = {
                "fit_topics": "topics",
                "run_themes": "themes",
                "compare_to_case": "compare",
                "find_cited_in_corpus": "compare",
            }
            originals = {name: getattr(analysis_module, name) for name in wrapped}
            for name, stage in wrapped.items():
                setattr(analysis_module, name, _marked(monitor, stage, originals[name]))
            try:
                t0 = time.perf_counter()
                analysis = runs.run_analysis(docs, paths, AnalysisParams(), prepared=prepared)
                result["analyse_seconds"] = time.perf_counter() - t0
            finally:
                for name, fn in originals.items():
                    setattr(analysis_module, name, fn)
            _say(n, f"analysed: {analysis.timings}")

            manifest = runs.base_manifest(new_run_id(), analysis, corpus_hash, paths)
            with monitor.stage("save models"):
                runs.save_models(analysis, paths, manifest)
            with monitor.stage("report"):
                folder = runs.write_run_report(analysis, paths, manifest)
        result["stages"] = monitor.stages
        result["hwm_reset"] = monitor.can_reset_hwm
        result["process_peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result["children_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        result["report_files_mb"] = {
            p.name: round(p.stat().st_size / MB, 3) for p in sorted(folder.iterdir()) if p.is_file()
        }
        metrics = analysis.metrics()
        topics = analysis.topics
        result["metrics"] = {
            "tokens": metrics["tokens"],
            "distinct_terms": metrics["distinct_terms"],
            "topics_k": metrics["topics_k"],
            "topics_fitted_on": metrics["topics_fitted_on"],
            "topic_vocabulary": topics.vocabulary,
            "topic_policy": topics.policy.sentence if topics.policy else None,
            "cited_found": sum(r.resolved for r in analysis.cited_in_corpus),
        }
    finally:
        if keep is None:
            shutil.rmtree(root, ignore_errors=True)
    result["total_seconds"] = time.perf_counter() - started_all
    result["load_after"] = os.getloadavg()
    return result


def _say(n: int, message: str) -> None:
    print(f"  [{n:,}] {message}", flush=True)


# -- all sizes, each in a fresh process ---------------------------------------------------------


def run_sizes(sizes: list[int], seed: int, workers: int, serial_max: int) -> list[dict[str, Any]]:
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "result.json"
            command = [
                sys.executable,
                "-m",
                "bench.scale",
                "--child",
                str(n),
                "--out",
                str(out),
                "--seed",
                str(seed),
                "--workers",
                str(workers),
                "--serial-max",
                str(serial_max),
            ]
            print(f"-- {n:,} documents (fresh process)", flush=True)
            subprocess.run(command, cwd=REPO, check=True)
            results.append(json.loads(out.read_text()))
    return results


def _fmt_ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    return f"{b / a:.1f}x"


def table(results: list[dict[str, Any]]) -> str:
    """Stage x size: wall seconds and peak MB (process; process tree where workers ran), then
    growth ratios between consecutive sizes."""
    sizes = [r["documents"] for r in results]
    head = "| stage | " + " | ".join(f"{n:,} docs: s / peak MB" for n in sizes)
    growth_pairs = list(itertools.pairwise(results))
    head += "".join(
        f" | growth {b['documents'] // 1000}k/{a['documents'] // 1000}k: time / peak"
        for a, b in growth_pairs
    )
    lines = [head + " |", "|" + "---|" * (1 + len(sizes) + len(growth_pairs))]
    for stage in STAGES:
        cells = []
        present = False
        for r in results:
            s = r["stages"].get(stage)
            if s is None:
                cells.append("–")
                continue
            present = True
            peak = f"{s['peak_mb']:,.0f}"
            if s.get("worker_peak_mb") is not None or s["tree_peak_mb"] > s["peak_mb"] * 1.05:
                peak += f" (tree {s['tree_peak_mb']:,.0f})"
            cells.append(f"{s['seconds']:,.1f} / {peak}")
        if not present:
            continue
        for a, b in growth_pairs:
            sa, sb = a["stages"].get(stage), b["stages"].get(stage)
            if sa is None or sb is None:
                cells.append("–")
            else:
                cells.append(
                    f"{_fmt_ratio(sa['seconds'], sb['seconds'])} / "
                    f"{_fmt_ratio(sa['peak_mb'], sb['peak_mb'])}"
                )
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    totals = [
        f"{r['total_seconds']:,.0f} / {max(s['tree_peak_mb'] for s in r['stages'].values()):,.0f}"
        for r in results
    ]
    growth = [
        f"{_fmt_ratio(a['total_seconds'], b['total_seconds'])} / "
        f"{_fmt_ratio(_tree_peak(a), _tree_peak(b))}"
        for a, b in growth_pairs
    ]
    lines.append("| **whole run** (peak: process tree) | " + " | ".join(totals + growth) + " |")
    return "\n".join(lines)


def _tree_peak(result: dict[str, Any]) -> float:
    return max(s["tree_peak_mb"] for s in result["stages"].values())


def summary(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        m = r["metrics"]
        peak = _tree_peak(r)
        files = r["report_files_mb"]
        lines.append(
            f"{r['documents']:,} docs: {m['tokens']:,} tokens, {m['distinct_terms']:,} distinct "
            f"terms; store {r['store_mb']:.0f} MB (generating {r['generate_seconds']:.0f} s of "
            f"the store stage); topics K={m['topics_k']} fitted on {m['topics_fitted_on']:,} "
            f"documents, vocabulary {m['topic_vocabulary']:,}; report: index.html "
            f"{files.get('index.html', 0):.1f} MB, explorer.html "
            f"{files.get('explorer.html', 0):.1f} MB, all files "
            f"{sum(files.values()):.1f} MB; peak {peak:,.0f} MB "
            f"({'within' if peak < TARGET_MB else 'OVER'} the {TARGET_MB:,} MB target); "
            f"process ru_maxrss {r['process_peak_mb']:,.0f} MB, workers "
            f"{r['children_peak_mb']:,.0f} MB each at most; load average "
            f"{r['load_before'][0]:.2f} before, {r['load_after'][0]:.2f} after"
            + (
                "; parallel tokens identical to serial"
                if r.get("parallel_tokens_equal_serial")
                else ""
            )
        )
        inside = sum(r["stages"][s]["seconds"] for s in ("topics", "themes", "compare"))
        outside = r["analyse_seconds"] - inside
        lines.append(
            f"  analyse: {r['analyse_seconds']:,.1f} s, of which {outside:.1f} s outside "
            "topics, themes and compare (checks, distinct terms)"
        )
        lines.append(f"  topic policy: {m['topic_policy']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench scale", description=__doc__)
    parser.add_argument(
        "--sizes",
        default=",".join(str(n) for n in DEFAULT_SIZES),
        help="comma-separated corpus sizes (100000 takes about half an hour)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="preprocessing worker processes")
    parser.add_argument(
        "--serial-max",
        type=int,
        default=SERIAL_PREPROCESS_MAX,
        help="also time one-process preprocessing up to this many documents",
    )
    parser.add_argument("--json", type=Path, help="write all measurements here too")
    parser.add_argument("--keep", type=Path, help=argparse.SUPPRESS)  # keep one size's project
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv if argv is not None else [])
    if args.child:
        result = run_one(args.child, args.seed, args.workers, args.serial_max, args.keep)
        args.out.write_text(json.dumps(result, indent=2))
        return 0
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    cpu = os.cpu_count()
    memory = psutil.virtual_memory().total / 1024**3
    print(f"machine: {cpu} cores, {memory:.0f} GiB; load average {os.getloadavg()}")
    results = run_sizes(sizes, args.seed, args.workers, args.serial_max)
    print()
    print(table(results))
    print()
    print(summary(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
