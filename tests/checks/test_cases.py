"""Every case in cases/ produces exactly the codes its header expects."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.checks import REGISTRY, check
from planner.serialize import structure
from tests.checks.cases import base_data, case_files, expected, load_case

#: Checks whose failing case is written in Python (a YAML file cannot express it), by test.
PYTHON_CASES = {
    "ELG001": "test_engine.py::test_unknown_item_in_a_python_built_protocol",
    "MON011": "test_engine.py::test_pregnancy_risk_needs_an_exclusion_or_contraception",
}


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_case_produces_exactly_the_expected_codes(path: Path) -> None:
    report = check(load_case(path))
    assert expected(path) == report.codes(), "\n".join(f.message for f in report.findings)


@pytest.mark.parametrize("kind", ["clinical", "preclinical"])
def test_the_bases_are_clean(kind: str) -> None:
    assert () == check(structure(base_data(kind))).findings


def test_every_check_has_a_failing_case() -> None:
    covered = set(PYTHON_CASES).union(*(expected(p) for p in case_files()))
    assert set() == {c.code for c in REGISTRY} - covered


def test_every_case_names_registered_codes() -> None:
    named = set().union(*(expected(p) for p in case_files()))
    assert set() == named - {c.code for c in REGISTRY}
