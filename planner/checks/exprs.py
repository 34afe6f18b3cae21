"""Type, unit and codelist agreement of a rule expression with the data dictionary.

Shared by the eligibility, endpoint and monitoring checks: each asks
:func:`problems` about its expressions and words the answers in its own area.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator

from attrs import frozen

from planner import units
from planner.checks.context import Context
from planner.expr.nodes import And, Arith, Between, Call, Cmp, Count, Expr, In, Lit, Not, Or, Ref
from planner.model import TBC, DataType


class Kind(enum.StrEnum):
    """What a value is, for comparing operands."""

    NUMBER = "a number"
    DATE = "a date"
    BOOLEAN = "true/false"
    TEXT = "text"
    UNKNOWN = "unknown"


class Problem(enum.StrEnum):
    TYPE = "type"
    UNIT = "unit"
    UNIT_TBC = "unit to be confirmed"
    CODE = "code"


@frozen
class Issue:
    """One disagreement in an expression: what it is and what to do."""

    problem: Problem
    what: str
    todo: str
    item: str = ""


_ITEM_KIND = {
    DataType.INTEGER: Kind.NUMBER, DataType.DECIMAL: Kind.NUMBER, DataType.DATE: Kind.DATE,
    DataType.BOOLEAN: Kind.BOOLEAN, DataType.TEXT: Kind.TEXT, DataType.CODED: Kind.TEXT,
}
_ORDERED = frozenset({Kind.NUMBER, Kind.DATE, Kind.UNKNOWN})


def _name(ctx: Context, ref: Ref, scope: str | None) -> str:
    if ref.name not in ctx.items and scope is not None and f"{scope}.{ref.name}" in ctx.items:
        return f"{scope}.{ref.name}"
    return ref.name


def _kind(ctx: Context, e: Expr, scope: str | None) -> Kind:
    if isinstance(e, Lit):
        v = e.value
        if isinstance(v, bool):
            return Kind.BOOLEAN
        if isinstance(v, (int, float)):
            return Kind.NUMBER
        return Kind.DATE if isinstance(v, dt.date) else Kind.TEXT
    if isinstance(e, Ref):
        it = ctx.item(_name(ctx, e, scope))
        if it is not None:
            return _ITEM_KIND[it.type]
        return Kind.NUMBER if e.name in ctx.derivations else Kind.UNKNOWN
    if isinstance(e, (Count, Arith)):
        return Kind.NUMBER
    if isinstance(e, Call):
        if e.fn == "today":
            return Kind.DATE
        return _kind(ctx, e.args[1], scope) if e.fn == "ifelse" else Kind.NUMBER
    return Kind.BOOLEAN


def problems(ctx: Context, expr: Expr) -> Iterator[Issue]:
    """Every type, unit and codelist disagreement in ``expr``."""
    yield from _visit(ctx, expr, None, boolean=True)


def _visit(ctx: Context, e: Expr, scope: str | None, boolean: bool) -> Iterator[Issue]:
    if isinstance(e, (And, Or)):
        for t in e.terms:
            yield from _visit(ctx, t, scope, boolean=True)
    elif isinstance(e, Not):
        yield from _visit(ctx, e.term, scope, boolean=True)
    elif isinstance(e, Count):
        if e.where is not None:
            yield from _visit(ctx, e.where, e.form, boolean=True)
    elif isinstance(e, Cmp):
        yield from _pair(ctx, e, e.left, e.right, scope, ordered=e.op not in ("==", "!="))
        yield from _operand(ctx, e.left, scope)
        yield from _operand(ctx, e.right, scope)
    elif isinstance(e, Between):
        yield from _pair(ctx, e, e.subject, e.low, scope, ordered=True)
        yield from _pair(ctx, e, e.subject, e.high, scope, ordered=True)
        yield from _operand(ctx, e.subject, scope)
    elif isinstance(e, In):
        for o in e.options:
            yield from _pair(ctx, e, e.subject, o, scope, ordered=False)
        yield from _operand(ctx, e.subject, scope)
    elif isinstance(e, Ref) and boolean:
        kind = _kind(ctx, e, scope)
        if kind not in (Kind.BOOLEAN, Kind.UNKNOWN):
            yield Issue(Problem.TYPE, f"'{e}' is {kind.value}, used as a condition",
                        f"compare it with a value, e.g. '{e} >= …', or use a true/false item", e.name)
    elif isinstance(e, Call) and boolean and _kind(ctx, e, scope) is not Kind.BOOLEAN:
        yield Issue(Problem.TYPE, f"'{e}' is not a condition", "write a comparison such as 'x >= 1'")
        yield from _operand(ctx, e, scope)
    elif isinstance(e, Call) and boolean:
        yield from _operand(ctx, e, scope)
    elif isinstance(e, (Lit, Arith)) and boolean:
        yield Issue(Problem.TYPE, f"'{e}' is not a condition", "write a comparison such as 'x >= 1'")


def _operand(ctx: Context, e: Expr, scope: str | None) -> Iterator[Issue]:
    """Problems inside an operand: arithmetic on non-numbers, counts' filters."""
    if isinstance(e, Arith):
        for side in (e.left, e.right):
            kind = _kind(ctx, side, scope)
            if kind not in (Kind.NUMBER, Kind.UNKNOWN):
                yield Issue(Problem.TYPE, f"arithmetic '{e}' uses '{side}', which is {kind.value}",
                            "arithmetic takes numbers only; record the value you need (e.g. a duration) as an item")
            yield from _operand(ctx, side, scope)
    elif isinstance(e, Count) and e.where is not None:
        yield from _visit(ctx, e.where, e.form, boolean=True)
    elif isinstance(e, Call):
        yield from _call(ctx, e, scope)


_ARGUMENT_KIND = {"days_between": Kind.DATE}
"""The kind each function's arguments take, where it is not a number."""


def _call(ctx: Context, e: Call, scope: str | None) -> Iterator[Issue]:
    """A function's arguments: numbers (dates for ``days_between``); ``ifelse`` a condition and two values."""
    if e.fn == "ifelse":
        yield from _visit(ctx, e.args[0], scope, boolean=True)
        then, otherwise = (_kind(ctx, a, scope) for a in e.args[1:])
        if Kind.UNKNOWN not in (then, otherwise) and then is not otherwise:
            yield Issue(Problem.TYPE, f"'{e}' gives {then.value} or {otherwise.value}",
                        "give both branches of ifelse() values of the same type")
        for branch in e.args[1:]:
            yield from _operand(ctx, branch, scope)
        return
    want = _ARGUMENT_KIND.get(e.fn, Kind.NUMBER)
    for arg in e.args:
        kind = _kind(ctx, arg, scope)
        if kind not in (want, Kind.UNKNOWN):
            yield Issue(Problem.TYPE, f"'{e}' takes {want.value} values, but '{arg}' is {kind.value}",
                        f"give {e.fn}() {want.value} values")
        yield from _operand(ctx, arg, scope)


def _pair(ctx: Context, node: Expr, a: Expr, b: Expr, scope: str | None, ordered: bool) -> Iterator[Issue]:
    ka, kb = _kind(ctx, a, scope), _kind(ctx, b, scope)
    if Kind.UNKNOWN not in (ka, kb) and ka is not kb:
        yield Issue(Problem.TYPE, f"'{node}' compares {ka.value} ('{a}') with {kb.value} ('{b}')",
                    f"compare '{a}' with {ka.value}" if isinstance(b, Lit) else "compare values of the same type")
        return
    if ordered and (ka not in _ORDERED or kb not in _ORDERED):
        kind = ka if ka not in _ORDERED else kb
        yield Issue(Problem.TYPE, f"'{node}' orders {kind.value} values with <, <=, > or >=",
                    "use == or 'in (…)' for text, coded and true/false items")
        return
    for ref, lit in ((a, b), (b, a)):
        if isinstance(ref, Ref) and isinstance(lit, Lit):
            yield from _unit(ctx, node, _name(ctx, ref, scope), lit)
            yield from _code(ctx, node, _name(ctx, ref, scope), lit)


def _unit(ctx: Context, node: Expr, name: str, lit: Lit) -> Iterator[Issue]:
    if lit.unit is None:
        return
    unit = ctx.unit_of(name)
    if isinstance(unit, TBC):
        yield Issue(Problem.UNIT_TBC, f"'{node}' gives a unit ({lit.unit}) but the unit of '{name}' is to be "
                    f"confirmed ({unit.reason})", f"confirm the unit of '{name}', then write the threshold in it",
                    name)
    elif unit is None:
        yield Issue(Problem.UNIT, f"'{node}' gives a unit ({lit.unit}) but '{name}' has no unit",
                    f"declare the unit of '{name}' in the data dictionary, or drop '[{lit.unit}]'", name)
    elif unit != lit.unit:
        if units.is_known(unit) and units.convertible(lit.unit, unit):
            value = float(lit.value) * units.factor(lit.unit, unit)  # type: ignore[arg-type]
            yield Issue(Problem.UNIT, f"'{node}' writes the threshold in {lit.unit}, but '{name}' is collected "
                        f"in {unit}", f"write the threshold in the item's unit: {value:g}[{unit}]", name)
        else:
            yield Issue(Problem.UNIT, f"'{node}' compares '{name}' ({unit}) with a value in {lit.unit}, "
                        "which cannot be converted", f"use a threshold in {unit}, or compare the right item", name)


def _code(ctx: Context, node: Expr, name: str, lit: Lit) -> Iterator[Issue]:
    it = ctx.item(name)
    if it is None or it.codelist is None or not isinstance(lit.value, str):
        return
    cl = ctx.protocol.dictionary.codelist(it.codelist)
    if cl is not None and lit.value not in cl.codes():
        yield Issue(Problem.CODE, f"'{node}' uses {lit.value!r}, which is not a code of codelist '{cl.id}'",
                    f"use one of {', '.join(repr(c) for c in cl.codes())}, or add the code to the codelist", name)
