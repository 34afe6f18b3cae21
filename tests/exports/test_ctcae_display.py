"""The CTCAE term and grade of monitoring rules in the PDF, the CRF cover and the CRF review."""

from __future__ import annotations

import io

import attrs
from openpyxl import load_workbook
from test_xlsx_read import blank, correct_filling, read

from exports.pdf.blocks import Table, plain_text
from exports.pdf.content import build
from exports.xlsx import plan
from exports.xlsx.fill import fill
from protocols import REGISTRY


def test_the_pdf_monitoring_table_shows_each_rules_ctcae_terms() -> None:
    doc = build(REGISTRY["dbt-refractory"](), run_checks=False)
    (table,) = [b for b in doc.blocks() if isinstance(b, Table) and b.kind == "monitoring"]
    thresholds = {plain_text(row[0]).rpartition("[")[2].rstrip("]"): plain_text(row[1]) for row in table.rows}
    assert thresholds["anc_below_500"].endswith("CTCAE v5.0: Neutrophil count decreased, grade 4")
    assert thresholds["liver_3uln"].endswith("CTCAE v5.0: Alanine aminotransferase increased, grade 2; "
                                             "Aspartate aminotransferase increased, grade 2")
    assert "CTCAE" not in thresholds["hys_law"]


def test_the_crf_cover_lists_the_ctcae_terms_of_the_safety_rules() -> None:
    cover = load_workbook(io.BytesIO(blank("dbt-refractory")))["Cover"]
    rules = {row[0].value: row[1].value for row in cover.iter_rows(max_col=2)}
    assert rules["ANC below 500/mm³"].endswith("CTCAE v5.0: Neutrophil count decreased, grade 4.")
    assert "CTCAE" not in rules["Possible Hy's law case"]


def test_the_crf_review_reports_the_grade_of_the_entered_value() -> None:
    protocol = REGISTRY["dbt-refractory"]()
    filling = correct_filling("dbt-refractory")
    forms = {f: {v: dict(vals) for v, vals in by.items()} for f, by in filling.forms.items()}
    forms["lb"]["month3"].update(anc=450.0)
    filling = attrs.evolve(filling, forms=forms)
    report = read(protocol, fill(blank("dbt-refractory"), plan(protocol), filling), "openpyxl")
    monitor = [f.message for f in report.findings if f.code == "CRF-MONITOR"]
    assert any(m.startswith("ANC below 1000/mm³ on any combination") and
               "[CTCAE v5.0: Neutrophil count decreased, grade 4 (anc = 450 /mm3)]" in m for m in monitor), monitor

