"""Run every benchmark and print its figures (about 3–4 minutes on 2 cores).

Benchmarks are not tests: nothing here asserts a time. Record the figures of
a run, with the machine, in docs/performance.md.

Run: ``python benchmarks/run.py`` (with the project installed, e.g. in .venv).
"""

from __future__ import annotations

import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

SUITE: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("bench_startup.py", ("--runs", "30")),
    ("bench_screen.py", ("--runs", "3")),
    ("bench_duckdb.py", ("--runs", "3", "--python-runs", "1")),
    ("bench_crf.py", ("--runs", "3", "--reads", "10")),
    ("bench_pdf.py", ("--runs", "3")),
    ("bench_build.py", ("--runs", "3")),
)


def main() -> int:
    print(f"machine: {platform.machine()}, {platform.processor() or 'cpu'}, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}")
    started = time.perf_counter()
    failed = []
    for script, args in SUITE:
        print(f"\n=== {script} {' '.join(args)}", flush=True)
        t0 = time.perf_counter()
        code = subprocess.run([sys.executable, str(HERE / script), *args], cwd=HERE.parent).returncode
        print(f"({script}: {time.perf_counter() - t0:.0f} s)", flush=True)
        if code:
            failed.append(script)
    print(f"\nall benchmarks: {time.perf_counter() - started:.0f} s")
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
