"""Rule expressions and formula trees as ODM FormalExpressions: XPath 3.1 over ODM ClinicalData.

ODM leaves the language of a ``FormalExpression`` to its ``Context``
attribute. Ours is :data:`CONTEXT`: an XPath 3.1 expression whose context
item is one ``StudyEventData`` element of ODM 1.3.2 ClinicalData (one visit
of one participant); an item is read as the ``Value`` of the ``ItemData``
with its ``ItemOID`` below that element, typed by its ODM DataType
(``xs:double`` for numbers, ``xs:boolean``, ``xs:date``, ``xs:string``).

Unknown is the empty sequence, so the rule language's three-valued logic
is kept: an absent item reads as ``()``; XPath's value comparisons
(``lt``, ``eq`` …) and arithmetic already give ``()`` on ``()``; ``and``,
``or`` and ``not`` are written out in Kleene's logic (false wins an ``and``,
true wins an ``or``); a function outside its domain (``ln(0)``) and a
division by zero give ``()``. A condition's answer is ``true()``,
``false()`` or ``()``; a formula's a number or ``()``.

Each construct is one entry of the writer below; what XPath here cannot say
(``count`` over a repeating form, whose records the reference may know only
between two ends) raises :class:`Unexpressible` naming it. The conformance
suite (``tests/conformance``) runs these expressions with ``elementpath`` on
generated ClinicalData and compares every answer with the reference.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from planner.cleantext import xml_chars
from planner.expr.logic import literal_value
from planner.expr.nodes import And, Arith, Between, Call, Cmp, Count, Expr, In, Lit, Not, Or, Ref
from planner.model.dictionary import DataType, Item

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
MATH_NS = "http://www.w3.org/2005/xpath-functions/math"
NAMESPACES = {"odm": ODM_NS, "math": MATH_NS}
"""The prefixes the expressions use."""

CONTEXT = "XPath 3.1 (protocol-planner): context item one odm:StudyEventData; odm = ODM 1.3 namespace; () = unknown"
"""The ``Context`` attribute of every FormalExpression written here (documented in docs/odm.md)."""


class Unexpressible(ValueError):
    """A construct with no FormalExpression here."""


_CMP = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
_ARITH = {"+": "+", "-": "-", "*": "*"}

Locate = Callable[[str], tuple[str, Item | None] | None]
"""``name -> (ItemOID, item)`` for every name a rule may read (``item`` ``None`` for a derived number)."""


def xpath_string(text: str) -> str:
    """An XPath string literal of ``text`` (quotes doubled; characters XML refuses removed)."""
    return '"' + xml_chars(text).replace('"', '""') + '"'


def _number(value: float | int) -> str:
    text = repr(float(value))
    body = text if "e" in text else text + "e0"  # a double literal, so every number is an xs:double
    return f"({body})" if body.startswith("-") else body


V = TypeVar("V")
T = TypeVar("T")


class XPathWriter(Generic[V, T]):
    """The walk every XPath projection of an expression shares; each dialect writes one method per construct.

    The walk decides which construct a node is, resolves names through
    ``locate`` and literals into the unit of what they are compared with, and
    refuses what no XPath here can say (``count`` over a repeating form). A
    dialect says how each construct is written: ODM's XPath 3.1
    (:class:`FormalWriter`, unknown is ``()``) and ODK's XPath 1.0 subset
    (``exports.xlsform.xpath``, unknown is NaN or a pair of "known true" /
    "known false" tests). ``V`` is what a dialect writes for a value, ``T``
    for a truth.
    """

    def __init__(self, locate: Locate, units: Mapping[str, str | None] | None = None, *,
                 coded_numbers: bool = False) -> None:
        self.locate = locate
        self.units = units or {}
        self.coded_numbers = coded_numbers

    def value(self, e: Expr, subject: Expr | None = None) -> V:
        """What the dialect writes for the value of ``e``."""
        if isinstance(e, Ref):
            found = self.locate(e.name)
            if found is None:
                raise Unexpressible(f"{e.name} is not an item or derived value of this study")
            return self.ref(*found)
        if isinstance(e, Lit):
            return self.literal(literal_value(e, self.units, subject))
        if isinstance(e, Arith):
            return self.arith(e.op, self.value(e.left, e.right), self.value(e.right, e.left))
        if isinstance(e, Call):
            if e.fn == "today":
                return self.today()
            if e.fn == "ifelse":
                return self.choose(e.args[0], e.args[1], e.args[2])
            return self.function(e.fn, [self.value(a) for a in e.args])
        if isinstance(e, Count):
            raise self.uncountable(e)
        return self.as_value(self.truth(e))

    def truth(self, e: Expr) -> T:
        """What the dialect writes for the three-valued truth of the condition ``e``."""
        if isinstance(e, Lit):
            return self.constant(bool(literal_value(e, self.units, None)))
        if isinstance(e, Not):
            return self.negate(self.truth(e.term))
        if isinstance(e, And | Or):
            return self.junction(isinstance(e, And), [self.truth(t) for t in e.terms])
        if isinstance(e, Cmp):
            return self.compare(e.op, self.value(e.left, e.right), self.value(e.right, e.left))
        if isinstance(e, In):
            return self.member(self.value(e.subject),
                               [self.literal(literal_value(o, self.units, e.subject)) for o in e.options])
        if isinstance(e, Between):
            return self.between(self.value(e.low, e.subject), self.value(e.subject), self.value(e.high, e.subject),
                                e.low_inclusive, e.high_inclusive)
        if isinstance(e, Count):
            raise self.uncountable(e)
        return self.truthy(self.value(e))

    def uncountable(self, e: Count) -> Unexpressible:
        return Unexpressible(f"{e}: a count over a repeating form has no XPath here")

    # one method per construct, written by each dialect ---------------------------------------

    def ref(self, path: str, item: Item | None) -> V:
        raise NotImplementedError

    def literal(self, value: object) -> V:
        raise NotImplementedError

    def arith(self, op: str, left: V, right: V) -> V:
        raise NotImplementedError

    def today(self) -> V:
        raise NotImplementedError

    def choose(self, condition: Expr, then: Expr, otherwise: Expr) -> V:
        raise NotImplementedError

    def function(self, fn: str, args: list[V]) -> V:
        raise NotImplementedError

    def as_value(self, truth: T) -> V:
        raise NotImplementedError

    def constant(self, value: bool) -> T:
        raise NotImplementedError

    def negate(self, term: T) -> T:
        raise NotImplementedError

    def junction(self, conjunction: bool, terms: list[T]) -> T:
        raise NotImplementedError

    def compare(self, op: str, left: V, right: V) -> T:
        raise NotImplementedError

    def member(self, subject: V, options: list[V]) -> T:
        raise NotImplementedError

    def between(self, low: V, subject: V, high: V, low_inclusive: bool, high_inclusive: bool) -> T:
        raise NotImplementedError

    def truthy(self, value: V) -> T:
        raise NotImplementedError


class FormalWriter(XPathWriter[str, str]):
    """XPath 3.1 over ODM ClinicalData; ``coded_numbers`` reads a coded item as its number."""

    def __init__(self, locate: Locate, units: Mapping[str, str | None] | None = None, *,
                 coded_numbers: bool = False) -> None:
        super().__init__(locate, units, coded_numbers=coded_numbers)
        self._names = itertools.count(1)

    def _var(self) -> str:
        return f"$v{next(self._names)}"

    def uncountable(self, e: Count) -> Unexpressible:
        return Unexpressible(f"{e}: a count over a repeating form has no FormalExpression here")

    # values ---------------------------------------------------------------------------

    def ref(self, oid: str, item: Item | None) -> str:
        path = f".//odm:ItemData[@ItemOID={xpath_string(oid)}]/@Value"
        kind = item.type if item is not None else DataType.DECIMAL
        if kind is DataType.CODED and not self.coded_numbers or kind is DataType.TEXT:
            return f"xs:string({path})"
        if kind is DataType.BOOLEAN:
            return f"xs:boolean({path})"
        if kind is DataType.DATE:
            return f"xs:date({path})"
        return f"xs:double({path})"

    def literal(self, value: object) -> str:
        if isinstance(value, bool):
            return "true()" if value else "false()"
        if isinstance(value, int | float):
            return _number(value)
        if isinstance(value, str):
            return xpath_string(value)
        if isinstance(value, dt.date):
            return f'xs:date("{value.isoformat()}")'
        raise Unexpressible(f"literal {value!r} has no XPath form")

    def arith(self, op: str, left: str, right: str) -> str:
        if op == "/":
            a, b = self._var(), self._var()
            return f"(let {a} := ({left}), {b} := ({right}) return if ({b} ne 0) then {a} div {b} else ())"
        return f"(({left}) {_ARITH[op]} ({right}))"

    def today(self) -> str:
        return "current-date()"

    def choose(self, condition: Expr, then: Expr, otherwise: Expr) -> str:
        c = self._var()
        return (f"(let {c} := ({self.truth(condition)}) return if (empty({c})) then () "
                f"else if ({c}) then ({self.value(then)}) else ({self.value(otherwise)}))")

    def function(self, fn: str, args: list[str]) -> str:
        names = [self._var() for _ in args]
        bind = ", ".join(f"{n} in ({a})" for n, a in zip(names, args, strict=True))
        x = names[0]
        body = {
            "sqrt": f"if ({x} ge 0) then math:sqrt({x}) else ()",
            "ln": f"if ({x} gt 0) then math:log({x}) else ()",
            "abs": f"abs({x})",
            "min": f"min(({', '.join(names)}))",
            "max": f"max(({', '.join(names)}))",
            "days_between": f"days-from-duration({names[1] if len(names) > 1 else x} - {x})",
        }[fn]
        return f"(for {bind} return {body})"  # a strict function: () when any argument is ()

    def as_value(self, truth: str) -> str:
        return truth

    # truth ------------------------------------------------------------------------------

    def constant(self, value: bool) -> str:
        return "true()" if value else "false()"

    def negate(self, term: str) -> str:
        v = self._var()
        return f"(for {v} in ({term}) return not({v}))"

    def junction(self, conjunction: bool, terms: list[str]) -> str:
        names = [self._var() for _ in terms]
        binds = ", ".join(f"{n} := ({t})" for n, t in zip(names, terms, strict=True))
        seq = ", ".join(names)
        known = " and ".join(f"exists({n})" for n in names)
        decide, rest = ("false()", "true()") if conjunction else ("true()", "false()")
        return f"(let {binds} return if (({seq}) = {decide}) then {decide} else if ({known}) then {rest} else ())"

    def compare(self, op: str, left: str, right: str) -> str:
        return f"(({left}) {_CMP[op]} ({right}))"

    def member(self, subject: str, options: list[str]) -> str:
        s = self._var()
        return f"(for {s} in ({subject}) return {s} = ({', '.join(options)}))"

    def between(self, low: str, subject: str, high: str, low_inclusive: bool, high_inclusive: bool) -> str:
        lo, s, hi = self._var(), self._var(), self._var()
        lo_op, hi_op = ("le" if low_inclusive else "lt"), ("le" if high_inclusive else "lt")
        return (f"(for {lo} in ({low}), {s} in ({subject}), "
                f"{hi} in ({high}) return ({lo} {lo_op} {s} and {s} {hi_op} {hi}))")

    def truthy(self, value: str) -> str:
        v = self._var()
        return f"(for {v} in ({value}) return boolean({v}))"


def condition(expr: Expr, locate: Locate, units: Mapping[str, str | None] | None = None) -> str:
    """The FormalExpression of a condition: ``true()``, ``false()`` or ``()`` when unknown."""
    return FormalWriter(locate, units).truth(expr)


def formula(expr: Expr, locate: Locate, units: Mapping[str, str | None] | None = None, *,
            coded_numbers: bool = False) -> str:
    """The FormalExpression of a computed value: the value, or ``()`` when unknown."""
    return FormalWriter(locate, units, coded_numbers=coded_numbers).value(expr)
