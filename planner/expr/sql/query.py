"""One dialect-neutral ``SELECT`` of many expressions per row, and its text in a dialect.

:func:`select` builds the query as a sqlglot AST: per row of the table, a
key column (when given) and one column per output — the truth of a
condition or the value of a formula tree. :func:`render` writes it for a
dialect, and a construct that dialect cannot say raises
:class:`~planner.expr.sql.compile.Unexpressible` rather than being written
as something else (sqlglot's ``unsupported_level``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from attrs import frozen
from sqlglot import exp
from sqlglot.errors import ErrorLevel, UnsupportedError

from planner.expr.nodes import Expr
from planner.expr.sql.compile import LogColumns, SqlCompiler, Unexpressible
from planner.model import Item

DIALECTS = ("duckdb", "postgres", "spark", "bigquery", "snowflake", "tsql")
"""The dialects the query is tested to render in (and to parse back from)."""

NUMERIC_TRUTHS = frozenset({"tsql"})
"""Dialects whose results hold no boolean values: select with ``numeric_truths=True`` for them."""


@frozen
class Output:
    """One column of the result: ``name``, the expression, and whether it is a condition (a truth) or a value."""

    name: str
    expr: Expr
    condition: bool = True


def select(outputs: Sequence[Output], items: Mapping[str, Item], table: str = "records",
           key: str | None = None, today: dt.date | None = None,
           units: Mapping[str, str | None] | None = None, numeric_truths: bool = False,
           logs: Mapping[str, LogColumns] | None = None) -> exp.Select:
    """``SELECT key, <output>… FROM table ORDER BY key``, every output computed per row.

    ``items`` are the table's columns (their names quoted, as written).
    ``today`` fixes ``today()``; ``None`` leaves it to the engine's
    ``CURRENT_DATE``. ``numeric_truths`` answers a condition 1, 0 or ``NULL``
    instead of a boolean, for engines with no boolean values in a result
    (:data:`NUMERIC_TRUTHS`: SQL Server). ``logs`` gives the columns of the
    repeating forms a count reads (:class:`LogColumns`). Raises :class:`Unexpressible` for a
    construct the backend cannot write, naming it.
    """
    names = [o.name for o in outputs]
    if key is not None:
        names.append(key)
    if len(set(names)) != len(names):
        raise ValueError(f"output names must be distinct (and not the key): {names}")
    compiler = SqlCompiler(items, today, units, logs)
    columns: list[exp.Expr] = []
    if key is not None:
        columns.append(exp.column(key, quoted=True))
    for o in outputs:
        sql = compiler.condition(o.expr) if o.condition else compiler.value(o.expr)
        if o.condition and numeric_truths:
            sql = exp.Case(ifs=[exp.If(this=sql, true=exp.Literal.number(1)),
                                exp.If(this=exp.Not(this=exp.Paren(this=sql)), true=exp.Literal.number(0))])
        columns.append(exp.alias_(sql, o.name, quoted=True, copy=False))
    query = exp.select(*columns, copy=False).from_(exp.Table(this=exp.to_identifier(table, quoted=True)), copy=False)
    if key is not None:
        query = query.order_by(exp.column(key, quoted=True), copy=False)
    return query


def render(query: exp.Expr, dialect: str = "duckdb", pretty: bool = False) -> str:
    """The query's text in ``dialect``; :class:`Unexpressible` when the dialect cannot say part of it."""
    try:
        return query.sql(dialect=dialect, pretty=pretty, unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as err:
        raise Unexpressible(f"the query in {dialect}", str(err)) from err

