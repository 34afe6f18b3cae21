"""Rule expressions and formula trees as sqlglot expressions, over a table whose columns are the items.

One handler per node type (:data:`_NODES`), each giving a sqlglot
expression and the *kind* of its value (``bool``, ``int``, ``real``,
``date``, ``text``): the kind decides how an operand is written (a division
in ``DOUBLE``, a number used as a condition compared with 0) and which
comparisons make sense. Unknown is SQL ``NULL``, whose ``AND``/``OR``/``NOT``
are Kleene's logic like ours; the handlers add what SQL does differently:

* ``min``/``max`` are unknown when any argument is (``LEAST``/``GREATEST``
  skip ``NULL`` in DuckDB and PostgreSQL, not in BigQuery), so they are
  guarded by a ``CASE``;
* ``ifelse`` is unknown when its condition is (a ``CASE`` would take the
  ``ELSE`` branch), so it is ``CASE WHEN c THEN a WHEN NOT c THEN b END``;
* a range with a bound that may be unknown is unknown, not false (SQL's
  ``NULL <= x AND x <= 3`` is false for ``x = 4``);
* arithmetic is in ``DOUBLE`` (SQL's integer division truncates, and its
  integers overflow where Python's do not), a divisor of 0 is ``NULL``
  (``NULLIF``), and ``sqrt``/``ln`` read their argument only inside their
  domain, so no engine ever raises or returns NaN for it;
* a literal in another unit is converted as the reference converts it
  (:func:`planner.expr.logic.literal_value`); ``today()`` is a date literal
  (the evaluation date) or the engine's ``CURRENT_DATE`` as a ``DATE``.

Text compares exactly, with case, as Python does (the default of DuckDB,
PostgreSQL, Spark, BigQuery and Snowflake; SQL Server's usual collations
ignore case, see ``docs/expressions.md``). What the backend cannot write —
a count over a repeating form, a comparison of a date with a number —
raises :class:`Unexpressible` naming the construct, never a different query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Literal

from attrs import frozen
from sqlglot import exp

from planner.expr.logic import literal_value
from planner.expr.nodes import And, Arith, Between, Call, Cmp, Count, Expr, In, Lit, Not, Or, Ref
from planner.model import DataType, Item

Kind = Literal["bool", "int", "real", "date", "text"]
_NUMBER = ("int", "real")
_KIND: dict[DataType, Kind] = {
    DataType.INTEGER: "int", DataType.DECIMAL: "real", DataType.BOOLEAN: "bool", DataType.DATE: "date",
    DataType.TEXT: "text", DataType.CODED: "text",
}
_NAMES: dict[Kind, str] = {"bool": "a yes/no value", "int": "a number", "real": "a number", "date": "a date",
                           "text": "text"}
_CMP: dict[str, type[exp.Binary]] = {"<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE, "==": exp.EQ,
                                     "!=": exp.NEQ}
_ARITH: dict[str, type[exp.Binary]] = {"+": exp.Add, "-": exp.Sub, "*": exp.Mul, "/": exp.Div}
_ATOMS = (exp.Column, exp.Literal, exp.Boolean, exp.Null, exp.Cast, exp.Paren, exp.Case, exp.CurrentDate,
          exp.Sqrt, exp.Ln, exp.Abs, exp.Least, exp.Greatest, exp.DateDiff, exp.Nullif)
"""Nodes written as one token, a call or a bracketed whole (not ``exp.Func``: sqlglot's ``And`` is one)."""


class Unexpressible(ValueError):
    """A construct the SQL backend cannot write as a query; the message names it."""

    def __init__(self, construct: Expr | str, reason: str) -> None:
        super().__init__(f"{construct}: {reason}")
        self.construct = construct
        self.reason = reason


@frozen
class Typed:
    """A compiled operand: its SQL and the kind of its value."""

    sql: exp.Expr
    kind: Kind


def sql_type(name: str, array: bool = False) -> exp.DataType:
    """The SQL type ``name`` (``DOUBLE``, ``DATE`` …), or an array of it, built without parsing text."""
    t = exp.DataType(this=exp.DataType.Type[name])
    return exp.DataType(this=exp.DataType.Type.ARRAY, expressions=[t], nested=True) if array else t


def double() -> exp.DataType:
    return sql_type("DOUBLE")


def _paren(e: exp.Expr) -> exp.Expr:
    """``e`` as an operand: parenthesised unless it is one token, a call or already bracketed."""
    if isinstance(e, _ATOMS) and not isinstance(e, exp.Binary):
        return e
    return exp.Paren(this=e)


def _condition_term(e: exp.Expr) -> exp.Expr:
    """``e`` under ``AND``/``OR``/``NOT``: a comparison binds tighter everywhere, anything else is bracketed."""
    if isinstance(e, (*_CMP.values(), exp.In, exp.Is)):
        return e
    return _paren(e)


def _is_null(e: exp.Expr) -> exp.Expr:
    return exp.Is(this=_paren(e), expression=exp.Null())


def _any_null(es: list[exp.Expr]) -> exp.Expr:
    out = _is_null(es[0])
    for e in es[1:]:
        out = exp.Or(this=out, expression=_is_null(e))
    return out


def _junction(kind: type[exp.And | exp.Or], terms: list[exp.Expr]) -> exp.Expr:
    out = _condition_term(terms[0])
    for t in terms[1:]:
        out = kind(this=out, expression=_condition_term(t))
    return out


def _when(condition: exp.Expr, then: exp.Expr) -> exp.If:
    return exp.If(this=condition, true=then)


def _number(value: int | float) -> exp.Expr:
    text = repr(abs(value))
    lit: exp.Expr = exp.Literal.number(text)
    if value < 0:
        lit = exp.Neg(this=lit)
    if isinstance(value, float):  # a DOUBLE, not a DECIMAL(p, s) as most engines read ``2.5``
        return exp.Cast(this=lit, to=double())
    return lit


class SqlCompiler:
    """Compile expressions over ``items`` (name → item: the table's columns and their types).

    ``today`` is the date ``today()`` means; ``None`` writes ``CURRENT_DATE``
    (the engine's date). ``units`` maps an item to its unit for literals in
    another unit; by default the items' own units.
    """

    def __init__(self, items: Mapping[str, Item], today: dt.date | None = None,
                 units: Mapping[str, str | None] | None = None) -> None:
        self.items = items
        self.today = today
        self.units = units if units is not None else {
            name: (it.unit if isinstance(it.unit, str) else None) for name, it in items.items()}

    def condition(self, e: Expr) -> exp.Expr:
        """The three-valued truth of ``e``: a boolean SQL expression, ``NULL`` when unknown."""
        return self._truth(e, self.typed(e))

    def value(self, e: Expr) -> exp.Expr:
        """The value of ``e`` (a number, a date, text or a truth), ``NULL`` when unknown."""
        return self.typed(e).sql

    def typed(self, e: Expr, subject: Expr | None = None) -> Typed:
        """``e`` compiled, with its kind; ``subject`` is the operand a literal is compared with (for its unit)."""
        handler = _NODES.get(type(e))
        if handler is None:
            raise Unexpressible(e, f"{type(e).__name__} has no SQL form")
        return handler(self, e, subject)

    def _truth(self, e: Expr, t: Typed) -> exp.Expr:
        if t.kind == "bool":
            return t.sql
        if t.kind in _NUMBER:  # Python's truth of a number: not zero
            return exp.NEQ(this=_paren(t.sql), expression=exp.Literal.number(0))
        raise Unexpressible(e, f"{_NAMES[t.kind]} is not a condition")

    # -- leaves -----------------------------------------------------------------------------------

    def _ref(self, e: Ref, subject: Expr | None) -> Typed:
        name = e.name
        if name not in self.items and "." in name and name.rpartition(".")[2] in self.items:
            name = name.rpartition(".")[2]  # as the reference reads ``form.item`` from a record of the form
        item = self.items.get(name)
        if item is None:
            raise Unexpressible(e, "not a column of the table (no such item)")
        return Typed(exp.column(name, quoted=True), _KIND[item.type])

    def _lit(self, e: Lit, subject: Expr | None) -> Typed:
        value = literal_value(e, self.units, subject)
        if isinstance(value, bool):
            return Typed(exp.Boolean(this=value), "bool")
        if isinstance(value, int):
            return Typed(_number(value), "int")
        if isinstance(value, float):
            return Typed(_number(value), "real")
        if isinstance(value, str):
            return Typed(exp.Literal.string(value), "text")
        return Typed(_date(value), "date")

    # -- logic ------------------------------------------------------------------------------------

    def _not(self, e: Not, subject: Expr | None) -> Typed:
        return Typed(exp.Not(this=_condition_term(self.condition(e.term))), "bool")

    def _and(self, e: And, subject: Expr | None) -> Typed:
        return Typed(_junction(exp.And, [self.condition(t) for t in e.terms]), "bool")

    def _or(self, e: Or, subject: Expr | None) -> Typed:
        return Typed(_junction(exp.Or, [self.condition(t) for t in e.terms]), "bool")

    def _cmp(self, e: Cmp, subject: Expr | None) -> Typed:
        left, right = self.typed(e.left, e.right), self.typed(e.right, e.left)
        _comparable(e, left.kind, right.kind)
        return Typed(_CMP[e.op](this=_paren(left.sql), expression=_paren(right.sql)), "bool")

    def _in(self, e: In, subject: Expr | None) -> Typed:
        s = self.typed(e.subject)
        options = [self._lit(o, e.subject) for o in e.options]
        for o in options:
            _comparable(e, s.kind, o.kind)
        return Typed(exp.In(this=_paren(s.sql), expressions=[o.sql for o in options]), "bool")

    def _between(self, e: Between, subject: Expr | None) -> Typed:
        s = self.typed(e.subject)
        lo, hi = self.typed(e.low, e.subject), self.typed(e.high, e.subject)
        _comparable(e, lo.kind, s.kind)
        _comparable(e, s.kind, hi.kind)
        low = (exp.LTE if e.low_inclusive else exp.LT)(this=_paren(lo.sql), expression=_paren(s.sql))
        high = (exp.LTE if e.high_inclusive else exp.LT)(this=_paren(s.sql), expression=_paren(hi.sql))
        inside = _junction(exp.And, [low, high])
        ends = [t.sql for t, node in ((lo, e.low), (hi, e.high)) if not isinstance(node, Lit)]
        if ends:  # an unknown end makes the range unknown, where SQL's AND could say false
            inside = exp.Case(ifs=[_when(_any_null(ends), exp.Null())], default=inside)
        return Typed(inside, "bool")

    # -- numbers ----------------------------------------------------------------------------------

    def _arith(self, e: Arith, subject: Expr | None) -> Typed:
        left, right = self.typed(e.left, e.right), self.typed(e.right, e.left)
        for t in (left, right):
            if t.kind not in _NUMBER:
                raise Unexpressible(e, f"arithmetic on {_NAMES[t.kind]}")
        a, b = _real(left), _real(right)
        if e.op == "/":  # division by zero is unknown
            b = exp.Nullif(this=b, expression=exp.Literal.number(0))
        return Typed(_ARITH[e.op](this=_paren(a), expression=_paren(b)), "real")

    def _count(self, e: Count, subject: Expr | None) -> Typed:
        raise Unexpressible(e, "a count over the records of a repeating form needs the form's own table, "
                               "which the SQL backend does not read yet")

    def _call(self, e: Call, subject: Expr | None) -> Typed:
        if e.fn == "today":
            if self.today is not None:
                return Typed(_date(self.today), "date")
            # a DATE, where SQL Server's GETDATE() would be a time of day (and today < GETDATE())
            return Typed(exp.Cast(this=exp.CurrentDate(), to=sql_type("DATE")), "date")
        if e.fn == "ifelse":
            return self._ifelse(e)
        args = [self.typed(a) for a in e.args]
        if e.fn == "days_between":
            for a in args:
                if a.kind != "date":
                    raise Unexpressible(e, f"days_between() of {_NAMES[a.kind]}")
            earlier, later = args[0].sql, args[1].sql
            return Typed(exp.DateDiff(this=later, expression=earlier, unit=exp.var("DAY")), "int")
        for a in args:
            if a.kind not in _NUMBER:
                raise Unexpressible(e, f"{e.fn}() of {_NAMES[a.kind]}")
        kind: Kind = "real" if any(a.kind == "real" for a in args) else "int"
        x = args[0].sql
        if e.fn == "sqrt":  # the argument only inside the domain: NULL, never NaN or an engine error
            return Typed(exp.Sqrt(this=_guarded(x, exp.GTE)), "real")
        if e.fn == "ln":
            return Typed(exp.Ln(this=_guarded(x, exp.GT)), "real")
        if e.fn == "abs":
            return Typed(exp.Abs(this=x), kind)
        pick = exp.Least if e.fn == "min" else exp.Greatest
        sqls = [a.sql for a in args]
        native = pick(this=sqls[0], expressions=sqls[1:], ignore_nulls=True)
        return Typed(exp.Case(ifs=[_when(_any_null(sqls), exp.Null())], default=native), kind)

    def _ifelse(self, e: Call) -> Typed:
        cond = self.condition(e.args[0])
        then, otherwise = self.typed(e.args[1]), self.typed(e.args[2])
        if then.kind in _NUMBER and otherwise.kind in _NUMBER:
            kind: Kind = "int" if then.kind == otherwise.kind == "int" else "real"
        elif then.kind == otherwise.kind:
            kind = then.kind
        else:
            raise Unexpressible(e, f"ifelse() between {_NAMES[then.kind]} and {_NAMES[otherwise.kind]}")
        # CASE's ELSE would answer an unknown condition: ask for false explicitly
        return Typed(exp.Case(ifs=[_when(cond, then.sql),
                                   _when(exp.Not(this=_condition_term(cond)), otherwise.sql)]), kind)


def _date(value: dt.date) -> exp.Expr:
    return exp.Cast(this=exp.Literal.string(value.isoformat()), to=sql_type("DATE"))


def _real(t: Typed) -> exp.Expr:
    return t.sql if t.kind == "real" else exp.Cast(this=t.sql, to=double())


def _guarded(x: exp.Expr, op: type[exp.LT | exp.GT | exp.LTE | exp.GTE]) -> exp.Expr:
    """``CASE WHEN x op 0 THEN x END``: the argument where the function is defined, else ``NULL``."""
    return exp.Case(ifs=[_when(op(this=_paren(x), expression=exp.Literal.number(0)), x)])


def _comparable(e: Expr, a: Kind, b: Kind) -> None:
    if a == b or (a in _NUMBER and b in _NUMBER):
        return
    raise Unexpressible(e, f"compares {_NAMES[a]} with {_NAMES[b]}")


_Handler = Callable[[SqlCompiler, Any, Expr | None], Typed]
_NODES: dict[type[Expr], _Handler] = {
    Ref: SqlCompiler._ref,
    Lit: SqlCompiler._lit,
    Not: SqlCompiler._not,
    And: SqlCompiler._and,
    Or: SqlCompiler._or,
    Cmp: SqlCompiler._cmp,
    In: SqlCompiler._in,
    Between: SqlCompiler._between,
    Arith: SqlCompiler._arith,
    Count: SqlCompiler._count,
    Call: SqlCompiler._call,
}
"""Each node type and the method that writes it (sqlglot's ``TRANSFORMS`` table, for our tree)."""
