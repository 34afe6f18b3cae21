"""Screening on DuckDB: the file read, checked and typed by DuckDB, the criteria run as one SQL query.

The same facts as :func:`planner.participants.screening.screen`, for files of
millions of rows:

1. **Reading.** CSV and Parquet are read by DuckDB itself, every CSV cell as
   text (``all_varchar``), so that nothing is guessed. JSON and XLSX go
   through the reference readers (:mod:`planner.participants.readers`) and
   their typed participants are loaded as a table: DuckDB's JSON reader keeps
   only the last of a key given twice, a problem the reference reports. A CSV
   DuckDB cannot read as a plain table (a quote left open, a stray cell past
   the header, a blank line that would shift the row numbers) is read by the
   reference reader too, so every problem keeps its wording.
2. **Checking and typing.** Headers are resolved by the one
   :class:`~planner.participants.layout.Layout`; each *distinct* raw value
   of a column is converted once by the one cell converter
   (:func:`planner.participants.cells.convert`) and joined back as a typed
   column; the rows of a refused value, blank keys and repeated participants
   are found in SQL and reported one line each, as the reference words them.
3. **Deciding.** Criteria the SQL backend can write
   (:class:`planner.expr.sql.SqlCompiler`) are columns of the query; the
   others (counts over repeated records, derived scores) are answered by the
   reference once per distinct combination of the columns they read (the
   *profile*), joined back in SQL. The verdict is computed in SQL from the
   criteria's truths.
4. **Explaining.** Each criterion's explanation (``because``, missing items)
   is the reference's, once per profile, shared by the candidates that have it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

from attrs import frozen
from sqlglot import exp

from planner.expr.sql.compile import SqlCompiler, Unexpressible
from planner.expr.sql.engine import COLUMN_TYPES
from planner.expr.sql.query import render
from planner.model import Criterion, DataType, Item, Protocol
from planner.participants.build import (
    _Builder,
    _columns,
    none_with_records_message,
    not_none_message,
    says_none,
)
from planner.participants.cells import CellError, convert, is_blank
from planner.participants.layout import PARTICIPANT, FormColumn, ItemColumn, KeyColumn, Layout, NoteColumn
from planner.participants.readers import Format, detect_format, read
from planner.participants.records import InputError, InputProblem, Participant, Sheet
from planner.participants.screening import (
    CriterionResult,
    Screener,
    Screening,
    ScreeningReport,
    Status,
    Verdict,
    _absent,
)
from planner.participants.sources import _DELIMITERS
from planner.participants.sqlscreen import criterion_code, log_columns

if TYPE_CHECKING:
    import duckdb

Engine = Literal["duckdb", "python"]
ENGINES: tuple[Engine, ...] = ("duckdb", "python")

ROW, PID = "__row", "__participant"
"""The table's key columns: the row (or record) number, and the participant id."""

_STATUS = (Status.PASSED, Status.FAILED, Status.UNKNOWN)
"""A criterion's status code in the query: 0 passed, 1 failed (deciding), 2 unknown."""


def connect() -> duckdb.DuckDBPyConnection:
    import duckdb

    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    return con


def _ident(name: str) -> exp.Identifier:
    return exp.to_identifier(name, quoted=True)


def _col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


# -- the typed table -------------------------------------------------------------------------------------------


@frozen
class Table:
    """Candidates as a typed DuckDB table ``candidates``: key columns, and one column per item column of the file.

    ``items`` are the typed columns (their names as the file's headers resolve
    them: ``age``, ``prior_therapy[2].failed``, ``prior_therapy`` for a log
    form's own column, a ``BOOLEAN`` that says "none"); ``logs`` gives, per log
    form, its record numbers in the file; ``sheet`` holds the source, notes,
    items and unit as the reference reader gives them (with no participants).
    """

    connection: Any
    columns: Mapping[str, Item]
    logs: Mapping[str, tuple[int, ...]]
    sheet: Sheet
    log_items: Mapping[str, tuple[str, ...]] = {}


def _item_column(col: ItemColumn) -> str:
    return col.item.name if col.index is None else f"{col.form.id}[{col.index}].{col.item.name}"


def load(protocol: Protocol, data: bytes, source: str, fmt: Format | Literal["parquet"] | None = None,
         connection: duckdb.DuckDBPyConnection | None = None) -> Table:
    """Candidates from a file's bytes as a typed table; :class:`InputError` lists every problem, as the reference does."""
    if fmt is None and (source.lower().endswith(".parquet") or data.startswith(b"PAR1")):
        fmt = "parquet"
    fmt = fmt or detect_format(source, data)
    con = connection if connection is not None else connect()
    if fmt in ("csv", "parquet", "jsonl") and (fmt != "csv" or not _needs_reference(data)):
        import os
        import tempfile

        fd, path = tempfile.mkstemp(suffix=f".{fmt}")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            table = _load_json_lines(protocol, path, source, con) if fmt == "jsonl" else _in_place(
                protocol, path, source, fmt, con)  # type: ignore[arg-type]
        finally:
            os.unlink(path)
        if table is not None:
            return table
    return from_sheet(protocol, read(protocol, data, source, "candidates", fmt if fmt != "parquet" else None), con)


def load_path(protocol: Protocol, path: str, source: str,
              connection: duckdb.DuckDBPyConnection | None = None) -> Table:
    """Candidates from a file on disk: CSV and Parquet read by DuckDB in place, the others through :func:`load`."""
    fmt: Literal["csv", "parquet"] | None = (
        "parquet" if path.lower().endswith(".parquet") else "csv" if path.lower().endswith(".csv") else None)
    con = connection if connection is not None else connect()
    if fmt is not None and (fmt == "parquet" or not _needs_reference_file(path)):
        table = _in_place(protocol, path, source, fmt, con)
        if table is not None:
            return table
    if detect_format(path) == "jsonl":
        table = _load_json_lines(protocol, path, source, con)
        if table is not None:
            return table
        with open(path, "rb") as f:
            return from_sheet(protocol, read(protocol, f.read(), source, "candidates", "jsonl"), con)
    with open(path, "rb") as f:
        return load(protocol, f.read(), source, None if fmt is None else "csv", con)


def _load_json_lines(protocol: Protocol, path: str, source: str, con: duckdb.DuckDBPyConnection) -> Table | None:
    from planner.participants.duck_json import load_json_lines

    return load_json_lines(protocol, path, source, con)


class _NotPlain(ValueError):
    """A CSV that DuckDB would read differently from the reference (left to the reference)."""


def _needs_reference(data: bytes) -> bool:
    """A blank line (the reference counts it as a row, DuckDB skips it), a carriage return alone, or no rows."""
    body = data.replace(b"\r\n", b"\n").rstrip(b"\n")
    return b"\n\n" in body or b"\r" in body or b"\n" not in body


def _needs_reference_file(path: str) -> bool:
    tail = b""
    with open(path, "rb") as f:
        head = f.read(1 << 16)
        if _needs_reference(head) and len(head) < (1 << 16):
            return True
        chunk = head
        while chunk:
            text = (tail + chunk).replace(b"\r\n", b"\n")
            if b"\n\n" in text.rstrip(b"\n") or b"\r" in text.rstrip(b"\r"):
                return True
            tail = chunk[-2:]
            chunk = f.read(1 << 22)
    return False


def _delimiter(data: bytes) -> str:
    first = data.split(b"\n", 1)[0].decode("utf-8-sig")
    return max(_DELIMITERS, key=first.count) if any(d in first for d in _DELIMITERS) else ","


def _csv_header(data: bytes, delimiter: str) -> list[str]:
    first = data.split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
    if '"' in first:
        raise _NotPlain(first)
    return next(csv.reader(io.StringIO(first), delimiter=delimiter, strict=True), [])


def _in_place(protocol: Protocol, path: str, source: str, fmt: Literal["csv", "parquet"],
              con: duckdb.DuckDBPyConnection) -> Table | None:
    """The file read by DuckDB as table ``raw`` and typed; ``None`` for a CSV the reference must read."""
    import duckdb

    if fmt == "parquet":
        con.execute("CREATE OR REPLACE TEMP TABLE raw0 AS SELECT * FROM read_parquet(?)", [path])
        names = [r[0] for r in con.execute("DESCRIBE raw0").fetchall()]
        select = ", ".join(f"{_q(n)} AS c{j}" for j, n in enumerate(names))
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw AS SELECT row_number() OVER () + 1 AS {ROW}, {select} FROM raw0")
        con.execute("DROP TABLE raw0")
        return _typed(protocol, con, source, names, "row")
    with open(path, "rb") as f:
        first = f.read(1 << 16)
    try:
        delimiter = _delimiter(first)
        header = _csv_header(first, delimiter)
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw AS SELECT row_number() OVER () + 1 AS {ROW}, * FROM "
                    "read_csv(?, header=true, all_varchar=true, delim=?, quote='\"', escape='\"', "
                    "strict_mode=true, null_padding=false, auto_detect=false, columns=?)",
                    [path, delimiter, {f"c{j}": "VARCHAR" for j in range(len(header))}])
    except (duckdb.Error, csv.Error, UnicodeDecodeError, _NotPlain):
        return None  # the reference reader says what is wrong, or reads what DuckDB would not
    return _typed(protocol, con, source, header, "row")


def _typed(protocol: Protocol, con: duckdb.DuckDBPyConnection, source: str, header: Sequence[object],
           unit: Literal["row", "record"], decode: Callable[[object], object] | None = None) -> Table:
    """The raw table ``raw`` (columns ``c0``…, all text or Parquet types) checked and typed as ``candidates``.

    ``decode`` turns a raw cell into the value the reference reader would
    give the converter (JSON text into its Python value).
    """
    layout = Layout(protocol, "candidates")
    b = _Builder(layout, source, unit)
    columns = _columns(b, header)
    header_problems = list(b.problems)
    raw_cols = [f"c{j}" for j in range(len(header))]
    blank_row = " AND ".join(_blank_sql(c) for c in raw_cols) or "false"
    con.execute(f"CREATE OR REPLACE TEMP TABLE rows AS SELECT * FROM raw WHERE NOT ({blank_row})")
    con.execute("DROP TABLE raw")
    found: list[tuple[int, int, int, InputProblem]] = []  # (row, phase, column, problem) in the reference's order

    def problem(row: int, j: int, header_text: str, message: str, phase: int = 0) -> None:
        found.append((row, phase, j, InputProblem(source, row, header_text, message, unit)))

    typed: dict[str, tuple[Item, str, int]] = {}  # column name → item, raw column, position
    forms: dict[str, list[tuple[int, str]]] = {}  # log form → (index, column name) of its item columns
    none_cols: dict[str, tuple[str, int, str]] = {}
    key: tuple[str, int, str] | None = None
    for j, (text, col) in enumerate(columns):
        if col is None or isinstance(col, NoteColumn) or j >= len(raw_cols):
            continue
        if isinstance(col, KeyColumn):
            if col.name == PARTICIPANT:
                key = (raw_cols[j], j, text)
            continue
        if isinstance(col, FormColumn):
            none_cols[col.form.id] = (raw_cols[j], j, text)
            def check(raw: object, col: FormColumn = col) -> str | None:
                return None if is_blank(raw) or says_none(raw) else not_none_message(col, raw)

            for value, rows in _refused(con, raw_cols[j], check):
                for r in rows:
                    problem(r, j, text, value)
            continue
        name = _item_column(col)
        typed[name] = (col.item, raw_cols[j], j)
        if col.index is not None:
            forms.setdefault(col.form.id, []).append((col.index, name))
        _convert_column(con, layout, col, raw_cols[j], name, lambda r, m, j=j, t=text: problem(r, j, t, m),
                        decode)
    if key is not None:
        c, j, text = key
        for (r,) in con.execute(f"SELECT {ROW} FROM rows WHERE {_blank_sql(c)} ORDER BY {ROW}").fetchall():
            problem(r, j, text, "participant is empty: every row needs one")
        for r, pid, first in con.execute(
                f"SELECT {ROW}, p, first FROM (SELECT {ROW}, {_trim(c)} AS p, min({ROW}) OVER (PARTITION BY {_trim(c)}) "
                f"AS first FROM rows WHERE NOT {_blank_sql(c)}) WHERE {ROW} <> first ORDER BY {ROW}").fetchall():
            b.problems.clear()
            b.duplicate(pid, None, first, r, text)
            found.append((r, 3, 0, b.problems[0]))
        b.problems.clear()
    # the typed table: keys, every typed column, and each log form's "none"
    selects = [f"rows.{ROW}", f"{_trim(key[0])} AS {PID}" if key else f"NULL AS {PID}"]
    joins = []
    for name, (_, c, _) in typed.items():
        m = _map_name(c)
        selects.append(f'{m}.value AS "{name}"')
        joins.append(f"LEFT JOIN {m} ON rows.{c} IS NOT DISTINCT FROM {m}.raw")
    for form_id, (c, _, _) in none_cols.items():
        selects.append(f"CASE WHEN {_blank_sql(c)} THEN NULL ELSE true END AS \"{form_id}\"")
    con.execute(f"CREATE OR REPLACE TEMP TABLE candidates AS SELECT {', '.join(selects)} FROM rows "
                f"{' '.join(joins)} ORDER BY rows.{ROW}")
    # "none" with records, now the records are typed
    for form_id, (_, j, text) in none_cols.items():
        if form_id not in forms:
            continue
        n_records = _record_count_sql(form_id, forms[form_id])
        for r, n in con.execute(f"SELECT {ROW}, {n_records} AS n FROM candidates WHERE \"{form_id}\" AND "
                                f"{n_records} > 0 ORDER BY {ROW}").fetchall():
            problem(r, j, text, none_with_records_message(form_id, n), 2)
    problems = header_problems + [p for *_, p in sorted(found, key=lambda t: t[:3])]
    con.execute("DROP TABLE rows")
    for c in {c for _, c, _ in typed.values()}:
        con.execute(f"DROP TABLE IF EXISTS {_map_name(c)}")
    if problems:
        raise InputError(problems)
    columns_out = {name: item for name, (item, _, _) in typed.items()}
    for form_id in none_cols:
        columns_out[form_id] = Item(form_id, form_id, DataType.BOOLEAN)
    logs = {f: tuple(sorted({i for i, _ in cols})) for f, cols in forms.items()}
    for form_id in none_cols:
        logs.setdefault(form_id, ())
    sheet = Sheet(source, "candidates", (), frozenset(b.items), tuple(b.notes), unit)
    return Table(con, columns_out, logs, sheet, _log_items(layout, logs))


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in name)


def _map_name(raw_col: str) -> str:
    return f"_map_{raw_col}"


def _trim(c: str) -> str:
    """``c`` as text without the white space Python's ``str.strip`` removes (the ASCII kinds)."""
    return f"trim(CAST({c} AS VARCHAR), ' \t\n\r\x0b\x0c')"


def _blank_sql(c: str) -> str:
    return f"({c} IS NULL OR {_trim(c)} = '')"


def _record_count_sql(form_id: str, cols: Sequence[tuple[int, str]]) -> str:
    by_index: dict[int, list[str]] = {}
    for i, n in cols:
        by_index.setdefault(i, []).append(f'"{n}" IS NOT NULL')
    return " + ".join(f"CAST(({' OR '.join(v)}) AS INTEGER)" for _, v in sorted(by_index.items())) or "0"


def _refused(con: duckdb.DuckDBPyConnection, c: str, check: Any) -> Iterator[tuple[str, list[int]]]:
    """``(message, rows)`` for each distinct value of raw column ``c`` that ``check`` refuses."""
    for (raw,) in con.execute(f"SELECT DISTINCT {c} FROM rows").fetchall():
        message = check(raw)
        if message is not None:
            rows = [r for (r,) in con.execute(f"SELECT {ROW} FROM rows WHERE {c} IS NOT DISTINCT FROM ? ORDER BY {ROW}",
                                              [raw]).fetchall()]
            yield message, rows


def _convert_column(con: duckdb.DuckDBPyConnection, layout: Layout, col: ItemColumn, c: str, name: str,
                    problem: Any, decode: Callable[[object], object] | None = None) -> None:
    """Each distinct value of raw column ``c`` converted once by the reference converter, as table ``_map_c``."""
    codelist = layout.codelist(col.item)
    raws, values = [], []
    for (raw,) in con.execute(f"SELECT DISTINCT {c} FROM rows").fetchall():
        try:
            value = convert(raw if decode is None else decode(raw), col.item, codelist, col.factor)
        except CellError as err:
            for (r,) in con.execute(f"SELECT {ROW} FROM rows WHERE {c} IS NOT DISTINCT FROM ? ORDER BY {ROW}",
                                    [raw]).fetchall():
                problem(r, str(err))
            continue
        if isinstance(value, int) and col.item.type is DataType.DECIMAL:
            value = float(value)
        raws.append(raw)
        values.append(value)
    raw_type = con.execute(f"SELECT typeof({c}) FROM rows LIMIT 1").fetchone()
    raw_sql = raw_type[0] if raw_type else "VARCHAR"
    con.execute(f"CREATE OR REPLACE TEMP TABLE {_map_name(c)} AS SELECT UNNEST(CAST(? AS {raw_sql}[])) AS raw, "
                f"UNNEST(CAST(? AS {COLUMN_TYPES[col.item.type]}[])) AS value", [raws, values])


def from_sheet(protocol: Protocol, sheet: Sheet, connection: duckdb.DuckDBPyConnection | None = None) -> Table:
    """Participants already read (JSON, XLSX, or a CSV the reference reads) loaded as the typed table."""
    con = connection if connection is not None else connect()
    layout = Layout(protocol, "candidates")
    columns: dict[str, Item] = {}
    logs: dict[str, set[int]] = {}
    for p in sheet.participants:
        for n in p.values:
            if n in layout.items:
                columns.setdefault(n, layout.items[n][1])
        for form_id, records in p.logs.items():
            form = layout.logs[form_id]
            logs.setdefault(form_id, set())
            for i, rec in enumerate(records or (), 1):
                logs[form_id].add(i)
                for it in form.items:
                    columns.setdefault(f"{form_id}[{i}].{it.name}", it)
                if all(v is None for v in rec.values()):  # a record with no values: there all the same
                    columns.setdefault(f"{form_id}[{i}].{RECORD}", Item("record_given", "record given", DataType.BOOLEAN))
    for form_id in logs:
        columns[form_id] = Item(form_id, form_id, DataType.BOOLEAN)
    names = list(columns)
    types = ["BIGINT", "VARCHAR", *(COLUMN_TYPES[columns[n].type] for n in names)]
    cells: list[list[Any]] = [[p.row for p in sheet.participants], [p.id for p in sheet.participants]]
    for n in names:
        cells.append([_cell(p, n, columns[n]) for p in sheet.participants])
    select = ", ".join(f'UNNEST(CAST(? AS {t}[])) AS "{n}"' for t, n in zip(types, [ROW, PID, *names], strict=True))
    con.execute(f"CREATE OR REPLACE TEMP TABLE candidates AS SELECT {select}", cells)
    bare = Sheet(sheet.source, sheet.kind, (), sheet.items, sheet.notes, sheet.unit)
    return Table(con, columns, {f: tuple(sorted(v)) for f, v in logs.items()}, bare, _log_items(layout, logs))


def _log_items(layout: Layout, logs: Mapping[str, object]) -> dict[str, tuple[str, ...]]:
    return {f: tuple(it.name for it in layout.logs[f].items) for f in logs}


def _cell(p: Participant, name: str, item: Item) -> Any:
    if name.endswith(f"].{RECORD}"):  # true when the record is there, even with no values
        form_id, rest = name.split("[", 1)
        return True if int(rest.split("]", 1)[0]) <= len(p.logs.get(form_id) or ()) else None
    if "[" not in name:
        if name in p.logs:  # a log form's own column: "none" is true, not recorded is NULL
            return True if p.logs[name] == () else None
        value = p.values.get(name)
    else:
        form_id, rest = name.split("[", 1)
        index, item_name = rest.split("].", 1)
        records = p.logs.get(form_id) or ()
        i = int(index)
        value = records[i - 1].get(item_name) if i <= len(records) else None
    if isinstance(value, int) and not isinstance(value, bool) and item.type is DataType.DECIMAL:
        return float(value)
    return value


# -- screening -------------------------------------------------------------------------------------------------


class DuckScreener:
    """A protocol's criteria over a :class:`Table`: one query for the verdicts, the reference per profile to explain."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.reference = Screener(protocol)
        self.criteria = protocol.eligibility

    def _reads(self, c: Criterion, table: Table) -> list[str]:
        """The columns criterion ``c`` depends on (through derivations and log forms).

        Of a log form's records, the items the rule reads and whether each
        record is there (``form[k].__exists``: any of its cells given), not
        the other items, so that candidates share profiles.
        """
        assert c.rule is not None
        names = set(c.rule.refs())
        names |= set(self.reference.derivations.missing(names & self.reference.derivations.ids, {}))
        forms = {n.split(".", 1)[0] for n in names} & set(table.logs)
        items = {n for n in names if "." in n}
        out: list[str] = []
        for col in table.columns:
            if "[" in col:
                form_id, rest = col.split("[", 1)
                if form_id in forms and f"{form_id}.{rest.split('].', 1)[1]}" in items:
                    out.append(col)
            elif col in names or col in forms:
                out.append(col)
        out += [_exists(f, k) for f in sorted(forms) for k in table.logs[f]]
        return out

    def _record(self, names: Sequence[str], values: Sequence[Any], table: Table) -> dict[str, Any]:
        """A reference record from the values of ``names`` (log forms rebuilt as the reader builds them)."""
        record: dict[str, Any] = {}
        by_form: dict[str, dict[int, dict[str, Any]]] = {}
        said_none: set[str] = set()
        seen_forms: set[str] = set()
        layout_logs = {f.id: f for f in self.protocol.dictionary.forms if f.repeating}
        for n, v in zip(names, values, strict=True):
            if "[" in n:
                form_id, rest = n.split("[", 1)
                index, item = rest.split("].", 1)
                seen_forms.add(form_id)
                if item == EXISTS:
                    if v:
                        by_form.setdefault(form_id, {}).setdefault(int(index), {})
                elif v is not None:
                    by_form.setdefault(form_id, {}).setdefault(int(index), {})[item] = v
            elif n in table.logs:
                seen_forms.add(n)
                if v:
                    said_none.add(n)
            else:
                record[n] = v
        for form_id in seen_forms:
            recs = by_form.get(form_id, {})
            form = layout_logs[form_id]
            full = [{it.name: r.get(it.name) for it in form.items} for _, r in sorted(recs.items())]
            record[form_id] = full if full else ([] if form_id in said_none else None)
        return record

    def screen(self, table: Table) -> ScreeningReport:
        """Every candidate of ``table`` screened: the same report as :func:`~planner.participants.screening.screen`."""
        con = table.connection
        flags = [f"({' OR '.join(f'{_q(n)} IS NOT NULL' for n in table.columns if n.startswith(f'{f}[{k}].'))}) "
                 f"AS {_q(_exists(f, k))}" for f, ks in table.logs.items() for k in ks]
        con.execute(f"CREATE OR REPLACE TEMP VIEW cand AS SELECT *{''.join(', ' + x for x in flags)} FROM candidates")
        types = {n: COLUMN_TYPES[it.type] for n, it in table.columns.items()}
        types.update({_exists(f, k): "BOOLEAN" for f, ks in table.logs.items() for k in ks})
        compiler = SqlCompiler(_rule_columns(table), None, self.reference.unit_of,
                               log_columns(table.columns, table.logs, Layout(self.protocol, "candidates")), None,
                               {d.id: d for d in self.protocol.derivations})
        outputs: list[str] = [f"c.{ROW}", f"c.{PID}"]
        joins: list[str] = []
        status_sql: list[str] = []
        inner: list[str] = []
        explain: list[tuple[Criterion, list[str], dict[int, CriterionResult], dict[int, dict[str, str]]]] = []
        for k, c in enumerate(self.criteria):
            if c.rule is None or c.assessed_by_investigator:
                explain.append((c, [], {0: self.reference._criterion(c, {})}, {0: {}}))
                outputs.append("0")
                continue
            reads = self._reads(c, table)
            profiles = con.execute(f"SELECT DISTINCT {', '.join(_q(n) for n in reads) or '1'} FROM cand"
                                   ).fetchall()
            results: dict[int, CriterionResult] = {}
            problems: dict[int, dict[str, str]] = {}
            codes: list[int] = []
            for pid, values in enumerate(profiles):
                record = self._record(reads, values if reads else (), table)
                problems[pid] = self.reference.derivations.apply(record)
                r = self.reference._criterion(c, record)
                results[pid] = r
                codes.append(_STATUS.index(r.status))
            explain.append((c, reads, results, problems))
            pt = f"_profile_{k}"
            cols = [[v[i] for v in profiles] for i in range(len(reads))]
            select = ", ".join([*(f'UNNEST(CAST(? AS {types[n]}[])) AS {_q(n)}' for n in reads),
                                "UNNEST(CAST(? AS BIGINT[])) AS pid", "UNNEST(CAST(? AS INTEGER[])) AS status"])
            con.execute(f"CREATE OR REPLACE TEMP TABLE {pt} AS SELECT {select}",
                        [*cols, list(range(len(profiles))), codes])
            on = " AND ".join(f"c.{_q(n)} IS NOT DISTINCT FROM {pt}.{_q(n)}" for n in reads) or "true"
            joins.append(f"LEFT JOIN {pt} ON {on}")
            outputs.append(f"{pt}.pid")
            compiled = self._compiled(c, compiler)
            if compiled is None:
                status_sql.append(f"{pt}.status")
            else:
                inner.append(f"{compiled} AS __s{k}")
                status_sql.append(f"c.__s{k}")
        failed = " OR ".join(f"({s}) = 1" for s in status_sql) or "false"
        unknown = " OR ".join(f"({s}) = 2" for s in status_sql) or "false"
        verdict = f"CASE WHEN {failed} THEN 1 WHEN {unknown} THEN 2 ELSE 0 END"
        source = f"(SELECT *, {', '.join(inner)} FROM cand)" if inner else "cand"
        query = (f"SELECT {', '.join(outputs)}, {verdict} AS verdict FROM {source} c {' '.join(joins)} "
                 f"ORDER BY c.{ROW}")
        verdicts = (Verdict.ELIGIBLE, Verdict.INELIGIBLE, Verdict.INCOMPLETE)
        results_out: list[Screening] = []
        order = [s.derivation.id for s in self.reference.derivations._steps]
        explained: dict[tuple[Any, ...], tuple[tuple[CriterionResult, ...], tuple[str, ...]]] = {}
        for row in con.execute(query).fetchall():
            n, participant, *pids, v = row
            key = tuple(pids)
            found = explained.get(key)
            if found is None:  # the first candidate with these profiles: their explanation, shared by the others
                crit = tuple(e[2][p if p is not None else 0] for e, p in zip(explain, pids, strict=True))
                merged: dict[str, str] = {}
                for e, p in zip(explain, pids, strict=True):
                    merged.update(e[3].get(p if p is not None else 0, {}))
                found = explained[key] = (crit, tuple(f"{d}: {merged[d]}" for d in order if d in merged))
            results_out.append(Screening(participant, n, verdicts[v], *found))
        notes: list[str] = []
        if not self.protocol.eligibility:
            notes.append("the protocol states no eligibility criteria: no candidate can be found ineligible")
        elif not self.reference.computable:
            notes.append("the protocol has no computable eligibility criteria: every candidate is eligible pending the "
                         "investigator's assessment")
        absent = _absent(self.protocol, table.sheet.items)
        if absent:
            notes.append(f"the file has no column for {', '.join(absent)}, which the criteria read")
        notes.extend(table.sheet.notes)
        return ScreeningReport(self.protocol.id, self.protocol.version, table.sheet.source, tuple(results_out),
                               tuple(notes), table.sheet.unit)

    def _compiled(self, c: Criterion, compiler: SqlCompiler) -> str | None:
        """The criterion's status code (0 passed, 1 failed, 2 unknown) in SQL, or ``None`` where the backend cannot write it.

        The same expression ``screen --sql`` prints (:func:`planner.participants.sqlscreen.criterion_code`).
        """
        try:
            return render(criterion_code(c, compiler))
        except Unexpressible:
            return None


EXISTS = "__exists"
RECORD = "__record"
"""A column ``form[k].__record`` of a table read by the reference (JSON, XLSX): record ``k`` is given, even empty.

The wide layout of CSV cannot hold a record with no values; JSON can (``[{}]``), and the reference counts it.
"""


def _exists(form_id: str, k: int) -> str:
    """The profile column that says record ``k`` of log form ``form_id`` is given."""
    return f"{form_id}[{k}].{EXISTS}"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rule_columns(table: Table) -> dict[str, Item]:
    """The columns a compiled rule may read: the plain items (log records are read per profile)."""
    return {n: it for n, it in table.columns.items() if "[" not in n and n not in table.logs}


def screen_file(protocol: Protocol, data: bytes, source: str, fmt: Format | None = None) -> ScreeningReport:
    """Screen a file's candidates on DuckDB (raises :class:`InputError` as the reference reader does)."""
    return DuckScreener(protocol).screen(load(protocol, data, source, fmt))


__all__ = ["ENGINES", "DuckScreener", "Engine", "Table", "from_sheet", "load", "load_path", "screen_file",
           ]


def participants(table: Table) -> tuple[Participant, ...]:
    """The typed table's candidates as the reference reader gives them (for tests and small files)."""
    con = table.connection
    names = list(table.columns)
    out: list[Participant] = []
    rows = con.execute(f"SELECT {ROW}, {PID}{''.join(', ' + _q(n) for n in names)} FROM candidates "
                       f"ORDER BY {ROW}").fetchall()
    for row, pid, *values in rows:
        cells = dict(zip(names, values, strict=True))
        plain = {n: v for n, v in cells.items() if "[" not in n and n not in table.logs}
        logs: dict[str, tuple[dict[str, Any], ...] | None] = {}
        for form_id, indexes in table.logs.items():
            items = table.log_items[form_id]
            records = []
            for k in indexes:
                rec = {it: cells.get(f"{form_id}[{k}].{it}") for it in items}
                if cells.get(f"{form_id}[{k}].{RECORD}") or any(
                        f"{form_id}[{k}].{it}" in cells and v is not None for it, v in rec.items()):
                    records.append(rec)
            logs[form_id] = tuple(records) if records else (() if cells.get(form_id) else None)
        out.append(Participant(pid, row, plain, logs))
    return tuple(out)


def read_candidates(protocol: Protocol, data: bytes, source: str = "<candidates>", fmt: Format | None = None) -> Sheet:
    """Candidates read through DuckDB, as :func:`planner.participants.read_candidates` gives them."""
    table = load(protocol, data, source, fmt)
    s = table.sheet
    return Sheet(s.source, s.kind, participants(table), s.items, s.notes, s.unit)
