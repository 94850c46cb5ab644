"""Run the benchmarks: `python -m bench` runs them all, `python -m bench text harvest` some, and
`python -m bench scale --sizes 1000,10000,100000` one with its own options.

Each benchmark module has a ``main(argv=None)`` that prints its own table, with ratios against a
baseline measured in the same run; with no options it runs its default (what `make bench` runs).
Results are copied into BENCHMARKS.md by hand, with the command that produced them.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def available() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    # Names first, then options for a single benchmark: `scale --sizes 1000,10000`.
    split = next((i for i, arg in enumerate(argv) if arg.startswith("-")), len(argv))
    names, options = argv[:split] or available(), argv[split:]
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    if options and len(names) != 1:
        print(f"options {' '.join(options)} need exactly one benchmark named before them")
        return 2
    for name in names:
        print(f"\n=== bench.{name} ===", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        module.main(options) if options else module.main()
        print(f"(bench.{name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
