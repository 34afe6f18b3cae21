"""Rule expressions and formula trees as SQL: one dialect-neutral query, built as a sqlglot tree.

A backend of the rule language (see ``docs/expressions.md``): :func:`to_sql`
turns an expression into a :mod:`sqlglot` expression over a table whose
columns are the item names; :func:`select` makes the query that gives, per
row, the value of each expression; sqlglot renders it for any dialect
(``query.sql(dialect="duckdb" | "postgres" | "spark" | "bigquery" |
"snowflake" | "tsql")``). Nothing is pasted together as text.

Unknown is SQL's ``NULL``, whose ``AND``, ``OR`` and ``NOT`` are Kleene's
logic like ours. Where SQL and the reference differ, the tree says what the
reference means:

* a comparison, ``between`` or function with an unknown operand is unknown
  (``CASE`` guards where SQL would decide anyway: ``LEAST``/``GREATEST``
  skip ``NULL`` in most dialects, ``lo <= x AND x <= hi`` is false when one
  side is);
* ``sqrt`` of a negative number, ``ln`` of a number ≤ 0 and division by zero
  are unknown (``CASE`` and ``NULLIF``), never an error;
* division is real division (``CAST(… AS DOUBLE)``: some dialects truncate
  integers), and decimal literals are ``DOUBLE`` (not ``DECIMAL``, whose
  scale would round);
* ``days_between(a, b)`` is ``DATEDIFF(day, a, b)``; ``today()`` is the
  evaluation date as a literal (:func:`planner.expr.functions.evaluation_date`),
  so a query gives the answer the Python path gives on the same day;
* ``ifelse(c, a, b)`` is ``CASE WHEN c THEN a WHEN NOT c THEN b END``.

A construct this backend cannot express yet — ``count()`` over a repeating
form, which needs the records of a second table — raises
:class:`SqlUnsupported` naming it, never a different query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

import sqlglot.expressions as sx

from planner.expr.functions import evaluation_date
from planner.expr.logic import literal_value
from planner.expr.nodes import And, Arith, Between, Call, Cmp, Count, Expr, In, Lit, Not, Or, Ref
from planner.model import DataType

__all__ = ["DIALECTS", "SQL_TYPES", "SqlUnsupported", "column_type", "select", "to_sql", "values_table"]

DIALECTS: Final = ("duckdb", "postgres", "spark", "bigquery", "snowflake", "tsql")
"""The dialects the query is rendered and tested in."""

SQL_TYPES: Final = {DataType.INTEGER: "BIGINT", DataType.DECIMAL: "DOUBLE", DataType.BOOLEAN: "BOOLEAN",
                    DataType.DATE: "DATE", DataType.TEXT: "VARCHAR", DataType.CODED: "VARCHAR"}
"""The column type of each item type."""

_CMP: Final = {"<": sx.LT, "<=": sx.LTE, ">": sx.GT, ">=": sx.GTE, "==": sx.EQ, "!=": sx.NEQ}
_ARITH: Final = {"+": sx.Add, "-": sx.Sub, "*": sx.Mul}


class SqlUnsupported(ValueError):
    """An expression with a construct the SQL backend cannot express (the message names it)."""


def column_type(kind: DataType) -> sx.DataType:
    """The SQL type of an item's column."""
    return sx.DataType.build(SQL_TYPES[kind])


def to_sql(expr: Expr, unit_of: Mapping[str, str | None] | None = None, *, today: dt.date | None = None
           ) -> sx.Expr:
    """``expr`` as a SQL expression over columns named after the items (``NULL`` where it is unknown)."""
    return _Compiler(unit_of or {}, today or evaluation_date()).sql(expr)


def select(exprs: Mapping[str, Expr], source: sx.Expr, *, unit_of: Mapping[str, str | None] | None = None,
           today: dt.date | None = None, keep: Sequence[str] = ()) -> sx.Select:
    """``SELECT keep…, <expr> AS <name>… FROM source``: the value of each expression for every row."""
    compiler = _Compiler(unit_of or {}, today or evaluation_date())
    columns: list[sx.Expr] = [sx.column(name, quoted=True) for name in keep]
    columns += [sx.alias_(compiler.sql(e), name, quoted=True) for name, e in exprs.items()]
    return sx.select(*columns).from_(source)


def values_table(rows: Sequence[Mapping[str, Any]], types: Mapping[str, DataType], *, alias: str = "records",
                 row_number: str | None = None) -> sx.Expr:
    """A table of ``rows`` (missing values ``NULL``), each column cast to its item's type, as a subquery.

    For a batch held in memory; a real source is a table, a file or a view
    that the engine reads itself. ``row_number`` adds the row's position.
    """
    names = list(types)
    header = [*names, row_number] if row_number else names
    tuples = [sx.Tuple(expressions=[_value(r.get(n), types[n]) for n in names]
                       + ([sx.Literal.number(i)] if row_number else [])) for i, r in enumerate(rows)]
    inner = sx.Values(expressions=tuples, alias=sx.TableAlias(
        this=sx.to_identifier("v"), columns=[sx.to_identifier(n, quoted=True) for n in header]))
    casts = [sx.alias_(sx.cast(sx.column(n, quoted=True), column_type(types[n])), n, quoted=True) for n in names]
    if row_number:
        casts.append(sx.column(row_number, quoted=True))
    return sx.select(*casts).from_(inner).subquery(alias)


def _value(value: Any, kind: DataType) -> sx.Expr:
    if value is None:
        return sx.Null()
    if isinstance(value, bool):
        return sx.Boolean(this=value)
    if isinstance(value, dt.date):
        return sx.cast(sx.Literal.string(value.isoformat()), sx.DataType.build("DATE"))
    if isinstance(value, int | float):
        return sx.Literal.number(repr(float(value)) if kind is DataType.DECIMAL else value)
    return sx.Literal.string(str(value))


class _Compiler:
    def __init__(self, unit_of: Mapping[str, str | None], today: dt.date) -> None:
        self.unit_of = unit_of
        self.today = today

    def sql(self, e: Expr, subject: Expr | None = None) -> sx.Expr:  # noqa: C901 - one case per node
        if isinstance(e, Ref):
            return sx.column(e.name, quoted=True)
        if isinstance(e, Lit):
            return _literal(literal_value(e, self.unit_of, subject))
        if isinstance(e, Not):
            return sx.Not(this=sx.paren(self.sql(e.term)))
        if isinstance(e, And | Or):
            join = sx.and_ if isinstance(e, And) else sx.or_
            return sx.paren(join(*(sx.paren(self.sql(t)) for t in e.terms)))
        if isinstance(e, Cmp):
            left, right = self.sql(e.left, e.right), self.sql(e.right, e.left)
            return sx.paren(_CMP[e.op](this=left, expression=right))
        if isinstance(e, Arith):
            left, right = self.sql(e.left, e.right), self.sql(e.right, e.left)
            if e.op == "/":
                return sx.paren(sx.Div(this=sx.cast(left, "DOUBLE"),
                                       expression=sx.Nullif(this=right, expression=sx.Literal.number(0))))
            return sx.paren(_ARITH[e.op](this=left, expression=right))
        if isinstance(e, In):
            subject_sql = self.sql(e.subject)
            options = [_literal(literal_value(o, self.unit_of, e.subject)) for o in e.options]
            return sx.paren(sx.In(this=subject_sql, expressions=options))
        if isinstance(e, Between):
            s, lo, hi = self.sql(e.subject), self.sql(e.low, e.subject), self.sql(e.high, e.subject)
            low = (sx.LTE if e.low_inclusive else sx.LT)(this=lo, expression=s)
            high = (sx.LTE if e.high_inclusive else sx.LT)(this=s, expression=hi)
            return _unless_null([lo, s, hi], sx.and_(low, high))
        if isinstance(e, Call):
            return self._call(e)
        if isinstance(e, Count):
            raise SqlUnsupported(f"{e}: a count over a repeating form has no SQL here yet (it needs the form's "
                                 "records as a second table)")
        raise SqlUnsupported(f"{e!r} has no SQL form")

    def _call(self, e: Call) -> sx.Expr:
        if e.fn == "today":
            return _literal(self.today)
        if e.fn == "ifelse":
            cond, then, otherwise = (self.sql(a) for a in e.args)
            return sx.Case(ifs=[sx.If(this=cond, true=then), sx.If(this=sx.Not(this=sx.paren(cond)), true=otherwise)])
        args = [self.sql(a) for a in e.args]
        if e.fn == "sqrt":
            return sx.Case(ifs=[sx.If(this=sx.GTE(this=args[0], expression=sx.Literal.number(0)),
                                      true=sx.Sqrt(this=args[0]))])
        if e.fn == "ln":
            return sx.Case(ifs=[sx.If(this=sx.GT(this=args[0], expression=sx.Literal.number(0)),
                                      true=sx.Ln(this=args[0]))])
        if e.fn == "abs":
            return sx.Abs(this=args[0])
        if e.fn in ("min", "max"):
            pick = sx.Least if e.fn == "min" else sx.Greatest
            return _unless_null(args, pick(this=args[0], expressions=args[1:]))
        if e.fn == "days_between":
            return sx.DateDiff(this=args[1], expression=args[0], unit=sx.var("DAY"))
        raise SqlUnsupported(f"{e}: function {e.fn!r} has no SQL form")


def _literal(value: Any) -> sx.Expr:
    if isinstance(value, bool):
        return sx.Boolean(this=value)
    if isinstance(value, dt.date):
        return sx.cast(sx.Literal.string(value.isoformat()), sx.DataType.build("DATE"))
    if isinstance(value, int):
        return sx.Literal.number(value)
    if isinstance(value, float):
        return sx.cast(sx.Literal.number(repr(value)), "DOUBLE")
    return sx.Literal.string(str(value))


def _unless_null(parts: Sequence[sx.Expr], then: sx.Expr) -> sx.Expr:
    """``then``, or ``NULL`` when any of ``parts`` is: the reference's strictness where SQL would decide."""
    if all(_constant(p) for p in parts):
        return then
    nulls = sx.or_(*(sx.Is(this=p.copy(), expression=sx.Null()) for p in parts))
    return sx.Case(ifs=[sx.If(this=nulls, true=sx.Null())], default=then)


def _constant(e: sx.Expr) -> bool:
    """A literal of :func:`_literal` (never ``NULL``)."""
    return isinstance(e, sx.Literal | sx.Boolean) or isinstance(e, sx.Cast) and isinstance(e.this, sx.Literal)
