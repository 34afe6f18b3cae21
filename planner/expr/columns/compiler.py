"""Compiling a rule to a function of a batch: :func:`compile_columns` (truth) and :func:`compile_values`."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from attrs import evolve

from planner.expr.columns.batch import Columns
from planner.expr.columns.counting import _count
from planner.expr.columns.ops import (
    Fn,
    _arith,
    _between,
    _cmp,
    _Frame,
    _full,
    _in,
    _junction,
    _not,
)
from planner.expr.columns.values import Truth, Values, _scalar
from planner.expr.logic import compile_rule, literal_value
from planner.expr.nodes import And, Arith, Between, Call, Cmp, Count, Expr, In, Lit, Not, Or, Ref


def compile_values(expr: Expr, unit_of: Mapping[str, str | None] | None = None) -> Callable[[Columns], Values]:
    """Compile ``expr`` into a function of a batch giving its value on every record (derivations use it).

    Deferred rows are answered record by record and kept, with their exact
    Python value, in the result's ``defer``/``extra``.
    """
    units = unit_of or {}
    fn = _compile(expr, units, None)
    per_record = compile_rule(expr, units)

    def run(columns: Columns) -> Values:
        v = _full(fn(_Frame((columns.size,), columns.items, columns.logs)), (columns.size,))
        if v.defer is None:
            return v
        rows = np.flatnonzero(v.defer).tolist()
        return evolve(v, extra={(i,): per_record(columns.record(i)) for i in rows}) if rows else evolve(v, defer=None)

    return run


def compile_columns(expr: Expr, unit_of: Mapping[str, str | None] | None = None) -> Callable[[Columns], Truth]:
    """Compile a rule into a function of a batch giving its three-valued truth on every record.

    For each record, ``known`` is false where :func:`~planner.expr.evaluate`
    answers ``None``; elsewhere ``value`` is the truthiness of its answer.
    """
    units = unit_of or {}
    fn = _compile(expr, units, None)
    per_record = compile_rule(expr, units)

    def run(columns: Columns) -> Truth:
        shape = (columns.size,)
        v = fn(_Frame(shape, columns.items, columns.logs))
        tv, tk = v.truth()
        value, known = np.array(np.broadcast_to(tv, shape)), np.array(np.broadcast_to(tk, shape))
        if v.defer is not None:
            for i in np.flatnonzero(np.broadcast_to(v.defer, shape)).tolist():
                answer = per_record(columns.record(i))
                known[i], value[i] = answer is not None, bool(answer)
        return Truth(value, known)

    return run


def _compile(e: Expr, units: Mapping[str, str | None], subject: Expr | None) -> Fn:  # noqa: C901 - one branch per node
    if isinstance(e, Ref):
        name = e.name
        return lambda f: f.value(name)
    if isinstance(e, Lit):
        const = _scalar(literal_value(e, units, subject))
        return lambda f: const
    if isinstance(e, Not):
        inner = _compile(e.term, units, None)
        return lambda f: _not(inner(f))
    if isinstance(e, (And, Or)):
        terms, is_or = [_compile(t, units, None) for t in e.terms], isinstance(e, Or)
        return lambda f: _junction(is_or, [t(f) for t in terms])
    if isinstance(e, Cmp):
        left, right, op = _compile(e.left, units, e.right), _compile(e.right, units, e.left), e.op
        return lambda f: _cmp(op, left(f), right(f))
    if isinstance(e, Arith):
        left, right, aop = _compile(e.left, units, e.right), _compile(e.right, units, e.left), e.op
        return lambda f: _arith(aop, left(f), right(f))
    if isinstance(e, In):
        sub = _compile(e.subject, units, None)
        options = [literal_value(o, units, e.subject) for o in e.options]
        return lambda f: _in(sub(f), options)
    if isinstance(e, Between):
        s, lo, hi = (_compile(e.subject, units, None), _compile(e.low, units, e.subject),
                     _compile(e.high, units, e.subject))
        ops = ("<=" if e.low_inclusive else "<", "<=" if e.high_inclusive else "<")
        return lambda f: _between(ops, s(f), lo(f), hi(f))
    if isinstance(e, Count):
        where = None if e.where is None else _compile(e.where, units, None)
        form, distinct = e.form, e.distinct
        return lambda f: _count(f, form, where, distinct)
    if isinstance(e, Call):
        # Functions are not vectorised here: this evaluator is frozen until the SQL
        # backend replaces it (issue 15), so every row is answered per record.
        return lambda f: Values(f.shape, defer=np.ones(f.shape, np.bool_))
    raise TypeError(f"cannot compile {e!r} to columns")
