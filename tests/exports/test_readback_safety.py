"""Read-back must not hide a safety signal (issue 16): an arm typo, and quantities that cannot be negative.

A typo in the CRF's arm field used to make the participant a member of no
arm the rules know, so the JAK inhibitor's "discontinue" rule vanished; an
ANC of −3500 was accepted, and fired "discontinue". Now the typo is reported
and every arm's rules apply until it is corrected; a negative count,
concentration or duration is refused in every reader and by the workbook's
own validation.
"""

from __future__ import annotations

import io
from pathlib import Path

import attrs
import pytest
from openpyxl import load_workbook
from test_xlsx_read import blank, correct_filling, read, with_changes

from exports.xlsx import plan
from exports.xlsx.fill import fill
from planner.cli import main
from protocols import REGISTRY

PID = "dbt-refractory"


def _monitor(report) -> list[str]:
    return [f.message for f in report.findings if f.code == "CRF-MONITOR"]


def test_an_arm_typo_is_reported_and_the_jak_rules_still_fire(engine: str) -> None:
    protocol = REGISTRY[PID]()
    filling = with_changes(attrs.evolve(correct_filling(PID), arm="biologic_jakk"), "lb", "month3", anc=450.0)
    report = read(protocol, fill(blank(PID), plan(protocol), filling), engine)
    codes = [f.message for f in report.findings if f.code == "CRF-CODE"]
    assert any("'biologic_jakk' is not an arm" in m and "every arm's safety rules are applied" in m for m in codes)
    fired = [m for m in _monitor(report) if m.startswith("ANC below 500/mm³ at Month 3: discontinue")]
    assert fired and "(arm 'biologic_jakk' is not an arm of the protocol; the rule is for biologic_jak)" in fired[0]


def test_a_negative_count_is_refused_and_fires_nothing(engine: str) -> None:
    protocol = REGISTRY[PID]()
    filling = with_changes(attrs.evolve(correct_filling(PID), arm="biologic_jak"), "lb", "month3", anc=-3500.0)
    report = read(protocol, fill(blank(PID), plan(protocol), filling), engine)
    ranges = [f.message for f in report.findings if f.code == "CRF-RANGE"]
    assert any("anc" in m and "-3500 is below zero" in m for m in ranges), ranges
    assert not [m for m in _monitor(report) if "ANC" in m and "Month 3" in m]


def test_the_workbook_itself_refuses_a_negative_count() -> None:
    protocol = REGISTRY[PID]()
    layout = plan(protocol)
    sheet = layout.sheet_of("lb")
    wb = load_workbook(io.BytesIO(blank(PID)))
    ws = wb[sheet.title]
    row = sheet.item_rows["anc"]
    cell = f"{ws.cell(row, sheet.columns[0].col).coordinate}"
    rules = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
    assert rules and rules[0].type == "decimal" and rules[0].operator == "greaterThanOrEqual"
    assert rules[0].formula1 == "0"


def test_screening_refuses_a_negative_count_at_its_row_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                                  ) -> None:
    source = Path(__file__).parents[2] / "docs" / "examples" / "observations-dbt.csv"
    lines = source.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert "anc" in header
    column = header.index("anc")  # where the value goes
    cells = lines[1].split(",")
    cells[column] = "-3500"
    bad = tmp_path / "observations.csv"
    bad.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n", encoding="utf-8")
    assert 2 == main(["monitor", PID, str(bad)])
    err = capsys.readouterr().err
    assert f"{bad}, row 2, column 'anc': -3500 is below zero" in err
