"""Malformed protocol files: the exact problem lines of ``load`` and of ``validate``.

Each ``tests/cases/malformed/*.yaml`` is ``tests/cases/valid/minimal.yaml``
with one defect. It starts with comment lines:

- ``# expect: <line>``: one per expected ``LoadError.problems`` line, exactly
  (order does not matter);
- ``# xfail: <reason>`` (optional): a known product bug; the case is a strict
  xfail until the bug is fixed (its expected lines are then a proposal: check
  them against the fix);
- ``# found-by: check`` (optional): the file forms a protocol, and the
  problem is a check's finding (a rule reads an undefined name): ``load``
  succeeds, the name checks report exactly the expected lines
  (``PATH: CODE message``), and ``validate`` refuses the file with them;
- ``# defect: <what is wrong>`` (documentation only).

The command line is run once per file, as many files at a time as there are CPUs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from planner.checks import NAME_CHECKS, check, names
from planner.serialize import LoadError, load

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "tests" / "cases"
MALFORMED = sorted((CASES / "malformed").glob("*.yaml"))


def _found_by_check(path: Path) -> bool:
    return any(line.startswith("# found-by: check") for line in path.read_text(encoding="utf-8").splitlines())


def _header(path: Path) -> tuple[list[str], str | None]:
    expect: list[str] = []
    xfail: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# expect: "):
            expect.append(line.removeprefix("# expect: "))
        elif line.startswith("# xfail: "):
            xfail = line.removeprefix("# xfail: ")
    return expect, xfail


def _params() -> list[object]:
    out = []
    for path in MALFORMED:
        _, xfail = _header(path)
        marks = [pytest.mark.xfail(strict=True, reason=xfail)] if xfail else []
        out.append(pytest.param(path, id=path.stem, marks=marks))
    return out


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PROTOCOL_PLANNER_DEBUG"}
    return subprocess.run([sys.executable, "-m", "planner", "validate", _rel(path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.fixture(scope="module")
def cli_runs() -> dict[Path, subprocess.CompletedProcess[str]]:
    """``python -m planner validate FILE`` for every case, as many at a time as there are CPUs."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(zip(MALFORMED, pool.map(_validate, MALFORMED), strict=True))


def test_cases_are_there() -> None:
    assert len(MALFORMED) >= 20
    for path in MALFORMED:
        expect, _ = _header(path)
        assert expect, f"{path.name}: no '# expect:' line"


def test_minimal_base_is_valid() -> None:
    p = load(CASES / "valid" / "minimal.yaml")
    assert p.id == "minimal-trial"
    assert p.kind.value == "clinical interventional"
    assert names.problems(p) == ()


def test_minimal_base_validates_on_the_command_line() -> None:
    run = _validate(CASES / "valid" / "minimal.yaml")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("tests/cases/valid/minimal.yaml: ok")


@pytest.mark.parametrize("path", _params())
def test_load_reports_exactly_the_expected_problems(path: Path) -> None:
    expect, _ = _header(path)
    if _found_by_check(path):
        report = check(load(path), registry=NAME_CHECKS)
        assert sorted(f"{f.path}: {f.code} {f.message}" for f in report.findings) == sorted(expect)
        return
    with pytest.raises(LoadError) as info:
        load(path)
    assert sorted(info.value.problems) == sorted(expect)
    assert len(info.value.problems) == len(expect)


@pytest.mark.parametrize("path", _params())
def test_validate_prints_the_problems_and_exits_2(
    path: Path, cli_runs: dict[Path, subprocess.CompletedProcess[str]]
) -> None:
    expect, _ = _header(path)
    run = cli_runs[path]
    assert "Traceback" not in run.stderr
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert sorted(run.stderr.splitlines()) == sorted(f"error: {_rel(path)}: {line}" for line in expect)
