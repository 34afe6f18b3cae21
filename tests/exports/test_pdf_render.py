"""The drawn PDF, read back with pypdf: order, glyphs, escaping, numbering, determinism."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from test_pdf_sample import ANC_TEXT, CYTOKINE_TEXT, PLATELET_TEXT, XY_TEXT, sample_protocol

from exports import FORMATS
from exports.pdf import PdfResult, build, export_pdf, write
from planner.model import Form, Item


def _pages(data: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return export_pdf(sample_protocol())


@pytest.fixture(scope="module")
def pages(pdf: bytes) -> list[str]:
    return _pages(pdf)


@pytest.fixture(scope="module")
def body(pages: list[str]) -> str:
    return " ".join(pages[2:])  # after the title page and the contents


def test_sections_appear_in_order(body: str) -> None:
    headings = ["1 Protocol summary", "1.1 Protocol synopsis", "1.2 Trial schema", "1.3 Schedule of activities",
                "2 Introduction", "2.3 Treatment decision pathway", "3 Trial objectives and endpoints",
                "4 Trial design", "5 Trial population", "5.2 Inclusion criteria", "5.3 Exclusion criteria",
                "6 Trial intervention and concomitant therapy", "7 Discontinuation of trial intervention",
                "8 Trial assessments and procedures", "9 Safety monitoring and stopping rules",
                "10 Statistical considerations", "10.1 Sample size", "10.2 Randomisation", "10.3 Blinding",
                "10.4 Statistical analysis", "11 References", "Appendix A Items to be confirmed",
                "Appendix B Check findings"]
    positions = [body.find(h) for h in headings]
    assert -1 not in positions, [h for h, p in zip(headings, positions, strict=True) if p < 0]
    assert sorted(positions) == positions


def test_contents_list_headings_with_their_pages(pages: list[str]) -> None:
    toc = pages[1]
    assert toc.startswith("sample-study · version 1.2") and "Table of contents" in toc
    match = re.search(r"5\.2 Inclusion criteria[ .]*?(\d+)", toc)
    assert match is not None
    page = int(match.group(1))
    assert "5.2 Inclusion criteria" in pages[page - 1]


def test_every_criterion_endpoint_and_rule_is_printed_intact(body: str) -> None:
    p = sample_protocol()
    for c in p.eligibility:
        assert c.text in body, c.text
    for _, ep in p.endpoints():
        assert ep.text in body  # type: ignore[attr-defined]
    for m in p.monitoring:
        assert m.name in body and m.action_text in body
    assert "Stop both drugs & report <possible> DILI." in body


def test_escaping_keeps_angle_brackets_and_ampersands(body: str) -> None:
    assert ANC_TEXT in body
    assert "x<y and y>z where x is the baseline value & z the limit" == XY_TEXT
    assert XY_TEXT in body
    assert "Rule: anc < 1.0[10^9/L]" in body
    assert "Rule: il1b >= 5 or tnfa <= 2" in body
    assert "Safety of TNF-α & JAK <blockers>." in body


def test_unicode_survives(body: str) -> None:
    for text in ("IL-1β", "TNF-α", "≥", "≤", "×", "µ", "³", "⁹", CYTOKINE_TEXT, PLATELET_TEXT):
        assert text in body, text


def test_every_page_has_header_footer_and_page_x_of_y(pages: list[str]) -> None:
    n = len(pages)
    for i, text in enumerate(pages, 1):
        assert f"Page {i} of {n}" in text
        assert "sample-study · version 1.2" in text
        assert "2024-05-01 · draft" in text


def test_wide_schedule_is_on_landscape_pages(pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    landscape = [i for i, p in enumerate(reader.pages) if float(p.mediabox.width) > float(p.mediabox.height)]
    assert landscape
    assert "Schedule of activities" in reader.pages[landscape[0]].extract_text()
    assert all(float(p.mediabox.width) < float(p.mediabox.height) for p in reader.pages[:landscape[0]])


def test_schedule_header_repeats_on_every_landscape_page() -> None:
    base = sample_protocol()
    extra = tuple(Form(f"extra{i}", f"Extra form {i}", items=(Item("v", "V", base.dictionary.forms[0].items[0].type),))
                  for i in range(70))
    visits = tuple(v.__class__(v.id, v.name, v.epoch, v.day, v.window, (*v.forms, *(f.id for f in extra)))
                   for v in base.schedule.visits)
    import attrs

    p = attrs.evolve(base, dictionary=attrs.evolve(base.dictionary, forms=(*base.dictionary.forms, *extra)),
                     schedule=attrs.evolve(base.schedule, visits=visits))
    reader = pypdf.PdfReader(io.BytesIO(export_pdf(p)))
    wide = [pg for pg in reader.pages if float(pg.mediabox.width) > float(pg.mediabox.height)]
    assert len(wide) >= 2
    for pg in wide:
        text = pg.extract_text()
        assert "Activity" in text and "Week 4" in text and "Day 28" in text


def test_two_exports_are_byte_identical(pdf: bytes) -> None:
    assert pdf == export_pdf(sample_protocol())


def test_metadata_and_embedded_fonts(pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    meta = reader.metadata
    assert meta is not None
    assert "A sample study of tofacitinib with iguratimod (IL-1β and TNF-α)" == meta.title
    assert "Dr A. Example" == meta.author
    assert "clinical interventional protocol sample-study, version 1.2 (draft)" == meta.subject
    fonts = {str(f["/BaseFont"]) for page in reader.pages
             for f in page["/Resources"]["/Font"].values()}  # type: ignore[union-attr]
    assert any(f.endswith("DejaVuSans") for f in fonts) and any(f.endswith("DejaVuSans-Bold") for f in fonts)
    assert not {"/Helvetica", "/Times-Roman"} & fonts


def test_every_tbc_reason_is_printed(body: str) -> None:
    doc = build(sample_protocol(), run_checks=False)
    for item in doc.tbc:
        assert item.reason in body, item.reason
    assert "TO BE CONFIRMED: sponsor not named" in body or "sponsor not named" in body


def test_preclinical_document_uses_arrive_headings() -> None:
    text = " ".join(_pages(export_pdf(sample_protocol(preclinical=True)))[2:])
    for heading in ("3 Study design (ARRIVE 1)", "4 Sample size (ARRIVE 2)", "10 Experimental animals (ARRIVE 8)",
                    "12 Housing, husbandry, welfare and humane endpoints"):
        assert heading in text
    assert "Weight loss ≥ 20 %" in text


def test_write_reports_and_registry_loads_the_module() -> None:
    buf = io.BytesIO()
    result = FORMATS["pdf"].load().write(sample_protocol(), buf, run_checks=False)
    assert isinstance(result, PdfResult)
    assert result.pages == len(_pages(buf.getvalue()))
    assert result.findings is None and result.tbc_items > 0
    assert "sample-study-protocol.pdf" == FORMATS["pdf"].filename("sample-study")
    other = io.BytesIO()
    write(sample_protocol(), other, run_checks=False, invariant=False)
    assert other.getvalue().startswith(b"%PDF-")


SHIPPED = ["dbt-refractory", "ssc-digital-ulcer", "cia-tnf-tof-igu"]


@pytest.mark.parametrize("protocol_id", SHIPPED)
def test_shipped_studies(protocol_id: str) -> None:
    from protocols import REGISTRY

    p = REGISTRY[protocol_id]()
    data = export_pdf(p)
    assert data == export_pdf(p)
    pages = _pages(data)
    text = " ".join(pages[2:])
    for c in p.eligibility:
        assert c.text in text, c.text
    for _, ep in p.endpoints():
        assert ep.text in text  # type: ignore[attr-defined]
    for m in p.monitoring:
        assert m.name in text, m.name
    for heading in ("Protocol synopsis", "Schedule of activities", "Inclusion criteria", "Exclusion criteria",
                    "References", "Appendix A Items to be confirmed", "Appendix B Check findings"):
        assert heading in text, heading
    if p.kind.clinical:
        assert "Safety monitoring and stopping rules" in text and "Statistical considerations" in text
    else:
        assert "Study design (ARRIVE 1)" in text and "Experimental animals (ARRIVE 8)" in text
    if p.pathways:
        assert "Treatment decision pathway" in text
    assert all(f"Page {i} of {len(pages)}" in pg for i, pg in enumerate(pages, 1))


def test_bytes_do_not_depend_on_the_process(pdf: bytes) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    here = Path(__file__).parent
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from test_pdf_sample import sample_protocol; "
            "from exports.pdf import export_pdf; sys.stdout.buffer.write(export_pdf(sample_protocol()))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run([sys.executable, "-c", code, str(here)], capture_output=True, check=True, env=env,
                          cwd=here.parents[1])
    assert pdf == done.stdout


def test_docs_examples_run() -> None:
    from pathlib import Path

    doc = Path(__file__).parents[2] / "docs" / "export-pdf.md"
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S)
    assert 2 == len(blocks)
    for code in blocks:
        exec(compile(code, str(doc), "exec"), {})  # noqa: S102 - our own documentation
