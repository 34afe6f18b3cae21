"""Run the command line on hostile input under a time and a memory limit.

Each case runs ``python -m planner …`` in a child process. The child gets an
address-space ceiling (so a memory bomb fails fast instead of exhausting the
machine) and a wall-clock deadline (so a hang fails the test instead of
stalling CI). :func:`run_limited` reports the exit code, both streams, the
elapsed time and the child's own peak resident memory, and the tests assert
the issue's bar: at most :data:`SECONDS` and :data:`MEGABYTES`.

The peak is the child's ``VmHWM``, read by the child itself as it exits. The
``ru_maxrss`` that ``wait4`` reports is not the child's own: Linux carries
the high-water mark of the forked copy of the parent across ``exec``, so
once the test process has grown past the bar every child would seem to.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[2]
SECONDS = 5.0
"""The most one command may take on a hostile input (issue 19)."""
MEGABYTES = 500
"""The most resident memory one command may use on a hostile input (issue 19)."""
_ADDRESS_SPACE = 2 * 1024**3
"""A hard ceiling well above the bar: a runaway child dies instead of eating the machine."""


@attrs.frozen
class Outcome:
    code: int
    out: str
    err: str
    seconds: float
    megabytes: float
    timed_out: bool

    def within_limits(self) -> bool:
        return not self.timed_out and self.seconds <= SECONDS and self.megabytes <= MEGABYTES

    def describe(self) -> str:
        tail = self.err[-2000:]
        return (f"exit {self.code}, {self.seconds:.2f} s, {self.megabytes:.0f} MB"
                f"{' (timed out)' if self.timed_out else ''}\nstderr:\n{tail}")


_CHILD = f"""
import resource, runpy, sys
resource.setrlimit(resource.RLIMIT_AS, ({_ADDRESS_SPACE}, {_ADDRESS_SPACE}))
report = sys.argv.pop(1)
try:
    runpy.run_module("planner", run_name="__main__", alter_sys=True)
finally:
    with open("/proc/self/status") as status, open(report, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
"""
"""The child: the address-space ceiling, then ``python -m planner``, then its own peak (kB) to a file."""


def _peak_megabytes(report: Path, fallback_kb: int) -> float:
    try:
        return int(report.read_text()) / 1024
    except (OSError, ValueError):  # killed before it could say: the kernel's figure, an upper bound
        return fallback_kb / 1024


def run_limited(args: Sequence[str], *, cwd: Path | None = None, seconds: float = SECONDS,
                stdin: bytes | None = None) -> Outcome:
    """Run ``python -m planner *args``; kill it past ``2 * seconds`` (the test then fails)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    env.pop("PROTOCOL_PLANNER_DEBUG", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as inp, \
            tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "peak"
        if stdin is not None:
            inp.write(stdin)
            inp.seek(0)
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(report), *args], stdin=inp, stdout=out,
                                stderr=err, cwd=cwd or ROOT, env=env, start_new_session=True)
        deadline = start + 2 * seconds
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Outcome(code=proc.returncode, out=out.read().decode("utf-8", "replace"),
                       err=err.read().decode("utf-8", "replace"), seconds=elapsed,
                       megabytes=_peak_megabytes(report, usage.ru_maxrss), timed_out=timed_out)


def assert_rejected(outcome: Outcome, *needles: str) -> None:
    """Exit 2, no traceback, every stderr line an ``error:`` line, each needle present, within limits."""
    assert outcome.within_limits(), outcome.describe()
    assert 2 == outcome.code, outcome.describe()
    assert "Traceback" not in outcome.err, outcome.describe()
    lines = [line for line in outcome.err.splitlines() if line.strip()]
    assert lines, outcome.describe()
    assert all(line.startswith(("error: ", "warning: ", "note: ")) for line in lines), outcome.describe()
    for needle in needles:
        assert needle in outcome.err, f"{needle!r} not in stderr\n{outcome.describe()}"


def assert_clean(outcome: Outcome, *codes: int) -> None:
    """Within limits, no traceback and no internal error, exit code among ``codes`` (default 0)."""
    assert outcome.within_limits(), outcome.describe()
    assert "Traceback" not in outcome.err and "internal error" not in outcome.err, outcome.describe()
    assert outcome.code in (codes or (0,)), outcome.describe()
