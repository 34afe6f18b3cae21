"""What the functions of the rule language (:data:`planner.expr.nodes.FUNCTIONS`) compute in Python.

The tree walk and the compiled closures of :mod:`planner.expr.logic` both
call :func:`apply`, so a function's Python meaning is written once; the other
backends (Excel, and the ones to come) project the same table into their own
language, and the conformance suite (``tests/conformance``) keeps them equal.

Every function is *strict*: an unknown argument (``None``) makes it unknown.
A value outside the function's domain (``ln(0)``, ``sqrt(-1)``, a number
where a date is needed) is unknown too, never an exception. ``ifelse`` is the
one lazy function: its condition decides which branch is read, and the
walkers evaluate only that branch. A :class:`~planner.expr.bounds.Bounds`
argument (a count or score known only between two ends) gives the ends of
the result where the function is monotone, else unknown.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Any

from planner.expr.bounds import Bounds, span

_AS_OF: contextvars.ContextVar[dt.date | None] = contextvars.ContextVar("as_of", default=None)


def evaluation_date() -> dt.date:
    """The date ``today()`` means: the machine's date, unless :func:`as_of` fixed another."""
    return _AS_OF.get() or dt.date.today()


class as_of:  # noqa: N801 - used as a function: ``with as_of(date): ...``
    """Evaluate ``today()`` as ``date`` inside the ``with`` block (tests, re-running a past screening)."""

    def __init__(self, date: dt.date) -> None:
        self.date = date
        self._token: contextvars.Token[dt.date | None] | None = None

    def __enter__(self) -> dt.date:
        self._token = _AS_OF.set(self.date)
        return self.date

    def __exit__(self, *exc: object) -> None:
        assert self._token is not None
        _AS_OF.reset(self._token)


def _number(x: Any) -> bool:
    return isinstance(x, int | float) and not (isinstance(x, float) and math.isnan(x))


def _sqrt(x: Any) -> Any:
    return math.sqrt(x) if _number(x) and x >= 0 else None


def _ln(x: Any) -> Any:
    return math.log(x) if _number(x) and x > 0 else None


def _abs(x: Any) -> Any:
    return abs(x) if _number(x) else None


def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    def fn(*xs: Any) -> Any:
        return pick(xs) if all(_number(x) for x in xs) else None

    return fn


def _days(earlier: Any, later: Any) -> Any:
    if isinstance(earlier, dt.date) and isinstance(later, dt.date):
        return (later - earlier).days
    return None


PYTHON: dict[str, Callable[..., Any]] = {
    "sqrt": _sqrt,
    "ln": _ln,
    "abs": _abs,
    "min": _extreme(min),
    "max": _extreme(max),
    "days_between": _days,
    "today": evaluation_date,
}
"""Each strict function's value on known arguments (``ifelse`` is lazy and lives in the walkers)."""


def apply(fn: str, args: Sequence[Any]) -> Any:
    """``fn(*args)`` in Python: ``None`` when an argument is unknown or outside the function's domain."""
    if any(a is None for a in args):
        return None
    if any(a.__class__ is Bounds for a in args):
        return _on_bounds(fn, args)
    return PYTHON[fn](*args)


def _on_bounds(fn: str, args: Sequence[Any]) -> Any:
    """A function of values known between two ends: the ends of the result where it is monotone."""
    ends = [(a.lo, a.hi) if a.__class__ is Bounds else (a, a) for a in args]
    if not all(_number(lo) and _number(hi) for lo, hi in ends):
        return None
    whole = all(a.whole if a.__class__ is Bounds else float(a).is_integer() for a in args)
    if fn in ("sqrt", "ln"):  # increasing: the ends map to the ends, if both are in the domain
        lo, hi = PYTHON[fn](ends[0][0]), PYTHON[fn](ends[0][1])
        return None if lo is None or hi is None else span(lo, hi)
    if fn in ("min", "max"):
        pick = min if fn == "min" else max
        return span(pick(lo for lo, _ in ends), pick(hi for _, hi in ends), whole)
    if fn == "abs":
        lo, hi = ends[0]
        if lo >= 0:
            return span(lo, hi, whole)
        if hi <= 0:
            return span(-hi, -lo, whole)
        return span(0, max(-lo, hi), whole)
    return None
