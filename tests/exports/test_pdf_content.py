"""The PDF's content as plain data, read before anything is drawn."""

from __future__ import annotations

import attrs
import pytest
from test_pdf_sample import ANC_TEXT, CYTOKINE_TEXT, PLATELET_TEXT, XY_TEXT, sample_protocol

from exports.pdf.appendix import collect_tbc
from exports.pdf.blocks import Document, Figure, FindingRow, Numbered, PathwayFigure, SchemaFigure, Table, plain_text
from exports.pdf.content import build
from exports.pdf.spans import Cite, value
from exports.pdf.tables import LANDSCAPE_VISITS, schedule_tables
from planner.model import TBC, Quantity

CLINICAL_ORDER = [
    "summary", "synopsis", "schema", "soa", "introduction", "purpose", "risks", "pathway", "objectives", "design",
    "population", "selection", "inclusion", "exclusion", "interventions", "discontinuation", "assessments", "safety",
    "statistics", "sample_size", "randomisation", "blinding", "analysis", "references", "appendix_tbc",
    "appendix_findings",
]
PRECLINICAL_ORDER = [
    "summary", "synopsis", "schema", "soa", "background", "purpose", "aims", "pathway", "design", "sample_size",
    "eligibility", "inclusion", "exclusion", "randomisation", "blinding", "objectives", "analysis", "animals",
    "procedures", "assessments", "safety", "references", "appendix_tbc", "appendix_findings",
]


@pytest.fixture(scope="module")
def doc() -> Document:
    return build(sample_protocol(), run_checks=False)


def _tables(doc: Document, kind: str) -> list[Table]:
    return [b for b in doc.blocks() if isinstance(b, Table) and b.kind == kind]


def _cells(table: Table) -> list[str]:
    return [plain_text(c) for row in table.rows for c in row]


def test_clinical_sections_follow_ich_m11_order(doc: Document) -> None:
    assert CLINICAL_ORDER == [s.key for _, s in doc.walk()]
    assert ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "Appendix A", "Appendix B"] == [
        s.number for s in doc.sections]
    assert "ICH M11 protocol template" == doc.structure


def test_preclinical_sections_follow_arrive() -> None:
    doc = build(sample_protocol(preclinical=True), run_checks=False)
    assert PRECLINICAL_ORDER == [s.key for _, s in doc.walk()]
    titles = [s.title for s in doc.sections]
    assert "Study design (ARRIVE 1)" == titles[2]
    assert "Statistical methods (ARRIVE 7)" == titles[8]
    assert doc.structure.startswith("ARRIVE 2.0")


def test_criteria_are_numbered_with_their_rules(doc: Document) -> None:
    lists = {b.kind: b for b in doc.blocks() if isinstance(b, Numbered)}
    inclusion, exclusion = lists["inclusion"], lists["exclusion"]
    assert ["I1", "I2"] == [e.label for e in inclusion.entries]
    assert ["E1", "E2", "E3"] == [e.label for e in exclusion.entries]
    assert CYTOKINE_TEXT == plain_text(inclusion.entries[1].text)
    assert ANC_TEXT == plain_text(exclusion.entries[0].text)
    assert XY_TEXT == plain_text(exclusion.entries[1].text)
    assert PLATELET_TEXT == plain_text(exclusion.entries[2].text)
    assert "Rule: anc < 1.0[10^9/L]" in plain_text(exclusion.entries[0].detail)
    assert "assessed by the investigator" in plain_text(exclusion.entries[1].detail)
    assert [s.kind for s in exclusion.entries[0].detail if "anc" in s.text] == ["rule"]


def test_every_endpoint_and_monitoring_rule_is_in_a_table(doc: Document) -> None:
    p = sample_protocol()
    objectives = " ".join(_cells(_tables(doc, "objectives")[0]))
    for _, ep in p.endpoints():
        assert ep.text in objectives  # type: ignore[attr-defined]
    monitoring = _tables(doc, "monitoring")[0]
    assert ["Parameter", "Threshold", "Action", "Frequency", "Source"] == [plain_text(c) for c in monitoring.header[0]]
    text = " ".join(_cells(monitoring))
    for rule in p.monitoring:
        assert rule.name in text
        assert str(rule.condition) in text
        assert rule.action_text in text


def test_every_tbc_field_is_collected_with_its_path(doc: Document) -> None:
    paths = {x.path: x for x in doc.tbc}
    assert "sponsor not named" == paths["$.sponsor"].reason
    assert "arm 'TOF + IGU' › intervention 'iguratimod' › dose" == paths["$.arms[0].interventions[1].dose"].where
    assert "$.dictionary.forms[1].items[4].unit" in paths
    assert "$.schedule.visits[0].day" in paths
    p = sample_protocol()
    assert sum(1 for _ in _all_tbc(p)) == sum(1 for x in doc.tbc if not x.verify)
    assert "5 mg comes from a secondary source; verify it against the primary source" == paths[
        "$.arms[0].interventions[0].dose"].reason
    table = _tables(doc, "tbc")[0]
    assert [x.reason for x in doc.tbc] == [plain_text(r[2]) for r in table.rows]


def _all_tbc(obj: object) -> list[TBC]:
    if isinstance(obj, TBC):
        return [obj]
    if isinstance(obj, tuple):
        return [t for x in obj for t in _all_tbc(x)]
    if attrs.has(type(obj)) and not type(obj).__module__.startswith("planner.expr"):
        return [t for f in attrs.fields(type(obj)) for t in _all_tbc(getattr(obj, f.name))]
    return []


def test_tbc_values_show_plainly_or_link_to_the_appendix(doc: Document) -> None:
    p = sample_protocol()
    cite = Cite(p, collect_tbc(p))
    full = value(TBC("iguratimod dose not reported"), cite)
    assert "TO BE CONFIRMED: iguratimod dose not reported" == plain_text(full)
    short = value(TBC("iguratimod dose not reported"), cite, short=True)
    number = next(i for i, x in enumerate(doc.tbc, 1) if x.reason == "iguratimod dose not reported")
    assert f"to be confirmed (A{number})" == plain_text(short)
    assert f"tbc-{number}" == short[1].target
    title = dict(doc.title_rows)
    assert "TO BE CONFIRMED: sponsor not named" == plain_text(title["Sponsor"])


def test_sources_are_cited_by_number() -> None:
    p = sample_protocol()
    cite = Cite(p)
    assert "5 mg [1] (verify against the primary source)" == plain_text(value(Quantity(5, "mg", "ref_a", True), cite))
    assert " [2]" == plain_text(cite("ref_b"))
    missing = cite("nowhere")
    assert " [nowhere?]" == plain_text(missing) and "warn" == missing[0].kind


def test_references_are_numbered_in_order(doc: Document) -> None:
    refs = next(b for b in doc.blocks() if isinstance(b, Numbered) and b.kind == "references")
    assert ["[1]", "[2]"] == [e.label for e in refs.entries]
    assert ["ref-1", "ref-2"] == [e.anchor for e in refs.entries]
    assert "doi:10.1000/a" in plain_text(refs.entries[0].detail)


def test_wide_schedule_goes_landscape_in_balanced_tables() -> None:
    p = sample_protocol(visits=20)
    tables, landscape = schedule_tables(p, Cite(p))
    assert landscape
    assert [10, 10] == [len(t.widths) - 1 for t in tables]
    assert all(2 == len(t.header) for t in tables)
    narrow, portrait_only = schedule_tables(sample_protocol(visits=5), Cite(p))
    assert not portrait_only and 1 == len(narrow)
    assert LANDSCAPE_VISITS >= 10


def test_schedule_marks_forms_and_procedures_at_their_visits(doc: Document) -> None:
    soa = _tables(doc, "schedule")[0]
    rows = {plain_text(r[0]): [plain_text(c) for c in r[1:]] for r in soa.rows}
    assert "X" == rows["Demographics (DM)"][0]
    assert "" == rows["Demographics (DM)"][1]
    assert "X" == rows["Synovial biopsy"][1]  # day 28 = week 4
    assert doc.section("soa") is not None and doc.section("soa").landscape  # type: ignore[union-attr]


def test_figures_carry_the_schema_and_the_pathway(doc: Document) -> None:
    figures = [b.figure for b in doc.blocks() if isinstance(b, Figure)]
    schema = next(f for f in figures if isinstance(f, SchemaFigure))
    assert ["Screening", "Treatment", "Follow-up"] == [e.name for e in schema.epochs]
    assert [True, False, True] == [e.shared for e in schema.epochs]
    assert 1 == schema.randomised_before
    assert ("tofacitinib 5 mg", "iguratimod (dose to be confirmed)") == schema.arms[0].cells[0].lines
    pathway = next(f for f in figures if isinstance(f, PathwayFigure))
    assert 5 == len(pathway.nodes) and 5 == len(pathway.edges)


def test_findings_given_are_listed_errors_first() -> None:
    rows = (FindingRow("X1", "error", "design", "$.arms", "bad <arm>", "fix it"),)
    doc = build(sample_protocol(), rows)
    assert rows == doc.findings
    assert "bad <arm>" in " ".join(_cells(_tables(doc, "findings")[0]))
    none = build(sample_protocol(), run_checks=False)
    assert none.findings is None
    appendix = none.section("appendix_findings")
    assert appendix is not None and "not run" in plain_text(appendix.blocks[0].text)  # type: ignore[union-attr]


def test_findings_that_restate_appendix_a_are_counted_not_repeated() -> None:
    protocol = sample_protocol()
    tbc = collect_tbc(protocol)
    assert tbc, "the sample protocol has values to be confirmed"
    restated = FindingRow("DES013", "warning", "design", tbc[0].path, "x is to be confirmed", "confirm it")
    elsewhere = FindingRow("END011", "warning", "endpoints", "$.nowhere[0]", "day of visit is to be confirmed", "")
    other = FindingRow("MON001", "error", "monitoring", tbc[0].path, "rule without action", "add one")
    doc = build(protocol, (other, restated, elsewhere))
    assert (other, restated, elsewhere) == doc.findings  # the document data keep every finding
    appendix = doc.section("appendix_findings")
    assert appendix is not None
    text = " ".join(plain_text(b.text) for b in appendix.blocks if hasattr(b, "text"))
    assert "3 findings" in text and "1 of them" in text and "DES013 (design value to be confirmed): 1" in text
    shown = _cells(_tables(doc, "findings")[0])
    assert "MON001" in shown and "END011" in shown and "DES013" not in shown


def test_checks_run_by_default_and_sort_by_severity() -> None:
    doc = build(sample_protocol())
    assert doc.findings is not None
    order = {"error": 0, "warning": 1, "info": 2}
    ranks = [order.get(f.severity, 3) for f in doc.findings]
    assert sorted(ranks) == ranks
