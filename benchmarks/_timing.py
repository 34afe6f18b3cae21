"""Small shared helpers of the benchmark scripts: repeated timing of commands and summaries."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def environment() -> dict[str, str]:
    """The benchmark environment: bytecode caching on, as in an installed package."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def command(*args: str) -> list[str]:
    """``protocol-planner ARGS``: the console script beside this interpreter, else ``python -m planner``."""
    script = Path(sys.executable).with_name("protocol-planner")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "planner", *args]


def run_once(cmd: Sequence[str], cwd: Path | None = None) -> float:
    """Wall time of one run of ``cmd`` in seconds (its output discarded; a failure stops the benchmark)."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment(),
                   cwd=cwd)
    return time.perf_counter() - start


def peak_rss_mib(cmd: Sequence[str], cwd: Path | None = None) -> float:
    """Peak resident memory of one run of ``cmd`` (MiB), from a fresh child process."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
             "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], check=True, capture_output=True, text=True,
                         env=environment(), cwd=cwd)
    return int(out.stdout.strip().splitlines()[-1]) / 1024  # Linux reports ru_maxrss in KiB


def summary(xs: Sequence[float], unit: str = "s", scale: float = 1.0) -> str:
    """``median (min–max) unit``."""
    med = statistics.median(xs) * scale
    return f"{med:.3g} {unit} ({min(xs) * scale:.3g}–{max(xs) * scale:.3g})"
