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


class FormalWriter:
    """Write expressions over the items ``locate`` finds; ``coded_numbers`` reads a coded item as its number."""

    def __init__(self, locate: Locate, units: Mapping[str, str | None] | None = None, *,
                 coded_numbers: bool = False) -> None:
        self.locate = locate
        self.units = units or {}
        self.coded_numbers = coded_numbers
        self._names = itertools.count(1)

    def _var(self) -> str:
        return f"$v{next(self._names)}"

    # values ---------------------------------------------------------------------------

    def value(self, e: Expr, subject: Expr | None = None) -> str:
        """An expression giving the value of ``e`` or ``()`` when it is unknown."""
        if isinstance(e, Ref):
            return self._ref(e.name)
        if isinstance(e, Lit):
            return self._literal(literal_value(e, self.units, subject))
        if isinstance(e, Arith):
            left, right = self.value(e.left, e.right), self.value(e.right, e.left)
            if e.op == "/":
                a, b = self._var(), self._var()
                return f"(let {a} := ({left}), {b} := ({right}) return if ({b} ne 0) then {a} div {b} else ())"
            return f"(({left}) {_ARITH[e.op]} ({right}))"
        if isinstance(e, Call):
            return self._call(e)
        if isinstance(e, Count):
            raise Unexpressible(f"{e}: a count over a repeating form has no FormalExpression here")
        return self.truth(e)

    def _ref(self, name: str) -> str:
        found = self.locate(name)
        if found is None:
            raise Unexpressible(f"{name} is not an item or derived value of this study")
        oid, item = found
        path = f".//odm:ItemData[@ItemOID={xpath_string(oid)}]/@Value"
        kind = item.type if item is not None else DataType.DECIMAL
        if kind is DataType.CODED and not self.coded_numbers or kind is DataType.TEXT:
            return f"xs:string({path})"
        if kind is DataType.BOOLEAN:
            return f"xs:boolean({path})"
        if kind is DataType.DATE:
            return f"xs:date({path})"
        return f"xs:double({path})"

    def _literal(self, value: object) -> str:
        if isinstance(value, bool):
            return "true()" if value else "false()"
        if isinstance(value, int | float):
            return _number(value)
        if isinstance(value, str):
            return xpath_string(value)
        if isinstance(value, dt.date):
            return f'xs:date("{value.isoformat()}")'
        raise Unexpressible(f"literal {value!r} has no XPath form")

    def _call(self, e: Call) -> str:
        if e.fn == "today":
            return "current-date()"
        if e.fn == "ifelse":
            c = self._var()
            return (f"(let {c} := ({self.truth(e.args[0])}) return if (empty({c})) then () "
                    f"else if ({c}) then ({self.value(e.args[1])}) else ({self.value(e.args[2])}))")
        args = [self.value(a) for a in e.args]
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
        }[e.fn]
        return f"(for {bind} return {body})"  # a strict function: () when any argument is ()

    # truth ------------------------------------------------------------------------------

    def truth(self, e: Expr) -> str:
        """An expression giving ``true()``, ``false()`` or ``()`` (unknown) for the condition ``e``."""
        if isinstance(e, Lit):
            return "true()" if bool(literal_value(e, self.units, None)) else "false()"
        if isinstance(e, Not):
            v = self._var()
            return f"(for {v} in ({self.truth(e.term)}) return not({v}))"
        if isinstance(e, And | Or):
            names = [self._var() for _ in e.terms]
            binds = ", ".join(f"{n} := ({self.truth(t)})" for n, t in zip(names, e.terms, strict=True))
            seq = ", ".join(names)
            known = " and ".join(f"exists({n})" for n in names)
            decide, rest = ("false()", "true()") if isinstance(e, And) else ("true()", "false()")
            return f"(let {binds} return if (({seq}) = {decide}) then {decide} else if ({known}) then {rest} else ())"
        if isinstance(e, Cmp):
            return f"(({self.value(e.left, e.right)}) {_CMP[e.op]} ({self.value(e.right, e.left)}))"
        if isinstance(e, In):
            s = self._var()
            options = ", ".join(self._literal(literal_value(o, self.units, e.subject)) for o in e.options)
            return f"(for {s} in ({self.value(e.subject)}) return {s} = ({options}))"
        if isinstance(e, Between):
            lo, s, hi = self._var(), self._var(), self._var()
            lo_op, hi_op = ("le" if e.low_inclusive else "lt"), ("le" if e.high_inclusive else "lt")
            return (f"(for {lo} in ({self.value(e.low, e.subject)}), {s} in ({self.value(e.subject)}), "
                    f"{hi} in ({self.value(e.high, e.subject)}) return ({lo} {lo_op} {s} and {s} {hi_op} {hi}))")
        if isinstance(e, Count):
            raise Unexpressible(f"{e}: a count over a repeating form has no FormalExpression here")
        v = self._var()
        return f"(for {v} in ({self.value(e)}) return boolean({v}))"


def condition(expr: Expr, locate: Locate, units: Mapping[str, str | None] | None = None) -> str:
    """The FormalExpression of a condition: ``true()``, ``false()`` or ``()`` when unknown."""
    return FormalWriter(locate, units).truth(expr)


def formula(expr: Expr, locate: Locate, units: Mapping[str, str | None] | None = None, *,
            coded_numbers: bool = False) -> str:
    """The FormalExpression of a computed value: the value, or ``()`` when unknown."""
    return FormalWriter(locate, units, coded_numbers=coded_numbers).value(expr)
