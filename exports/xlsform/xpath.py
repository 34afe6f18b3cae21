"""Rule expressions and formula trees in ODK's XPath 1.0 subset (XLSForm ``calculate``, ``relevant``, ``constraint``).

The walk is :class:`planner.expr.formal.XPathWriter`, the one the ODM
FormalExpressions use; this module is the ODK dialect of it. ODK XPath has
no empty sequence and no booleans in the data: a blank field is ``''``, a
yes/no question holds ``'yes'`` or ``'no'``. So "unknown" is written out:

* a **number** is an XPath number that is ``NaN`` while unknown: a blank
  numeric field read with ``number()`` is NaN, and NaN propagates through
  ``+ - *``, ``sqrt``, ``abs``, ``min`` and ``max``; a division by zero and
  ``ln`` outside its domain are guarded to NaN with ODK's lazy ``if()``;
* a **date** is its ``YYYY-MM-DD`` text (``today()`` too): compared as the
  number ``YYYYMMDD`` (``translate`` drops the dashes), and for
  ``days_between`` turned into its day number (days since 1970-01-01) with
  ``substr``/``int`` — no ``date()`` or ``decimal-date-time()``, whose
  results depend on the device's time zone. A blank date gives NaN;
* a **text or code** is the field's string, known when it is not ``''``;
* a **condition** is a pair of XPath booleans, *known and true* and *known
  and false* (the encoding of the Excel backend): neither holds while the
  condition is unknown. Kleene's ``and``/``or``/``not`` combine the pairs.

:func:`condition` calculates ``'yes'``, ``'no'`` or ``''`` (unknown);
:func:`formula` the number or ``''``. What this dialect cannot say —
``count`` over a repeat, an order comparison of texts, arithmetic on dates,
a comparison across kinds — raises :class:`planner.expr.formal.Unexpressible`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from attrs import frozen

from planner.expr.formal import Locate, Unexpressible, XPathWriter
from planner.expr.nodes import Count, Expr
from planner.model.dictionary import DataType, Item

NAN = "(0 div 0)"
"""ODK XPath has no NaN literal; this is one."""

EPOCH = dt.date(1970, 1, 1)

_CMP = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "=", "!=": "!="}
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_ARITH = {"+": "+", "-": "-", "*": "*"}


@frozen
class Val:
    """An ODK XPath expression and its kind: ``number`` (NaN when unknown), ``date`` (a day number) or ``text``."""

    text: str
    kind: str
    literal: bool = False


Truth = tuple[str, str]
"""``(known and true, known and false)``."""


def string_literal(text: str) -> str:
    """An XPath 1.0 string literal (which has no escapes): quoted with the quote it lacks, else ``concat``.

    A ``${`` is split into ``concat(…'$', '{…')`` so that pyxform does not read it as a reference.
    """
    from planner.cleantext import xml_chars

    text = xml_chars(text)
    if "${" in text:  # pyxform would read it as a reference to a question: split it
        return "concat(" + ", '$', ".join(string_literal(part) for part in text.split("$")) + ")"
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in text.split("'")) + ")"


def number_literal(value: float | int) -> str:
    """A number as XPath 1.0 writes it: plain decimal digits (no exponent), negatives in brackets."""
    if isinstance(value, float) and not value == value or value in (float("inf"), float("-inf")):
        raise Unexpressible(f"the number {value!r} has no XPath 1.0 literal")
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = format(d.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"({text})" if text.startswith("-") else text


def day_number(text: str) -> str:
    """The day number (days since 1970-01-01) of a ``YYYY-MM-DD`` string expression, NaN when it is blank.

    Days from the civil date (H. Hinnant's ``days_from_civil``), with the year
    counted from March so that leap days fall at the end of it. JavaRosa has
    no ``floor()`` (ODK Validate refuses it); ``int()`` truncates, which is
    the floor here because every quotient is of a year ≥ 0 or a month ≥ 0.
    """
    y, m, d = (f"number(substr({text}, {a}, {b}))" for a, b in ((0, 4), (5, 7), (8, 10)))
    jan_feb = f"number({m} <= 2)"
    year = f"({y} - {jan_feb})"
    month = f"({m} - 3 + 12 * {jan_feb})"
    return (f"(365 * {year} + int({year} div 4) - int({year} div 100) + int({year} div 400) "
            f"+ int((153 * {month} + 2) div 5) + {d} - 719469)")


def _iso(v: Val) -> str | None:
    """The ISO text of a date literal."""
    return v.text.strip("'") if v.literal else None


def _days(v: Val) -> str:
    """The day number of a date value (a literal's computed here)."""
    iso = _iso(v)
    if iso is not None:
        return number_literal((dt.date.fromisoformat(iso) - EPOCH).days)
    return day_number(v.text)


def _ordinal(v: Val) -> str:
    """The date as the number YYYYMMDD: the same order as the dates, NaN while blank."""
    iso = _iso(v)
    if iso is not None:
        return iso.replace("-", "")
    return f"number(translate({v.text}, '-', ''))"


def _known(v: Val) -> str:
    if v.kind == "text":
        return f"{v.text} != ''"
    return "true()" if v.literal else f"{v.text} = {v.text}"


def _all(parts: list[str]) -> str:
    parts = [p for p in parts if p != "true()"]
    if not parts:
        return "true()"
    return parts[0] if len(parts) == 1 else " and ".join(f"({p})" for p in parts)


def _any(parts: list[str]) -> str:
    parts = [p for p in parts if p != "false()"]
    if not parts:
        return "false()"
    return parts[0] if len(parts) == 1 else " or ".join(f"({p})" for p in parts)


class OdkWriter(XPathWriter[Val, Truth]):
    """ODK XPath over the fields ``locate`` names (``${name}`` in an XLSForm, ``/data/name`` in a submission)."""

    def uncountable(self, e: Count) -> Unexpressible:
        return Unexpressible(f"{e}: a count over a repeating form has no ODK XPath here")

    # values ------------------------------------------------------------------------------

    def ref(self, path: str, item: Item | None) -> Val:
        kind = item.type if item is not None else DataType.DECIMAL
        if kind is DataType.CODED and not self.coded_numbers or kind is DataType.TEXT:
            return Val(path, "text")
        if kind is DataType.BOOLEAN:
            return Val(f"if({path} = 'yes', 1, if({path} = 'no', 0, {NAN}))", "number")
        if kind is DataType.DATE:
            return Val(path, "date")
        return Val(f"number({path})", "number")

    def literal(self, value: object) -> Val:
        if isinstance(value, bool):
            return Val("1" if value else "0", "number", True)
        if isinstance(value, int | float):
            return Val(number_literal(value), "number", True)
        if isinstance(value, str):
            return Val(string_literal(value), "text", True)
        if isinstance(value, dt.date):
            return Val(f"'{value.isoformat()}'", "date", True)
        raise Unexpressible(f"literal {value!r} has no ODK XPath form")

    def _numbers(self, what: str, *values: Val) -> None:
        bad = [v.kind for v in values if v.kind != "number"]
        if bad:
            raise Unexpressible(f"{what} of a {bad[0]} has no ODK XPath here")

    def arith(self, op: str, left: Val, right: Val) -> Val:
        self._numbers(f"arithmetic '{op}'", left, right)
        if op == "/":
            return Val(f"if({right.text} = 0, {NAN}, ({left.text}) div ({right.text}))", "number")
        return Val(f"(({left.text}) {_ARITH[op]} ({right.text}))", "number")

    def today(self) -> Val:
        return Val("today()", "date")

    def choose(self, condition: Expr, then: Expr, otherwise: Expr) -> Val:
        true, false = self.truth(condition)
        a, b = self.value(then), self.value(otherwise)
        self._numbers("ifelse", a, b)
        return Val(f"if({true}, {a.text}, if({false}, {b.text}, {NAN}))", "number")

    def function(self, fn: str, args: list[Val]) -> Val:
        if fn == "days_between":
            dates = args if len(args) > 1 else [args[0], args[0]]
            if any(a.kind != "date" for a in dates):
                raise Unexpressible("days_between of something that is not a date has no ODK XPath here")
            return Val(f"({_days(dates[1])} - {_days(dates[0])})", "number")
        self._numbers(f"{fn}()", *args)
        x = args[0].text
        if fn == "sqrt":
            return Val(f"sqrt({x})", "number")  # NaN below 0, as the reference's unknown
        if fn == "ln":
            return Val(f"if({x} > 0, log({x}), {NAN})", "number")
        if fn == "abs":
            return Val(f"abs({x})", "number")
        if fn in ("min", "max"):  # NaN when any argument is NaN
            return Val(f"{fn}({', '.join(a.text for a in args)})", "number")
        raise Unexpressible(f"{fn}() has no ODK XPath here")

    def as_value(self, truth: Truth) -> Val:
        true, false = truth
        return Val(f"if({true}, 1, if({false}, 0, {NAN}))", "number")

    # truth ---------------------------------------------------------------------------------

    def constant(self, value: bool) -> Truth:
        return ("true()", "false()") if value else ("false()", "true()")

    def negate(self, term: Truth) -> Truth:
        return term[1], term[0]

    def junction(self, conjunction: bool, terms: list[Truth]) -> Truth:
        trues, falses = [t for t, _ in terms], [f for _, f in terms]
        if conjunction:
            return _all(trues), _any(falses)
        return _any(trues), _all(falses)

    def compare(self, op: str, left: Val, right: Val) -> Truth:
        if left.kind != right.kind:
            raise Unexpressible(f"a comparison of a {left.kind} with a {right.kind} has no ODK XPath here")
        if left.kind == "date":  # YYYYMMDD as a number orders the dates and is NaN while one is blank
            left, right = Val(_ordinal(left), "number", left.literal), Val(_ordinal(right), "number", right.literal)
        a, b = left.text, right.text
        if left.kind == "text":
            if op not in ("==", "!="):
                raise Unexpressible(f"'{op}' between texts has no ODK XPath (XPath 1.0 compares them as numbers)")
            equal = f"{a} = {b}"
            differ = _all([_known(left), _known(right), f"{a} != {b}"])
            return (equal, differ) if op == "==" else (differ, equal)
        if op in ("==", "!="):  # NaN = x is false, but NaN != x is true: inequality is written as < or >
            equal, differ = f"{a} = {b}", f"{a} < {b} or {a} > {b}"
            return (equal, differ) if op == "==" else (differ, equal)
        return f"{a} {_CMP[op]} {b}", f"{a} {_NEGATED[op]} {b}"  # both false on NaN

    def member(self, subject: Val, options: list[Val]) -> Truth:
        pairs = [self.compare("==", subject, o) for o in options]
        return _any([t for t, _ in pairs]), _all([f for _, f in pairs])

    def between(self, low: Val, subject: Val, high: Val, low_inclusive: bool, high_inclusive: bool) -> Truth:
        self._numbers("a range", low, subject, high)
        lo, s, hi = low.text, subject.text, high.text
        lo_op, hi_op = ("<=" if low_inclusive else "<"), ("<=" if high_inclusive else "<")
        inside = f"{lo} {lo_op} {s} and {s} {hi_op} {hi}"
        below = "<" if low_inclusive else "<="
        outside = f"{s} {below} {lo} or {s} {_NEGATED[hi_op]} {hi}"  # false while s is NaN
        return inside, _all([_known(low), _known(high), outside])  # a range with an unknown end is unknown

    def truthy(self, value: Val) -> Truth:
        if value.kind == "text":
            return f"{value.text} != ''", "false()"
        return f"{value.text} < 0 or {value.text} > 0", f"{value.text} = 0"


def condition(expr: Expr, locate: Locate, units: Mapping[str, str | None] | None = None) -> str:
    """A calculation giving ``'yes'`` when ``expr`` holds, ``'no'`` when it does not, ``''`` when unknown."""
    true, false = OdkWriter(locate, units).truth(expr)
    return f"if({true}, 'yes', if({false}, 'no', ''))"


def formula(expr: Expr, locate: Locate, units: Mapping[str, str | None] | None = None, *,
            coded_numbers: bool = False) -> str:
    """A calculation giving the number, or ``''`` when it is unknown."""
    v = OdkWriter(locate, units, coded_numbers=coded_numbers).value(expr)
    if v.kind != "number":
        raise Unexpressible(f"a {v.kind} is not a number to calculate")
    # NaN is written 'NaN' and no number has an 'N' or an 'a': translate() blanks NaN and leaves numbers alone.
    return f"translate({v.text}, 'Na', '')"
