"""Typed participants from raw rows (CSV, XLSX) or JSON records, with every problem located.

Every cell is either converted to its item's type or reported; a column,
key or value that cannot be placed is reported, never skipped. Only wholly
blank rows are passed over, since they hold nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Literal

from planner.participants.cells import CellError, convert, is_blank, number_text
from planner.participants.layout import (
    ARM,
    NONE_WORDS,
    PARTICIPANT,
    VISIT,
    Column,
    FormColumn,
    HeaderError,
    ItemColumn,
    KeyColumn,
    Layout,
    NoteColumn,
)
from planner.participants.records import InputError, InputProblem, LogRecord, Participant, Sheet, Value
from planner.participants.sources import JsonObject, RawTable, column_letter


class _Builder:
    """Collects participants and problems for one file."""

    def __init__(self, layout: Layout, source: str, unit: Literal["row", "record"]) -> None:
        self.layout = layout
        self.source = source
        self.unit: Literal["row", "record"] = unit
        self.problems: list[InputProblem] = []
        self.participants: list[Participant] = []
        self.seen: dict[tuple[str, str | None], int] = {}
        self.items: set[str] = set()
        self.notes: list[str] = []
        self.note_headers: list[str] = []

    def problem(self, row: int | None, column: str | None, message: str) -> None:
        self.problems.append(InputProblem(self.source, row, column, message, self.unit))

    def convert(self, row: int, column: str, spec: ItemColumn, raw: object) -> Value | None:
        try:
            return convert(raw, spec.item, self.layout.codelist(spec.item), spec.factor)
        except CellError as exc:
            self.problem(row, column, str(exc))
            return None

    def key(self, row: int, column: str, name: str, raw: object) -> str | None:
        """A key cell as text, checked against the protocol's visits and arms."""
        if is_blank(raw):
            if name in self.layout.required:
                self.problem(row, column, f"{name} is empty: every row needs one")
            return None
        if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
            self.problem(row, column, f"expected a {name} id, got {raw!r}")
            return None
        text = raw.strip() if isinstance(raw, str) else number_text(raw)
        known = self.layout.visits if name == VISIT else self.layout.arms if name == ARM else None
        if known is not None and text not in known:
            close = difflib.get_close_matches(text, sorted(known), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.problem(row, column, f"unknown {name} {text!r} (the protocol's {name}s: {', '.join(sorted(known))})"
                         f"{hint}")
            return None
        return text

    def add(self, p: Participant, column: str) -> None:
        """Keep ``p``, reporting a second row for the same participant (and visit).

        A row whose visit could not be read is already a problem; it is not
        compared with the others.
        """
        if self.layout.kind == "observations" and p.visit is None:
            return
        key = (p.id, p.visit)
        first = self.seen.setdefault(key, p.row)
        if first != p.row:
            self.duplicate(p.id, p.visit, first, p.row, column)
        self.participants.append(p)

    def duplicate(self, pid: str, visit: str | None, first: int, row: int, column: str) -> None:
        """Report ``row`` as a second row for participant ``pid`` (and ``visit``), first given at ``first``."""
        at = f" at visit {visit!r}" if visit is not None else ""
        self.problem(row, column, f"participant {pid!r}{at} appears twice ({self.unit}s {first} and {row}): "
                                  "give one row per participant" + (" and visit" if at else ""))

    def sheet(self) -> Sheet:
        if self.problems:
            raise InputError(self.problems)
        kind = self.layout.kind
        return Sheet(self.source, kind, tuple(self.participants), frozenset(self.items), tuple(self.notes), self.unit)


def from_table(layout: Layout, source: str, table: RawTable) -> Sheet:
    """Participants from the rows of a CSV or XLSX sheet; raises :class:`InputError` listing every problem."""
    b = _Builder(layout, source, "row")
    columns = _columns(b, table.header)
    for n, cells in table.rows:
        if all(is_blank(c) for c in cells):
            continue
        for j in range(len(columns), len(cells)):
            if not is_blank(cells[j]):
                b.problem(n, column_letter(j), "a value in a column without a header: name the column or clear it")
        _row(b, n, [(h, col, cells[j] if j < len(cells) else None) for j, (h, col) in enumerate(columns)
                    if col is not None])
    return b.sheet()


def _columns(b: _Builder, header: Iterable[object]) -> list[tuple[str, Column | None]]:
    """Each header resolved; problems for unknown, repeated and missing columns."""
    out: list[tuple[str, Column | None]] = []
    seen: dict[object, str] = {}
    cells = list(header)
    while cells and is_blank(cells[-1]):
        cells.pop()
    for j, raw in enumerate(cells):
        text = "" if raw is None else (raw if isinstance(raw, str) else number_text(raw) if isinstance(
            raw, (int, float)) else str(raw)).strip()
        if not text:
            b.problem(1, column_letter(j), "a column without a header: name it, or start it with '#' for notes")
            out.append((column_letter(j), None))
            continue
        try:
            col = b.layout.column(text)
        except HeaderError as exc:
            b.problem(1, text, str(exc))
            out.append((text, None))
            continue
        ident = _identity(col)
        if ident in seen:
            b.problem(1, text, f"the same data as column {seen[ident]!r}: give each item once")
            out.append((text, None))
            continue
        seen[ident] = text
        _note_items(b, col)
        out.append((text, col))
    given = {c.name for _, c in out if isinstance(c, KeyColumn)}
    for name in b.layout.required:
        if name not in given:
            b.problem(1, None, f"no {name!r} column: the first row must name the columns, including {name!r}")
    return out


def _identity(col: Column) -> object:
    if isinstance(col, ItemColumn):
        return ("item", col.form.id, col.item.name, col.index)
    if isinstance(col, FormColumn):
        return ("form", col.form.id)
    if isinstance(col, KeyColumn):
        return ("key", col.name)
    return ("note", col.header)


def _note_items(b: _Builder, col: Column) -> None:
    if isinstance(col, ItemColumn):
        b.items.add(col.rule_name)
        if col.index is not None:
            b.items.add(col.form.id)
    elif isinstance(col, FormColumn):
        b.items.add(col.form.id)
    elif isinstance(col, NoteColumn) and col.header not in b.note_headers:
        b.note_headers.append(col.header)
        b.notes.append(f"{col.header!r} is a note (it starts with '#'): not read")


def _row(b: _Builder, n: int, cells: list[tuple[str, Column, object]]) -> None:
    keys: dict[str, str | None] = {}
    key_column = PARTICIPANT
    values: dict[str, Value | None] = {}
    records: dict[str, dict[int, dict[str, Value | None]]] = {}
    said_none: dict[str, str] = {}
    for header, col, raw in cells:
        if isinstance(col, KeyColumn):
            keys[col.name] = b.key(n, header, col.name, raw)
            if col.name == PARTICIPANT:
                key_column = header
        elif isinstance(col, ItemColumn) and col.index is None:
            values[col.item.name] = b.convert(n, header, col, raw)
        elif isinstance(col, ItemColumn):
            records.setdefault(col.form.id, {})
            if not is_blank(raw):
                rec = records[col.form.id].setdefault(col.index or 0, {})
                rec[col.item.name] = b.convert(n, header, col, raw)
        elif isinstance(col, FormColumn):
            records.setdefault(col.form.id, {})
            if not is_blank(raw):
                if says_none(raw):
                    said_none[col.form.id] = header
                else:
                    b.problem(n, header, not_none_message(col, raw))
    logs: dict[str, tuple[LogRecord, ...] | None] = {}
    for form_id, by_index in records.items():
        form = b.layout.logs[form_id]
        if form_id in said_none and by_index:
            b.problem(n, said_none[form_id], none_with_records_message(form_id, len(by_index)))
        full = [{it.name: rec.get(it.name) for it in form.items} for _, rec in sorted(by_index.items())]
        logs[form_id] = tuple(full) if full else (() if form_id in said_none else None)
    pid = keys.get(PARTICIPANT)
    if pid is not None:
        b.add(Participant(pid, n, values, logs, keys.get(VISIT), keys.get(ARM)), key_column)


def says_none(raw: object) -> bool:
    """Whether a cell of a log form's own column says the participant has no records of it."""
    return isinstance(raw, str) and raw.strip().lower() in NONE_WORDS


def not_none_message(col: FormColumn, raw: object) -> str:
    """What to write in a log form's own column instead of ``raw``."""
    return f"write 'none' when there are no {col.form.id} records, or leave it blank; got {raw!r}"


def none_with_records_message(form_id: str, count: int) -> str:
    """A log form's own column says 'none' while the row gives ``count`` records of it."""
    return f"says 'none' but the row gives {count} {form_id} record(s)"


def from_json(layout: Layout, source: str, records: list[object]) -> Sheet:
    """Participants from JSON records; raises :class:`InputError` listing every problem."""
    return from_numbered(layout, source, enumerate(records, 1))


def from_numbered(layout: Layout, source: str, records: Iterable[tuple[int, object]]) -> Sheet:
    """Participants from JSON objects, each with the number messages give it (its record or its line)."""
    b = _Builder(layout, source, "record")
    for n, obj in records:
        if not isinstance(obj, dict):
            b.problem(n, None, "expected an object such as {\"participant\": \"P01\", ...}")
            continue
        _duplicates(b, n, "", obj)
        _record(b, n, obj)
    return b.sheet()


def _duplicates(b: _Builder, n: int, prefix: str, obj: dict[str, object]) -> None:
    for key in obj.duplicates if isinstance(obj, JsonObject) else ():
        b.problem(n, prefix + key, "given more than once in the same object: keep one")


def _record(b: _Builder, n: int, obj: dict[str, object]) -> None:
    keys: dict[str, str | None] = {}
    values: dict[str, Value | None] = {}
    logs: dict[str, tuple[LogRecord, ...] | None] = {}
    for key, raw in obj.items():
        try:
            col = b.layout.column(key, indexed=False)
        except HeaderError as exc:
            b.problem(n, key, str(exc))
            continue
        _note_items(b, col)
        if isinstance(col, KeyColumn):
            keys[col.name] = b.key(n, key, col.name, raw)
        elif isinstance(col, ItemColumn):
            values[col.item.name] = b.convert(n, key, col, raw)
        elif isinstance(col, FormColumn):
            logs[col.form.id] = _log(b, n, key, col, raw)
    for name in b.layout.required:
        if name not in obj:
            b.problem(n, None, f"no {name!r} key: every record needs one")
    pid = keys.get(PARTICIPANT)
    if pid is not None:
        b.add(Participant(pid, n, values, logs, keys.get(VISIT), keys.get(ARM)), PARTICIPANT)


def _log(b: _Builder, n: int, key: str, col: FormColumn, raw: object) -> tuple[LogRecord, ...] | None:
    """A JSON log: a list of objects (``[]`` for none) or ``null`` for not recorded."""
    if raw is None:
        return None
    if not isinstance(raw, list):
        b.problem(n, key, f"expected a list of {col.form.id} records ([] when there are none), got {raw!r}")
        return None
    out: list[LogRecord] = []
    for i, rec in enumerate(raw, 1):
        path = f"{key}[{i}]"
        if not isinstance(rec, dict):
            b.problem(n, path, f"expected an object with {col.form.id} items, got {rec!r}")
            continue
        _duplicates(b, n, path + ".", rec)
        converted: dict[str, Value | None] = {it.name: None for it in col.form.items}
        for item_key, value in rec.items():
            try:
                spec = b.layout.log_column(col.form, item_key)
            except HeaderError as exc:
                b.problem(n, f"{path}.{item_key}", str(exc))
                continue
            b.items.add(spec.rule_name)
            converted[spec.item.name] = b.convert(n, f"{path}.{item_key}", spec, value)
        out.append(converted)
    return tuple(out)
