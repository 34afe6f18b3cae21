"""Shared value types: the "to be confirmed" state, quantities, ranges.

``TBC`` is how the model says "the sources do not give this value". It is a
*state of a field*, typed into the field (``dose: Dose | TBC``), never a magic
string: a checker, a CRF or a PDF finds every unconfirmed value by type, and
nothing can read it as a number by accident.
"""

from __future__ import annotations

import keyword
import math
import re
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
from attrs import field, frozen

from planner import units

T = TypeVar("T")

_SLUG = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class FieldError(ValueError):
    """A local validation failure, naming the field it is about."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field_name = field_name
        self.detail = message


# -- validator factories ----------------------------------------------------
# Small callables with a readable repr, so an error names the rule (attrs'
# ``instance_of`` style).


@frozen(repr=False)
class _Validator:
    name: str
    test: Callable[[Any], str | None]

    def __call__(self, inst: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        problem = self.test(value)
        if problem is not None:
            raise FieldError(attribute.name, problem)

    def __repr__(self) -> str:
        return f"<validator {self.name}>"


def non_empty() -> _Validator:
    """The text is not empty or blank."""

    def test(v: Any) -> str | None:
        if isinstance(v, str) and not v.strip():
            return "must not be empty"
        return None

    return _Validator("non_empty", test)


def slug() -> _Validator:
    """Lower-case letters, digits, and single ``-`` or ``_`` between them."""

    def test(v: Any) -> str | None:
        if not isinstance(v, str) or not _SLUG.match(v):
            return f"{v!r} is not a valid id: use lower-case letters, digits, '-' and '_' (e.g. 'dbt-refractory')"
        return None

    return _Validator("slug", test)


_RESERVED = frozenset(keyword.kwlist) | {"true", "false"}


def identifier() -> _Validator:
    """A variable name usable in rule expressions and CRFs (``anc``, ``TJC28``)."""

    def test(v: Any) -> str | None:
        if not isinstance(v, str) or not _NAME.match(v):
            return f"{v!r} is not a valid name: start with a letter, then letters, digits or '_'"
        if v in _RESERVED:
            return f"{v!r} is a reserved word of the rule syntax: choose another name (e.g. '{v}_')"
        return None

    return _Validator("identifier", test)


def known_unit() -> _Validator:
    """A unit from :data:`planner.units.UNITS` (or ``None``)."""

    def test(v: Any) -> str | None:
        if v is None or units.is_known(v):
            return None
        close = units.suggest(v)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else "; see planner.units.UNITS"
        return f"unknown unit {v!r}{hint}"

    return _Validator("known_unit", test)


def at_least(minimum: float) -> _Validator:
    """A number (when it is one) at least ``minimum``."""

    def test(v: Any) -> str | None:
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v < minimum:
            return f"{v!r} must be ≥ {minimum}"
        return None

    return _Validator(f"at_least({minimum})", test)


def each_at_least(minimum: int) -> _Validator:
    """Every number of a tuple at least ``minimum``, and no number listed twice."""

    def test(v: Any) -> str | None:
        for x in v:
            if isinstance(x, (int, float)) and not isinstance(x, bool) and x < minimum:
                return f"{x!r} must be ≥ {minimum}"
        if len(set(v)) != len(v):
            return "list each number once"
        return None

    return _Validator(f"each_at_least({minimum})", test)


def finite() -> _Validator:
    """A number (when it is one) that is finite: NaN and infinities are not values of a protocol."""

    def test(v: Any) -> str | None:
        if isinstance(v, float) and not math.isfinite(v):
            return f"{v!r} is not a finite number; write a number"
        return None

    return _Validator("finite", test)


def each(cls: type, what: str) -> _Validator:
    """Every item of a tuple is a ``cls`` (checked before validators that read the items)."""

    def test(v: Any) -> str | None:
        for i, x in enumerate(v):
            if not isinstance(x, cls):
                return f"item {i} is {type(x).__name__} {x!r}, expected a {what} ({cls.__name__})"
        return None

    return _Validator(f"each({cls.__name__})", test)


def unique(key: Callable[[Any], str], what: str) -> _Validator:
    """Items of a tuple have distinct keys (e.g. distinct ids)."""

    def test(v: Any) -> str | None:
        seen: set[str] = set()
        for item in v:
            k = key(item)
            if k in seen:
                return f"duplicate {what} {k!r}"
            seen.add(k)
        return None

    return _Validator(f"unique({what})", test)


def _tuple(value: Any, attribute: attrs.Attribute[Any]) -> tuple[Any, ...]:
    if isinstance(value, (str, bytes)):
        # tuple("jak") would silently become ('j', 'a', 'k')
        raise FieldError(attribute.name, f"expected a list or tuple, got the text {value!r}: write ({value!r},) "
                                         f"or [{value!r}]")
    return tuple(value)


def tuple_field(**kwargs: Any) -> Any:
    """A field holding a tuple; lists given by an author become tuples, a lone string is refused."""
    kwargs.setdefault("factory", tuple)
    return field(converter=attrs.Converter(_tuple, takes_field=True), **kwargs)


# -- the "to be confirmed" state ------------------------------------------


@frozen
class TBC:
    """A value the sources do not give: *to be confirmed*.

    ``reason`` says what is missing and where to look, e.g. "TNF-α dose is not
    reported in the abstract (Chen 2023)". Every document shows it plainly.
    """

    reason: str = field(validator=non_empty())

    def __str__(self) -> str:
        return f"to be confirmed ({self.reason})"


def is_tbc(value: object) -> bool:
    """Whether a field value is in the "to be confirmed" state."""
    return isinstance(value, TBC)


# -- quantities -------------------------------------------------------------


@frozen
class Quantity:
    """A number with a unit, optionally with the reference it comes from.

    ``source`` is a reference key of the protocol; ``verify`` marks a value
    taken from a secondary source that should be checked against the primary.
    """

    value: float | int = field(validator=finite())
    unit: str = field(validator=known_unit())
    source: str | None = None
    verify: bool = False

    def __str__(self) -> str:
        num = f"{self.value:g}" if isinstance(self.value, float) else str(self.value)
        return num if self.unit == "1" else f"{num} {self.unit}"


@frozen
class Range:
    """A closed interval ``[low, high]``; either end may be open (``None``)."""

    low: float | int | None = field(default=None, validator=finite())
    high: float | int | None = field(default=None, validator=finite())

    def __attrs_post_init__(self) -> None:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise FieldError("low", f"{self.low} is above high {self.high}")

    def __contains__(self, x: float) -> bool:
        return (self.low is None or x >= self.low) and (self.high is None or x <= self.high)

    def __str__(self) -> str:
        lo = "" if self.low is None else f"{self.low:g}"
        hi = "" if self.high is None else f"{self.high:g}"
        if self.low is not None and self.high is not None:
            return f"{lo}–{hi}"
        return f"≥ {lo}" if self.high is None else f"≤ {hi}"


def show(value: object) -> str:
    """Human text for a field value, with "to be confirmed" made plain."""
    if value is None:
        return "—"
    if isinstance(value, TBC):
        return f"TO BE CONFIRMED: {value.reason}"
    if isinstance(value, tuple):
        return ", ".join(show(v) for v in value)
    if hasattr(value, "value") and isinstance(value.value, str):
        return str(value.value)  # enums
    return str(value)
