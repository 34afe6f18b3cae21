"""Where everything goes in the CRF workbook, as plain data.

:func:`plan` turns a protocol into a :class:`Layout`: the sheet titles, and
the row and column of every entry cell, derived cell and checklist answer.
The writer fills a workbook from it and the reader finds the entered values
through it, so both always agree on the positions; tests can inspect it
without opening a workbook.

Rows and columns are 1-based, as in openpyxl.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from attrs import field, frozen

from exports.xlsx.text import TitleBook
from planner.derive import inputs, over_the_study
from planner.model import Category, Derivation, Form, Protocol, Schedule, Visit
from planner.review.capture import STUDY

# -- fixed positions ----------------------------------------------------------------

COVER_LABEL_COL = 1
COVER_ENTRY_COL = 2
COVER_PARTICIPANT_ROW = 12
COVER_SITE_ROW = 13
COVER_ARM_ROW = 14
COVER_ANCHOR_ROW = 15

FORM_HEADER_ROW = 5
FORM_SUBHEADER_ROW = 6
FORM_DATE_ROW = 7
FORM_FIRST_ITEM_ROW = 8
FORM_LABEL_COLS = ("Item", "Variable", "CDASH", "Unit", "Allowed values", "Req.")
FORM_FIRST_VISIT_COL = len(FORM_LABEL_COLS) + 1

LOG_LABEL_ROW = 5
LOG_HEADER_ROWS = ("Item", "Variable", "Unit", "Allowed values", "Required")
LOG_FIRST_RECORD_ROW = LOG_LABEL_ROW + len(LOG_HEADER_ROWS)
LOG_FIRST_ITEM_COL = 2

ELIG_HEADER_ROW = 5
ELIG_FIRST_ROW = 6
ELIG_COLS = ("No.", "Type", "Criterion", "Computable rule", "Yes / No / Unknown")
ELIG_ANSWER_COL = len(ELIG_COLS)

DERIVED_HEADER_ROW = 5
DERIVED_FIRST_ROW = 7
DERIVED_LABEL_COLS = ("Derived value", "Id", "Method", "Unit")
DERIVED_FIRST_COL = len(DERIVED_LABEL_COLS) + 1

"""Column key of values computed over the whole participant record (log counts)."""



# -- the plan -----------------------------------------------------------------------


@frozen
class Column:
    """An entry column of a form sheet: the visit it belongs to (``None``: unscheduled form)."""

    visit: Visit | None
    col: int

    @property
    def key(self) -> str:
        return self.visit.id if self.visit is not None else "unscheduled"

    @property
    def heading(self) -> str:
        return self.visit.name if self.visit is not None else "Unscheduled"


@frozen
class FormSheet:
    """A non-repeating form: one row per item, one entry column per visit it is scheduled at."""

    form: Form
    title: str
    columns: tuple[Column, ...]
    item_rows: Mapping[str, int]

    @property
    def last_row(self) -> int:
        return FORM_FIRST_ITEM_ROW + len(self.form.items) - 1

    @property
    def last_col(self) -> int:
        return self.columns[-1].col

    def column(self, visit_id: str) -> Column | None:
        return next((c for c in self.columns if c.visit is not None and c.visit.id == visit_id), None)


@frozen
class LogSheet:
    """A repeating (log) form: one column per item, one row per record."""

    form: Form
    title: str
    item_cols: Mapping[str, int]
    rows: int

    @property
    def last_row(self) -> int:
        return LOG_FIRST_RECORD_ROW + self.rows - 1

    @property
    def last_col(self) -> int:
        return LOG_FIRST_ITEM_COL + len(self.form.items) - 1


@frozen
class DerivedCell:
    """Where a derivation is computed: at a visit (``visit`` id) or over the study (:data:`STUDY`)."""

    derivation: Derivation
    visit: str
    row: int
    col: int


@frozen
class DerivedSheet:
    """The sheet of derived values: one row per derivation, one column per visit (and the study)."""

    title: str
    columns: tuple[tuple[str, str, int], ...]  # (key, heading, col)
    rows: Mapping[str, int]
    cells: tuple[DerivedCell, ...]


@frozen
class EligibilitySheet:
    """The eligibility checklist: inclusion criteria first, then exclusion criteria."""

    title: str
    rows: tuple[tuple[str, int], ...]  # (criterion id, row)
    inclusion_rows: tuple[int, ...]
    exclusion_rows: tuple[int, ...]

    @property
    def result_row(self) -> int:
        return (self.rows[-1][1] if self.rows else ELIG_FIRST_ROW) + 2


@frozen
class Layout:
    """Every sheet of the workbook and where its cells are."""

    protocol: Protocol
    participant_id: str | None
    cover: str
    schedule: str
    codes: str
    meta: str
    eligibility: EligibilitySheet | None
    forms: tuple[FormSheet | LogSheet, ...]
    derived: DerivedSheet | None
    _index: dict[str, FormSheet | LogSheet] = field(factory=dict, eq=False, repr=False)
    _form_of: dict[str, str] = field(factory=dict, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        self._index.update({s.form.id: s for s in self.forms})
        self._form_of.update({name: form.id for name, (form, _) in self.protocol.dictionary.items().items()})

    def sheet_of(self, form_id: str) -> FormSheet | LogSheet | None:
        return self._index.get(form_id)

    def item_cell(self, name: str, visit_id: str) -> tuple[str, int, int] | None:
        """``(title, row, col)`` of a non-repeating item or a derived value at a visit."""
        form_id = self._form_of.get(name)
        if form_id is not None:
            sheet = self._index.get(form_id)
            if isinstance(sheet, FormSheet):
                column = sheet.column(visit_id)
                if column is not None:
                    return sheet.title, sheet.item_rows[name], column.col
            return None
        if self.derived is not None:
            for cell in self.derived.cells:
                if cell.derivation.id == name and cell.visit == visit_id:
                    return self.derived.title, cell.row, cell.col
        return None

    def entry_ranges(self) -> Iterator[tuple[str, int, int, int, int]]:
        """``(title, min_row, min_col, max_row, max_col)`` of every block of entry cells."""
        yield self.cover, COVER_PARTICIPANT_ROW, COVER_ENTRY_COL, COVER_ANCHOR_ROW, COVER_ENTRY_COL
        if self.eligibility is not None and self.eligibility.rows:
            first, last = self.eligibility.rows[0][1], self.eligibility.rows[-1][1]
            yield self.eligibility.title, first, ELIG_ANSWER_COL, last, ELIG_ANSWER_COL
        for sheet in self.forms:
            if isinstance(sheet, FormSheet):
                yield sheet.title, FORM_DATE_ROW, FORM_FIRST_VISIT_COL, sheet.last_row, sheet.last_col
            else:
                yield sheet.title, LOG_FIRST_RECORD_ROW, LOG_FIRST_ITEM_COL, sheet.last_row, sheet.last_col


def visits_of(schedule: Schedule, form_id: str) -> tuple[Visit, ...]:
    """The visits at which a form is collected, in schedule order."""
    return tuple(v for v in schedule.visits if form_id in v.forms)


def dependencies(derivation: Derivation, log_forms: frozenset[str]) -> tuple[str, ...]:
    """What a derivation reads, as the workbook places it: :func:`planner.derive.inputs`, a log form as ``form.*``.

    Items inside a log form are left out: the count reads the whole form.
    """
    return tuple(dict.fromkeys(f"{n}.*" if n in log_forms else n for n in inputs(derivation) if "." not in n))


def plan(protocol: Protocol, *, participant_id: str | None = None, log_rows: int = 20) -> Layout:
    """The layout of the CRF workbook of ``protocol``."""
    titles = TitleBook()
    cover, schedule = titles.take("Cover"), titles.take("Schedule of activities")
    eligibility = _eligibility(protocol, titles.take("Eligibility")) if protocol.eligibility else None
    sheets: list[FormSheet | LogSheet] = []
    for form in protocol.dictionary.forms:
        title = titles.take(form.name)
        if form.repeating:
            cols = {it.name: LOG_FIRST_ITEM_COL + i for i, it in enumerate(form.items)}
            sheets.append(LogSheet(form, title, cols, log_rows))
        else:
            visits = visits_of(protocol.schedule, form.id)
            columns = tuple(Column(v, FORM_FIRST_VISIT_COL + i) for i, v in enumerate(visits)) or (
                Column(None, FORM_FIRST_VISIT_COL),)
            rows = {it.name: FORM_FIRST_ITEM_ROW + i for i, it in enumerate(form.items)}
            sheets.append(FormSheet(form, title, columns, rows))
    derived_title = titles.take("Derived values") if protocol.derivations else ""
    codes, meta = titles.take("Codes"), titles.take("_meta")
    layout = Layout(protocol, participant_id, cover, schedule, codes, meta, eligibility, tuple(sheets), None)
    if not protocol.derivations:
        return layout
    return Layout(protocol, participant_id, cover, schedule, codes, meta, eligibility, tuple(sheets),
                  _derived(protocol, layout, derived_title))


def _eligibility(protocol: Protocol, title: str) -> EligibilitySheet:
    ordered = [c for c in protocol.eligibility if c.category is Category.INCLUSION] + [
        c for c in protocol.eligibility if c.category is Category.EXCLUSION]
    rows = tuple((c.id, ELIG_FIRST_ROW + i) for i, c in enumerate(ordered))
    inclusion = tuple(r for (cid, r), c in zip(rows, ordered, strict=True) if c.category is Category.INCLUSION)
    exclusion = tuple(r for (cid, r), c in zip(rows, ordered, strict=True) if c.category is Category.EXCLUSION)
    return EligibilitySheet(title, rows, inclusion, exclusion)


def _derived(protocol: Protocol, layout: Layout, title: str) -> DerivedSheet:
    """Place each derivation at every visit where all it reads is collected (or over the study)."""
    rows = {d.id: DERIVED_FIRST_ROW + i for i, d in enumerate(protocol.derivations)}
    placed: dict[tuple[str, str], bool] = {}
    wanted: list[tuple[Derivation, str]] = []
    logs = frozenset(f.id for f in protocol.dictionary.forms if f.repeating)
    for derivation in protocol.derivations:
        deps = dependencies(derivation, logs)
        if over_the_study(derivation, logs):
            wanted.append((derivation, STUDY))
            continue
        for visit in protocol.schedule.visits:
            ok = bool(deps) and all(
                layout.item_cell(d, visit.id) is not None or placed.get((d, visit.id), False) for d in deps)
            if ok:
                placed[(derivation.id, visit.id)] = True
                wanted.append((derivation, visit.id))
    keys = [v.id for v in protocol.schedule.visits if any(k == v.id for _, k in wanted)]
    headings = {v.id: v.name for v in protocol.schedule.visits}
    if any(k == STUDY for _, k in wanted):
        keys.append(STUDY)
        headings[STUDY] = "Whole study"
    col_of = {k: DERIVED_FIRST_COL + i for i, k in enumerate(keys)}
    cells = tuple(DerivedCell(d, k, rows[d.id], col_of[k]) for d, k in wanted)
    columns = tuple((k, headings[k], col_of[k]) for k in keys)
    return DerivedSheet(title, columns, rows, cells)
