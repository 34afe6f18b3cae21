"""docs/checks.md is generated from the registry and must be up to date."""

from __future__ import annotations

from pathlib import Path

from planner.checks import REGISTRY
from planner.checks.docs import render

PAGE = Path(__file__).parents[2] / "docs" / "checks.md"


def test_docs_checks_md_is_up_to_date() -> None:
    assert render() == PAGE.read_text(encoding="utf-8"), (
        "docs/checks.md is stale: run `python -m planner.checks.docs > docs/checks.md`")


def test_every_check_is_documented() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert all(f"### {c.code} — {c.title}" in page for c in REGISTRY)
