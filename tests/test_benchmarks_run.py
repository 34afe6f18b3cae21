"""The benchmark scripts still run, on tiny sizes (nothing is timed here).

Benchmarks are not tests, but a script that no longer runs reports nothing:
an API change once broke ``bench_pdf.py`` unnoticed until a benchmark run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[1] / "benchmarks"

TINY = {
    "bench_startup.py": ("--runs", "1"),
    "bench_screen.py": ("--n", "2000", "--pool", "500", "--sample", "200", "--runs", "1"),
    "bench_duckdb.py": ("--n", "300", "--runs", "1", "--python-runs", "1"),
    "bench_crf.py": ("--forms", "2", "--items", "5", "--visits", "2", "--runs", "1", "--reads", "1",
                     "--workbooks", "1", "--batch", "1", "--baseline-reads", "1"),
    "bench_pdf.py": ("--runs", "1", "--scale", "0.05"),
    "bench_build.py": ("--runs", "1"),
}


def test_every_benchmark_script_is_smoke_tested():
    assert sorted(p.name for p in BENCH.glob("bench_*.py")) == sorted(TINY)


@pytest.mark.parametrize("script", sorted(TINY))
def test_benchmark_runs_on_tiny_sizes(script, tmp_path):
    proc = subprocess.run([sys.executable, str(BENCH / script), *TINY[script]], cwd=BENCH.parent,
                          capture_output=True, text=True, timeout=300)
    assert 0 == proc.returncode, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert proc.stdout.strip(), "a benchmark prints its figures"
