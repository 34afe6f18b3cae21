"""Shared fixtures: the shipped protocols (built once) and small file builders."""

from __future__ import annotations

from pathlib import Path

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
