"""Derived values for many records, and explanations that name items rather than derivations.

Rules read derived values (``ssc_2013_score >= 9``). :class:`Derivations`
computes the ones a set of rules needs with the semantics of
:mod:`planner.derive` — declaration order, later derivations may read
earlier ones, missing inputs give an unknown value (or, for a score that
declares its input ranges, a :class:`~planner.expr.bounds.Bounds` a rule can
decide on), out-of-range inputs give an unknown value and a problem — but
prepares each derivation once, where
:func:`planner.derive.compute` compiles an expression derivation on every
call, and remembers the results of published scores by their inputs (the
score functions are pure, and candidates share few distinct combinations of
categorical inputs such as the 2010 RA domain scores). A test keeps the two
equal.

When a rule is unknown because a derived value is, :meth:`Derivations.missing`
names the *items* to collect (``raynaud``), not the derivation.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from attrs import field, frozen

from planner.derive import published
from planner.expr import Count, Expr, Ref, compile_rule, evaluate
from planner.expr.bounds import Bounds
from planner.model import Derivation, Protocol
from planner.scores import DERIVATIONS, ScoreInputError

Compiled = Callable[[Mapping[str, Any]], Any]
MEMO_SIZE = 4096  # score results remembered per derivation; the memo is emptied when full


@frozen
class _Step:
    derivation: Derivation
    compiled: Compiled | None = None
    score: Callable[[Mapping[str, Any]], Any] | None = None
    inputs: tuple[tuple[str, str], ...] = ()  # (score parameter, item) pairs
    problem: str | None = None
    bounded: bool = False  # the score declares its input ranges: missing inputs give bounds
    derived: tuple[int, ...] = ()  # positions of inputs that are derivations (their value may be a Bounds)
    empty: Any = None  # the value with no input given: the score's whole range, when it declares one
    memo: dict[tuple[object, ...], tuple[Any, str | None]] = field(factory=dict)

    def compute(self, values: list[Any]) -> tuple[Any, str | None]:
        """``(value, problem)`` of the score on ``values`` (one per input; ``None`` unknown).

        Remembered by value and type; unhashable values (a list of records
        bound to an input) are computed every time.
        """
        key = (*values, *map(type, values))  # 1, 1.0 and True are equal keys: the types tell them apart
        try:
            hit = self.memo.get(key)
        except TypeError:
            return self._score(values)
        if hit is None:
            hit = self._score(values)
            if len(self.memo) >= MEMO_SIZE:
                self.memo.clear()
            self.memo[key] = hit
        return hit

    def _score(self, values: list[Any]) -> tuple[Any, str | None]:
        assert self.score is not None
        try:
            return self.score({p: v for (p, _), v in zip(self.inputs, values, strict=True)}), None
        except ScoreInputError as exc:
            return None, str(exc)


class Derivations:
    """The protocol's derivations that ``rules`` need, directly or through other derivations."""

    def __init__(self, protocol: Protocol, rules: Iterable[Expr]) -> None:
        self.unit_of = protocol.resolution.unit_of()
        self._by_id = {d.id: d for d in protocol.derivations}
        needed = self._closure(set().union(*(r.refs() for r in rules)))
        self._steps = tuple(self._step(d) for d in protocol.derivations if d.id in needed)
        self.ids = frozenset(s.derivation.id for s in self._steps)

    def _closure(self, names: set[str]) -> set[str]:
        todo, needed = [n for n in names if n in self._by_id], set[str]()
        while todo:
            d = self._by_id[todo.pop()]
            if d.id in needed:
                continue
            needed.add(d.id)
            todo.extend(n for n in self._inputs(d) if n in self._by_id)
        return needed

    def _inputs(self, d: Derivation) -> list[str]:
        if d.expression is not None:
            return sorted(d.expression.refs())
        score = DERIVATIONS.get(d.method) if d.method else None
        bindings = d.bindings()
        return [bindings.get(p, p) for p in score.inputs] if score else []

    def _step(self, d: Derivation) -> _Step:
        if d.expression is not None:
            return _Step(d, compiled=compile_rule(d.expression, self.unit_of))
        if d.method is None:
            return _Step(d, problem="no method or expression: definition to be confirmed")
        score = DERIVATIONS.get(d.method)
        if score is None:
            return _Step(d, problem=f"unknown method {d.method!r}")
        bindings = d.bindings()
        names = [bindings.get(p, p) for p in score.inputs]
        return _Step(d, score=partial(published, score), inputs=tuple(zip(score.inputs, names, strict=True)),
                     bounded=score.ranges is not None,
                     derived=tuple(i for i, n in enumerate(names) if n in self._by_id),
                     empty=published(score, dict.fromkeys(score.inputs)))

    def apply(self, record: dict[str, Any]) -> dict[str, str]:
        """Add the derived values to ``record`` (in place); returns ``{derivation id: problem}``."""
        problems: dict[str, str] = {}
        for step in self._steps:
            d = step.derivation
            if step.compiled is not None:
                record[d.id] = step.compiled(record)
                continue
            if step.score is None:
                record[d.id] = None
                problems[d.id] = step.problem or "cannot be computed"
                continue
            values = [record.get(name) for _, name in step.inputs]
            for i in step.derived:  # a derived value known only between two ends is not known
                if values[i].__class__ is Bounds:
                    values[i] = None
            if None in values:
                if not step.bounded:  # without declared ranges a missing input leaves it unknown
                    record[d.id] = None
                    continue
                if values.count(None) == len(values):  # nothing given (the score is not for this candidate)
                    record[d.id] = step.empty
                    continue
            record[d.id], problem = step.compute(values)
            if problem is not None:
                problems[d.id] = problem
        return problems

    def missing(self, names: Iterable[str], record: Mapping[str, Any]) -> tuple[str, ...]:
        """``names`` with each derivation replaced by its missing inputs (recursively), in order."""
        out: list[str] = []
        for name in sorted(names):
            d = self._by_id.get(name)
            if d is None:
                out.append(name)
            elif d.expression is not None:
                out.extend(self.missing(evaluate(d.expression, record, self.unit_of).missing, record))
            else:
                out.extend(self.missing([n for n in self._inputs(d) if record.get(n) is None
                                         or isinstance(record.get(n), Bounds)], record))
        return tuple(dict.fromkeys(out))


def facts(rule: Expr, record: Mapping[str, Any], unit_of: Mapping[str, str | None] | None = None) -> tuple[str, ...]:
    """The known values a rule reads, as ``name = value`` (counts of log records included)."""
    out: list[str] = []

    def visit(e: Expr) -> None:
        if isinstance(e, Ref):
            value = record.get(e.name)
            if value is not None:
                out.append(f"{e.name} = {show_value(value)}")
        elif isinstance(e, Count):
            n = compile_rule(e, unit_of)(record)
            if n is not None:
                out.append(f"{e} = {n}")
        else:
            for child in e.children():
                visit(child)

    visit(rule)
    return tuple(dict.fromkeys(out))


def show_value(value: object) -> str:
    """A value as rule text writes it: ``"RA"``, ``true``, ``1200``, ``2024-05-01``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
