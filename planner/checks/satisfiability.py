"""Interval reasoning over eligibility criteria, one item at a time.

Each criterion's rule is split into conjuncts: an inclusion must hold, so its
top-level ``and`` terms each must hold; an exclusion must *not* hold, so the
negation of its top-level ``or`` terms each must hold. A conjunct that speaks
about a single item (``age >= 18``, ``diagnosis in ("RA", "PsA")``,
``count(prior_therapy) >= 2``) becomes the set of that item's values it
allows. Per item, the permitted values (type, codelist, range) intersected
with every inclusion and every exclusion's complement must not be empty.

:func:`analyse` returns :class:`Verdict` objects: a criterion that no
permitted value satisfies, inclusions that contradict each other, exclusions
that remove everyone the inclusions admit, and criteria that other criteria
make redundant (a criterion implied only by the item's own range or codelist,
such as ``diagnosis in (…)`` listing every code, states the population and is
not reported).
Conjuncts over several items are left alone (not reasoned about).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator

from attrs import frozen

from planner import units
from planner.checks.context import Context
from planner.checks.intervals import CodeSet, Interval, NumSet, Value, ValueSet, intersect, subset, union
from planner.expr.nodes import And, Between, Cmp, Count, Expr, In, Lit, Not, Or, Ref
from planner.model import Category, Criterion, DataType, Range

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}


class Kind(enum.StrEnum):
    ALONE = "alone"
    CONTRADICTION = "contradiction"
    EXCLUDES_ALL = "excludes all"
    REDUNDANT = "redundant"


@frozen(eq=False)
class Part:
    """What one criterion allows of one item (for an exclusion: what it leaves)."""

    index: int
    criterion: Criterion
    key: str
    values: ValueSet
    text: str


@frozen
class Verdict:
    """A finding of the reasoning: the criterion at fault first, then the others involved."""

    kind: Kind
    key: str
    culprit: Part
    others: tuple[Part, ...]
    universe: str


def analyse(ctx: Context) -> Iterator[Verdict]:
    """Every per-item problem of the eligibility criteria."""
    parts, complete = _parts(ctx)
    for key, ps in parts.items():
        yield from _per_item(ctx, key, ps, complete)


def admitted(ctx: Context, key: str) -> ValueSet:
    """The values of item ``key`` that every criterion together lets in: its permitted values
    (type, codelist, range) narrowed by each single-item conjunct of the criteria."""
    return _all(_universe(ctx, key), _parts(ctx)[0].get(key, []))


def admitted_universe(ctx: Context, key: str) -> ValueSet:
    """The values item ``key`` may take before any criterion: its type, codelist and range."""
    return _universe(ctx, key)


def _parts(ctx: Context) -> tuple[dict[str, list[Part]], dict[int, bool]]:
    return ctx.memo("satisfiability.parts", lambda: _split(ctx))


def _split(ctx: Context) -> tuple[dict[str, list[Part]], dict[int, bool]]:
    """Per item, what each criterion allows of it; per criterion, whether that is all it says."""
    parts: dict[str, list[Part]] = {}
    complete: dict[int, bool] = {}
    for index, c in enumerate(ctx.protocol.eligibility):
        if c.rule is None:
            continue
        positive = c.category is Category.INCLUSION
        keys: set[str] = set()
        converted = True
        mine: dict[str, Part] = {}
        text = str(c.rule)  # once per criterion: printing it per conjunct made long rules quadratic
        for term, pos in _conjuncts(c.rule, positive):
            found = _to_set(ctx, term, pos)
            if found is None:
                converted = False
                continue
            key, values = found
            keys.add(key)
            prev = mine.get(key)
            mine[key] = Part(index, c, key, values if prev is None else intersect(prev.values, values), text)
        complete[index] = converted and len(keys) == 1
        for key, p in mine.items():
            parts.setdefault(key, []).append(p)
    return parts, complete


def _per_item(ctx: Context, key: str, ps: list[Part], complete: dict[int, bool]) -> Iterator[Verdict]:
    uni = _universe(ctx, key)
    shown = str(uni)
    dead = [p for p in ps if intersect(uni, p.values).is_empty()]
    for p in dead:
        yield Verdict(Kind.ALONE, key, p, (), shown)
    if dead:
        return
    incl = [p for p in ps if p.criterion.category is Category.INCLUSION]
    excl = [p for p in ps if p.criterion.category is Category.EXCLUSION]
    admitted = _all(uni, incl)
    if admitted.is_empty():
        pair = next(((a, b) for i, a in enumerate(incl) for b in incl[i + 1:]
                     if intersect(intersect(uni, a.values), b.values).is_empty()), None)
        culprit, others = (pair[1], (pair[0],)) if pair else (incl[-1], tuple(incl[:-1]))
        yield Verdict(Kind.CONTRADICTION, key, culprit, others, shown)
        return
    if _all(admitted, excl).is_empty():
        single = next((e for e in excl if intersect(admitted, e.values).is_empty()), None)
        if single is not None:
            yield Verdict(Kind.EXCLUDES_ALL, key, single, tuple(incl), shown)
        else:
            yield Verdict(Kind.EXCLUDES_ALL, key, excl[-1], (*incl, *excl[:-1]), shown)
        return
    kept = list(ps)
    for p in reversed(ps):
        if not complete.get(p.index, False):
            continue
        rest = [q for q in kept if q is not p]
        if rest and subset(_all(uni, rest), p.values):
            kept.remove(p)
            yield Verdict(Kind.REDUNDANT, key, p, tuple(rest), shown)


def _all(start: ValueSet, ps: list[Part]) -> ValueSet:
    out = start
    for p in ps:
        out = intersect(out, p.values)
    return out


def _conjuncts(e: Expr, positive: bool) -> Iterator[tuple[Expr, bool]]:
    if isinstance(e, And) and positive or isinstance(e, Or) and not positive:
        for t in e.terms:
            yield from _conjuncts(t, positive)
    elif isinstance(e, Not):
        yield from _conjuncts(e.term, not positive)
    else:
        yield e, positive


# -- one subject's values ---------------------------------------------------------


def _key(ctx: Context, e: Expr) -> str | None:
    if isinstance(e, Ref) and (e.name in ctx.items or e.name in ctx.derivations):
        return e.name
    if isinstance(e, Count):
        return str(e)
    return None


def _universe(ctx: Context, key: str) -> ValueSet:
    it = ctx.item(key)
    if it is None:
        return NumSet() if key in ctx.derivations else _nonnegative()  # a derivation, or a count
    if it.type is DataType.BOOLEAN:
        return CodeSet(frozenset({True, False}))
    if it.type is DataType.CODED:
        cl = ctx.protocol.dictionary.codelist(it.codelist or "")
        return CodeSet(frozenset(cl.codes())) if cl is not None else CodeSet()
    if it.type is DataType.TEXT:
        return CodeSet()
    integer = it.type is DataType.INTEGER
    if isinstance(it.range, Range):
        low, high = it.range.low, it.range.high
        return NumSet((Interval(low, high, low is not None, high is not None),), integer)
    return NumSet(integer=integer)


def _nonnegative() -> NumSet:
    return NumSet((Interval(0, None, True, False),), True)


def _is_numeric_set(ctx: Context, key: str) -> bool:
    return isinstance(_universe(ctx, key), NumSet)


def _value(ctx: Context, key: str, lit: Lit, numeric: bool) -> Value | None:
    v = lit.value
    if numeric:
        it = ctx.item(key)
        dated = it is not None and it.type is DataType.DATE
        if isinstance(v, bool) or not isinstance(v, dt.date if dated else (int, float)):
            return None  # a type mismatch, reported by ELG003
        unit = ctx.unit_of(key)
        if lit.unit is not None and isinstance(unit, str) and unit != lit.unit:
            if not (units.is_known(unit) and units.convertible(lit.unit, unit)) or isinstance(v, dt.date):
                return None
            return v * units.factor(lit.unit, unit)
        return v
    return v if isinstance(v, (str, bool)) else None


def _to_set(ctx: Context, e: Expr, positive: bool) -> tuple[str, ValueSet] | None:
    found = _positive_set(ctx, e)
    if found is None:
        return None
    key, values = found
    return key, (values if positive else values.complement())


def _positive_set(ctx: Context, e: Expr) -> tuple[str, ValueSet] | None:  # noqa: C901 - one case per node type
    if isinstance(e, (And, Or)):
        subs = [_positive_set(ctx, t) for t in e.terms]
        if any(s is None for s in subs) or len({s[0] for s in subs if s is not None}) != 1:
            return None
        key, acc = subs[0]  # type: ignore[misc]
        for s in subs[1:]:
            assert s is not None
            acc = intersect(acc, s[1]) if isinstance(e, And) else union(acc, s[1])
        return key, acc
    if isinstance(e, Not):
        inner = _positive_set(ctx, e.term)
        return None if inner is None else (inner[0], inner[1].complement())
    if isinstance(e, Ref):
        it = ctx.item(e.name)
        return (e.name, CodeSet(frozenset({True}))) if it is not None and it.type is DataType.BOOLEAN else None
    if isinstance(e, Cmp):
        subject, lit, op = e.left, e.right, e.op
        if isinstance(subject, Lit):
            subject, lit, op = lit, subject, _FLIP[op]  # type: ignore[assignment]
        key = _key(ctx, subject)
        if key is None or not isinstance(lit, Lit):
            return None
        return _compare(ctx, key, op, lit)
    if isinstance(e, Between):
        key = _key(ctx, e.subject)
        if key is None or not isinstance(e.low, Lit) or not isinstance(e.high, Lit) or not _is_numeric_set(ctx, key):
            return None
        lo, hi = _value(ctx, key, e.low, True), _value(ctx, key, e.high, True)
        if lo is None or hi is None:
            return None
        return key, NumSet((Interval(lo, hi, e.low_inclusive, e.high_inclusive),))  # type: ignore[arg-type]
    if isinstance(e, In):
        key = _key(ctx, e.subject)
        if key is None:
            return None
        numeric = _is_numeric_set(ctx, key)
        vals = [_value(ctx, key, o, numeric) for o in e.options]
        if any(v is None for v in vals):
            return None
        if numeric:
            return key, NumSet(Interval(v, v, True, True) for v in vals)  # type: ignore[arg-type]
        return key, CodeSet(frozenset(v for v in vals if v is not None))
    return None


def _compare(ctx: Context, key: str, op: str, lit: Lit) -> tuple[str, ValueSet] | None:
    numeric = _is_numeric_set(ctx, key)
    v = _value(ctx, key, lit, numeric)
    if v is None:
        return None
    if not numeric:
        if op == "==":
            return key, CodeSet(frozenset({v}))
        return (key, CodeSet(None, frozenset({v}))) if op == "!=" else None
    b = v  # a number or a date
    shapes = {
        "<": Interval(None, b, False, False), "<=": Interval(None, b, False, True),  # type: ignore[arg-type]
        ">": Interval(b, None, False, False), ">=": Interval(b, None, True, False),  # type: ignore[arg-type]
        "==": Interval(b, b, True, True), "!=": Interval(b, b, True, True),  # type: ignore[arg-type]
    }
    point = NumSet((shapes[op],))
    return key, point.complement() if op == "!=" else point
