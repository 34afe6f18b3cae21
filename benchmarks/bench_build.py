"""Benchmark: ``protocol-planner build`` of the three shipped studies — wall time and peak memory.

The baseline, measured in the same run, is a process that only imports the
libraries ``build`` needs (attrs, cattrs, yaml, openpyxl, reportlab,
grandalf): the floor no build can go below. Figures are medians with the
spread over the runs.

Run: ``python benchmarks/bench_build.py [--runs 3]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from _timing import command, peak_rss_mib, run_once, summary

IMPORTS = "import attrs, cattrs, yaml, openpyxl, reportlab.platypus, grandalf.layouts"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    baseline_cmd = [sys.executable, "-c", IMPORTS]
    with tempfile.TemporaryDirectory() as tmp:
        build_cmd = command("build", "-o", str(Path(tmp) / "out"), "--force")
        run_once(baseline_cmd)
        run_once(build_cmd)  # warm-up (bytecode caches)
        base = [run_once(baseline_cmd) for _ in range(args.runs)]
        ours = [run_once(build_cmd) for _ in range(args.runs)]
        base_mem = peak_rss_mib(baseline_cmd)
        ours_mem = peak_rss_mib(build_cmd)
    print(f"build of the 3 shipped studies (median (min–max) over {args.runs} runs)")
    print(f"  baseline  importing the libraries   {summary(base)}   peak {base_mem:.0f} MiB")
    print(f"  ours      protocol-planner build    {summary(ours)}   peak {ours_mem:.0f} MiB")
    print(f"  ratio     time {statistics.median(ours) / statistics.median(base):.1f}×, "
          f"memory {ours_mem / base_mem:.1f}× of the import floor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
