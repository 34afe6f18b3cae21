"""Shared fixtures: the shipped protocols (built once) and small file builders."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from planner.model import Protocol
from protocols import REGISTRY

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "docs" / "examples"


@pytest.fixture(scope="session")
def dbt() -> Protocol:
    return REGISTRY["dbt-refractory"]()


@pytest.fixture(scope="session")
def ssc() -> Protocol:
    return REGISTRY["ssc-digital-ulcer"]()


@pytest.fixture(scope="session")
def cia() -> Protocol:
    return REGISTRY["cia-tnf-tof-igu"]()


class Engine:
    """Reading and screening candidates on one engine: ``python`` (the reference) or ``duckdb``.

    On DuckDB, CSV is read, checked and typed by DuckDB
    (:mod:`planner.participants.duck`); JSON, XLSX and observation files are
    read by the reference readers on both engines, so they give the same.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def read(self, protocol, data, source="<candidates>", fmt=None):
        from planner.participants import detect_format
        from planner.participants import read_candidates as reference
        from planner.participants.duck import read_candidates

        if self.name == "duckdb" and (fmt or detect_format(source, data)) in ("csv", None):
            return read_candidates(protocol, data, source, fmt)
        return reference(protocol, data, source, fmt)

    def problems(self, protocol, data, source="c.csv", kind="candidates"):
        from planner.participants import InputError, read_observations

        with pytest.raises(InputError) as exc:
            (self.read if kind == "candidates" else read_observations)(protocol, data, source)
        return [str(p) for p in exc.value.problems]

    def screen(self, protocol, candidates, source=""):
        from planner.participants import Sheet, screen
        from planner.participants.duck import DuckScreener, from_sheet

        if self.name == "python":
            return screen(protocol, candidates, source)
        sheet = candidates if isinstance(candidates, Sheet) else Sheet(source, "candidates", tuple(candidates))
        report = DuckScreener(protocol).screen(from_sheet(protocol, sheet))
        return report if isinstance(candidates, Sheet) else attrs.evolve(report, source=source, notes=())

    def __repr__(self) -> str:
        return self.name


@pytest.fixture(params=["python", "duckdb"], ids=str)
def engine(request) -> Engine:
    return Engine(request.param)
