"""Compute a protocol's derivations (DAS28, mRSS total, new-ulcer count …) on one record.

Screening, monitoring and CRF read-back all need derived values before they
evaluate rules: ``ssc_2013_score >= 9`` reads a derivation, not an item. This
module is the one place that computes them, from the protocol's
:class:`~planner.model.Derivation` list: a published score of
:mod:`planner.scores` with its inputs bound to items, or a rule expression.

A derivation whose inputs are missing is unknown (``None``), never zero; one
whose inputs are out of range is unknown too, with the reason in ``problems``.
Two kinds of derived value are known only between two ends
(:class:`~planner.expr.bounds.Bounds`), which a rule can still decide on: a
count over records some of which may or may not match, and a published score
declared non-decreasing in its inputs (:attr:`planner.scores.Derivation.ranges`)
with inputs missing — it lies between its value at their lowest and at their
highest. Such a value comes with the missing inputs as its ``problem``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from attrs import field, frozen

from planner.expr import Count, Expr, Ref, compile_rule, evaluate
from planner.expr.bounds import Bounds, span
from planner.model import Derivation, Protocol
from planner.scores import DERIVATIONS, ScoreInputError
from planner.scores import Derivation as Score


@frozen
class Derived:
    """Derived values for one record, and why any of them could not be computed."""

    values: dict[str, Any]
    problems: dict[str, str]


def compute(derivation: Derivation, record: Mapping[str, Any], unit_of: Mapping[str, str | None] | None = None,
            ) -> tuple[Any, str | None]:
    """``(value, problem)`` of one derivation on ``record``; value ``None`` when unknown.

    Derivations that ``derivation`` reads must already be in ``record``.
    """
    step = _prepare(derivation, unit_of or {}, frozenset())
    value, problem = step.run(dict(record), True)
    return value, problem


def published(score: Score, inputs: Mapping[str, Any]) -> Any:
    """A published score on ``inputs`` (by parameter), where ``None`` or a :class:`Bounds` is not known.

    With every input known, the score; with some not known, the
    :class:`Bounds` of a score that declares its input ranges, else ``None``.
    Raises :class:`~planner.scores.ScoreInputError` for a known input the score refuses.
    """
    unknown = {p: None if v is None or isinstance(v, Bounds) else v for p, v in inputs.items()}
    if all(v is not None for v in unknown.values()):
        return score.compute(inputs)
    ends = score.bounds(unknown)
    return None if ends is None else span(*ends, score.whole)


def derive(protocol: Protocol, record: Mapping[str, Any]) -> Derived:
    """Every derivation of ``protocol`` on ``record``, in declaration order.

    Later derivations may read earlier ones, so the record seen by each
    derivation includes the values derived before it.
    """
    current = dict(record)
    engine = Derivations(protocol, None)
    problems = engine.apply(current, report_missing=True)
    return Derived({d.id: current.get(d.id) for d in protocol.derivations}, problems)


def with_derivations(protocol: Protocol, record: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` plus every derived value (unknown ones as ``None``)."""
    out = dict(record)
    out.update(derive(protocol, record).values)
    return out


def inputs(derivation: Derivation) -> tuple[str, ...]:
    """The names a derivation reads, in the order it reads them: the one place that knows.

    A published score reads its parameters through the derivation's bindings
    (an unbound parameter reads the item of its own name); an expression reads
    its references, with a count reading its form (and ``form.item`` for a
    ``count_distinct``), as :meth:`planner.expr.Expr.refs` names them.
    """
    if derivation.expression is not None:
        names: list[str] = []
        for node in derivation.expression.walk():
            if isinstance(node, Ref):
                names.append(node.name)
            elif isinstance(node, Count):
                names.append(node.form)
                if node.distinct is not None:
                    names.append(f"{node.form}.{node.distinct}")
        return tuple(dict.fromkeys(names))
    if derivation.method is None:
        return ()
    bindings = derivation.bindings()
    score = DERIVATIONS.get(derivation.method)
    return tuple(bindings.get(p, p) for p in score.inputs) if score is not None else tuple(bindings.values())


def over_the_study(derivation: Derivation, log_forms: frozenset[str]) -> bool:
    """Whether a derivation reads whole log forms only: one value over the study, not one per visit."""
    names = [n for n in inputs(derivation) if "." not in n]  # an item inside a log: its count reads the form
    return bool(names) and all(n in log_forms for n in names)


# -- the engine -------------------------------------------------------------------------------

Compiled = Callable[[Mapping[str, Any]], Any]
MEMO_SIZE = 4096  # score results remembered per derivation; the memo is emptied when full


@frozen
class _Step:
    """One derivation, prepared: its compiled expression, or its score with the items bound to it."""

    derivation: Derivation
    compiled: Compiled | None = None
    score: Score | None = None
    inputs: tuple[tuple[str, str], ...] = ()  # (score parameter, item) pairs
    problem: str | None = None
    derived: tuple[int, ...] = ()  # positions of inputs that are derivations (their value may be a Bounds)
    empty: Any = None  # the value with no input given: the score's whole range, when it declares one
    memo: dict[tuple[object, ...], tuple[Any, str | None]] = field(factory=dict)

    def run(self, record: Mapping[str, Any], report_missing: bool) -> tuple[Any, str | None]:
        """``(value, problem)`` on ``record``; missing inputs are a problem only with ``report_missing``.

        Run once per derivation and record when screening: kept lean (positional flag, one scan for gaps).
        """
        if self.compiled is not None:
            value = self.compiled(record)
            known = value is not None and not isinstance(value, Bounds)
            return value, None if known or not report_missing else "inputs missing"
        if self.score is None:
            return None, self.problem or "cannot be computed"
        get = record.get
        values = [get(name) for _, name in self.inputs]
        for i in self.derived:  # a derived value known only between two ends is not known
            if values[i].__class__ is Bounds:
                values[i] = None
        gap = None in values
        missing = f"missing {', '.join(n for (_, n), v in zip(self.inputs, values, strict=True) if v is None)}" \
            if report_missing and gap else None
        if gap:
            if self.score.ranges is None:  # without declared ranges a missing input leaves it unknown
                return None, missing
            if values.count(None) == len(values):  # nothing given (the score is not for this candidate)
                return self.empty, missing
        value, problem = self._remembered(values)
        return value, problem or missing

    def _remembered(self, values: list[Any]) -> tuple[Any, str | None]:
        """The score on ``values``, remembered by value and type (unhashable values are computed every time)."""
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
            return published(self.score, {p: v for (p, _), v in zip(self.inputs, values, strict=True)}), None
        except ScoreInputError as exc:
            return None, str(exc)


def _prepare(d: Derivation, unit_of: Mapping[str, str | None], derivation_ids: frozenset[str]) -> _Step:
    if d.expression is not None:
        return _Step(d, compiled=compile_rule(d.expression, unit_of))
    if d.method is None:
        return _Step(d, problem="no method or expression: definition to be confirmed")
    score = DERIVATIONS.get(d.method)
    if score is None:
        return _Step(d, problem=f"unknown method {d.method!r}")
    names = inputs(d)
    return _Step(d, score=score, inputs=tuple(zip(score.inputs, names, strict=True)),
                 derived=tuple(i for i, n in enumerate(names) if n in derivation_ids),
                 empty=published(score, dict.fromkeys(score.inputs)))


class Derivations:
    """The derivation engine: a protocol's derivations that ``rules`` need (all, for ``None``), prepared once.

    Semantics: declaration order, later derivations may read earlier ones,
    missing inputs give an unknown value (or, for a score that declares its
    input ranges, a :class:`~planner.expr.bounds.Bounds` a rule can decide
    on), out-of-range inputs give an unknown value and a problem. Each
    expression is compiled once, and published scores are remembered by their
    inputs (the scores are pure, and candidates share few distinct
    combinations of categorical inputs such as the 2010 RA domain scores).

    When a rule is unknown because a derived value is, :meth:`missing` names
    the *items* to collect (``raynaud``), not the derivation.
    """

    def __init__(self, protocol: Protocol, rules: Iterable[Expr] | None) -> None:
        self.unit_of = protocol.resolution.unit_of()
        self._by_id = {d.id: d for d in protocol.derivations}
        needed = set(self._by_id) if rules is None else self._closure(set().union(*(r.refs() for r in rules)))
        ids = frozenset(self._by_id)
        self._steps = tuple(_prepare(d, self.unit_of, ids) for d in protocol.derivations if d.id in needed)
        self.ids = frozenset(s.derivation.id for s in self._steps)

    def _closure(self, names: set[str]) -> set[str]:
        todo, needed = [n for n in names if n in self._by_id], set[str]()
        while todo:
            d = self._by_id[todo.pop()]
            if d.id in needed:
                continue
            needed.add(d.id)
            todo.extend(n for n in inputs(d) if n in self._by_id)
        return needed

    def apply(self, record: dict[str, Any], *, report_missing: bool = False) -> dict[str, str]:
        """Add the derived values to ``record`` (in place); returns ``{derivation id: problem}``.

        Problems are inputs the scores refuse; with ``report_missing``, also the inputs missing.
        """
        problems: dict[str, str] = {}
        for step in self._steps:
            record[step.derivation.id], problem = step.run(record, report_missing)
            if problem is not None:
                problems[step.derivation.id] = problem
        return problems

    def one(self, derivation_id: str, record: Mapping[str, Any]) -> tuple[Any, str | None]:
        """``(value, problem)`` of one derivation on ``record``, which holds the derivations it reads."""
        step = next(s for s in self._steps if s.derivation.id == derivation_id)
        return step.run(record, True)

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
                out.extend(self.missing([n for n in inputs(d) if record.get(n) is None
                                         or isinstance(record.get(n), Bounds)], record))
        return tuple(dict.fromkeys(out))
