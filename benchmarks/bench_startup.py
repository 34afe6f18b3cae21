"""Benchmark: CLI start-up, ``protocol-planner list`` against importing attrs, cattrs and yaml.

Both commands are run alternately in fresh processes (so machine load hits
both alike), after warm-up runs that leave bytecode cached as an installed
package has it. The figure is the ratio of the medians. Target: ≤ 1.5×.

Run: ``python benchmarks/bench_startup.py [--runs 30]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from _timing import command, run_once, summary


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    baseline_cmd = [sys.executable, "-c", "import attrs, cattrs, yaml"]
    list_cmd = command("list")
    for _ in range(3):  # warm-up: bytecode and file-system caches
        run_once(baseline_cmd)
        run_once(list_cmd)
    base: list[float] = []
    ours: list[float] = []
    for _ in range(args.runs):
        base.append(run_once(baseline_cmd))
        ours.append(run_once(list_cmd))
    ratio = statistics.median(ours) / statistics.median(base)
    ratios = [o / b for o, b in zip(ours, base, strict=True)]
    print("start-up (fresh process, median (min–max) over", args.runs, "runs)")
    print(f"  baseline  python -c 'import attrs, cattrs, yaml'  {summary(base, 'ms', 1000)}")
    print(f"  ours      protocol-planner list                   {summary(ours, 'ms', 1000)}")
    print(f"  ratio     {ratio:.2f}× (pairwise {min(ratios):.2f}–{max(ratios):.2f}); target ≤ 1.5×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
