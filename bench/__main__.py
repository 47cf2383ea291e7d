"""`python -m bench [name ...]`: run all benchmarks (bench/bench_*.py) or the named ones.

Meant to run through `make bench` (a throwaway PostgreSQL 15 cluster, test settings). Exits 1
when an ORM variant returns other rows than its raw-SQL baseline, or a measured target is
missed (the table says MISSED).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

from bench import harness


def available() -> list[str]:
    folder = Path(__file__).resolve().parent
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules([str(folder)])
        if m.name.startswith("bench_")
    )


def main(argv: list[str]) -> int:
    names = available()
    if any(arg in ("-h", "--help") for arg in argv):
        print(__doc__.strip())
        print(f"benchmarks: {', '.join(names)}")
        return 0
    unknown = [arg for arg in argv if arg not in names]
    if unknown:
        print(f"bench: unknown benchmark(s) {', '.join(unknown)}; have {', '.join(names)}")
        return 2
    selected = argv or names

    started = time.perf_counter()
    harness.setup()
    seconds = harness.prepare_template()
    print(f"bench: template database migrated in {seconds:.1f} s", flush=True)

    results: list[harness.Result] = []
    for name in selected:
        module = importlib.import_module(f"bench.bench_{name}")
        with harness.fresh_database(name):
            print(f"bench: {name} on {harness.server_summary()}", flush=True)
            bench = harness.Bench(name)
            module.run(bench)
            results.extend(bench.results)

    print(f"\n== summary (repeat {harness.REPEAT}, warm-up {harness.WARMUP}, times in ms)")
    for name in selected:
        mine = [r for r in results if r.benchmark == name]
        if mine:
            print(f"\n{name}")
            print(harness.format_table(mine))
    bad = [r for r in results if not r.ok]
    missed = [r for r in bad if r.detail.startswith("target")]
    print(
        f"\nbench: {len(results)} timings, {len(bad) - len(missed)} mismatches, "
        f"{len(missed)} missed targets, "
        f"{time.perf_counter() - started:.0f} s overall"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
