"""Numbers known only between two ends: the count whose records are partly unknown, a score with inputs missing.

``count(ae, where=ae.infection and ae.serious)`` over two AEs, one with
infection = yes and serious = yes and one with serious missing, is 1 or 2:
the value is :class:`Bounds` ``(1, 2)``, not unknown. A rule reading such a
value is decided when it would come out the same for *every* number between
the ends — ``>= 1`` is true, ``> 2`` false — and is unknown otherwise
(``>= 2``). The ends are included; a value known exactly is never a
:class:`Bounds` (:func:`span` gives the plain number).

The functions here give the answers for Python values, used by the tree walk
and the compiled closures of :mod:`planner.expr.logic`; the column evaluator
(:mod:`planner.expr.columns`) gives the same answers on arrays.

- comparisons (:func:`compare`): decided from the ends; equality with a
  value that is not a number is false (as ``3 == "x"`` is), ordering against
  one is unknown (as ``3 < "x"`` is a type error);
- membership (:func:`member`): true when every possible value is an option
  (for whole numbers: every integer between the ends), false when none is;
- truth (:func:`truth`): true when zero is not between the ends;
- ranges (:func:`between`): Python's chained comparison, where an open first
  comparison lets a false second one decide;
- ``+`` and ``-`` add and subtract the ends; ``*`` and ``/`` give unknown;
- distinct values (:func:`distinct`): a missing value may repeat a known one
  or be new.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from attrs import frozen

Number = int | float

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


@frozen
class Bounds:
    """An unknown number ``x`` with ``lo <= x <= hi``; ``whole``: ``x`` is an integer (a count, a points score)."""

    lo: Number
    hi: Number
    whole: bool = False

    def __str__(self) -> str:
        return f"{_show(self.lo)}..{_show(self.hi)}"


def _show(x: Number) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


def span(lo: Number, hi: Number, whole: bool = False) -> Number | Bounds:
    """The number ``lo`` when both ends are equal, else :class:`Bounds`."""
    return lo if lo == hi else Bounds(lo, hi, whole)


def ends(x: object) -> tuple[Number, Number] | None:
    """``(lo, hi)`` of a :class:`Bounds` or a number (``bool`` counts as 0 or 1), else ``None``."""
    if isinstance(x, Bounds):
        return x.lo, x.hi
    if isinstance(x, (int, float)):
        return x, x
    return None


def _whole(x: object) -> bool:
    """Every value ``x`` may take is an integer."""
    if isinstance(x, Bounds):
        return x.whole
    return isinstance(x, (int, float)) and float(x).is_integer()


def _nan(*xs: Number) -> bool:
    return any(x != x for x in xs)


def _meet(a: object, b: object, ea: tuple[Number, Number], eb: tuple[Number, Number]) -> tuple[float, float]:
    """The ends of the values ``a`` and ``b`` may share (empty when ``lo > hi``)."""
    lo, hi = max(ea[0], eb[0]), min(ea[1], eb[1])
    if (isinstance(a, Bounds) and a.whole) or (isinstance(b, Bounds) and b.whole):
        lo = math.ceil(lo) if math.isfinite(lo) else lo
        hi = math.floor(hi) if math.isfinite(hi) else hi
    return lo, hi


def compare(op: str, a: object, b: object) -> bool | None:
    """``a op b`` when one side (or both) is :class:`Bounds`: true or false if every value agrees, else ``None``."""
    ea, eb = ends(a), ends(b)
    if ea is None or eb is None:
        return None if op in _ORDER else op == "!="
    if ea[0] != ea[0] or ea[1] != ea[1] or eb[0] != eb[0] or eb[1] != eb[1]:  # NaN: every comparison false
        return op == "!="
    fn = _ORDER.get(op)
    if fn is not None:
        if op in ("<", "<="):
            every, some = fn(ea[1], eb[0]), fn(ea[0], eb[1])
        else:
            every, some = fn(ea[0], eb[1]), fn(ea[1], eb[0])
        return True if every else False if not some else None
    lo, hi = _meet(a, b, ea, eb)
    equal = True if ea[0] == ea[1] == eb[0] == eb[1] else False if lo > hi else None
    return equal if op == "==" or equal is None else not equal


def member(x: Bounds, options: Iterable[object]) -> bool | None:
    """``x in options``: true if every value ``x`` may take is an option, false if none is, else ``None``."""
    hits = [compare("==", x, o) for o in options]
    if any(hits):
        return True
    if all(h is False for h in hits):
        return False
    if x.whole and math.isfinite(x.lo) and math.isfinite(x.hi):
        inside = {o for o in options if isinstance(o, (int, float)) and float(o).is_integer() and x.lo <= o <= x.hi}
        if len(inside) == x.hi - x.lo + 1:
            return True
    return None


def truth(x: Bounds) -> bool | None:
    """Python's truth of every value ``x`` may take: true when zero is not between the ends."""
    if _nan(x.lo, x.hi):
        return None
    return True if x.lo > 0 or x.hi < 0 else None


def arith(op: str, a: object, b: object) -> Number | Bounds | None:
    """``a op b`` when one side is :class:`Bounds`: the ends of the sum or difference; other operations unknown."""
    ea, eb = ends(a), ends(b)
    if ea is None or eb is None or op not in ("+", "-"):
        return None
    lo, hi = (ea[0] + eb[0], ea[1] + eb[1]) if op == "+" else (ea[0] - eb[1], ea[1] - eb[0])
    if _nan(lo, hi):
        return math.nan
    return span(lo, hi, _whole(a) and _whole(b))


class _Refused(Exception):
    """A comparison Python refuses (``3 < "x"``), inside a range test."""


def _order(op: str, a: object, b: object) -> bool | None:
    if isinstance(a, Bounds) or isinstance(b, Bounds):
        if ends(a) is None or ends(b) is None:
            raise _Refused
        return compare(op, a, b)
    try:
        return bool(_ORDER[op](a, b))
    except TypeError:
        raise _Refused from None


def between(ops: tuple[str, str], lo: object, s: object, hi: object) -> bool | None:
    """``lo ops[0] s ops[1] hi`` with a :class:`Bounds` among them, as Python chains it.

    The second comparison counts only where the first is not false: a first
    one left open lets a false second one decide. A comparison Python refuses
    makes the answer unknown.
    """
    try:
        first = _order(ops[0], lo, s)
        if first is False:
            return False
        second = _order(ops[1], s, hi)
    except _Refused:
        return None
    return second if first else (False if second is False else None)


def distinct(matched: Sequence[object], maybe: Sequence[object]) -> int | Bounds:
    """How many distinct values, given those of the records that match and of those that may.

    ``None`` is a missing value, which may equal a known one or be new: at
    least one when records match but none has a value.
    """
    known = {v for v in matched if v is not None}
    blanks = sum(v is None for v in matched)
    lo = len(known) + (1 if blanks and not known else 0)
    hi = len(known | {v for v in maybe if v is not None}) + blanks + sum(v is None for v in maybe)
    return lo if lo == hi else Bounds(lo, hi, True)
