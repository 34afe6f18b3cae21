"""Input checks shared by the score modules, and the one error they raise.

Every public score function checks every argument before computing, so a bad
value fails loudly with the argument's name, its value and the allowed range
(``tjc28=29 is outside 0–28``) instead of yielding a plausible-looking number.

Conventions, applied by all score modules:

* whole-number arguments (joint counts, item grades) accept ``int`` and also a
  ``float`` with an integral value (``4.0``, as data files often give it); they
  reject ``bool`` and non-integral floats;
* real-valued arguments accept ``int`` or ``float`` (not ``bool``) and must be
  finite;
* yes/no items accept ``bool`` only (not ``0``/``1``);
* thresholds are compared after rounding the value to 9 decimal places
  (:func:`snap`), so binary floating-point noise cannot move a value across a
  published cut-off (``5.0 - 3.8 == 1.2000000000000002``).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from typing import Final

_DECIMALS: Final = 9


class ScoreInputError(ValueError):
    """An argument of a score function is missing, of the wrong kind or out of range."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(message)
        self.argument = argument


def _span(lo: float, hi: float | None, *, lo_open: bool = False) -> str:
    """The allowed range as text: ``0–28``, ``-200 to 200``, ``the range > 0``."""
    if hi is None:
        return f"the range {'>' if lo_open else '≥'} {lo:g}"
    if lo_open:
        return f"the range > {lo:g} and ≤ {hi:g}"
    return f"{lo:g}{'–' if lo >= 0 else ' to '}{hi:g}"


def whole(name: str, value: object, lo: int, hi: int) -> int:
    """``value`` as an ``int`` in ``lo``–``hi`` (inclusive), or :class:`ScoreInputError`."""
    span = _span(lo, hi)
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raise ScoreInputError(name, f"{name}={value!r} is not a whole number (allowed {span})")
    if not lo <= number <= hi:
        raise ScoreInputError(name, f"{name}={value!r} is outside {span}")
    return number


def one_of(name: str, value: object, allowed: tuple[int, ...]) -> int:
    """``value`` as an ``int`` that is one of ``allowed``, or :class:`ScoreInputError`."""
    number = whole(name, value, min(allowed), max(allowed))
    if number not in allowed:
        listed = ", ".join(str(a) for a in allowed)
        raise ScoreInputError(name, f"{name}={value!r} is not one of {listed}")
    return number


def real(
    name: str,
    value: object,
    lo: float,
    hi: float | None = None,
    *,
    lo_open: bool = False,
) -> float:
    """``value`` as a finite ``float`` in the given range, or :class:`ScoreInputError`.

    The range is ``lo ≤ value ≤ hi``; ``lo_open`` makes the lower bound strict
    and ``hi=None`` leaves the range open above.
    """
    span = _span(lo, hi, lo_open=lo_open)
    number = _finite_float(name, value, f" (allowed {span})")
    below = number <= lo if lo_open else number < lo
    if below or (hi is not None and number > hi):
        raise ScoreInputError(name, f"{name}={value!r} is outside {span}")
    return number


def finite(name: str, value: object) -> float:
    """``value`` as a finite ``float`` with no range limit, or :class:`ScoreInputError`."""
    return _finite_float(name, value, "")


def _finite_float(name: str, value: object, allowed: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScoreInputError(name, f"{name}={value!r} is not a number{allowed}")
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise ScoreInputError(name, f"{name}={value!r} is not a finite number{allowed}")
    return number


def flag(name: str, value: object) -> bool:
    """``value`` if it is a ``bool``, or :class:`ScoreInputError`."""
    if not isinstance(value, bool):
        raise ScoreInputError(name, f"{name}={value!r} is not a bool (True or False)")
    return value


def exact_keys(argument: str, given: Iterable[object], expected: Sequence[str]) -> None:
    """Raise :class:`ScoreInputError` unless ``given`` holds exactly the names ``expected``.

    The message lists the missing names and each unknown one, with the closest
    expected name as a hint (``unknown 'finger_right' (did you mean 'fingers_right'?)``).
    """
    keys = list(given)
    missing = [name for name in expected if name not in keys]
    unknown = sorted((key for key in keys if key not in expected), key=str)
    if not missing and not unknown:
        return
    problems = [f"missing {', '.join(missing)}"] if missing else []
    for key in unknown:
        close = difflib.get_close_matches(str(key), expected, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.append(f"unknown {key!r}{hint}")
    raise ScoreInputError(
        argument, f"{argument} needs exactly {len(expected)} names: {'; '.join(problems)}"
    )


def snap(value: float) -> float:
    """``value`` rounded to 9 decimal places, for comparison with a published cut-off."""
    return round(value, _DECIMALS)
