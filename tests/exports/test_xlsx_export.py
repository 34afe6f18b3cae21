"""The Excel CRF of each shipped study, reloaded with openpyxl: sheets, validation, protection, print, formulas.

Also: spreadsheet hygiene (formula-looking text stays text, sheet titles
cleaned), and derived-score formulas evaluated on the same inputs as
planner.scores.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from functools import cache

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.cell_range import CellRange

from exports.xlsx import build_workbook, plan, write
from exports.xlsx.layout import FormSheet, LogSheet
from exports.xlsx.meta import content_hash
from exports.xlsx.seal import SEAL_PART
from exports.xlsx.text import TitleBook, clean_title
from planner.expr import item
from planner.model import (
    Category,
    Criterion,
    DataDictionary,
    DataType,
    Epoch,
    EpochType,
    Form,
    Item,
    Protocol,
    Range,
    Schedule,
    Status,
    StudyKind,
    Visit,
    Window,
)
from protocols import REGISTRY

IDS = list(REGISTRY)


@cache
def exported(pid: str) -> bytes:
    buffer = io.BytesIO()
    write(REGISTRY[pid](), buffer)
    return buffer.getvalue()


def reload(pid: str) -> Workbook:
    return load_workbook(io.BytesIO(exported(pid)))


def small_protocol(**changes: object) -> Protocol:
    """A two-visit study with one form, written in Python: for hygiene tests."""
    form = Form("vitals", "Vital signs", items=(
        Item("sbp", "Systolic blood pressure", DataType.INTEGER, unit="mmHg", range=Range(60, 250)),
        Item("note", "Comment", DataType.TEXT, required=False),
    ))
    fields: dict[str, object] = dict(
        id="tiny", title="A tiny study", short_title="Tiny", version="1.0", date=dt.date(2026, 1, 1),
        status=Status.DRAFT, kind=StudyKind.CLINICAL_OBSERVATIONAL, sponsor="Sponsor", investigator="PI",
        rationale="Testing.", design="Testing.",
        schedule=Schedule("first visit", (Epoch("fu", "Follow-up", EpochType.FOLLOW_UP),), (
            Visit("v1", "Visit 1", "fu", 0, Window(0, 0), forms=("vitals",)),
            Visit("v2", "Visit 2", "fu", 28, Window(3, 3), forms=("vitals",)))),
        dictionary=DataDictionary(forms=(form,)),
        eligibility=(Criterion("I1", Category.INCLUSION, "Adult.", rule=item("sbp") > 0),),
    )
    fields.update(changes)
    return Protocol(**fields)  # type: ignore[arg-type]


def entry_cells(ws, sheet) -> list[str]:
    if isinstance(sheet, FormSheet):
        rows = range(7, sheet.last_row + 1)
        cols = [c.col for c in sheet.columns]
    else:
        rows = range(10, sheet.last_row + 1)
        cols = list(sheet.item_cols.values())
    return [ws.cell(r, c).coordinate for r in rows for c in cols]


def validated(ws) -> set[str]:
    out: set[str] = set()
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            out.update(c for row in CellRange(rng.coord).cells for c in [f"{_letter(row[1])}{row[0]}"])
    return out


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


# -- structure of the shipped studies' CRFs ------------------------------------------------


@pytest.mark.parametrize("pid", IDS)
def test_sheets_cover_schedule_forms_derived_codes_and_a_hidden_metadata_sheet(pid):
    protocol, wb = REGISTRY[pid](), reload(pid)
    layout = plan(protocol)
    expected = [layout.cover, layout.schedule]
    expected += [layout.eligibility.title] if protocol.eligibility else []
    expected += [s.title for s in layout.forms]
    expected += [layout.derived.title] if protocol.derivations else []
    expected += [layout.codes, layout.meta]
    assert expected == wb.sheetnames
    assert len(protocol.dictionary.forms) == len(layout.forms)
    assert "veryHidden" == wb[layout.meta].sheet_state
    assert all(wb[t].sheet_state == "visible" for t in expected[:-1])
    assert wb.security is not None and wb.security.lockStructure


@pytest.mark.parametrize("pid", IDS)
def test_metadata_names_protocol_version_and_content_hash(pid):
    protocol, wb = REGISTRY[pid](), reload(pid)
    rows = {r[0]: r[1] for r in wb["_meta"].iter_rows(min_row=2, values_only=True) if r[0] != "entry"}
    assert "protocol-planner-crf" == rows["format"]
    assert protocol.id == rows["protocol_id"]
    assert protocol.version == rows["protocol_version"]
    assert content_hash(protocol) == rows["content_hash"]


@pytest.mark.parametrize("pid", IDS)
def test_every_entry_cell_is_validated_and_unlocked_and_everything_else_locked(pid):
    protocol, wb = REGISTRY[pid](), reload(pid)
    layout = plan(protocol)
    for sheet in layout.forms:
        ws = wb[sheet.title]
        cells = entry_cells(ws, sheet)
        assert cells
        assert set(cells) <= validated(ws), sheet.title
        assert all(ws[c].protection.locked is False for c in cells), sheet.title
        assert ws.protection.sheet
        entry = set(cells)
        for row in ws.iter_rows():
            for cell in row:
                if cell.coordinate not in entry and cell.value is not None:
                    assert cell.protection.locked, f"{sheet.title}!{cell.coordinate}"
    cover = wb[layout.cover]
    assert {"B12", "B13", "B15"} <= validated(cover)
    if protocol.arms:
        assert "B14" in validated(cover)
    for ws in wb.worksheets:
        assert ws.protection.sheet, ws.title


@pytest.mark.parametrize("pid", IDS)
def test_validations_carry_messages_and_match_item_types(pid):
    protocol, wb = REGISTRY[pid](), reload(pid)
    layout = plan(protocol)
    for sheet in layout.forms:
        ws = wb[sheet.title]
        for dv in ws.data_validations.dataValidation:
            assert dv.showErrorMessage and dv.error and len(dv.error) <= 225
            assert dv.prompt and len(dv.prompt) <= 255
            assert dv.errorTitle and len(dv.errorTitle) <= 32
        if isinstance(sheet, FormSheet):
            kinds = {_row_of(dv): dv for dv in ws.data_validations.dataValidation for _ in [0]}
            for it in sheet.form.items:
                row = sheet.item_rows[it.name]
                dv = next(d for d in ws.data_validations.dataValidation
                          if any(r.min_row <= row <= r.max_row for r in d.sqref.ranges))
                assert _kind(it) == dv.type, (sheet.title, it.name)
                if isinstance(it.range, Range) and it.range.low is not None and it.range.high is not None:
                    assert ("between", f"{it.range.low:g}", f"{it.range.high:g}") == (
                        dv.operator, dv.formula1, dv.formula2)
            assert kinds


def _row_of(dv) -> int:
    return next(iter(dv.sqref.ranges)).min_row


def _kind(it: Item) -> str:
    return {DataType.INTEGER: "whole", DataType.DECIMAL: "decimal", DataType.DATE: "date",
            DataType.BOOLEAN: "list", DataType.CODED: "list", DataType.TEXT: "textLength"}[it.type]


def test_codelist_dropdowns_read_their_codes_from_the_codes_sheet():
    wb = reload("dbt-refractory")
    layout = plan(REGISTRY["dbt-refractory"]())
    dm = layout.sheet_of("dm")
    assert isinstance(dm, FormSheet)
    ws = wb[dm.title]
    row = dm.item_rows["sex"]
    dv = next(d for d in ws.data_validations.dataValidation if any(r.min_row == row for r in d.sqref.ranges))
    sheet, _, cells = dv.formula1.rpartition("!")
    codes = [c.value for r in wb[sheet.strip("'")][cells.replace("$", "")] for c in r]
    assert ["M", "F"] == codes
    assert "M = Male" in dv.prompt


@pytest.mark.parametrize("pid", IDS)
def test_print_setup_frozen_panes_and_widths(pid):
    protocol, wb = REGISTRY[pid](), reload(pid)
    for ws in wb.worksheets[:-1]:
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.page_setup.orientation in ("portrait", "landscape")
        assert f"{protocol.id} v{protocol.version}" == ws.oddHeader.left.text
        assert "Page &P of &N" == ws.oddFooter.right.text
        assert ws.freeze_panes, ws.title
        assert all((d.width or 0) >= 5 for d in ws.column_dimensions.values()), ws.title
    layout = plan(protocol)
    for sheet in layout.forms:
        assert wb[sheet.title].print_title_rows, sheet.title
        # the page header names the form in full, even where the sheet title had to drop a '/' or shorten it
        assert sheet.form.name.replace("&", "&&") == wb[sheet.title].oddHeader.center.text


def test_schedule_of_activities_marks_forms_at_visits_and_shows_tbc_plainly():
    wb = reload("dbt-refractory")
    ws = wb["Schedule of activities"]
    header = [c.value for c in ws[4]][1:]
    assert ["Screening", "Baseline (day 0)", "Weeks 4–8", "Month 3", "End of study"] == header
    day_row = [c.value for c in ws[6]][1:]
    assert day_row[1] == "day 0" and day_row[2] == "day 42"
    assert day_row[0].startswith("TO BE CONFIRMED: screening period")
    labels = [ws.cell(r, 1).value for r in range(8, ws.max_row + 1)]
    lab_row = 8 + labels.index("Safety laboratory")
    assert ["X"] * 5 == [ws.cell(lab_row, c).value for c in range(2, 7)]


@pytest.mark.parametrize("pid", IDS)
def test_cover_lists_every_to_be_confirmed_item(pid):
    protocol, wb = REGISTRY[pid](), reload(pid)
    texts = [c.value for row in wb["Cover"].iter_rows() for c in row if isinstance(c.value, str)]
    listed = [t for t in texts if t.startswith(("TO BE CONFIRMED: ", "TO VERIFY: "))]
    from exports.xlsx.sheets import unconfirmed_lines

    lines = [text for _, text in unconfirmed_lines(protocol)]
    assert lines and lines == listed[len(listed) - len(lines):]  # after the facts (a sponsor to be confirmed)
    assert f"To be confirmed ({len(lines)})" in texts


def test_eligibility_checklist_has_yes_no_unknown_answers_and_a_result_formula():
    protocol, wb = REGISTRY["ssc-digital-ulcer"](), reload("ssc-digital-ulcer")
    layout = plan(protocol)
    assert layout.eligibility is not None
    ws = wb[layout.eligibility.title]
    assert [c.id for c in protocol.eligibility] == [ws.cell(r, 1).value for _, r in layout.eligibility.rows]
    dv = ws.data_validations.dataValidation[0]
    assert '"Yes,No,Unknown"' == dv.formula1
    result = ws.cell(layout.eligibility.result_row, 5).value
    assert result.startswith("=IF(OR(COUNTIF($E$6:$E$8,\"No\")>0,COUNTIF($E$9:$E$12,\"Yes\")>0)")  # E1–E4


def test_derived_values_are_formulas_over_the_entry_cells():
    protocol, wb = REGISTRY["ssc-digital-ulcer"](), reload("ssc-digital-ulcer")
    layout = plan(protocol)
    assert layout.derived is not None
    ws = wb[layout.derived.title]
    cells = {(c.derivation.id, c.visit): ws.cell(c.row, c.col).value for c in layout.derived.cells}
    mrss = cells[("mrss_total", "baseline")]
    assert mrss.startswith("=IF(OR(") and "'Modified Rodnan skin score'!$G$8" in mrss
    assert cells[("ssc_2013_score", "baseline")].count("=\"Yes\"") == 10
    assert cells[("new_du_count", "study")].startswith("=IF((SUMPRODUCT(")


def test_monitoring_thresholds_become_conditional_formats_on_labs_and_the_ae_log():
    protocol, wb = REGISTRY["dbt-refractory"](), reload("dbt-refractory")
    layout = plan(protocol)
    labs, ae = layout.sheet_of("lb"), layout.sheet_of("ae")
    assert isinstance(labs, FormSheet) and isinstance(ae, LogSheet)
    rules = [(str(cf.sqref), r.formula[0]) for cf in wb[labs.title].conditional_formatting for r in cf.rules]
    anc = labs.item_rows["anc"]
    anc_rules = [f for ref, f in rules if ref == f"J{anc}"]  # month 3
    assert any("$J$8<1000" in f for f in anc_rules)
    assert any("'Cover'!$B$14=\"biologic_jak\"" in f for f in anc_rules)  # only in the JAK arm
    ae_rules = [(str(cf.sqref), r.formula[0]) for cf in wb[ae.title].conditional_formatting for r in cf.rules]
    assert ae_rules and ae_rules[0][0] == f"B10:F{ae.last_row}"
    assert '="Yes"' in ae_rules[0][1] and "$E10" in ae_rules[0][1]


# -- spreadsheet hygiene ---------------------------------------------------------------------


def test_text_that_looks_like_a_formula_stays_text():
    nasty = "=HYPERLINK(\"http://evil\",\"x\")"
    protocol = small_protocol(title=nasty, short_title="+1 trick", rationale="@SUM(A1)", design="-2+3")
    form = Form("vitals", "=cmd|' /C calc'!A0", items=(
        Item("sbp", "=1+2", DataType.INTEGER, range=Range(60, 250), guidance="-danger"),))
    protocol = small_protocol(title=nasty, dictionary=DataDictionary(forms=(form,)))
    wb = build_workbook(protocol)
    buffer = io.BytesIO()
    wb.save(buffer)
    again = load_workbook(io.BytesIO(buffer.getvalue()))
    texts = {c.value: c for ws in again.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)}
    for text in (nasty, "=1+2\n-danger"):
        assert text in texts
        assert "s" == texts[text].data_type  # written as a string, not a formula
        assert texts[text].quotePrefix
    assert b"<f>HYPERLINK" not in _sheet_xml(buffer.getvalue())


def _parts(data: bytes) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    # openpyxl stamps the save time; two saves may fall either side of a second
    parts["docProps/core.xml"] = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>", b"",
                                        parts["docProps/core.xml"])
    return parts


def _injection_protocol() -> Protocol:
    form = Form("vitals", "Vital signs", items=(
        Item("sbp", "=1+2", DataType.INTEGER, range=Range(60, 250)),
        Item("dbp", "Diastolic blood pressure", DataType.INTEGER, range=Range(30, 150)),))
    return small_protocol(title="=HYPERLINK(\"http://evil\",\"x\")", dictionary=DataDictionary(forms=(form,)))


@pytest.mark.parametrize("make", [*(REGISTRY[pid] for pid in IDS), _injection_protocol], ids=[*IDS, "injection"])
def test_write_with_shared_style_arrays_gives_the_same_package_as_a_built_workbook(make):
    # write() lets cells of one style share a style array; build_workbook() gives each cell its own copy
    protocol = make()
    shared = io.BytesIO()
    write(protocol, shared)
    private = io.BytesIO()
    build_workbook(protocol).save(private)
    written = _parts(shared.getvalue())
    assert written.pop(SEAL_PART)  # write() also seals what it wrote, for the overwrite guard
    assert _parts(private.getvalue()) == written


def test_only_formula_looking_text_gets_the_quote_prefix_when_styles_are_shared():
    buffer = io.BytesIO()
    write(_injection_protocol(), buffer)
    wb = load_workbook(io.BytesIO(buffer.getvalue()))
    quoted = {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.quotePrefix}
    assert {"=HYPERLINK(\"http://evil\",\"x\")", "=1+2"} <= quoted
    assert all(isinstance(v, str) and v[:1] in "=+-@" for v in quoted), quoted
    labels = {c.value: c for c in wb["Vital signs"]["A"]}
    assert not labels["Diastolic blood pressure"].quotePrefix


def test_a_style_attribute_set_on_a_cell_sharing_its_style_array_is_refused():
    from openpyxl.styles import Font

    from exports.xlsx import styles

    wb = Workbook()
    ws = wb.active
    styler = styles.register(wb, shared=True)
    a, b = ws.cell(1, 1), ws.cell(1, 2)
    styler.apply(a, styles.LABEL)
    styler.apply(b, styles.LABEL)
    styler.own(a)
    a.font = Font(bold=True)  # its own copy: b keeps the label style
    assert not b.font.bold
    styler.check()
    b.font = Font(bold=True)  # changes the shared array itself
    with pytest.raises(RuntimeError, match="call Styler.own"):
        styler.check()


def _sheet_xml(data: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.parametrize("raw, clean", [
    ("Vital signs", "Vital signs"),
    ("Labs: day 1/2 [AM]?*", "Labs day 1 2 AM"),
    ("'quoted'", "quoted"),
    ("History", "Sheet History"),
    ("A" * 40, "A" * 31),
    ("\\/*?:[]", "Sheet"),
])
def test_sheet_titles_follow_excels_rules(raw, clean):
    assert clean == clean_title(raw)


def test_sheet_titles_are_unique_ignoring_case_within_31_characters():
    book = TitleBook(["Cover"])
    assert "cover (2)" == book.take("cover")
    long = "X" * 40
    first, second = book.take(long), book.take(long)
    assert "X" * 31 == first and second.endswith(" (2)") and 31 == len(second)


def test_a_form_named_like_another_sheet_gets_its_own_title():
    form = Form("cover", "Cover", items=(Item("x", "X", DataType.INTEGER),))
    protocol = small_protocol(dictionary=DataDictionary(forms=(form,)),
                              schedule=Schedule("day 0", (Epoch("fu", "FU", EpochType.FOLLOW_UP),),
                                                (Visit("v1", "V1", "fu", 0, forms=("cover",)),)))
    layout = plan(protocol)
    assert "Cover (2)" == layout.sheet_of("cover").title  # type: ignore[union-attr]


@pytest.mark.parametrize("pid", IDS)
def test_content_hash_changes_with_the_forms_and_not_with_the_rationale(pid):
    import attrs

    p = REGISTRY[pid]()
    assert content_hash(p) == content_hash(attrs.evolve(p, rationale="Something else entirely."))
    form = p.dictionary.forms[0]
    changed = attrs.evolve(form, items=(*form.items, Item("extra_item", "Extra", DataType.TEXT)))
    other = attrs.evolve(p, dictionary=attrs.evolve(p.dictionary, forms=(changed, *p.dictionary.forms[1:])))
    assert content_hash(p) != content_hash(other)


def test_consecutive_rows_of_one_rule_become_one_validation_range():
    from exports.xlsx.validation import ANY_DATE, YES_NO, Validations

    dv = Validations()
    for row in (5, 6, 7):
        dv.add(YES_NO, row, 7, row, 12)
    dv.add(ANY_DATE, 8, 7, 8, 12)
    dv.add(YES_NO, 9, 7, 9, 12)  # not below the last Yes/No block: a date row lies between
    dv.add(YES_NO, 10, 7, 10, 11)  # below it, but over other columns
    ws = Workbook().active
    dv.apply(ws)
    ranges = {v.formula1: str(v.sqref) for v in ws.data_validations.dataValidation}
    assert {'"Yes,No"': "G5:L7 G9:L9 G10:K10", ANY_DATE.formula1: "G8:L8"} == ranges
