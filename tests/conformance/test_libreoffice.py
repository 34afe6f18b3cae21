"""The Excel translation computed by a real spreadsheet: LibreOffice, on one batch workbook.

The ``formulas`` package in :mod:`tests.conformance.backends` is a model of
Excel in Python. Here the same generated cases go into one workbook — a sheet
per case, a row per record, the item cells then the case's formula reading
them — which ``soffice --headless`` opens, recalculates and saves; the values
it computed must be the reference's on every record. One LibreOffice start
for the whole batch. Skipped where ``soffice`` is missing (``.ci/run``
installs it).

LibreOffice, unlike Excel, treats ``TRUE`` as equal to ``1``, so it cannot
catch a bare comparison where a number is needed (the generated suite's
Excel engine does); it does check every function, operator, blank and date
as a spreadsheet computes them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings

from exports.xlsx import formula as xf
from exports.xlsx.translate import Translator, expression_formula
from planner.expr.functions import as_of
from tests.conformance import backends
from tests.conformance.strategies import Case, cases

SOFFICE = shutil.which("soffice")
CASES = 150
RECORDS = 50

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def _generated() -> list[Case]:
    found: list[Case] = []

    @seed(20261207)  # the same batch on every run: a disagreement here is reproducible
    @settings(max_examples=CASES, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=cases())
    def collect(case: Case) -> None:
        found.append(case)

    collect()
    return found


def _formula(case: Case, row: int) -> str:
    columns = {name: f"{chr(ord('A') + i)}{row}" for i, name in enumerate(case.items)}
    tr = Translator(case.items, lambda name: xf.Ref(columns[name]) if name in columns else None)
    if case.condition:
        true, false = tr.truth(case.expr)
        return "=" + xf.add([true, xf.Bin("*", xf.Num(2), false)]).excel()
    return "=" + expression_formula(tr, case.expr).excel()


def test_libreoffice_computes_the_reference_answer_on_every_record(tmp_path: Path) -> None:
    from openpyxl import Workbook, load_workbook

    generated = _generated()
    assert len(generated) >= CASES // 2
    book = Workbook()
    book.remove(book.active)
    wanted: list[list[object]] = []
    with as_of(dt.date.today()):  # LibreOffice's TODAY() is the machine's date
        for n, case in enumerate(generated):
            sheet = book.create_sheet(f"case{n}")
            records = case.records(RECORDS)
            wanted.append(backends.reference(case.expr, case.items, case.condition)(records))
            for row, record in enumerate(records, start=1):
                for col, (name, item) in enumerate(case.items.items(), start=1):
                    sheet.cell(row, col, backends.cell_value(record.get(name), item))
                sheet.cell(row, len(case.items) + 1, _formula(case, row))
    source = tmp_path / "batch.xlsx"
    book.save(source)
    out = tmp_path / "out"
    assert SOFFICE is not None
    done = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
                           "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert (out / "batch.xlsx").exists(), done.stderr
    computed = load_workbook(out / "batch.xlsx", data_only=True)
    problems = []
    for n, case in enumerate(generated):
        sheet = computed[f"case{n}"]
        column = len(case.items) + 1
        for row, want in enumerate(wanted[n], start=1):
            raw = sheet.cell(row, column).value
            got = backends._excel_answer("" if raw is None else raw, case.condition)  # noqa: SLF001
            if not backends.same(want, got):
                problems.append(f"{case.expr} row {row}: LibreOffice {raw!r}, the reference {want!r}")
    assert not problems, f"{len(problems)} disagreements, e.g.\n" + "\n".join(problems[:5])
