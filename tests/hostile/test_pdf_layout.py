"""The PDF never hangs or fails on long names, long words, over-page criteria or markup in protocol text."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from pypdf import PdfReader

from planner.serialize import dump
from protocols import REGISTRY
from tests.hostile.harness import assert_clean, run_limited

ROOT = Path(__file__).parents[2]
PID = "ssc-digital-ulcer"


def _hostile(arm_name: str | None = None, criterion: str | None = None, title: str | None = None) -> str:
    p = REGISTRY[PID]()
    if arm_name is not None:
        p = attrs.evolve(p, arms=(attrs.evolve(p.arms[0], name=arm_name), *p.arms[1:]))
    if criterion is not None:
        p = attrs.evolve(p, eligibility=(attrs.evolve(p.eligibility[0], text=criterion), *p.eligibility[1:]))
    if title is not None:
        p = attrs.evolve(p, title=title)
    return dump(p, "yaml")


CASES = {
    "3 000-character arm name": {"arm_name": "Arm " * 750},
    "10 000-character arm name": {"arm_name": "Iguratimod-" * 900},
    "10 000-character word in a criterion": {"criterion": "x" * 10_000},
    "criterion longer than a page": {"criterion": "Patients with documented digital ulcers. " * 1500},
    "markup in the title": {"title": "<b>bold</b> & <font size=90>big</font> <a href='x'>link <para>"},
    "control characters and unusual unicode": {"title": "Title \x00\x1b \u200f\u202e rtl \U0001F600 e\u0301"},
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_hostile_protocol_still_gives_a_readable_pdf(tmp_path: Path, case: str) -> None:
    source = tmp_path / "hostile.yaml"
    source.write_text(_hostile(**CASES[case]), encoding="utf-8")
    out = run_limited(["export", str(source), "--to", "pdf", "-o", str(tmp_path)], cwd=ROOT)
    assert_clean(out)
    pdf = next(tmp_path.glob("*.pdf"))
    assert pdf.read_bytes().startswith(b"%PDF")
    assert len(PdfReader(pdf).pages) > 0
