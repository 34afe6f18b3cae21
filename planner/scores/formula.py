"""A published score written once, as data: typed inputs with their ranges, and a formula tree.

A :class:`Derivation` holds the score's formula as a rule-language expression
(:mod:`planner.expr`) over its input names, and one :class:`Param` per input
saying what it accepts (a whole number in a range, one of some points, a real
number, yes/no). Everything else is a projection of those two:

* :meth:`Derivation.compute` checks the inputs (:mod:`planner.scores._validate`
  messages) and evaluates the tree with the compiled closures of
  :func:`planner.expr.logic.compile_rule`;
* the public functions (:func:`planner.scores.das28_esr` …) call ``compute``;
* the CRF's cell formula is the same tree through the Excel translator
  (:func:`exports.xlsx.translate.method_formula`);
* batch screening evaluates it per record, and later backends (SQL, REDCap,
  XPath, ODM) translate the same tree.

The conformance suite (``tests/conformance``) evaluates the trees on every
backend; no backend keeps its own copy of a score.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from planner.scores._validate import ScoreInputError, exact_keys, flag, one_of, real, whole

if TYPE_CHECKING:
    from planner.expr.nodes import Expr

Value = float | int | bool
Kind = Literal["whole", "points", "real", "flag"]


@dataclass(frozen=True, slots=True)
class Param:
    """One input of a score and what it accepts.

    ``whole``: a whole number ``low``–``high``; ``points``: one of ``allowed``;
    ``real``: a finite number ≥ ``low`` (> ``low`` when ``low_open``) and ≤
    ``high`` when given; ``flag``: ``True`` or ``False``.
    """

    name: str
    kind: Kind
    low: float = 0
    high: float | None = None
    low_open: bool = False
    allowed: tuple[int, ...] = ()

    def check(self, value: object) -> Value:
        """``value`` as the score reads it, or :class:`ScoreInputError` naming the input and its range."""
        if self.kind == "flag":
            return flag(self.name, value)
        if self.kind == "points":
            return one_of(self.name, value, self.allowed)
        if self.kind == "whole":
            assert self.high is not None
            return whole(self.name, value, int(self.low), int(self.high))
        return real(self.name, value, self.low, self.high, lo_open=self.low_open)

    @property
    def ends(self) -> tuple[Value, Value] | None:
        """The lowest and highest accepted value, when both exist."""
        if self.kind == "flag":
            return False, True
        if self.kind == "points":
            return min(self.allowed), max(self.allowed)
        if self.high is None or self.low_open:
            return None
        if self.kind == "whole":
            return int(self.low), int(self.high)
        return float(self.low), float(self.high)


def whole_in(name: str, low: int, high: int) -> Param:
    return Param(name, "whole", low, high)


def points(name: str, *allowed: int) -> Param:
    return Param(name, "points", allowed=allowed)


def real_in(name: str, low: float, high: float | None = None, *, low_open: bool = False) -> Param:
    return Param(name, "real", low, high, low_open)


def yes_no(name: str) -> Param:
    return Param(name, "flag")


@dataclass(frozen=True, slots=True)
class Derivation:
    """A published derivation: its name, what it measures, its inputs and its formula.

    ``formula`` reads the names of ``params``. ``monotone`` declares the
    formula non-decreasing in every input over its accepted range (a test
    checks it), which lets :meth:`bounds` bound it with inputs missing;
    ``whole`` says its values are whole numbers (points, not a measurement).
    """

    name: str
    label: str
    unit_or_scale: str
    params: tuple[Param, ...]
    formula: Expr
    source: str
    monotone: bool = False
    whole: bool = False
    _compiled: list[Callable[[Mapping[str, Any]], Any]] = field(default_factory=list, compare=False, repr=False)
    inputs: tuple[str, ...] = field(init=False, compare=False, repr=False)
    """The input names, in order."""
    ranges: Mapping[str, tuple[Value, Value]] | None = field(init=False, compare=False, repr=False)
    """Each input's ``(lowest, highest)`` accepted value, for a monotone score; else ``None``.

    Both are read for every record a screen derives, so they are computed once, here.
    """

    def __post_init__(self) -> None:
        object.__setattr__(self, "inputs", tuple(p.name for p in self.params))
        ends = {p.name: p.ends for p in self.params}
        ranges = {name: e for name, e in ends.items() if e is not None} if all(ends.values()) else None
        object.__setattr__(self, "ranges", ranges if self.monotone else None)

    def check(self, values: Mapping[str, object], argument: str | None = None) -> dict[str, Value]:
        """``values`` checked against :attr:`params` (exactly those names, each in range)."""
        exact_keys(argument or self.name, values, self.inputs)
        return {p.name: p.check(values[p.name]) for p in self.params}

    def compute(self, values: Mapping[str, object]) -> float | int:
        """The derived value from ``values``, which must hold exactly :attr:`inputs`.

        A missing or unknown name, or a value out of range, raises
        :class:`~planner.scores.ScoreInputError`.
        """
        return self.evaluate(self.check(values))

    def evaluate(self, checked: Mapping[str, Value]) -> float | int:
        """The formula on inputs already checked by :meth:`check`."""
        if not self._compiled:
            from planner.expr.logic import compile_rule  # loaded on first use: startup stays light

            self._compiled.append(compile_rule(self.formula))
        value = self._compiled[0](checked)
        if value is None or isinstance(value, bool):  # the checked ranges keep every function in its domain
            raise ScoreInputError(self.name, f"{self.name} is not defined for {dict(checked)}")
        return int(value) if self.whole else value  # type: ignore[no-any-return]

    def bounds(self, values: Mapping[str, Value | None]) -> tuple[float | int, float | int] | None:
        """The lowest and highest value with the ``None`` inputs unknown; ``None`` unless monotone.

        The given inputs are checked as :meth:`compute` checks them.
        """
        ranges = self.ranges
        if ranges is None:
            return None
        exact_keys(self.name, values, self.inputs)

        def at(end: int) -> float | int:
            given = {name: ranges[name][end] if values[name] is None else values[name] for name in self.inputs}
            return self.compute(given)

        return at(0), at(1)


def total(*names: str) -> Expr:
    """``a + b + …`` of the named inputs, left to right (the order Python adds them)."""
    from planner.expr.nodes import Ref

    out: Expr = Ref(names[0])
    for n in names[1:]:
        out = out + Ref(n)
    return out
