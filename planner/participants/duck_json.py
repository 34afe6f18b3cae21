"""JSON lines read by DuckDB itself: each line's object laid out as the columns of the wide layout, then typed.

DuckDB parses the file (``read_json(format='newline_delimited',
records=false)``: one JSON value per line, record *n* on line *n*). The keys
are resolved once each by the one :class:`~planner.participants.layout.Layout`;
a repeating form's list becomes the columns of the wide layout
(``prior_therapy[2].failed``, and the form's own column saying ``none`` for
``[]``); each cell is the JSON text of its value, decoded with Python's
``json`` and converted by the one cell converter, once per distinct value,
by the same typing step as CSV (:func:`planner.participants.duck._typed`).

Whatever this layout cannot hold the same way — a line that is not an
object, a key given twice (DuckDB refuses the file), a trailing comma
(DuckDB accepts it, Python's ``json`` does not), a non-text participant,
a record with no values (the reference counts it; the wide layout cannot),
a blank line — and every file with a problem is read by the reference
(:mod:`planner.participants.jsonlines`), so problems keep their wording and
line numbers. ``None`` from :func:`load_json_lines` says: use the reference.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from planner.model import Protocol
from planner.participants.layout import FormColumn, HeaderError, ItemColumn, KeyColumn, Layout, NoteColumn
from planner.participants.records import InputError

if TYPE_CHECKING:
    import duckdb

    from planner.participants.duck import Table


def _path(*keys: str | int) -> str:
    """A JSON path naming object keys exactly (quoted) and list positions."""
    out = "$"
    for k in keys:
        out += f"[{k}]" if isinstance(k, int) else "." + json.dumps(k)
    return out


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def load_json_lines(protocol: Protocol, path: str, source: str, con: duckdb.DuckDBPyConnection) -> Table | None:
    """The candidates of a JSON-lines file as the typed table, or ``None`` where the reference must read it."""
    import duckdb

    from planner.participants.duck import ROW, _needs_reference_file, _typed

    if _needs_reference_file(path) or _lenient(path):
        return None
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE jl AS SELECT row_number() OVER () AS {ROW}, json AS j FROM "
                    "read_json(?, format='newline_delimited', records=false, maximum_depth=-1)", [path])
    except duckdb.Error:
        return None  # not JSON, a key given twice …: the reference says what and where

    def one(sql: str) -> object:
        row = con.execute(sql).fetchone()
        return None if row is None else row[0]

    participant = _path("participant")
    if one(f"SELECT count(*) FROM jl WHERE json_type(j) <> 'OBJECT' OR json_type(j, {_lit(participant)}) "
           "IS DISTINCT FROM 'VARCHAR'"):
        return None
    layout = Layout(protocol, "candidates")
    keys = [k for (k,) in con.execute(
        f"SELECT k FROM (SELECT {ROW}, unnest(json_keys(j)) AS k, unnest(range(len(json_keys(j)))) AS i FROM jl) "
        f"GROUP BY k ORDER BY min({ROW}), min(i)").fetchall()]
    header: list[str] = []
    cells: list[str] = []
    for key in keys:
        try:
            col = layout.column(key, indexed=False)
        except HeaderError:
            return None
        if isinstance(col, NoteColumn):
            header.append(key)
            cells.append("NULL")
        elif isinstance(col, (KeyColumn, ItemColumn)):
            header.append(key)
            p = _lit(_path(key))
            cells.append(f"json_extract_string(j, {p})" if isinstance(col, KeyColumn) else
                         f"CASE WHEN json_type(j, {p}) = 'NULL' THEN NULL ELSE CAST(json_extract(j, {p}) AS VARCHAR) END")
        elif isinstance(col, FormColumn):
            found = _form_columns(con, layout, col, key, one)
            if found is None:
                return None
            for h, c in found:
                header.append(h)
                cells.append(c)
    select = ", ".join(f"{c} AS c{j}" for j, c in enumerate(cells))
    con.execute(f"CREATE OR REPLACE TEMP TABLE raw AS SELECT {ROW}{', ' + select if select else ''} FROM jl "
                f"ORDER BY {ROW}")
    con.execute("DROP TABLE jl")
    try:
        return _typed(protocol, con, source, header, "record", decode=_decode)
    except InputError:
        return None  # the reference words every problem, in its order


_TRAILING_COMMA = re.compile(rb",\s*[}\]]")


def _lenient(path: str) -> bool:
    """A trailing comma somewhere (perhaps inside a text value): DuckDB's parser accepts it, Python's ``json`` not."""
    tail = b""
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            if _TRAILING_COMMA.search(tail + chunk):
                return True
            tail = chunk[-64:]
    return False


def _decode(raw: object) -> object:
    """A cell's JSON text as the Python value the reference's JSON reader gives."""
    return json.loads(raw) if isinstance(raw, str) else raw


def _form_columns(con: duckdb.DuckDBPyConnection, layout: Layout, col: FormColumn, key: str,
                  one: Callable[[str], object]) -> list[tuple[str, str]] | None:
    """The wide-layout columns of one repeating form's list: the form's own ("none") and each record's items."""
    p = _lit(_path(key))
    if one(f"SELECT count(*) FROM jl WHERE json_type(j, {p}) NOT IN ('ARRAY', 'NULL')"):
        return None
    records = one(f"SELECT coalesce(max(json_array_length(j, {p})), 0) FROM jl")
    assert isinstance(records, int)
    out = [(key, f"CASE WHEN json_type(j, {p}) = 'ARRAY' AND json_array_length(j, {p}) = 0 THEN 'none' END")]
    for k in range(records):
        rec = _lit(_path(key, k))
        there = f"json_array_length(j, {p}) > {k}"
        if one(f"SELECT count(*) FROM jl WHERE {there} AND json_type(j, {rec}) <> 'OBJECT'"):
            return None
        item_keys = [k_ for (k_,) in con.execute(
            f"SELECT DISTINCT unnest(json_keys(j, {rec})) FROM jl WHERE {there} ORDER BY 1").fetchall()]
        items = []
        for item_key in item_keys:
            try:
                spec = layout.log_column(col.form, item_key)
            except HeaderError:
                return None
            items.append((item_key, spec.item.name))
        if len({name for _, name in items}) != len(items):
            return None  # one item under two keys (a unit in one): the reference decides which counts
        values = [_lit(_path(key, k, item_key)) for item_key, _ in items]
        some = " OR ".join(f"coalesce(json_type(j, {v}), 'NULL') <> 'NULL'" for v in values) or "false"
        if one(f"SELECT count(*) FROM jl WHERE {there} AND NOT ({some})"):
            return None  # a record with no values: the reference counts it, the wide layout cannot say it
        for (item_key, _), v in zip(items, values, strict=True):
            unit = item_key.strip()[len(item_key.strip().split("[", 1)[0]):] if "[" in item_key else ""
            name = item_key.strip().split("[", 1)[0].strip()
            out.append((f"{key}[{k + 1}].{name}{' ' + unit.strip() if unit else ''}",
                        f"CASE WHEN json_type(j, {v}) = 'NULL' THEN NULL ELSE CAST(json_extract(j, {v}) AS VARCHAR) END"))
    return out
