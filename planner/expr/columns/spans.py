"""Operations on the rows known only between two ends (:class:`Span`), as :mod:`planner.expr.bounds` answers.

Each function looks only at the rows where an operand has a span and returns
those rows (an index) with its answer there; :mod:`planner.expr.columns.ops`
lays them over its answer for plain values. Numbers and booleans on the other side
count as spans with equal ends, as :func:`planner.expr.bounds.ends` reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
from attrs import frozen
from numpy.typing import NDArray

from planner.expr.columns.values import _CMP, Array, Mask, Part, Span, Values, _any, _numeric, _shape

Rows: TypeAlias = "tuple[NDArray[np.intp], ...] | None"
"""The rows with a span as an index, or ``None`` for every row (when most rows have one)."""
DENSE = 0.25
"""Above this share of rows with a span, work on whole arrays rather than gather the rows."""


def present(v: Values) -> Mask:
    """Rows with a value or a span."""
    return v.known if v.span is None else v.known | v.span.known


@frozen(eq=False)
class Found:
    """The rows where an operand has a span: ``mask`` over ``shape``, and ``ix`` (see :data:`Rows`)."""

    mask: Mask
    shape: tuple[int, ...]
    ix: Rows


def rows(*vs: Values) -> Found | None:
    """The rows where any of ``vs`` has a span; ``None`` if there are none.

    Spans are usually rare (a few records in a batch), so the functions
    below gather those rows and work on them only; where most rows have one
    they work on the whole arrays instead.
    """
    masks = [v.span.known for v in vs if v.span is not None]
    if not masks:
        return None
    shape = _shape(*vs)
    mask = np.broadcast_to(_any(masks, ()), shape)
    n = int(np.count_nonzero(mask))
    if not n:
        return None
    return Found(mask, shape, None if n > DENSE * mask.size else np.nonzero(mask))


def overlay(base: Mask, found: Found, sub: Array) -> Array:
    """``base`` (broadcast) with ``sub`` on the rows ``found``."""
    if found.ix is None:
        out: Array = np.where(found.mask, sub, base)
        return out
    out = np.array(np.broadcast_to(base, found.shape))
    out[found.ix] = sub
    return out


def _scatter(x: Array, found: Found, dtype: type) -> Array:
    """``x`` (on the rows ``found``) as a whole array, zero elsewhere."""
    if found.ix is None:
        return np.where(found.mask, x, dtype(0))
    out: Array = np.zeros(found.shape, dtype)
    out[found.ix] = x
    return out


def _take(v: Values, found: Found) -> Values:
    """The rows ``found`` of ``v``, gathered (or every row, broadcast)."""
    shape, ix = found.shape, found.ix

    def at(x: Array | bool) -> Array:
        full = np.broadcast_to(x, shape)
        return full if ix is None else full[ix]

    def part(p: Part | None) -> Part | None:
        return None if p is None else Part(at(p.values), at(p.known))

    sp = v.span
    span = None if sp is None else Span(at(sp.lo), at(sp.hi), at(sp.known), at(sp.whole), sp.covers)
    return Values(shape if ix is None else (ix[0].size,), num=part(v.num),
                  whole=v.whole if isinstance(v.whole, bool) else at(v.whole), flag=part(v.flag), text=part(v.text),
                  vocab=v.vocab, date=part(v.date), span=span)


def _ends(v: Values) -> tuple[Array, Array, Mask, Mask | bool]:
    """``(lo, hi, known, whole)`` of numbers and spans together; ``whole`` is a span's flag (false elsewhere)."""
    n, s = _numeric(v), v.span
    if s is None:
        if n is None:
            return np.zeros(()), np.zeros(()), np.zeros((), np.bool_), False
        return n[0], n[0], n[1], False
    if n is None or (s.covers and v.flag is None):
        return s.lo, s.hi, s.known if n is None else n[1] | s.known, s.known & s.whole
    return np.where(s.known, s.lo, n[0]), np.where(s.known, s.hi, n[0]), n[1] | s.known, s.known & s.whole


def _integral(v: Values, lo: Array) -> Mask:
    """Rows whose every possible value is an integer: a whole span, or an integral number."""
    with np.errstate(invalid="ignore"):
        plain: Mask = np.isfinite(lo) & (lo == np.floor(lo))
    if v.span is None:
        return plain
    out: Mask = np.where(v.span.known, v.span.whole, plain)
    return out


def compare(op: str, a: Values, b: Values, found: Found) -> tuple[Mask, Mask, Mask]:
    """``(value, decided, comparable)`` of ``a op b`` on the rows ``found`` (every row when ``found.ix`` is ``None``).

    Numbers and booleans are answered too (ends that are equal), so with
    neither text nor dates on a side the answer holds on every row.
    ``comparable`` is false where Python would refuse the comparison (an
    order between a number and text), which a range test needs to know.
    """
    a, b = _take(a, found), _take(b, found)
    la, ha, ka, wa = _ends(a)
    lb, hb, kb, wb = _ends(b)
    numeric = ka & kb
    both = present(a) & present(b)
    with np.errstate(invalid="ignore"):
        if op in ("<", "<=", ">", ">="):
            fn = _CMP[op]
            every, some = (fn(ha, lb), fn(la, hb)) if op in ("<", "<=") else (fn(la, hb), fn(ha, lb))
            return numeric & every, numeric & (every | ~some), numeric
        whole = np.logical_or(wa, wb)
        lo, hi = np.maximum(la, lb), np.minimum(ha, hb)
        lo, hi = np.where(whole, np.ceil(lo), lo), np.where(whole, np.floor(hi), hi)
        nan = np.isnan(la) | np.isnan(ha) | np.isnan(lb) | np.isnan(hb)
        same = (la == ha) & (ha == lb) & (lb == hb) & ~nan
        decided = (numeric & (same | (lo > hi) | nan)) | (both & ~numeric)  # a non-number is never equal
        value = (numeric & same) if op == "==" else decided & ~(numeric & same)
    return value, decided, both


def member(s: Values, options: Sequence[object]) -> tuple[Found, Mask, Mask] | None:
    """``(rows, value, decided)`` of ``s in options`` on the rows where ``s`` has a span (``None``: it has none)."""
    found = rows(s)
    if found is None:
        return None
    sp = _take(s, found).span
    assert sp is not None
    lo, hi, whole = sp.lo, sp.hi, np.broadcast_to(sp.whole, sp.known.shape)
    numbers = [x for x in map(_float, options) if x is not None]
    none = np.ones(sp.known.shape, np.bool_)
    for o in numbers:
        a, b = np.maximum(lo, o), np.minimum(hi, o)
        none &= np.where(whole, np.ceil(a) > np.floor(b), a > b)
    inside = np.zeros(sp.known.shape)
    for o in {o for o in numbers if o.is_integer()}:
        inside += (lo <= o) & (o <= hi)
    every = whole & np.isfinite(lo) & np.isfinite(hi) & (inside == hi - lo + 1)
    return found, every, every | none


def arith(op: str, a: Values, b: Values) -> tuple[Part | None, Span | None]:
    """``a + b`` or ``a - b`` where a side has a span: ``(plain, span)`` results (other operations unknown).

    Ends that meet (only when a side is infinite) or are NaN give a plain
    float, as :func:`planner.expr.bounds.arith` does.
    """
    found = rows(a, b)
    if op not in ("+", "-") or found is None:
        return None, None
    a, b = _take(a, found), _take(b, found)
    la, ha, ka, _ = _ends(a)
    lb, hb, kb, _ = _ends(b)
    given = ka & kb
    with np.errstate(all="ignore"):
        lo, hi = (la + lb, ha + hb) if op == "+" else (la - hb, ha - lb)
        flat = (lo == hi) | np.isnan(lo) | np.isnan(hi)
        plain = np.where(np.isnan(hi), hi, lo)
    whole = _integral(a, la) & _integral(b, lb)

    return (Part(_scatter(plain, found, np.float64), _scatter(given & flat, found, np.bool_)),
            Span(_scatter(lo, found, np.float64), _scatter(hi, found, np.float64),
                 _scatter(given & ~flat, found, np.bool_), _scatter(whole, found, np.bool_)))


def _float(option: object) -> float | None:
    """A numeric option as a float; ``None`` for one no span can equal (not a number, NaN, beyond float range)."""
    if not isinstance(option, (int, float)) or option != option:
        return None
    try:
        return float(option)
    except OverflowError:
        return None
