"""Form sheets (one entry column per visit), log sheets (one row per record) and safety highlights."""

from __future__ import annotations

from openpyxl.formatting.rule import Rule as FormatRule
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from exports.xlsx import styles
from exports.xlsx.context import Context
from exports.xlsx.formula import Bin, F, Num, Ref, Str, add, mul
from exports.xlsx.layout import (
    FORM_DATE_ROW,
    FORM_FIRST_VISIT_COL,
    FORM_HEADER_ROW,
    FORM_LABEL_COLS,
    FORM_SUBHEADER_ROW,
    LOG_FIRST_ITEM_COL,
    LOG_FIRST_RECORD_ROW,
    LOG_HEADER_ROWS,
    LOG_LABEL_ROW,
    FormSheet,
    LogSheet,
)
from exports.xlsx.sheets import participant_line, visit_note
from exports.xlsx.translate import Translator, Untranslatable
from exports.xlsx.validation import ANY_DATE, Validations, allowed_text, item_rule
from planner.expr import Count, Expr
from planner.model import Action, DataType, Form, Item, MonitoringRule, Timing, show
from planner.participants import Phase, visit_phase

LABEL_WIDTHS = (40.0, 16.0, 10.0, 11.0, 24.0, 5.0)
"""Widths of a form sheet's label columns (item, variable, CDASH, unit, allowed values, required)."""
_URGENT = frozenset({Action.DO_NOT_START, Action.DISCONTINUE, Action.INTERRUPT, Action.HOLD, Action.EUTHANISE})


def _heading(ctx: Context, ws: Worksheet, form: Form, note: str, last_col: int) -> None:
    ctx.style.text(ws.cell(1, 1), form.name, styles.TITLE)
    text = " ".join(t for t in (f"CDASH domain {form.domain}." if form.domain else "", form.description or "",
                                note) if t)
    ctx.style.note(ws, 3, text, last_col)


def _label(item: Item) -> str:
    return f"{item.label}\n{item.guidance}" if item.guidance else item.label


_TIME_WORDS = {"a": "years", "mo": "months", "wk": "weeks", "d": "days", "h": "hours"}


def _unit(item: Item) -> str:
    if item.unit is None or item.unit == "1":
        return ""
    if isinstance(item.unit, str):
        return _TIME_WORDS.get(item.unit, item.unit)
    return show(item.unit)


def _put(ctx: Context, ws: Worksheet, row: int, col: int, text: str, style: str) -> None:
    cell = ws.cell(row, col)
    ctx.style.text(cell, text, styles.TBC_TEXT if text.startswith("TO BE CONFIRMED") else style)


def form_sheet(ctx: Context, ws: Worksheet, sheet: FormSheet, dv: Validations) -> None:
    """Item rows with label, variable, CDASH name, unit, allowed values and required flag; a column per visit."""
    form = sheet.form
    styles.widths(ws, dict(zip("ABCDEF", LABEL_WIDTHS, strict=True)) | {
        get_column_letter(c.col): 17 for c in sheet.columns})
    _heading(ctx, ws, form, "Enter the date of assessment, then the values, in the column of the visit.",
             len(FORM_LABEL_COLS))
    participant_line(ctx, ws)
    for i, text in enumerate(FORM_LABEL_COLS, 1):
        _put(ctx, ws, FORM_HEADER_ROW, i, text, styles.HEADER)
        _put(ctx, ws, FORM_SUBHEADER_ROW, i, "", styles.HEADER)
    for column in sheet.columns:
        _put(ctx, ws, FORM_HEADER_ROW, column.col, column.heading, styles.HEADER)
        _put(ctx, ws, FORM_SUBHEADER_ROW, column.col, visit_note(column.visit), styles.HEADER)
    date_name = f"{form.domain}DTC" if form.domain else ""
    for col, text in enumerate(("Date of assessment", "assessment_date", date_name, "", "date (YYYY-MM-DD)", "*"), 1):
        _put(ctx, ws, FORM_DATE_ROW, col, text, styles.HEADER if col == 1 else styles.LABEL)
    for column in sheet.columns:
        ctx.style.apply(ws.cell(FORM_DATE_ROW, column.col), styles.ENTRY_DATE)
    dv.add(ANY_DATE, FORM_DATE_ROW, FORM_FIRST_VISIT_COL, FORM_DATE_ROW, sheet.last_col)
    for item in form.items:
        row = sheet.item_rows[item.name]
        texts = (_label(item), item.name, item.cdash or "", _unit(item), allowed_text(item, ctx.codelists),
                 "*" if item.required else "")
        for col, text in enumerate(texts, 1):
            _put(ctx, ws, row, col, text, styles.LABEL)
        ctx.style.height(ws, row, texts, LABEL_WIDTHS)
        entry = styles.ENTRY_DATE if item.type is DataType.DATE else styles.ENTRY
        for column in sheet.columns:
            ctx.style.apply(ws.cell(row, column.col), entry)
        dv.add(item_rule(item, ctx.code_sources), row, FORM_FIRST_VISIT_COL, row, sheet.last_col)
    ctx.style.fit_rows(ws, range(FORM_HEADER_ROW, FORM_SUBHEADER_ROW + 1), range(1, sheet.last_col + 1))

    ws.freeze_panes = ws.cell(FORM_DATE_ROW, 2).coordinate
    ctx.page(ws, landscape=len(sheet.columns) > 2, title_rows=f"{FORM_HEADER_ROW}:{FORM_SUBHEADER_ROW}",
             title_cols="A:A", name=form.name)


def log_sheet(ctx: Context, ws: Worksheet, sheet: LogSheet, dv: Validations) -> None:
    """Item columns with their label, variable, unit, allowed values and required flag; a row per record."""
    form = sheet.form
    widths = {"A": 13.0} | {get_column_letter(sheet.item_cols[it.name]): _log_width(it) for it in form.items}
    styles.widths(ws, widths)
    _heading(ctx, ws, form, f"One row per record, from the top ({sheet.rows} rows).", sheet.last_col)
    participant_line(ctx, ws)
    for i, text in enumerate(LOG_HEADER_ROWS):
        _put(ctx, ws, LOG_LABEL_ROW + i, 1, text, styles.HEADER)
    for item in form.items:
        col = sheet.item_cols[item.name]
        texts = (_label(item), item.cdash or item.name, _unit(item), allowed_text(item, ctx.codelists),
                 "*" if item.required else "")
        for i, text in enumerate(texts):
            _put(ctx, ws, LOG_LABEL_ROW + i, col, text, styles.HEADER if i == 0 else styles.LABEL)
        entry = styles.ENTRY_DATE if item.type is DataType.DATE else styles.ENTRY
        for row in range(LOG_FIRST_RECORD_ROW, sheet.last_row + 1):
            ctx.style.apply(ws.cell(row, col), entry)
        dv.add(item_rule(item, ctx.code_sources), LOG_FIRST_RECORD_ROW, col, sheet.last_row, col)
    for n, row in enumerate(range(LOG_FIRST_RECORD_ROW, sheet.last_row + 1), 1):
        ctx.style.apply(ws.cell(row, 1, n), styles.LABEL)
    ctx.style.fit_rows(ws, range(LOG_LABEL_ROW, LOG_FIRST_RECORD_ROW), range(1, sheet.last_col + 1))
    ws.freeze_panes = ws.cell(LOG_FIRST_RECORD_ROW, LOG_FIRST_ITEM_COL).coordinate
    ctx.page(ws, landscape=True, title_rows=f"{LOG_LABEL_ROW}:{LOG_FIRST_RECORD_ROW - 1}", title_cols="A:A",
             name=form.name)


def _log_width(item: Item) -> float:
    if item.type is DataType.TEXT:
        return 30
    if item.type is DataType.CODED:
        return 22
    return max(12.0, min(24.0, len(item.label) * 0.6))


# -- safety highlights ----------------------------------------------------------------------


def monitoring(ctx: Context, sheets: dict[str, Worksheet]) -> None:
    """Highlight the cells a monitoring rule reads wherever its condition holds (red: stop/hold; amber: review).

    A rule over measurements is applied per visit column where it applies
    (before-start rules up to the start of treatment, on-treatment rules from
    it, as in :mod:`planner.participants.monitoring`); a rule over a log
    (``count(ae, where=…)``) highlights each record that matches its filter.
    A rule that applies to some arms only is limited to those arms once the
    arm is entered on the cover sheet.
    """
    ordered = sorted(ctx.protocol.monitoring, key=lambda m: m.action not in _URGENT)
    for rule in ordered:
        style = styles.ALERT if rule.action in _URGENT else styles.CAUTION
        counts = [n for n in rule.condition.walk() if isinstance(n, Count)]
        if counts:
            for count in counts:
                _highlight_records(ctx, sheets, rule, count, style)
        else:
            _highlight_visits(ctx, sheets, rule, style)


def applies(rule: MonitoringRule, phase: Phase) -> bool:
    """Whether a rule applies at a visit of this phase (as :class:`planner.participants.Monitor` decides)."""
    if rule.timing is Timing.BEFORE_START:
        return phase is not Phase.ON_TREATMENT
    return phase is not Phase.BEFORE_START


def _arm_guard(ctx: Context, rule: MonitoringRule) -> list[F]:
    if not rule.arms:
        return []
    arm = Ref(ctx.arm_ref)
    hits = add([Bin("=", arm, Str(a)) for a in ("", *rule.arms)])
    return [Bin(">", hits, Num(0))]


def _add_format(ws: Worksheet, ref: str, condition: F, style: DifferentialStyle) -> None:
    ws.conditional_formatting.add(ref, FormatRule(type="expression", dxf=style, formula=[condition.excel()]))


def _highlight_visits(ctx: Context, sheets: dict[str, Worksheet], rule: MonitoringRule,
                      style: DifferentialStyle) -> None:
    names = sorted(rule.condition.refs())
    for visit in ctx.protocol.schedule.visits:
        if not applies(rule, visit_phase(ctx.protocol, visit)):
            continue
        try:
            true, _ = ctx.translator(visit.id).truth(rule.condition)
        except Untranslatable:
            continue
        condition = mul([*_arm_guard(ctx, rule), true])
        for name in names:
            found = ctx.layout.item_cell(name, visit.id)
            if found is not None and found[0] in sheets:
                title, row, col = found
                _add_format(sheets[title], f"{get_column_letter(col)}{row}", condition, style)


def _highlight_records(ctx: Context, sheets: dict[str, Worksheet], rule: MonitoringRule, count: Count,
                       style: DifferentialStyle) -> None:
    sheet = ctx.layout.sheet_of(count.form)
    found = ctx.log_locator(count.form, per_row=True)
    if not isinstance(sheet, LogSheet) or found is None or sheet.title not in sheets:
        return
    locate, has_data = found
    where: Expr | None = count.where
    try:
        true = has_data if where is None else Translator(ctx.items, locate, units=ctx.units).truth(where)[0]
    except Untranslatable:
        return
    condition = mul([*_arm_guard(ctx, rule), true])
    block = (f"{get_column_letter(LOG_FIRST_ITEM_COL)}{LOG_FIRST_RECORD_ROW}:"
             f"{get_column_letter(sheet.last_col)}{sheet.last_row}")
    _add_format(sheets[sheet.title], block, condition, style)
