"""Operations on :class:`Values`, node by node: logic, comparison, membership, arithmetic.

Each takes the operands' values on every row and gives the result's, with
Python's semantics (unknowns, comparisons across kinds, ``bool`` as a number);
rows the columns cannot answer are marked deferred. :class:`_Frame` is what a
reference reads: a batch's items and logs, or a log's records inside ``where=``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from attrs import evolve

from planner.expr.columns import spans
from planner.expr.columns.batch import Log
from planner.expr.columns.values import (
    _ARITH,
    _CMP,
    BIG,
    Array,
    Mask,
    Part,
    Span,
    Values,
    _any,
    _numeric,
    _scalar,
    _shape,
)


class _Frame:
    """The names an expression sees: a batch's items and logs, or (inside ``where=``) a log's records."""

    def __init__(self, shape: tuple[int, ...], items: Mapping[str, Values], logs: Mapping[str, Log]) -> None:
        self.shape, self.items, self.logs = shape, items, logs

    def _get(self, name: str) -> Values | None:
        v = self.items.get(name)
        if v is None and name in self.logs:  # a whole log read as a value: record by record
            log = self.logs[name]
            return Values(self.shape, defer=log.present if log.defer is None else log.present | log.defer)
        return v

    def value(self, name: str) -> Values:
        """``record.get(name)``, or for ``form.item`` the short name where the record lacks the long one."""
        v = self._get(name)
        if "." in name:
            alt = self._get(name.rpartition(".")[2])
            if v is None:
                v = alt
            elif alt is not None and v.present is not None:
                v = _select(v.present, v, alt)
        return Values(self.shape) if v is None else v


Fn = Callable[[_Frame], Values]


def _full(v: Values, shape: tuple[int, ...]) -> Values:
    """``v`` with every array broadcast to ``shape`` (literals are zero-dimensional)."""
    def grow(p: Part | None) -> Part | None:
        return None if p is None else Part(np.broadcast_to(p.values, shape), np.broadcast_to(p.known, shape))

    sp = v.span
    span = None
    if sp is not None:
        lo, hi, known, whole = (np.broadcast_to(x, shape) for x in (sp.lo, sp.hi, sp.known, sp.whole))
        span = Span(lo, hi, known, whole, sp.covers)
    return evolve(v, shape=shape, num=grow(v.num), flag=grow(v.flag), text=grow(v.text), date=grow(v.date),
                  whole=v.whole if isinstance(v.whole, bool) else np.broadcast_to(v.whole, shape),
                  defer=None if v.defer is None else np.broadcast_to(v.defer, shape), span=span)


def _defer(*vs: Values | Mask | None) -> Mask | None:
    """Rows deferred by any of ``vs`` (``None`` when none is)."""
    masks = [m for m in (x.defer if isinstance(x, Values) else x for x in vs) if m is not None]
    return _any(masks, ()) if masks else None


def _truthy(shape: tuple[int, ...], value: Mask, known: Mask, defer: Mask | None) -> Values:
    return Values(shape, flag=Part(value, known), defer=defer)


def _not(v: Values) -> Values:
    tv, tk = v.truth()
    return _truthy(v.shape, tk & ~tv, tk, v.defer)


def _junction(is_or: bool, vs: list[Values]) -> Values:
    settled: Mask | None = None  # a term with the deciding value (true for or, false for and)
    unknown: Mask | None = None
    for v in vs:
        tv, tk = v.truth()
        hit = tv if is_or else tk & ~tv
        settled = hit if settled is None else settled | hit
        unknown = ~tk if unknown is None else unknown | ~tk
    assert settled is not None and unknown is not None
    known = settled | ~unknown
    return _truthy(_shape(*vs), settled if is_or else known & ~settled, known, _defer(*vs))


def _vocab_codes(a: Values, b: Values) -> tuple[Array, Array]:
    """Text codes of ``a`` and ``b`` in one merged vocabulary, so codes compare as the strings do."""
    assert a.text is not None and b.text is not None
    if a.vocab == b.vocab:
        return a.text.values, b.text.values
    merged = sorted(set(a.vocab) | set(b.vocab))

    def codes(v: Values, p: Part) -> Array:
        if list(v.vocab) == merged:
            return p.values
        return np.searchsorted(merged, v.vocab).astype(np.int32)[p.values]

    return codes(a, a.text), codes(b, b.text)


def _pairs(a: Values, b: Values) -> list[tuple[Array, Array, Mask]]:
    """``(x, y, known)`` for each kind both sides hold and Python can order: numbers, text, dates."""
    out = []
    na, nb = _numeric(a), _numeric(b)
    if na is not None and nb is not None:
        out.append((na[0], nb[0], na[1] & nb[1]))
    if a.text is not None and b.text is not None:
        x, y = _vocab_codes(a, b)
        out.append((x, y, a.text.known & b.text.known))
    if a.date is not None and b.date is not None:
        out.append((a.date.values, b.date.values, a.date.known & b.date.known))
    return out


def _compare(op: str, a: Values, b: Values) -> tuple[Mask, Mask, Mask]:
    """``(value, decided, comparable)`` of ``a op b``: undecided where a side is unknown or Python raises TypeError.

    ``comparable`` differs from ``decided`` only where a side has a span that
    the other side falls within (the answer depends on the unknown value).
    """
    found = None if a.span is None and b.span is None else spans.rows(a, b)
    if found is not None and found.ix is None and all(x is None for x in (a.text, a.date, b.text, b.date)):
        return spans.compare(op, a, b, found)  # many spans, only numbers: the span comparison answers every row
    fn, pairs = _CMP[op], _pairs(a, b)
    shape = _shape(a, b)
    hits = [k & fn(x, y) for x, y, k in pairs] if op != "!=" else [k & (x == y) for x, y, k in pairs]
    value = _any(hits, shape)
    if op in ("==", "!="):  # equality across kinds is just false
        both = a.known & b.known
        value, decided = (value, both) if op == "==" else (both & ~value, both)
    else:
        decided = _any([k for _, _, k in pairs], shape)
    if found is None:
        return value, decided, decided
    sv, sd, sc = spans.compare(op, a, b, found)
    return spans.overlay(value, found, sv), spans.overlay(decided, found, sd), spans.overlay(decided, found, sc)


def _cmp(op: str, a: Values, b: Values) -> Values:
    value, ok, _ = _compare(op, a, b)
    return _truthy(_shape(a, b), value, ok, _defer(a, b))


def _between(ops: tuple[str, str], s: Values, lo: Values, hi: Values) -> Values:
    """``lo op s and s op hi``, Python's way: the second comparison only where the first is not false.

    A first comparison left open by a span lets a false second one decide;
    one Python refuses (a TypeError) leaves the answer unknown.
    """
    v1, d1, c1 = _compare(ops[0], lo, s)
    v2, d2, _ = _compare(ops[1], s, hi)
    given = spans.present(s) & spans.present(lo) & spans.present(hi)
    false = given & ((d1 & ~v1) | (c1 & d2 & ~v2))
    true = given & d1 & v1 & d2 & v2
    return _truthy(_shape(s, lo, hi), true, true | false, _defer(s, lo, hi))


def _in(s: Values, options: list[object]) -> Values:
    """Membership in a list of literals: equality with any (``1 in (True,)`` holds, as in Python)."""
    hits: list[Mask] = []
    defer = s.defer
    strings = {o for o in options if type(o) is str}
    if strings and s.text is not None:
        lut = np.fromiter((w in strings for w in s.vocab), np.bool_, len(s.vocab))
        hits.append(s.text.known & lut[s.text.values])
    for o in options:
        if type(o) is str:
            continue
        opt = _scalar(o)
        if opt.defer is not None:
            defer = _defer(defer, s.known)
        hits.append(_compare("==", s, opt)[0])
    value, known = _any(hits, s.shape), s.known
    found = spans.member(s, options)
    if found is not None:
        where, sv, sd = found
        value, known = spans.overlay(value, where, sv), spans.overlay(known, where, sd)
    return _truthy(s.shape, value, known, defer)


def _arith(op: str, a: Values, b: Values) -> Values:
    """Arithmetic on numbers (booleans as 0/1); division by zero and type errors are unknown."""
    shape, defer = _shape(a, b), _defer(a, b)
    na, nb = _numeric(a), _numeric(b)
    num: Part | None = None
    whole: Mask | bool = False
    if na is not None and nb is not None:
        (x, kx, wx), (y, ky, wy) = na, nb
        with np.errstate(all="ignore"):
            r = np.asarray(_ARITH[op](x.astype(np.float64, copy=False), y.astype(np.float64, copy=False)))
        k = kx & ky
        if op == "/":
            k = k & (y != 0)
        else:
            whole = np.logical_and(wx, wy) if not (isinstance(wx, bool) and isinstance(wy, bool)) else wx and wy
            if whole is not False:
                inexact = k & whole & ~(np.abs(r) < BIG)  # an int result float64 cannot hold exactly
                if inexact.any():
                    defer = _defer(defer, inexact)
                np.add(r, 0.0, out=r, where=np.broadcast_to(whole, r.shape))  # int 0 has no sign: no -0.0
        num = Part(r, k)
    span = None
    if a.span is not None or b.span is not None:
        flat, span = spans.arith(op, a, b)
        if flat is not None and flat.known.any():  # ends that meet (an infinite side) or NaN: a plain float
            if num is None:
                num = flat
            else:
                num = Part(np.where(flat.known, flat.values, num.values), num.known | flat.known)
                whole = np.logical_and(whole, ~flat.known)
    odd = _python_only(op, a, b)
    return Values(shape, num=num, whole=whole, defer=defer if odd is None else _defer(defer, odd), span=span)


def _python_only(op: str, a: Values, b: Values) -> Mask | None:
    """Rows where Python computes something the columns cannot hold: ``str + str``, ``str * int``, ``date - date``."""
    def ints(v: Values) -> Mask | None:
        masks = [m for m in ((v.num.known & v.whole) if v.num is not None else None,
                             v.flag.known if v.flag is not None else None) if m is not None]
        return _any(masks, v.shape) if masks else None

    if op == "+" and a.text is not None and b.text is not None:
        return a.text.known & b.text.known
    if op == "-" and a.date is not None and b.date is not None:
        return a.date.known & b.date.known
    if op == "*":
        ia, ib = ints(a), ints(b)
        odd = [m for m in ((a.text.known & ib) if a.text is not None and ib is not None else None,
                           (ia & b.text.known) if ia is not None and b.text is not None else None) if m is not None]
        return _any(odd, _shape(a, b)) if odd else None
    return None


def _select(mask: Mask, a: Values, b: Values) -> Values:
    """``a`` where ``mask``, else ``b`` (for ``form.item`` falling back to ``item`` row by row)."""
    def pick(pa: Part | None, pb: Part | None, xa: Array | None = None, xb: Array | None = None) -> Part | None:
        if pa is None and pb is None:
            return None
        va = (pa.values if xa is None else xa) if pa is not None else 0
        vb = (pb.values if xb is None else xb) if pb is not None else 0
        return Part(np.where(mask, va, vb), np.where(mask, pa.known if pa else False, pb.known if pb else False))

    vocab, ta, tb = a.vocab, None, None
    if a.text is not None and b.text is not None:
        ta, tb = _vocab_codes(a, b)
        vocab = tuple(sorted(set(a.vocab) | set(b.vocab)))
    elif b.text is not None:
        vocab = b.vocab
    defer = None
    if a.defer is not None or b.defer is not None:
        defer = np.where(mask, False if a.defer is None else a.defer, False if b.defer is None else b.defer)
    span = None
    if a.span is not None or b.span is not None:
        none = Span(np.zeros(()), np.zeros(()), np.zeros((), np.bool_))
        sa, sb = a.span or none, b.span or none
        lo, hi, known, whole = (np.where(mask, x, y) for x, y in ((sa.lo, sb.lo), (sa.hi, sb.hi),
                                                                   (sa.known, sb.known), (sa.whole, sb.whole)))
        span = Span(lo, hi, known, whole)
    return Values(a.shape, num=pick(a.num, b.num), whole=np.where(mask, a.whole, b.whole), flag=pick(a.flag, b.flag),
                  text=pick(a.text, b.text, ta, tb), vocab=vocab, date=pick(a.date, b.date), defer=defer, span=span)
