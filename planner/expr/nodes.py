"""The typed AST of rule expressions.

Authors write rules with Python operators (``Item("age") >= 18``) or as text
(``age >= 18 and not pregnant``, see :mod:`planner.expr.text`). Both give the
same frozen attrs trees, which compare structurally, print canonically, and
evaluate with three-valued logic (:mod:`planner.expr.logic`).

``==`` stays structural equality between trees; write ``.eq(x)`` / ``.ne(x)``
for an equality *rule*.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from typing import Literal, TypeAlias

from attrs import field, frozen

from planner import units

Scalar: TypeAlias = bool | int | float | str | dt.date
CmpOp = Literal["<", "<=", ">", ">=", "==", "!="]
ArithOp = Literal["+", "-", "*", "/"]
FunctionName = Literal["sqrt", "ln", "abs", "min", "max", "ifelse", "days_between", "today"]


def _wrap(x: object) -> Expr:
    if isinstance(x, Expr):
        return x
    if isinstance(x, (bool, int, float, str, dt.date)):
        return Lit(x)
    raise TypeError(f"cannot use {x!r} ({type(x).__name__}) in a rule expression")


class Expr:
    """Base of every node: Python operators build bigger expressions."""

    __slots__ = ()

    def __lt__(self, other: object) -> Cmp:
        return Cmp("<", self, _wrap(other))

    def __le__(self, other: object) -> Cmp:
        return Cmp("<=", self, _wrap(other))

    def __gt__(self, other: object) -> Cmp:
        return Cmp(">", self, _wrap(other))

    def __ge__(self, other: object) -> Cmp:
        return Cmp(">=", self, _wrap(other))

    def eq(self, other: object) -> Cmp:
        """The rule ``self == other``."""
        return Cmp("==", self, _wrap(other))

    def ne(self, other: object) -> Cmp:
        """The rule ``self != other``."""
        return Cmp("!=", self, _wrap(other))

    def is_in(self, *options: Scalar) -> In:
        """The rule ``self in (options…)``."""
        return In(self, tuple(Lit(o) for o in options))

    def between(self, low: object, high: object) -> Between:
        """The rule ``low <= self <= high``."""
        return Between(self, _wrap(low), _wrap(high))

    def __and__(self, other: Expr) -> And:
        return And((self, other))

    def __or__(self, other: Expr) -> Or:
        return Or((self, other))

    def __invert__(self) -> Not:
        return Not(self)

    def __add__(self, other: object) -> Arith:
        return Arith("+", self, _wrap(other))

    def __radd__(self, other: object) -> Arith:
        return Arith("+", _wrap(other), self)

    def __sub__(self, other: object) -> Arith:
        return Arith("-", self, _wrap(other))

    def __mul__(self, other: object) -> Arith:
        return Arith("*", self, _wrap(other))

    def __rmul__(self, other: object) -> Arith:
        return Arith("*", _wrap(other), self)

    def __truediv__(self, other: object) -> Arith:
        return Arith("/", self, _wrap(other))

    def __str__(self) -> str:
        from planner.expr.text import to_text

        return to_text(self)

    def children(self) -> tuple[Expr, ...]:
        return ()

    def walk(self) -> Iterator[Expr]:
        """This node and every node below it, depth first."""
        yield self
        for c in self.children():
            yield from c.walk()

    def refs(self) -> frozenset[str]:
        """Names of all items the expression reads (``form.item`` inside counts)."""
        out: set[str] = set()
        for n in self.walk():
            if isinstance(n, Ref):
                out.add(n.name)
            elif isinstance(n, Count):
                out.add(n.form)
                if n.distinct is not None:
                    out.add(f"{n.form}.{n.distinct}")
        return frozenset(out)


def _check_unit(inst: object, attribute: object, value: str | None) -> None:
    if value is not None and not units.is_known(value):
        close = units.suggest(value)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"unknown unit {value!r}{hint}")


def _check_scalar(inst: object, attribute: object, value: Scalar) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"literal {value!r} is not a finite number")


@frozen(order=False)
class Ref(Expr):
    """A reference to a data-dictionary item by name (``anc``, ``ae.serious``)."""

    name: str


@frozen(order=False)
class Lit(Expr):
    """A literal, optionally with a unit (``1.0[10^9/L]``)."""

    value: Scalar = field(validator=_check_scalar)
    unit: str | None = field(default=None, validator=_check_unit)


def _flatten(terms: Iterable[Expr], kind: type[And | Or]) -> tuple[Expr, ...]:
    out: list[Expr] = []
    for t in terms:
        out.extend(t.terms if isinstance(t, kind) else (t,))
    if len(out) < 2:
        raise ValueError(f"{kind.__name__} needs at least two terms")
    return tuple(out)


def _flatten_and(terms: Iterable[Expr]) -> tuple[Expr, ...]:
    return _flatten(terms, And)


def _flatten_or(terms: Iterable[Expr]) -> tuple[Expr, ...]:
    return _flatten(terms, Or)


def _lits(options: Iterable[Lit]) -> tuple[Lit, ...]:
    return tuple(options)


@frozen(order=False)
class And(Expr):
    """All terms true (Kleene: false wins, then unknown)."""

    terms: tuple[Expr, ...] = field(converter=_flatten_and)

    def children(self) -> tuple[Expr, ...]:
        return self.terms


@frozen(order=False)
class Or(Expr):
    """Any term true (Kleene: true wins, then unknown)."""

    terms: tuple[Expr, ...] = field(converter=_flatten_or)

    def children(self) -> tuple[Expr, ...]:
        return self.terms


@frozen(order=False)
class Not(Expr):
    """Negation; unknown stays unknown."""

    term: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.term,)


@frozen(order=False)
class Cmp(Expr):
    """A comparison of two operands."""

    op: CmpOp
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@frozen(order=False)
class In(Expr):
    """Membership of a value in a list of literals."""

    subject: Expr
    options: tuple[Lit, ...] = field(converter=_lits)

    def children(self) -> tuple[Expr, ...]:
        return (self.subject, *self.options)


@frozen(order=False)
class Between(Expr):
    """A range test ``low <= subject <= high`` (ends inclusive unless said)."""

    subject: Expr
    low: Expr
    high: Expr
    low_inclusive: bool = True
    high_inclusive: bool = True

    def children(self) -> tuple[Expr, ...]:
        return (self.low, self.subject, self.high)


@frozen(order=False)
class Arith(Expr):
    """Arithmetic on two numeric operands (for thresholds such as ``3 * alt_uln``)."""

    op: ArithOp
    left: Expr
    right: Expr

    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@frozen(order=False)
class Count(Expr):
    """The number of records of a repeating form, optionally filtered.

    With ``distinct`` it counts distinct values of that item among the
    matching records: "failed two or more mechanism classes" is
    ``count_distinct(prior_therapy.mechanism_class, where=prior_therapy.failed) >= 2``.
    """

    form: str
    where: Expr | None = None
    distinct: str | None = None

    def children(self) -> tuple[Expr, ...]:
        return () if self.where is None else (self.where,)


@frozen
class Signature:
    """What a function of the rule language takes: how many arguments, and of which kind."""

    minimum: int
    maximum: int | None
    doc: str


FUNCTIONS: dict[str, Signature] = {
    "sqrt": Signature(1, 1, "square root of a number ≥ 0; unknown for a negative number"),
    "ln": Signature(1, 1, "natural logarithm of a number > 0; unknown for 0 or a negative number"),
    "abs": Signature(1, 1, "absolute value of a number"),
    "min": Signature(2, None, "the smallest of two or more numbers; unknown when any is unknown"),
    "max": Signature(2, None, "the largest of two or more numbers; unknown when any is unknown"),
    "ifelse": Signature(3, 3, "ifelse(condition, then, otherwise): unknown when the condition is unknown"),
    "days_between": Signature(2, 2, "days_between(earlier, later): whole days from one date to another (later − earlier)"),
    "today": Signature(0, 0, "today's date where the rule is evaluated (the evaluation date in tests)"),
}
"""The closed table of functions a rule may call, besides ``count``, ``count_distinct`` and ``date``."""


def _check_call(inst: Call, attribute: object, args: tuple[Expr, ...]) -> None:
    sig = FUNCTIONS.get(inst.fn)
    if sig is None:
        raise ValueError(f"unknown function {inst.fn!r}; use one of {', '.join(FUNCTIONS)}")
    if len(args) < sig.minimum or (sig.maximum is not None and len(args) > sig.maximum):
        want = str(sig.minimum) if sig.minimum == sig.maximum else (
            f"at least {sig.minimum}" if sig.maximum is None else f"{sig.minimum} to {sig.maximum}")
        raise ValueError(f"{inst.fn}() takes {want} argument{'s' if want != '1' else ''}, got {len(args)}")


def _exprs(args: Iterable[Expr]) -> tuple[Expr, ...]:
    return tuple(_wrap(a) for a in args)


@frozen(order=False)
class Call(Expr):
    """A function of the rule language (:data:`FUNCTIONS`): ``sqrt(tjc28)``, ``days_between(onset, visit)``.

    Every function is unknown when an argument it needs is unknown, and
    unknown outside its domain (``ln(0)``), never an error.
    """

    fn: FunctionName
    args: tuple[Expr, ...] = field(converter=_exprs, validator=_check_call)

    def children(self) -> tuple[Expr, ...]:
        return self.args


def call(fn: FunctionName, *args: object) -> Call:
    """``call("sqrt", item("tjc28"))``: a function of the rule language, for writing rules in Python."""
    return Call(fn, tuple(_wrap(a) for a in args))


def sqrt(x: object) -> Call:
    return call("sqrt", x)


def ln(x: object) -> Call:
    return call("ln", x)


def ifelse(condition: Expr, then: object, otherwise: object) -> Call:
    return call("ifelse", condition, then, otherwise)


def days_between(earlier: object, later: object) -> Call:
    """Whole days from ``earlier`` to ``later`` (both dates): ``days_between(onset_date, screening_date) >= 182``."""
    return call("days_between", earlier, later)


def today() -> Call:
    return call("today")


def item(name: str) -> Ref:
    """A reference to a dictionary item, for writing rules in Python."""
    return Ref(name)


def q(value: float | int, unit: str) -> Lit:
    """A literal with a unit: ``q(1.0, "10^9/L")``."""
    return Lit(value, unit)


def count(form: str, where: Expr | None = None) -> Count:
    """Number of records of a repeating form (matching ``where``)."""
    return Count(form, where)


def count_distinct(form_item: str, where: Expr | None = None) -> Count:
    """Number of distinct values of ``form.item`` among records matching ``where``."""
    form, _, name = form_item.partition(".")
    if not name:
        raise ValueError(f"count_distinct needs 'form.item', got {form_item!r}")
    return Count(form, where, name)
