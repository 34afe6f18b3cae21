"""The sheets around the forms: cover, schedule of activities, eligibility, derived values, codes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from openpyxl.formatting.rule import Rule as FormatRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils.cell import absolute_coordinate, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from exports.xlsx import styles
from exports.xlsx.context import Context, cell_ref
from exports.xlsx.formula import Bin, F, Num, Ref, Str, call
from exports.xlsx.layout import (
    COVER_ANCHOR_ROW,
    COVER_ARM_ROW,
    COVER_ENTRY_COL,
    COVER_LABEL_COL,
    COVER_PARTICIPANT_ROW,
    COVER_SITE_ROW,
    DERIVED_FIRST_COL,
    DERIVED_FIRST_ROW,
    DERIVED_HEADER_ROW,
    DERIVED_LABEL_COLS,
    ELIG_ANSWER_COL,
    ELIG_COLS,
    ELIG_HEADER_ROW,
    visits_of,
)
from exports.xlsx.text import put_text
from exports.xlsx.translate import Untranslatable, expression_formula, method_formula
from exports.xlsx.validation import ANY_DATE, SHORT_TEXT, YES_NO_UNKNOWN, Rule, Validations
from planner.expr import to_text
from planner.model import TBC, Codelist, Protocol, Visit, show
from planner.model.unconfirmed import unconfirmed
from planner.review.capture import STUDY

CENTRE = Alignment(horizontal="center", vertical="top")
WHOLE_NUMBER_SCORES = frozenset({"mrss_total", "ssc_2013_score", "ra_2010_score", "cia_clinical_score"})
"""Scores whose values are whole numbers (shown without decimals)."""

HOW_TO = (
    "Enter data only in the shaded cells; everything else is protected. Each shaded cell accepts only the "
    "values shown in its input message (codes from a list, numbers within the allowed range, dates as "
    "YYYY-MM-DD, Yes or No).",
    "Each form sheet has one column per visit at which the form is scheduled; enter the date of assessment "
    "first. Log sheets (adverse events, medications …) take one row per record.",
    "Fields marked * are required. Leave a cell empty when a value was not obtained; never enter placeholders "
    "such as 'ND' or '-1'.",
    "Derived values (grey cells) are computed by formulas from the entered values; crf-check recomputes them "
    "from the entries when the workbook is read back.",
    "Cells highlighted red or amber on the laboratory and adverse-event sheets meet a safety monitoring rule "
    "of the protocol: follow the action stated on the 'Safety rules' list of this cover sheet.",
)


def _row(ctx: Context, ws: Worksheet, row: int, values: list[str], style: str, first_col: int = 1) -> None:
    for i, value in enumerate(values):
        cell = ws.cell(row, first_col + i)
        ctx.style.text(cell, value, style)


def participant_line(ctx: Context, ws: Worksheet, row: int = 2) -> None:
    """``Participant: <id>`` under a sheet's title, taken from the cover sheet."""
    put_text(ws.cell(row, 1), "Participant:")
    cell = ws.cell(row, 2)
    ref = Ref(ctx.participant_ref)
    cell.value = "=" + call("IF", Bin("=", ref, Str("")), Str(""), ref).excel()
    ctx.style.apply(cell, styles.PREFILLED)


def unconfirmed_lines(protocol: Protocol) -> list[tuple[str, str]]:
    """``(where, text)`` for every value not yet confirmed: the model's list, as the checks and the PDF have it."""
    return [(u.place, f"TO VERIFY: {u.description}" if u.verify else f"TO BE CONFIRMED: {u.description}")
            for u in unconfirmed(protocol)]


# -- cover ----------------------------------------------------------------------------


def cover(ctx: Context, ws: Worksheet, dv: Validations) -> None:
    """Identity, participant entries, how to fill in, legend, safety rules and "to be confirmed" items."""
    p = ctx.protocol
    styles.widths(ws, {"A": 34, "B": 90})
    ctx.style.text(ws.cell(1, 1), "Case report form", styles.TITLE)
    facts = [("Protocol", p.title), ("Protocol id", p.id), ("Version", f"{p.version} of {p.date.isoformat()}"),
             ("Status", f"{p.status.value}; {p.kind.value}"), ("Sponsor", show(p.sponsor)),
             ("Day 0 is", p.schedule.anchor)]
    for i, (label, value) in enumerate(facts, start=3):
        _row(ctx, ws, i, [label], styles.LABEL)
        _row(ctx, ws, i, [value], styles.TBC_TEXT if value.startswith("TO BE CONFIRMED") else styles.LABEL, 2)
    _row(ctx, ws, COVER_PARTICIPANT_ROW - 1, ["Participant", ""], styles.HEADER)
    entries: list[tuple[int, str, Rule]] = [
        (COVER_PARTICIPANT_ROW, "Participant ID *", SHORT_TEXT),
        (COVER_SITE_ROW, "Site", SHORT_TEXT),
        (COVER_ARM_ROW, "Arm / group", _arm_rule(ctx) or SHORT_TEXT),
        (COVER_ANCHOR_ROW, f"Date of day 0 * ({p.schedule.anchor})", ANY_DATE),
    ]
    for row, label, rule in entries:
        _row(ctx, ws, row, [label], styles.LABEL, COVER_LABEL_COL)
        cell = ws.cell(row, COVER_ENTRY_COL)
        ctx.style.apply(cell, styles.ENTRY_DATE if rule is ANY_DATE else styles.ENTRY)
        dv.add(rule, row, COVER_ENTRY_COL)
    if ctx.layout.participant_id:
        cell = ws.cell(COVER_PARTICIPANT_ROW, COVER_ENTRY_COL)
        ctx.style.text(cell, ctx.layout.participant_id, styles.PREFILLED)
    row = COVER_ANCHOR_ROW + 2
    row = _section(ctx, ws, row, "How to fill in", [(str(i), t) for i, t in enumerate(HOW_TO, 1)])
    legend = [("Shaded cell", "entry cell"), ("*", "required field"), ("Grey cell", "derived value (formula)"),
              ("Red / amber", "a safety monitoring rule is met"), ("Codes", f"see the '{ctx.layout.codes}' sheet"),
              ("Units", "as printed in the Unit column; convert before entering")]
    legend_row, row = row, _section(ctx, ws, row, "Legend", legend)
    ctx.style.apply(ws.cell(legend_row + 1, 1), styles.SAMPLE)  # the "Shaded cell" label shows the entry colour
    ctx.style.apply(ws.cell(legend_row + 3, 1), styles.DERIVED)
    rules = [(m.name, f"{m.action.value}: {m.action_text}" + (f" (arms: {', '.join(m.arms)})" if m.arms else "")
              + (f" CTCAE v5.0: {'; '.join(g.describe() for g in m.ctcae)}." if m.ctcae else ""))
             for m in p.monitoring]
    if rules:
        row = _section(ctx, ws, row, "Safety rules", rules)
    tbc = unconfirmed_lines(p)
    row = _section(ctx, ws, row, f"To be confirmed ({len(tbc)})", tbc or [("—", "nothing")], styles.TBC_TEXT)
    contents = [(ws_.title, "") for ws_ in ctx.wb.worksheets if ws_.sheet_state == "visible"]
    row = _section(ctx, ws, row, "Sheets", contents)
    ctx.style.fit_rows(ws, range(1, row), range(1, 3))
    ws.freeze_panes = "A3"
    ctx.page(ws, landscape=False)


def _section(ctx: Context, ws: Worksheet, row: int, heading: str, lines: list[tuple[str, str]],
             value_style: str = styles.LABEL) -> int:
    _row(ctx, ws, row, [heading, ""], styles.HEADER)
    for i, (label, text) in enumerate(lines, start=row + 1):
        _row(ctx, ws, i, [label], styles.LABEL)
        _row(ctx, ws, i, [text], value_style, 2)
    return row + len(lines) + 2


def _arm_rule(ctx: Context) -> Rule | None:
    if ctx.arm_source is None:
        return None
    arms = "; ".join(f"{a.id} = {a.name}" for a in ctx.protocol.arms)
    return Rule("list", None, ctx.arm_source, None, "Arm / group", f"Choose the arm: {arms}",
                f"Choose an arm id from the list: {arms}")


# -- schedule of activities ------------------------------------------------------------------


def visit_note(visit: Visit | None) -> str:
    """Day and window under a visit heading; what is to be confirmed is explained on the schedule sheet."""
    if visit is None:
        return "any time"
    if isinstance(visit.day, TBC):
        return "day TO BE CONFIRMED (see schedule)"
    day = f"day {visit.day}"
    if isinstance(visit.window, TBC):
        return f"{day}, window TO BE CONFIRMED"
    return day if visit.window is None else f"{day}, window {show(visit.window)}"


def _day(visit: Visit) -> str:
    return f"day {visit.day}" if isinstance(visit.day, int) else show(visit.day)


def _window(visit: Visit) -> str:
    return "—" if visit.window is None else show(visit.window)


def schedule(ctx: Context, ws: Worksheet) -> None:
    """Visits (epoch, day, window) across, forms down, ``X`` where a form is collected."""
    p = ctx.protocol
    visits = p.schedule.visits
    styles.widths(ws, {"A": 40} | {get_column_letter(c): 24 for c in range(2, len(visits) + 2)})
    ctx.style.text(ws.cell(1, 1), "Schedule of activities", styles.TITLE)
    ctx.style.note(ws, 2, f"Day 0 is the {p.schedule.anchor}. Windows are in days before/after the nominal day; "
                "X marks the forms collected at a visit.", len(visits) + 1)
    _row(ctx, ws, 4, ["Visit"] + [v.name for v in visits], styles.HEADER)
    rows: tuple[tuple[str, Callable[[Visit], str]], ...] = (
        ("Epoch", lambda v: _epoch(p, v)), ("Day", _day), ("Window", _window))
    for r, (label, fn) in enumerate(rows, 5):
        _row(ctx, ws, r, [label], styles.HEADER)
        for c, v in enumerate(visits, 2):
            text = fn(v)
            _row(ctx, ws, r, [text], styles.TBC_TEXT if text.startswith("TO BE CONFIRMED") else styles.LABEL, c)
    for r, form in enumerate(p.dictionary.forms, 8):
        sheet = ctx.layout.sheet_of(form.id)
        label = form.name + (" (log)" if form.repeating else "")
        _row(ctx, ws, r, [label], styles.LABEL)
        at = {v.id for v in visits_of(p.schedule, form.id)}
        for c, v in enumerate(visits, 2):
            cell = ws.cell(r, c)
            if v.id in at:
                cell.value = "X"
            ctx.style.apply(cell, styles.LABEL)
            ctx.style.own(cell)
            cell.alignment = CENTRE
        if sheet is not None and not at and not form.repeating:
            _row(ctx, ws, r, [f"{form.name} (not scheduled at any visit)"], styles.LABEL)
    ctx.style.fit_rows(ws, range(4, 8 + len(p.dictionary.forms)), range(1, len(visits) + 2))
    ws.freeze_panes = "B5"
    ctx.page(ws, landscape=True, title_rows="4:7", title_cols="A:A")


def _epoch(p: Protocol, v: Visit) -> str:
    epoch = p.schedule.epoch(v.epoch)
    return epoch.name if epoch is not None else v.epoch


# -- eligibility ------------------------------------------------------------------------


def eligibility(ctx: Context, ws: Worksheet, dv: Validations) -> None:
    """One row per criterion with a Yes/No/Unknown answer, and the overall result as a formula."""
    sheet = ctx.layout.eligibility
    assert sheet is not None
    p = ctx.protocol
    styles.widths(ws, {"A": 13, "B": 11, "C": 60, "D": 40, "E": 14})
    ctx.style.text(ws.cell(1, 1), "Eligibility checklist", styles.TITLE)
    participant_line(ctx, ws)
    ctx.style.note(ws, 3, "Answer every criterion. The participant is eligible when every inclusion criterion "
                "is 'Yes' and every exclusion criterion is 'No'; 'Unknown' leaves the result incomplete.",
                ELIG_ANSWER_COL)
    _row(ctx, ws, ELIG_HEADER_ROW, list(ELIG_COLS), styles.HEADER)
    by_id = {c.id: c for c in p.eligibility}
    for cid, row in sheet.rows:
        c = by_id[cid]
        rule = to_text(c.rule) if c.rule is not None else (
            "investigator's judgement" if c.assessed_by_investigator else "—")
        _row(ctx, ws, row, [c.id, c.category.value, c.text, rule], styles.LABEL)
        cell = ws.cell(row, ELIG_ANSWER_COL)
        ctx.style.apply(cell, styles.ENTRY)
        dv.add(YES_NO_UNKNOWN, row, ELIG_ANSWER_COL)
    result_row = sheet.result_row
    _row(ctx, ws, result_row, ["", "", "Overall result", ""], styles.HEADER)
    cell = ws.cell(result_row, ELIG_ANSWER_COL)
    cell.value = "=" + eligibility_formula(ws.title, sheet.inclusion_rows, sheet.exclusion_rows).excel()
    ctx.style.apply(cell, styles.DERIVED)
    ref = absolute_coordinate(cell.coordinate)
    for text, fill, font in (("ELIGIBLE", "C6EFCE", "006100"), ("NOT ELIGIBLE", "FFC7CE", "9C0006")):
        style = DifferentialStyle(font=Font(color=font, bold=True),
                                  fill=PatternFill(start_color=fill, end_color=fill, fill_type="solid"))
        highlight = FormatRule(type="expression", dxf=style, formula=[Bin("=", Ref(ref), Str(text)).excel()])
        ws.conditional_formatting.add(cell.coordinate, highlight)
    ctx.style.fit_rows(ws, range(ELIG_HEADER_ROW, result_row), range(1, ELIG_ANSWER_COL + 1))
    ws.freeze_panes = f"A{ELIG_HEADER_ROW + 1}"
    ctx.page(ws, landscape=False, title_rows=f"{ELIG_HEADER_ROW}:{ELIG_HEADER_ROW}")


def eligibility_formula(title: str, inclusion: tuple[int, ...], exclusion: tuple[int, ...]) -> F:
    """``NOT ELIGIBLE`` on any failed criterion, ``ELIGIBLE`` when all are answered right, else ``INCOMPLETE``."""

    def block(rows: tuple[int, ...]) -> Ref:
        letter = get_column_letter(ELIG_ANSWER_COL)
        return Ref(f"${letter}${rows[0]}:${letter}${rows[-1]}")

    failed: list[F] = []
    passed: list[F] = []
    for rows, good, bad in ((inclusion, "Yes", "No"), (exclusion, "No", "Yes")):
        if rows:
            failed.append(Bin(">", call("COUNTIF", block(rows), Str(bad)), Num(0)))
            passed.append(Bin("=", call("COUNTIF", block(rows), Str(good)), Num(len(rows))))
    if not failed:
        return Str("ELIGIBLE")
    return call("IF", call("OR", *failed), Str("NOT ELIGIBLE"),
                call("IF", call("AND", *passed), Str("ELIGIBLE"), Str("INCOMPLETE")))


# -- derived values ------------------------------------------------------------------------


def derived(ctx: Context, ws: Worksheet) -> None:
    """One row per derivation, one column per visit (and the whole study), each a formula."""
    sheet = ctx.layout.derived
    assert sheet is not None
    styles.widths(ws, {"A": 34, "B": 16, "C": 30, "D": 8} | {get_column_letter(c): 16 for _, _, c in sheet.columns})
    ctx.style.text(ws.cell(1, 1), "Derived values", styles.TITLE)
    participant_line(ctx, ws)
    ctx.style.note(ws, 3, "Computed by formulas from the entered values (nothing to enter here). "
                "crf-check recomputes every value in Python from the entries.", len(DERIVED_LABEL_COLS))
    _row(ctx, ws, DERIVED_HEADER_ROW, list(DERIVED_LABEL_COLS) + [h for _, h, _ in sheet.columns], styles.HEADER)
    visits = {v.id: v for v in ctx.protocol.schedule.visits}
    _row(ctx, ws, DERIVED_HEADER_ROW + 1, ["", "", "", ""] + [
        visit_note(visits[k]) if k in visits else "records of the logs" for k, _, _ in sheet.columns],
         styles.HEADER)
    for d in ctx.protocol.derivations:
        row = sheet.rows[d.id]
        method = d.method or (to_text(d.expression) if d.expression is not None else show(d.definition))
        _row(ctx, ws, row, [d.label, d.id, method, d.unit or ""], styles.LABEL)
        for _, _, col in sheet.columns:
            ctx.style.apply(ws.cell(row, col), styles.DERIVED)
            put_text(ws.cell(row, col), "—")
    for placed in sheet.cells:
        cell = ws.cell(placed.row, placed.col)
        try:
            cell.value = "=" + _derived_formula(ctx, placed.derivation, placed.visit).excel()
            if placed.derivation.unit == "count" or placed.derivation.method in WHOLE_NUMBER_SCORES:
                ctx.style.apply(cell, styles.WHOLE)
        except Untranslatable:
            ctx.style.text(cell, "computed by crf-check", styles.NOTE)  # e.g. count_distinct: no formula
    last_row = max(sheet.rows.values(), default=DERIVED_FIRST_ROW)
    ctx.style.fit_rows(ws, range(DERIVED_HEADER_ROW, DERIVED_HEADER_ROW + 2), range(1, DERIVED_FIRST_COL +
                                                                                   len(sheet.columns)))
    ctx.style.fit_rows(ws, range(DERIVED_FIRST_ROW, last_row + 1), range(1, len(DERIVED_LABEL_COLS) + 1))
    ws.freeze_panes = ws.cell(DERIVED_HEADER_ROW + 2, DERIVED_FIRST_COL).coordinate
    ctx.page(ws, landscape=True, title_rows=f"{DERIVED_HEADER_ROW}:{DERIVED_HEADER_ROW + 1}", title_cols="A:A")


def _derived_formula(ctx: Context, d: Any, visit: str) -> F:
    translator = ctx.translator(None if visit == STUDY else visit)
    if d.method is not None:
        inputs: dict[str, tuple[F, Any]] = {}
        for param, name in d.bindings().items():
            found = ctx.layout.item_cell(name, visit)
            item = ctx.items.get(name)
            if found is None or item is None:
                raise Untranslatable(f"{name} is not entered at {visit}")
            inputs[param] = (Ref(cell_ref(*found)), item)
        return method_formula(d.method, inputs)
    if d.expression is None:
        raise Untranslatable(f"{d.id} has neither a method nor an expression")
    return expression_formula(translator, d.expression)


# -- codes --------------------------------------------------------------------------------


def codes(ctx: Context, ws: Worksheet) -> None:
    """Every codelist (and the arms), one code per row; the dropdowns read their codes from here."""
    styles.widths(ws, {"A": 14, "B": 36, "C": 18, "D": 50})
    ctx.style.text(ws.cell(1, 1), "Codes", styles.TITLE)
    _row(ctx, ws, 3, ["Codelist", "Name", "Code", "Meaning"], styles.HEADER)
    row = 4
    blocks: list[tuple[str, str, list[tuple[str, str]], Codelist | None]] = [
        (c.id, c.name, [(t.code, t.decode) for t in c.terms], c) for c in ctx.protocol.dictionary.codelists]
    if ctx.protocol.arms:
        blocks.append(("ARM", "Arm / group", [(a.id, a.name) for a in ctx.protocol.arms], None))
    for cid, name, terms, codelist in blocks:
        if not terms:
            continue
        first = row
        for code, decode in terms:
            _row(ctx, ws, row, [cid, name, code, decode], styles.LABEL)
            row += 1
        source = f"{cell_ref(ws.title, first, 3)}:${get_column_letter(3)}${row - 1}"
        if codelist is None:
            ctx.arm_source = source
        else:
            ctx.code_sources[cid] = (codelist, source)
        row += 1
    ctx.style.fit_rows(ws, range(4, row), range(1, 5))
    ws.freeze_panes = "A4"
    ctx.page(ws, landscape=False, title_rows="3:3")
