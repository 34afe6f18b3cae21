"""Three-valued evaluation of rule expressions over one participant record.

A record is a mapping from item names to values; a repeating form is a list of
mappings under the form's id. A missing item (absent or ``None``) makes a
comparison *unknown* (``None``), and unknown follows Kleene's logic: ``false
and unknown`` is false, ``true or unknown`` is true, otherwise unknown stays.

:func:`evaluate` walks the tree and explains its answer. :func:`compile_rule`
turns the tree into nested closures once, for screening many records (see
``benchmarks/``); both give the same value for every record.

A count whose records are partly unknown, and a derived score with inputs
missing, is known only between two ends: a :class:`~planner.expr.bounds.Bounds`.
A comparison with it is decided when every value between the ends gives the
same answer, else unknown (see :mod:`planner.expr.bounds`).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from attrs import frozen

from planner import units
from planner.expr import bounds
from planner.expr.bounds import Bounds, span
from planner.expr.functions import apply
from planner.expr.nodes import And, Arith, Between, Call, Cmp, Count, Expr, In, Lit, Not, Or, Ref

Record = Mapping[str, Any]
Truth = bool | None
SIGNIFICANT = 12
"""Significant digits kept of a literal converted to another unit (``7 × 0.1`` is ``0.7``, not ``0.7000000000000001``)."""

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
}


@frozen
class Outcome:
    """The value of an expression for one record, and why.

    ``because`` lists the deciding sub-expressions as text with their values;
    ``missing`` names the items whose absence left the answer unknown.
    """

    value: Any
    because: tuple[str, ...] = ()
    missing: frozenset[str] = frozenset()


def literal_value(lit: Lit, unit_of: Mapping[str, str | None], subject: Expr | None) -> Any:
    """A literal's value in the unit of the item it is compared with."""
    value = lit.value
    if lit.unit is None or not isinstance(subject, Ref) or isinstance(value, (bool, str, dt.date)):
        return value
    target = unit_of.get(subject.name)
    if target is None or target == lit.unit or not units.is_known(target) or not units.convertible(lit.unit, target):
        return lit.value
    return snap(value * units.factor(lit.unit, target))


def snap(x: float) -> float:
    """``x`` rounded to :data:`SIGNIFICANT` digits, so a unit factor's binary noise cannot cross a threshold."""
    return float(f"{x:.{SIGNIFICANT}g}")


def truth(value: object) -> Truth:
    """Python's truth of a rule's value, ``None`` when unknown (also a :class:`Bounds` that may be zero)."""
    if value is None:
        return None
    if isinstance(value, Bounds):
        return bounds.truth(value)
    return bool(value)


def evaluate(expr: Expr, record: Record, unit_of: Mapping[str, str | None] | None = None) -> Outcome:
    """Evaluate ``expr`` on ``record`` by walking the tree, with an explanation."""
    return _Walker(unit_of or {}).eval(expr, record)


class _Walker:
    def __init__(self, unit_of: Mapping[str, str | None]) -> None:
        self.unit_of = unit_of

    def eval(self, e: Expr, r: Record, subject: Expr | None = None) -> Outcome:
        if isinstance(e, Ref):
            v = r.get(e.name.rpartition(".")[2] if "." in e.name and e.name not in r else e.name)
            return Outcome(v, missing=frozenset({e.name}) if v is None or isinstance(v, Bounds) else frozenset())
        if isinstance(e, Lit):
            return Outcome(literal_value(e, self.unit_of, subject))
        if isinstance(e, (And, Or)):
            return self._junction(e, r)
        if isinstance(e, Not):
            o = self.eval(e.term, r)
            t = truth(o.value)
            return Outcome(None if t is None else not t, o.because, o.missing)
        if isinstance(e, Cmp):
            left = self.eval(e.left, r, e.right)
            right = self.eval(e.right, r, e.left)
            return self._decide(e, [left, right], lambda a, b: _compare(e.op, a, b))
        if isinstance(e, Arith):
            left = self.eval(e.left, r, e.right)
            right = self.eval(e.right, r, e.left)
            if left.value is None or right.value is None:
                return Outcome(None, missing=left.missing | right.missing)
            if isinstance(left.value, Bounds) or isinstance(right.value, Bounds):
                value = bounds.arith(e.op, left.value, right.value)
                return Outcome(value, () if value is not None else (f"{e}: unknown ({left.value} {e.op} "
                                                                      f"{right.value})",), left.missing | right.missing)
            if e.op == "/" and right.value == 0:
                return Outcome(None, (f"{e}: division by zero",))
            try:
                return Outcome(_OPS[e.op](left.value, right.value))
            except TypeError:
                return Outcome(None, (f"{e}: values of incompatible types",))
        if isinstance(e, In):
            s = self.eval(e.subject, r)
            opts = [literal_value(o, self.unit_of, e.subject) for o in e.options]
            return self._decide(e, [s], lambda a: bounds.member(a, opts) if isinstance(a, Bounds) else a in opts)
        if isinstance(e, Between):
            s = self.eval(e.subject, r)
            lo = self.eval(e.low, r, e.subject)
            hi = self.eval(e.high, r, e.subject)
            ops = ("<=" if e.low_inclusive else "<", "<=" if e.high_inclusive else "<")
            return self._decide(e, [lo, s, hi], lambda a, b, c: _between(ops, a, b, c))
        if isinstance(e, Count):
            return self._count(e, r)
        if isinstance(e, Call):
            return self._call(e, r)
        raise TypeError(f"cannot evaluate {e!r}")

    def _call(self, e: Call, r: Record) -> Outcome:
        if e.fn == "ifelse":
            cond = self.eval(e.args[0], r)
            t = truth(cond.value)
            if t is None:
                return Outcome(None, (f"{e}: unknown (the condition {e.args[0]} is unknown)",), cond.missing)
            branch = self.eval(e.args[1] if t else e.args[2], r)
            return Outcome(branch.value, branch.because, branch.missing)
        args = [self.eval(a, r) for a in e.args]
        missing = frozenset().union(*(a.missing for a in args))
        value = apply(e.fn, [a.value for a in args])
        if value is None:
            why = f"{', '.join(sorted(missing))} missing" if missing else "outside the function's domain"
            return Outcome(None, (f"{e}: unknown ({why})",), missing)
        return Outcome(value, missing=missing if isinstance(value, Bounds) else frozenset())

    def _decide(self, e: Expr, parts: list[Outcome], fn: Callable[..., Any]) -> Outcome:
        missing = frozenset().union(*(p.missing for p in parts))
        if any(p.value is None for p in parts):
            if not missing:  # unknown for another reason (outside a function's domain): say that one
                why = tuple(b for p in parts if p.value is None for b in p.because)
                return Outcome(None, why or (f"{e}: unknown",))
            return Outcome(None, (f"{e}: unknown ({', '.join(sorted(missing))} missing)",), missing)
        try:
            result = fn(*(p.value for p in parts))
        except TypeError:
            return Outcome(None, (f"{e}: values of incompatible types {[p.value for p in parts]!r}",))
        if result is None:  # a value known only between two ends that do not decide
            ranges = ", ".join(str(p.value) for p in parts if isinstance(p.value, Bounds))
            return Outcome(None, (f"{e}: unknown (could be {ranges}; {', '.join(sorted(missing))} missing)",),
                           missing)
        value = bool(result)
        return Outcome(value, (f"{e}: {str(value).lower()}",))

    def _junction(self, e: And | Or, r: Record) -> Outcome:
        deciding = isinstance(e, Or)  # the value that settles the junction
        outs = [self.eval(t, r) for t in e.terms]
        truths = [truth(o.value) for o in outs]
        decisive = [o for o, t in zip(outs, truths, strict=True) if t is deciding]
        if decisive:
            return Outcome(deciding, tuple(b for o in decisive for b in o.because))
        unknown = [o for o, t in zip(outs, truths, strict=True) if t is None]
        if unknown:
            missing = frozenset().union(*(o.missing for o in unknown))
            return Outcome(None, tuple(b for o in unknown for b in o.because), missing)
        return Outcome(not deciding, tuple(b for o in outs for b in o.because))

    def _count(self, e: Count, r: Record) -> Outcome:
        rows = r.get(e.form)
        if rows is None:
            return Outcome(None, (f"{e}: unknown ({e.form} not recorded)",), frozenset({e.form}))
        matched: list[Mapping[str, Any]] = []
        maybe: list[Mapping[str, Any]] = []  # records whose ``where`` is unknown
        lacking: set[str] = set()
        for row in rows:
            if e.where is None:
                matched.append(row)
                continue
            o = self.eval(e.where, row)
            t = truth(o.value)
            if t is None:
                maybe.append(row)
                lacking.update(f"{e.form}.{m.rpartition('.')[2]}" for m in o.missing)
            elif t:
                matched.append(row)
        if e.distinct is None:
            value = span(len(matched), len(matched) + len(maybe), True)
        else:
            value = bounds.distinct([row.get(e.distinct) for row in matched], [row.get(e.distinct) for row in maybe])
            if any(row.get(e.distinct) is None for row in (*matched, *maybe)):
                lacking.add(f"{e.form}.{e.distinct}")
        if isinstance(value, Bounds):
            why = f"{e.form} records lack {', '.join(sorted(lacking))}" if lacking else "some records undecided"
            return Outcome(value, (f"{e} = {value} ({why})",), frozenset(lacking))
        return Outcome(value, (f"{e} = {value}",))


def _compare(op: str, a: Any, b: Any) -> Truth:
    """``a op b`` as Python answers it (a TypeError stays one), or as :func:`bounds.compare` for a :class:`Bounds`."""
    if a.__class__ is Bounds or b.__class__ is Bounds:
        return bounds.compare(op, a, b)
    return bool(_OPS[op](a, b))


def _between(ops: tuple[str, str], lo: Any, s: Any, hi: Any) -> Truth:
    """``lo op s op hi`` as Python chains it (a TypeError stays one), or as :func:`bounds.between`."""
    if lo.__class__ is not Bounds and s.__class__ is not Bounds and hi.__class__ is not Bounds:
        return bool(_OPS[ops[0]](lo, s) and _OPS[ops[1]](s, hi))
    return bounds.between(ops, lo, s, hi)


# -- compilation --------------------------------------------------------------

Compiled = Callable[[Record], Any]


def compile_rule(expr: Expr, unit_of: Mapping[str, str | None] | None = None) -> Compiled:
    """Compile ``expr`` into a function of a record, with the same three-valued result."""
    return _compile(expr, unit_of or {}, None)


def _compile(e: Expr, unit_of: Mapping[str, str | None], subject: Expr | None) -> Compiled:  # noqa: C901
    if isinstance(e, Ref):
        name = e.name
        if "." in name:
            short = name.rpartition(".")[2]
            return lambda r: r.get(name, r.get(short))
        return lambda r: r.get(name)
    if isinstance(e, Lit):
        const = literal_value(e, unit_of, subject)
        return lambda r: const
    if isinstance(e, Not):
        inner = _compile(e.term, unit_of, None)

        def not_(r: Record) -> Truth:
            v = inner(r)
            if v is None:
                return None
            if v.__class__ is Bounds:
                t = bounds.truth(v)
                return None if t is None else not t
            return not v

        return not_
    if isinstance(e, (And, Or)):
        return _compile_junction(e, unit_of)
    if isinstance(e, Cmp):
        return _compile_cmp(e, unit_of)
    if isinstance(e, Arith):
        fa, fb, op, aop = _compile(e.left, unit_of, e.right), _compile(e.right, unit_of, e.left), _OPS[e.op], e.op
        div = e.op == "/"

        def arith(r: Record) -> Any:
            a, b = fa(r), fb(r)
            if a is None or b is None:
                return None
            if a.__class__ is Bounds or b.__class__ is Bounds:
                return bounds.arith(aop, a, b)
            if div and b == 0:
                return None
            try:
                return op(a, b)
            except TypeError:
                return None

        return arith
    if isinstance(e, In):
        fs = _compile(e.subject, unit_of, None)
        values = tuple(literal_value(o, unit_of, e.subject) for o in e.options)
        opts = frozenset(values)

        def in_(r: Record) -> Truth:
            v = fs(r)
            if v is None:
                return None
            if v.__class__ is Bounds:
                return bounds.member(v, values)
            try:
                return v in opts
            except TypeError:  # an unhashable value: compare one by one, as the tree walk does
                return v in values

        return in_
    if isinstance(e, Between):
        fs = _compile(e.subject, unit_of, None)
        flo, fhi = _compile(e.low, unit_of, e.subject), _compile(e.high, unit_of, e.subject)
        ops = ("<=" if e.low_inclusive else "<", "<=" if e.high_inclusive else "<")

        def between(r: Record) -> Truth:
            v, lo, hi = fs(r), flo(r), fhi(r)
            if v is None or lo is None or hi is None:
                return None
            try:
                return _between(ops, lo, v, hi)
            except TypeError:
                return None

        return between
    if isinstance(e, Count):
        return _compile_count(e, unit_of)
    if isinstance(e, Call):
        return _compile_call(e, unit_of)
    raise TypeError(f"cannot compile {e!r}")


def _compile_call(e: Call, unit_of: Mapping[str, str | None]) -> Compiled:
    args = tuple(_compile(a, unit_of, None) for a in e.args)
    if e.fn == "ifelse":
        cond, then, otherwise = args

        def ifelse(r: Record) -> Any:
            t = truth(cond(r))
            return None if t is None else then(r) if t else otherwise(r)

        return ifelse
    fn = e.fn
    return lambda r: apply(fn, [a(r) for a in args])


_NEVER_BOUNDS = (Cmp, In, Between, Not, And, Or, Lit)  # nodes whose compiled value is never a Bounds


def _compile_junction(e: And | Or, unit_of: Mapping[str, str | None]) -> Compiled:  # noqa: C901 - two loops each
    """``and``/``or``; a term that may be a :class:`Bounds` (a count, a derived value) is read by :func:`truth`."""
    terms = tuple(_compile(t, unit_of, None) for t in e.terms)
    plain = all(isinstance(t, _NEVER_BOUNDS) for t in e.terms)  # then no term needs the check

    def and_(r: Record) -> Truth:
        unknown = False
        for t in terms:
            v = t(r)
            if v is None:
                unknown = True
            elif not v:
                return False
            elif not plain and v.__class__ is Bounds and bounds.truth(v) is None:
                unknown = True
        return None if unknown else True

    def or_(r: Record) -> Truth:
        unknown = False
        for t in terms:
            v = t(r)
            if v is None:
                unknown = True
            elif v:
                if plain or v.__class__ is not Bounds or bounds.truth(v):
                    return True
                unknown = True
        return None if unknown else False

    return and_ if isinstance(e, And) else or_


def _compile_cmp(e: Cmp, unit_of: Mapping[str, str | None]) -> Compiled:
    op, name_op = _OPS[e.op], e.op
    if isinstance(e.left, Ref) and isinstance(e.right, Lit) and "." not in e.left.name:
        name, const = e.left.name, literal_value(e.right, unit_of, e.left)

        def ref_lit(r: Record) -> Truth:
            v = r.get(name)
            if v is None:
                return None
            if v.__class__ is Bounds:
                return bounds.compare(name_op, v, const)
            try:
                return bool(op(v, const))
            except TypeError:
                return None

        return ref_lit
    fa, fb = _compile(e.left, unit_of, e.right), _compile(e.right, unit_of, e.left)

    def cmp(r: Record) -> Truth:
        a, b = fa(r), fb(r)
        if a is None or b is None:
            return None
        if a.__class__ is Bounds or b.__class__ is Bounds:
            return bounds.compare(name_op, a, b)
        try:
            return bool(op(a, b))
        except TypeError:
            return None

    return cmp


def _compile_count(e: Count, unit_of: Mapping[str, str | None]) -> Compiled:
    form, distinct = e.form, e.distinct
    where = None if e.where is None else _compile(e.where, unit_of, None)
    plain = isinstance(e.where, _NEVER_BOUNDS)  # the where clause is never a Bounds

    def count(r: Record) -> int | Bounds | None:
        rows: Sequence[Record] | None = r.get(form)
        if rows is None:
            return None
        matched = []
        maybe: list[Record] = []  # records whose ``where`` is unknown
        for row in rows:
            if where is not None:
                v = where(row)
                if v is None or (not plain and v.__class__ is Bounds and bounds.truth(v) is None):
                    maybe.append(row)
                    continue
                if not v:
                    continue
            matched.append(row)
        if distinct is None:
            return len(matched) if not maybe else Bounds(len(matched), len(matched) + len(maybe), True)
        values = [row.get(distinct) for row in matched]
        if not maybe and None not in values:
            return len(set(values))
        return bounds.distinct(values, [row.get(distinct) for row in maybe])

    return count
