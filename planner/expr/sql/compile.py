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
  (the evaluation date) or the engine's ``CURRENT_DATE`` as a ``DATE``;
* a count over a repeating form given as columns, one set per record
  (:class:`LogColumns`: ``prior_therapy[2].failed``), is known only between
  two ends when some records are undecided, as :mod:`planner.expr.bounds`
  says: it compiles to a pair of whole numbers, and a comparison with it is
  ``CASE WHEN <true for every value> THEN 1 WHEN NOT <true for some> THEN 0
  END = 1`` (unknown in between). A count used any other way is refused.

Text compares exactly, with case, as Python does (the default of DuckDB,
PostgreSQL, Spark, BigQuery and Snowflake; SQL Server's usual collations
ignore case, see ``docs/expressions.md``). What the backend cannot write —
a count over a form it was given no columns for, a comparison of a date with a number —
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
from planner.model import DataType, Derivation, Item

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
    """A compiled operand: its SQL and the kind of its value.

    ``hi`` is set for a whole number known only between two ends (a count):
    ``sql`` is then the lower end and ``hi`` the upper, both ``NULL`` when
    the form is not recorded.
    """

    sql: exp.Expr
    kind: Kind
    hi: exp.Expr | None = None


@frozen
class LogColumns:
    """A repeating form as columns of the table: per record, its items' columns.

    ``items`` are the form's items; ``records`` gives, for each record the
    table has columns for, item name → column name (an item without a column
    is missing in that record); ``none`` is the column that is true when the
    participant has no records of the form (``None`` when the table has none).
    """

    items: Mapping[str, Item]
    records: tuple[Mapping[str, str], ...]
    none: str | None = None


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
                 units: Mapping[str, str | None] | None = None, logs: Mapping[str, LogColumns] | None = None,
                 columns: Mapping[str, str | None] | None = None,
                 derivations: Mapping[str, Derivation] | None = None) -> None:
        self.items = items
        self.today = today
        self.units = units if units is not None else {
            name: (it.unit if isinstance(it.unit, str) else None) for name, it in items.items()}
        self.logs = logs
        self.columns = columns
        self.derivations = derivations or {}
        self._values: Mapping[str, Typed] | None = None
        self._busy: frozenset[str] = frozenset()

    def column(self, name: str) -> Typed | None:
        """An item's column, typed; ``None`` when the table has no such item."""
        if name not in self.items:
            return None
        return self._ref(Ref(name), None)

    def with_values(self, values: Mapping[str, Typed]) -> SqlCompiler:
        """A compiler whose names are ``values`` (a score's parameters), nothing else."""
        inner = SqlCompiler({}, self.today, {}, None, None)
        inner._values = values
        return inner

    def nested(self, busy: frozenset[str]) -> SqlCompiler:
        """This compiler, inside the derivations ``busy`` (so that one reading itself is refused)."""
        inner = SqlCompiler(self.items, self.today, self.units, self.logs, self.columns, self.derivations)
        inner._busy = busy
        return inner

    def condition(self, e: Expr) -> exp.Expr:
        """The three-valued truth of ``e``: a boolean SQL expression, ``NULL`` when unknown."""
        return self._truth(e, self.typed(e, interval=True))

    def value(self, e: Expr) -> exp.Expr:
        """The value of ``e`` (a number, a date, text or a truth), ``NULL`` when unknown."""
        return self.typed(e).sql

    def typed(self, e: Expr, subject: Expr | None = None, interval: bool = False) -> Typed:
        """``e`` compiled, with its kind; ``subject`` is the operand a literal is compared with (for its unit).

        ``interval``: the caller decides on a count known only between two
        ends (a comparison, a truth); anywhere else such a count is refused.
        """
        handler = _NODES.get(type(e))
        if handler is None:
            raise Unexpressible(e, f"{type(e).__name__} has no SQL form")
        t = handler(self, e, subject)
        if t.hi is not None and not interval:
            raise Unexpressible(e, "a count may be known only between two ends, which the SQL backend compares "
                                   "but does not use as a value")
        return t

    def _truth(self, e: Expr, t: Typed) -> exp.Expr:
        if t.hi is not None:  # true when it cannot be 0, false when it is 0
            return _tri(exp.GT(this=_paren(t.sql), expression=exp.Literal.number(0)),
                        exp.EQ(this=_paren(t.hi), expression=exp.Literal.number(0)))
        if t.kind == "bool":
            return t.sql
        if t.kind in _NUMBER:  # Python's truth of a number: not zero
            return exp.NEQ(this=_paren(t.sql), expression=exp.Literal.number(0))
        raise Unexpressible(e, f"{_NAMES[t.kind]} is not a condition")

    # -- leaves -----------------------------------------------------------------------------------

    def _ref(self, e: Ref, subject: Expr | None) -> Typed:
        name = e.name
        if self._values is not None:
            if name not in self._values:
                raise Unexpressible(e, "not an input of the score")
            return self._values[name]
        if name not in self.items and name in self.derivations:
            from planner.expr.sql.derived import compile_derivation

            return compile_derivation(self, self.derivations[name], self._busy)
        if name not in self.items and "." in name and name.rpartition(".")[2] in self.items:
            name = name.rpartition(".")[2]  # as the reference reads ``form.item`` from a record of the form
        item = self.items.get(name)
        if item is None:
            raise Unexpressible(e, "not a column of the table (no such item)")
        column = name if self.columns is None else self.columns.get(name)
        if column is None:  # an item the table has no column for: missing in every row
            return Typed(exp.Cast(this=exp.Null(), to=sql_type(_SQL_TYPES[item.type])), _KIND[item.type])
        return Typed(exp.column(column, quoted=True), _KIND[item.type])

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
        left, right = self.typed(e.left, e.right, True), self.typed(e.right, e.left, True)
        _comparable(e, left.kind, right.kind)
        if left.hi is not None or right.hi is not None:
            return Typed(_interval_cmp(e, e.op, left, right), "bool")
        return Typed(_CMP[e.op](this=_paren(left.sql), expression=_paren(right.sql)), "bool")

    def _in(self, e: In, subject: Expr | None) -> Typed:
        s = self.typed(e.subject)
        options = [self._lit(o, e.subject) for o in e.options]
        for o in options:
            _comparable(e, s.kind, o.kind)
        return Typed(exp.In(this=_paren(s.sql), expressions=[o.sql for o in options]), "bool")

    def _between(self, e: Between, subject: Expr | None) -> Typed:
        s = self.typed(e.subject, interval=True)
        lo, hi = self.typed(e.low, e.subject, True), self.typed(e.high, e.subject, True)
        _comparable(e, lo.kind, s.kind)
        _comparable(e, s.kind, hi.kind)
        ops = ("<=" if e.low_inclusive else "<", "<=" if e.high_inclusive else "<")
        if any(t.hi is not None for t in (lo, s, hi)):  # Python's chain over ends: Kleene's AND of the two
            low, high = _interval_cmp(e, ops[0], lo, s), _interval_cmp(e, ops[1], s, hi)
        else:
            low = _CMP[ops[0]](this=_paren(lo.sql), expression=_paren(s.sql))
            high = _CMP[ops[1]](this=_paren(s.sql), expression=_paren(hi.sql))
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
        """The ends ``[known to match, known + undecided]`` of a count over the form's record columns."""
        log = None if self.logs is None else self.logs.get(e.form)
        if self.logs is None:
            raise Unexpressible(e, "a count over the records of a repeating form needs the form's columns, "
                                   "which this query was not given")
        if log is None or not log.records:  # not recorded at all (or only said "none")
            zero = exp.Literal.number(0)
            if log is not None and log.none is not None:
                said = exp.Case(ifs=[_when(_column_true(log.none), zero)])
                return Typed(said, "int", said.copy())
            null = exp.Cast(this=exp.Null(), to=sql_type("BIGINT"))
            return Typed(null, "int", null.copy())
        matched: list[exp.Expr] = []  # per record: 1 when it is there and matches, else 0
        maybe: list[exp.Expr] = []  # per record: 1 when it is there and the filter is unknown
        exists: list[exp.Expr] = []
        values: list[exp.Expr] = []
        for columns in log.records:
            there = _junction(exp.Or, [exp.Not(this=_is_null(exp.column(c, quoted=True))) for c in columns.values()])
            exists.append(there)
            if e.where is None:
                matched.append(_flag(there))
                maybe.append(exp.Literal.number(0))
            else:
                inner = SqlCompiler(log.items, self.today, self.units, None, columns)
                try:
                    where = inner.condition(e.where)
                except Unexpressible as err:
                    raise Unexpressible(e, f"its filter reads what a record does not hold ({err.reason})") from err
                matched.append(_flag(_junction(exp.And, [there, where])))
                undecided = exp.Case(ifs=[_when(where, exp.Literal.number(0)),
                                          _when(exp.Not(this=_condition_term(where)), exp.Literal.number(0))],
                                     default=exp.Literal.number(1))
                maybe.append(_flag(_junction(exp.And, [there, exp.EQ(this=undecided, expression=exp.Literal.number(1))])))
            if e.distinct is not None:
                if e.distinct not in log.items:
                    raise Unexpressible(e, f"form {e.form!r} has no item {e.distinct!r}")
                column = columns.get(e.distinct)
                values.append(exp.column(column, quoted=True) if column is not None else exp.Null())
        if e.distinct is None:
            lo = _sum(matched)
            hi: exp.Expr = exp.Add(this=_paren(lo), expression=_paren(_sum(maybe)))
        else:
            lo, hi = _distinct(matched, maybe, values)
        recorded = list(exists)
        if log.none is not None:
            recorded.append(_column_true(log.none))
        known = _junction(exp.Or, recorded)
        return Typed(exp.Case(ifs=[_when(known, lo)]), "int", exp.Case(ifs=[_when(known, hi)]))

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


_SQL_TYPES: dict[DataType, str] = {
    DataType.INTEGER: "BIGINT", DataType.DECIMAL: "DOUBLE", DataType.BOOLEAN: "BOOLEAN", DataType.DATE: "DATE",
    DataType.TEXT: "VARCHAR", DataType.CODED: "VARCHAR"}


def _column_true(name: str) -> exp.Expr:
    return exp.Is(this=exp.column(name, quoted=True), expression=exp.Boolean(this=True))


def _flag(condition: exp.Expr) -> exp.Expr:
    """1 when ``condition`` holds, else 0 (an unknown condition too)."""
    return exp.Case(ifs=[_when(condition, exp.Literal.number(1))], default=exp.Literal.number(0))


def _sum(terms: list[exp.Expr]) -> exp.Expr:
    out = terms[0]
    for t in terms[1:]:
        out = exp.Add(this=out, expression=t)
    return out


def _distinct(matched: list[exp.Expr], maybe: list[exp.Expr], values: list[exp.Expr]) -> tuple[exp.Expr, exp.Expr]:
    """The ends of :func:`planner.expr.bounds.distinct` over the records' values.

    A known value counts in the record where it first occurs among the
    records considered; a blank value may repeat one or be new.
    """
    one, zero = exp.Literal.number(1), exp.Literal.number(0)

    def new_values(take: list[exp.Expr]) -> exp.Expr:
        terms: list[exp.Expr] = []
        for k, v in enumerate(values):
            conditions: list[exp.Expr] = [exp.EQ(this=take[k], expression=one.copy()), exp.Not(this=_is_null(v))]
            for j in range(k):  # not the value of an earlier record considered
                seen = _junction(exp.And, [exp.EQ(this=take[j].copy(), expression=one.copy()),
                                           exp.EQ(this=_paren(values[j].copy()), expression=_paren(v.copy()))])
                conditions.append(_not_flagged(seen))
            terms.append(_flag(_junction(exp.And, conditions)))
        return _sum(terms)

    def blanks(take: list[exp.Expr]) -> exp.Expr:
        return _sum([_flag(_junction(exp.And, [exp.EQ(this=t.copy(), expression=one.copy()), _is_null(v.copy())]))
                     for t, v in zip(take, values, strict=True)])

    either = [_flag(_junction(exp.Or, [exp.EQ(this=m.copy(), expression=one.copy()),
                                       exp.EQ(this=u.copy(), expression=one.copy())]))
              for m, u in zip(matched, maybe, strict=True)]
    known = new_values(matched)
    extra = exp.Case(ifs=[_when(_junction(exp.And, [exp.GT(this=_paren(blanks(matched)), expression=zero.copy()),
                                                     exp.EQ(this=_paren(known.copy()), expression=zero.copy())]),
                                one.copy())], default=zero.copy())
    lo = exp.Add(this=_paren(known), expression=extra)
    hi = exp.Add(this=_paren(new_values(either)), expression=_paren(blanks(either)))
    return lo, hi


def _not_flagged(condition: exp.Expr) -> exp.Expr:
    """True unless ``condition`` holds (false or unknown give true): ``CASE WHEN c THEN 1 ELSE 0 END = 0``."""
    return exp.EQ(this=_flag(condition), expression=exp.Literal.number(0))


def _tri(true: exp.Expr, false: exp.Expr) -> exp.Expr:
    """A condition that is true when ``true`` holds, false when ``false`` holds, else unknown (as a predicate)."""
    code = exp.Case(ifs=[_when(true, exp.Literal.number(1)), _when(false, exp.Literal.number(0))])
    return exp.EQ(this=code, expression=exp.Literal.number(1))


def _interval_cmp(e: Expr, op: str, a: Typed, b: Typed) -> exp.Expr:
    """``a op b`` where one side is known only between two ends, as :func:`planner.expr.bounds.compare` decides."""
    a_lo, a_hi = a.sql, a.hi if a.hi is not None else a.sql
    b_lo, b_hi = b.sql, b.hi if b.hi is not None else b.sql

    def cmp(o: str, x: exp.Expr, y: exp.Expr) -> exp.Expr:
        return _CMP[o](this=_paren(x.copy()), expression=_paren(y.copy()))

    if op in ("<", "<="):
        return _tri(cmp(op, a_hi, b_lo), exp.Not(this=cmp(op, a_lo, b_hi)))
    if op in (">", ">="):
        return _tri(cmp(op, a_lo, b_hi), exp.Not(this=cmp(op, a_hi, b_lo)))
    for t in (a, b):
        if t.kind != "int":  # the ends of a count meet a fraction nowhere; not written here
            raise Unexpressible(e, f"{op} between a count and {_NAMES[t.kind]}")
    equal = _junction(exp.And, [cmp("==", a_lo, a_hi), cmp("==", b_lo, b_hi), cmp("==", a_lo, b_lo)])
    apart = _junction(exp.Or, [cmp(">", a_lo, b_hi), cmp(">", b_lo, a_hi)])
    return _tri(equal, apart) if op == "==" else _tri(apart, equal)


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
