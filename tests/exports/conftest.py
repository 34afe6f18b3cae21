"""Fixtures shared by the export tests."""

from __future__ import annotations

import pytest


@pytest.fixture(params=["fast", "openpyxl"])
def engine(request: pytest.FixtureRequest) -> str:
    """Which reader reads the cells back: each read-back test runs with both."""
    return str(request.param)
