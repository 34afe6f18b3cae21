"""Rule expressions and formula trees as REDCap logic: calculated fields, ``@CALCTEXT`` and data-quality rules.

REDCap's logic (the syntax of branching logic, calculated fields and
data-quality rules) reads a field as ``[variable]`` — ``[event][variable]``
for one event of a longitudinal project — and has ``and``, ``or``, ``=``,
``<>``, ``<``, ``<=``, ``>``, ``>=``, ``+ - * /``, ``if(condition, a, b)``
and special functions (``sqrt``, ``abs``, ``min``, ``max``, ``log(number,
base)``, ``datediff(date1, date2, units, format, signed)``).

REDCap has no unknown: a blank field is ``""``, and its functions skip
blanks (``min([a], [b])`` is the smaller *entered* value) or give blank.
So, as in the Excel translation, a truth is written as two logic
expressions, *known and true* and *known and false*, every comparison
guarded by its operands being entered (``[x] <> ""``), and a value carries
the conditions under which it is known. Kleene's logic follows: ``and`` is
false when one term is false, ``or`` true when one term is true, ``not``
swaps the two. The final forms are

* a condition as a field: ``if(T, 1, if(F, 0, ""))`` — 1 true, 0 false, blank unknown;
* a condition as a data-quality rule: ``T`` (the rule lists the records where it is known and true);
* a formula: ``if(K, value, "")`` — blank while unknown or outside a function's domain.

Dates compare through ``datediff(a, b, "d", "ymd", true)`` (``b`` minus
``a`` in days, signed), never as text. A calculated field computes numbers
only (REDCap replaces a text value in a calculation by blank), so a logic
that compares text is marked :attr:`Logic.textual`: the exporter writes it
as an ``@CALCTEXT`` field, whose ``if`` compares text as branching logic does.

What REDCap logic cannot say here raises :class:`Unexpressible` naming the
construct: a count over a repeating form (its instances are not visible to
one logic expression), ordering of text, comparisons of values of different
kinds, and text literals that cannot be quoted. No evaluator of REDCap logic
exists outside REDCap, so this backend is not run by the conformance suite:
``docs/export-redcap.md`` says what is checked instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Literal, TypeAlias

from attrs import frozen

from planner.expr.logic import literal_value
from planner.expr.nodes import And, Arith, Between, Call, Cmp, Count, Expr, In, Lit, Not, Or, Ref
from planner.model.dictionary import DataType, Item


class Unexpressible(ValueError):
    """A construct with no REDCap logic here."""


Kind = Literal["number", "text", "date", "bool"]
Part: TypeAlias = "str | bool"
"""A piece of logic, or a constant truth (``True``/``False``) that is simplified away where it meets others."""


@frozen
class Var:
    """Where a name a rule reads lives in REDCap: its variable, its item (``None`` for a derived number), its event.

    ``event`` is the unique event name that qualifies the reference in a
    longitudinal project (``None``: the event being evaluated). ``codes``
    maps a codelist's codes to the raw values REDCap stores, when they differ.
    """

    variable: str
    item: Item | None = None
    event: str | None = None
    codes: Mapping[str, str] | None = None


Locate = Callable[[str], Var | None]


@frozen
class Logic:
    """Written logic, and whether it compares text (then it cannot be a ``calc`` field, only ``@CALCTEXT``)."""

    text: str
    textual: bool


_CMP = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "==": "=", "!=": "<>"}
_INVERSE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_MIRROR = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
"""``a op b`` as ``datediff(a, b) op' 0``: ``datediff`` is ``b − a``, so ``a < b`` is ``datediff(a, b) > 0``."""

_TEXT_LITERAL_REFUSED = re.compile(r"[\[\]\x00-\x1f\x7f]")


def number(value: float | int) -> str:
    """A number as REDCap logic writes it: plain digits (no exponent), negative ones in parentheses."""
    if isinstance(value, bool):
        value = int(value)
    text = str(value) if isinstance(value, int) else format(Decimal(repr(float(value))), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") or "0"
    return f"({text})" if text.startswith("-") else text


def string(text: str) -> str:
    """A REDCap text literal of ``text``: in double quotes, or single ones when it holds a double quote."""
    if _TEXT_LITERAL_REFUSED.search(text):
        raise Unexpressible(f"the text {text!r} has a square bracket or a control character, which REDCap logic "
                            "would read as a field or cannot hold")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    raise Unexpressible(f"the text {text!r} holds both kinds of quote; REDCap logic has no escape for them")


def conj(parts: Sequence[Part]) -> Part:
    if any(p is False for p in parts):
        return False
    rest = [p for p in parts if p is not True]
    if not rest:
        return True
    return rest[0] if len(rest) == 1 else "(" + " and ".join(str(p) for p in rest) + ")"


def disj(parts: Sequence[Part]) -> Part:
    if any(p is True for p in parts):
        return True
    rest = [p for p in parts if p is not False]
    if not rest:
        return False
    return rest[0] if len(rest) == 1 else "(" + " or ".join(str(p) for p in rest) + ")"


def render(part: Part) -> str:
    """A part as logic text: a constant truth as a comparison REDCap can evaluate."""
    if part is True:
        return "(1 = 1)"
    if part is False:
        return "(1 = 0)"
    return str(part)


@frozen
class Value:
    """A written value: its text, the conditions under which it is known, and its kind."""

    text: str
    known: tuple[Part, ...]
    kind: Kind


class RedcapWriter:
    """Write expressions over the fields ``locate`` finds; ``coded_numbers`` reads a coded field as its number."""

    def __init__(self, locate: Locate, units: Mapping[str, str | None] | None = None, *,
                 coded_numbers: bool = False) -> None:
        self.locate = locate
        self.units = units or {}
        self.coded_numbers = coded_numbers
        self.textual = False

    # values ---------------------------------------------------------------------------

    def _var(self, name: str) -> Var:
        found = self.locate(name)
        if found is None:
            raise Unexpressible(f"{name} is not a field of this REDCap project")
        return found

    @staticmethod
    def _field(var: Var) -> str:
        return f"[{var.event}][{var.variable}]" if var.event else f"[{var.variable}]"

    def value(self, e: Expr, subject: Expr | None = None) -> Value:
        if isinstance(e, Ref):
            return self._ref(e.name)
        if isinstance(e, Lit):
            return self._literal(literal_value(e, self.units, subject), subject)
        if isinstance(e, Arith):
            left, right = self.value(e.left, e.right), self.value(e.right, e.left)
            self._numbers(e, left, right)
            known = (*left.known, *right.known)
            if e.op == "/" and not (isinstance(e.right, Lit) and right.text.strip("()") not in ("0", "-0")):
                known = (*known, f"{right.text} <> 0")
            return Value(f"({left.text} {e.op} {right.text})", known, "number")
        if isinstance(e, Call):
            return self._call(e)
        if isinstance(e, Count):
            raise Unexpressible(f"{e}: REDCap logic cannot count the instances of a repeating instrument")
        true, false = self.truth(e)
        return Value(f"if({render(true)}, 1, 0)", (disj([true, false]),), "bool")

    def _ref(self, name: str) -> Value:
        var = self._var(name)
        field = self._field(var)
        known: tuple[Part, ...] = (f'{field} <> ""',)
        item = var.item
        kind: Kind
        if item is None or item.type in (DataType.INTEGER, DataType.DECIMAL):
            kind = "number"
        elif item.type is DataType.CODED:
            kind = "number" if self.coded_numbers else "text"
        elif item.type is DataType.BOOLEAN:
            kind = "bool"
        elif item.type is DataType.DATE:
            kind = "date"
        else:
            kind = "text"
        return Value(field, known, kind)

    def _literal(self, value: object, subject: Expr | None) -> Value:
        if isinstance(value, bool):
            return Value("1" if value else "0", (), "bool")
        if isinstance(value, int | float):
            return Value(number(value), (), "number")
        if isinstance(value, dt.date):
            return Value(f'"{value.isoformat()}"', (), "date")
        if isinstance(value, str):
            if isinstance(subject, Ref):
                found = self.locate(subject.name)
                if found is not None and found.codes is not None:
                    value = found.codes.get(value, value)
            return Value(string(value), (), "text")
        raise Unexpressible(f"literal {value!r} has no REDCap form")

    @staticmethod
    def _numbers(e: Expr, *values: Value) -> None:
        for v in values:
            if v.kind != "number":
                raise Unexpressible(f"{e}: arithmetic on a {v.kind} value")

    def _call(self, e: Call) -> Value:
        if e.fn == "today":
            return Value('"today"', (), "date")
        if e.fn == "ifelse":
            true, false = self.truth(e.args[0])
            then, otherwise = self.value(e.args[1]), self.value(e.args[2])
            if then.kind != otherwise.kind:
                raise Unexpressible(f"{e}: the two branches give a {then.kind} and a {otherwise.kind} value")
            chosen = disj([conj([true, *then.known]), conj([false, *otherwise.known])])
            return Value(f"if({render(true)}, {then.text}, {otherwise.text})", (chosen,), then.kind)
        args = [self.value(a) for a in e.args]
        known = tuple(k for a in args for k in a.known)
        if e.fn == "days_between":
            for a in args:
                if a.kind != "date":
                    raise Unexpressible(f"{e}: days_between of a {a.kind} value")
            return Value(self._datediff(args[0], args[1]), known, "number")
        self._numbers(e, *args)
        x = args[0].text
        if e.fn == "sqrt":
            return Value(f"sqrt({x})", (*known, f"{x} >= 0"), "number")
        if e.fn == "ln":
            return Value(f'log({x}, "e")', (*known, f"{x} > 0"), "number")
        if e.fn == "abs":
            return Value(f"abs({x})", known, "number")
        # min and max skip blank arguments in REDCap: every argument is required known above
        return Value(f"{e.fn}({', '.join(a.text for a in args)})", known, "number")

    @staticmethod
    def _datediff(a: Value, b: Value) -> str:
        return f'datediff({a.text}, {b.text}, "d", "ymd", true)'

    # truth ------------------------------------------------------------------------------

    def truth(self, e: Expr) -> tuple[Part, Part]:
        """``(known and true, known and false)`` of a condition."""
        if isinstance(e, Lit) and isinstance(e.value, bool):
            return (True, False) if e.value else (False, True)
        if isinstance(e, Not):
            true, false = self.truth(e.term)
            return false, true
        if isinstance(e, And | Or):
            parts = [self.truth(t) for t in e.terms]
            trues, falses = [p[0] for p in parts], [p[1] for p in parts]
            if isinstance(e, And):
                return conj(trues), disj(falses)
            return disj(trues), conj(falses)
        if isinstance(e, Cmp):
            return self._compare(e)
        if isinstance(e, In):
            subject = self.value(e.subject)
            options = [self.value(o, e.subject) for o in e.options]
            hits = [self._relation("==", subject, o, e) for o in options]
            misses = [self._relation("!=", subject, o, e) for o in options]
            return conj([*subject.known, disj(hits)]), conj([*subject.known, conj(misses)])
        if isinstance(e, Between):
            subject = self.value(e.subject)
            low, high = self.value(e.low, e.subject), self.value(e.high, e.subject)
            lo_op, hi_op = ("<=" if e.low_inclusive else "<"), ("<=" if e.high_inclusive else "<")
            known = [*subject.known, *low.known, *high.known]
            inside = [self._relation(lo_op, low, subject, e), self._relation(hi_op, subject, high, e)]
            outside = [self._relation(_INVERSE[lo_op], low, subject, e), self._relation(_INVERSE[hi_op], subject, high, e)]
            return conj([*known, *inside]), conj([*known, disj(outside)])
        if isinstance(e, Call) and e.fn == "ifelse":
            c_true, c_false = self.truth(e.args[0])
            (t_true, t_false), (o_true, o_false) = self.truth(e.args[1]), self.truth(e.args[2])
            return (disj([conj([c_true, t_true]), conj([c_false, o_true])]),
                    disj([conj([c_true, t_false]), conj([c_false, o_false])]))
        if isinstance(e, Count):
            raise Unexpressible(f"{e}: REDCap logic cannot count the instances of a repeating instrument")
        v = self.value(e)
        if v.kind != "bool":
            raise Unexpressible(f"{e} is a {v.kind} value, not a condition")
        return conj([*v.known, f"{v.text} = 1"]), conj([*v.known, f"{v.text} = 0"])

    def _compare(self, e: Cmp) -> tuple[Part, Part]:
        left, right = self.value(e.left, e.right), self.value(e.right, e.left)
        known = [*left.known, *right.known]
        return (conj([*known, self._relation(e.op, left, right, e)]),
                conj([*known, self._relation(_INVERSE[e.op], left, right, e)]))

    def _relation(self, op: str, left: Value, right: Value, e: Expr) -> str:
        """``left op right`` for two known values of the same kind."""
        if left.kind != right.kind:
            raise Unexpressible(f"{e}: compares a {left.kind} value with a {right.kind} value")
        if left.kind == "date":
            return f"{self._datediff(left, right)} {_CMP[_MIRROR[op]]} 0"
        if left.kind in ("text", "bool") and op not in ("==", "!="):
            raise Unexpressible(f"{e}: REDCap orders {left.kind} values differently from the rule language")
        if left.kind == "text":
            self.textual = True
        return f"{left.text} {_CMP[op]} {right.text}"


# -- the forms the exporter writes ---------------------------------------------------------


def condition(expr: Expr, locate: Locate, units: Mapping[str, str | None] | None = None) -> Logic:
    """Logic that holds exactly when ``expr`` is known and true (a data-quality rule, branching logic)."""
    w = RedcapWriter(locate, units)
    true, _ = w.truth(expr)
    return Logic(render(true), w.textual)


def truth_field(expr: Expr, locate: Locate, units: Mapping[str, str | None] | None = None, *,
                as_text: bool = False) -> Logic:
    """A field's calculation of a condition: 1 true, 0 false, blank unknown.

    Quoted, for an ``@CALCTEXT`` field, when the logic compares text or ``as_text`` asks for it (a calculation
    that reads ``@CALCTEXT`` fields, whose values are text, must be one too).
    """
    w = RedcapWriter(locate, units)
    true, false = w.truth(expr)
    textual = w.textual or as_text
    one, zero = ('"1"', '"0"') if textual else ("1", "0")
    return Logic(f'if({render(true)}, {one}, if({render(false)}, {zero}, ""))', textual)


def formula(expr: Expr, locate: Locate, units: Mapping[str, str | None] | None = None, *,
            coded_numbers: bool = False) -> Logic:
    """A calculated field's equation: the value, blank while any input is blank or outside a function's domain."""
    w = RedcapWriter(locate, units, coded_numbers=coded_numbers)
    v = w.value(expr)
    if v.kind != "number":
        raise Unexpressible(f"{expr} gives a {v.kind} value; a calculated field holds a number")
    known = conj(list(v.known))
    if known is True:
        return Logic(v.text, w.textual)
    return Logic(f'if({render(known)}, {v.text}, "")', w.textual)
