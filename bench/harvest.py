"""Harvest benchmark: the SINTA abstracts as an OJS endpoint over loopback, pages of 100.

Measures what a researcher waits for: a first, full harvest (records/s), a second refresh when
nothing changed (as a share of the first: the target is under 5%, since a weekly refresh should cost
almost nothing), and the peak memory of a full harvest (tracemalloc, Python allocations, measured in
a separate pass because tracing slows the run; plus the process's peak RSS).

Run: ``python -m bench.harvest`` (needs ../shared/data/sinta-abstracts; the data is read in place).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.harvest import Source, harvest_source
from pipeline.ingest.oai import ClientOptions
from pipeline.store import Store
from tests.oaiserver import LoopbackServer, OAIRepository, sinta_records

SINTA = Path(__file__).resolve().parents[2] / "shared" / "data" / "sinta-abstracts"


def run(page_size: int = 100, trace_memory: bool = True) -> dict[str, Any]:
    """One full harvest, one no-change refresh, optionally a traced full harvest; the numbers."""
    records = sinta_records(SINTA, datetime(2020, 1, 1, tzinfo=UTC))
    repo = OAIRepository(records, page_size=page_size)
    options = ClientOptions(timeout=60)
    results: dict[str, Any] = {"records_served": len(records), "page_size": page_size}
    with LoopbackServer(repo) as server, tempfile.TemporaryDirectory() as tmp:
        source = Source("sinta", server.url + "/index.php/j/oai")
        with Store(Path(tmp) / "bench.sqlite") as store:
            started = time.perf_counter()
            first = harvest_source(store, source, options=options)
            first_s = time.perf_counter() - started
            if not first.ok:
                raise SystemExit(first.error)
            started = time.perf_counter()
            second = harvest_source(store, source, options=options)
            second_s = time.perf_counter() - started
            results.update(
                stored=store.count(),
                duplicates=first.duplicates,
                pages=first.pages,
                first_s=first_s,
                records_per_s=len(records) / first_s,
                second_s=second_s,
                second_share=second_s / first_s,
                second_changes=second.added + second.updated + second.deleted,
            )
        if trace_memory:
            with Store(Path(tmp) / "traced.sqlite") as store:
                tracemalloc.start()
                harvest_source(store, source, options=options)
                _current, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
            results["tracemalloc_peak_mb"] = peak / 2**20
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.harvest", description=__doc__)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc pass")
    args = parser.parse_args(argv if argv is not None else [])  # bench's runner passes none
    if not SINTA.is_dir():
        print(f"bench.harvest: needs {SINTA} (the ../shared data beside the project)")
        return 2
    r = run(args.page_size, trace_memory=not args.no_trace)
    print(
        f"harvest over loopback: {r['records_served']} records, {r['pages']} pages of "
        f"{r['page_size']}, {r['stored']} stored ({r['duplicates']} duplicates by title+year)"
    )
    print(f"  first harvest      {r['first_s']:8.2f} s   {r['records_per_s']:8.0f} records/s")
    print(
        f"  no-change refresh  {r['second_s']:8.3f} s   {100 * r['second_share']:7.2f}% of the "
        f"first (target < 5%), {r['second_changes']} changes"
    )
    if "tracemalloc_peak_mb" in r:
        print(
            f"  peak memory        {r['tracemalloc_peak_mb']:8.1f} MB traced (Python allocations "
            "of a full harvest, server included)"
        )
    print(f"  peak RSS           {r['peak_rss_mb']:8.1f} MB (whole process)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
