"""Sets of values of one item: unions of intervals, and finite or co-finite code sets.

The satisfiability check reasons about each item separately: the values an
inclusion admits, the values an exclusion leaves, the item's permitted range.
Both kinds of set support intersection, union, complement and emptiness, which
is all that reasoning needs. Integer items use closed integer bounds, so
``x > 3 and x < 4`` is empty for an integer.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from attrs import frozen

Bound = int | float | dt.date
Value = bool | int | float | str | dt.date


@frozen
class Interval:
    """``lo..hi`` with open or closed ends; ``None`` is unbounded."""

    lo: Bound | None = None
    hi: Bound | None = None
    lo_closed: bool = False
    hi_closed: bool = False

    def is_empty(self) -> bool:
        if self.lo is None or self.hi is None:
            return False
        if self.lo == self.hi:
            return not (self.lo_closed and self.hi_closed)
        return self.lo > self.hi  # type: ignore[operator]

    def __str__(self) -> str:
        if self.lo is not None and self.lo == self.hi:
            return _show(self.lo)
        lo = "−∞" if self.lo is None else _show(self.lo)
        hi = "∞" if self.hi is None else _show(self.hi)
        return f"{'[' if self.lo_closed else '('}{lo}, {hi}{']' if self.hi_closed else ')'}"


def _show(b: Bound) -> str:
    return b.isoformat() if isinstance(b, dt.date) else f"{b:g}"


def _integral(iv: Interval) -> Interval:
    lo, hi = iv.lo, iv.hi
    if isinstance(lo, (int, float)):
        lo = math.floor(lo) + 1 if not iv.lo_closed and float(lo).is_integer() else math.ceil(lo)
    if isinstance(hi, (int, float)):
        hi = math.ceil(hi) - 1 if not iv.hi_closed and float(hi).is_integer() else math.floor(hi)
    return Interval(lo, hi, lo is not None, hi is not None)


def _lower_first(a: Interval) -> tuple[int, Bound | int, int]:
    if a.lo is None:
        return (0, 0, 0)
    return (1, a.lo, 0 if a.lo_closed else 1)


class NumSet:
    """A union of disjoint intervals over numbers or dates."""

    def __init__(self, intervals: Iterable[Interval] = (Interval(),), integer: bool = False) -> None:
        self.integer = integer
        ivs = [_integral(i) if integer else i for i in intervals]
        self.intervals = _merge([i for i in ivs if not i.is_empty()])

    @classmethod
    def empty(cls, integer: bool = False) -> NumSet:
        return cls((), integer)

    def is_empty(self) -> bool:
        return not self.intervals

    def intersect(self, other: NumSet) -> NumSet:
        out: list[Interval] = []
        for a in self.intervals:
            for b in other.intervals:
                lo, lo_c = _max_lo(a, b)
                hi, hi_c = _min_hi(a, b)
                out.append(Interval(lo, hi, lo_c, hi_c))
        return NumSet(out, self.integer or other.integer)

    def union(self, other: NumSet) -> NumSet:
        return NumSet((*self.intervals, *other.intervals), self.integer or other.integer)

    def complement(self) -> NumSet:
        out: list[Interval] = []
        lo: Bound | None = None
        lo_c = False
        for iv in self.intervals:
            if iv.lo is not None:
                out.append(Interval(lo, iv.lo, lo_c, not iv.lo_closed))
            lo, lo_c = iv.hi, not iv.hi_closed
            if iv.hi is None:
                return NumSet(out, self.integer)
        out.append(Interval(lo, None, lo_c, False))
        return NumSet(out, self.integer)

    def __str__(self) -> str:
        return " ∪ ".join(str(i) for i in self.intervals) or "∅"


def _max_lo(a: Interval, b: Interval) -> tuple[Bound | None, bool]:
    if a.lo is None:
        return b.lo, b.lo_closed
    if b.lo is None:
        return a.lo, a.lo_closed
    if a.lo == b.lo:
        return a.lo, a.lo_closed and b.lo_closed
    return (a.lo, a.lo_closed) if a.lo > b.lo else (b.lo, b.lo_closed)  # type: ignore[operator]


def _min_hi(a: Interval, b: Interval) -> tuple[Bound | None, bool]:
    if a.hi is None:
        return b.hi, b.hi_closed
    if b.hi is None:
        return a.hi, a.hi_closed
    if a.hi == b.hi:
        return a.hi, a.hi_closed and b.hi_closed
    return (a.hi, a.hi_closed) if a.hi < b.hi else (b.hi, b.hi_closed)  # type: ignore[operator]


def _merge(ivs: list[Interval]) -> tuple[Interval, ...]:
    ivs.sort(key=_lower_first)
    out: list[Interval] = []
    for iv in ivs:
        if out and _touches(out[-1], iv):
            last = out[-1]
            hi, hi_c = _max_hi(last, iv)
            out[-1] = Interval(last.lo, hi, last.lo_closed, hi_c)
        else:
            out.append(iv)
    return tuple(out)


def _touches(a: Interval, b: Interval) -> bool:
    """Whether ``b`` (starting at or after ``a``) overlaps or adjoins ``a``."""
    if a.hi is None or b.lo is None:
        return True
    if a.hi == b.lo:
        return a.hi_closed or b.lo_closed
    return bool(a.hi > b.lo)  # type: ignore[operator]


def _max_hi(a: Interval, b: Interval) -> tuple[Bound | None, bool]:
    if a.hi is None or b.hi is None:
        return None, False
    if a.hi == b.hi:
        return a.hi, a.hi_closed or b.hi_closed
    return (a.hi, a.hi_closed) if a.hi > b.hi else (b.hi, b.hi_closed)  # type: ignore[operator]


class CodeSet:
    """A finite set of values (``allowed``), or everything except ``excluded``."""

    def __init__(self, allowed: frozenset[Value] | None = None, excluded: frozenset[Value] = frozenset()) -> None:
        if allowed is not None:
            allowed, excluded = allowed - excluded, frozenset()
        self.allowed = allowed
        self.excluded = excluded

    def is_empty(self) -> bool:
        return self.allowed is not None and not self.allowed

    def intersect(self, other: CodeSet) -> CodeSet:
        if self.allowed is None and other.allowed is None:
            return CodeSet(None, self.excluded | other.excluded)
        if self.allowed is None:
            return CodeSet(other.allowed, self.excluded)
        if other.allowed is None:
            return CodeSet(self.allowed, other.excluded)
        return CodeSet(self.allowed & other.allowed)

    def union(self, other: CodeSet) -> CodeSet:
        if self.allowed is not None and other.allowed is not None:
            return CodeSet(self.allowed | other.allowed)
        if self.allowed is None and other.allowed is None:
            return CodeSet(None, self.excluded & other.excluded)
        finite, cofinite = (self, other) if self.allowed is not None else (other, self)
        assert finite.allowed is not None
        return CodeSet(None, cofinite.excluded - finite.allowed)

    def complement(self) -> CodeSet:
        if self.allowed is None:
            return CodeSet(self.excluded)
        return CodeSet(None, self.allowed)

    def __str__(self) -> str:
        if self.allowed is None:
            return "anything" if not self.excluded else f"anything but {_values(self.excluded)}"
        return _values(self.allowed) if self.allowed else "∅"


def _values(vs: frozenset[Value]) -> str:
    return "{" + ", ".join(sorted(repr(v) for v in vs)) + "}"


ValueSet = NumSet | CodeSet


def intersect(a: ValueSet, b: ValueSet) -> ValueSet:
    """``a ∩ b`` for two sets of the same kind."""
    if isinstance(a, NumSet) and isinstance(b, NumSet):
        return a.intersect(b)
    if isinstance(a, CodeSet) and isinstance(b, CodeSet):
        return a.intersect(b)
    raise TypeError("cannot intersect a numeric set with a code set")


def union(a: ValueSet, b: ValueSet) -> ValueSet:
    """``a ∪ b`` for two sets of the same kind."""
    if isinstance(a, NumSet) and isinstance(b, NumSet):
        return a.union(b)
    if isinstance(a, CodeSet) and isinstance(b, CodeSet):
        return a.union(b)
    raise TypeError("cannot unite a numeric set with a code set")


def subset(a: ValueSet, b: ValueSet) -> bool:
    """Whether every value of ``a`` is in ``b``."""
    return intersect(a, b.complement()).is_empty()
