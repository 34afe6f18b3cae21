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

from collections.abc import Mapping
from typing import Any

from attrs import frozen

from planner.expr import compile_rule
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
    """``(value, problem)`` of one derivation on ``record``; value ``None`` when unknown."""
    if derivation.expression is not None:
        value = compile_rule(derivation.expression, unit_of)(record)
        return value, None if value is not None and not isinstance(value, Bounds) else "inputs missing"
    if derivation.method is None:
        return None, "no method or expression: definition to be confirmed"
    score = DERIVATIONS.get(derivation.method)
    if score is None:
        return None, f"unknown method {derivation.method!r}"
    bindings = derivation.bindings()
    inputs: dict[str, Any] = {}
    missing = []
    for param in score.inputs:
        value = record.get(bindings.get(param, param))
        if value is None or isinstance(value, Bounds):
            missing.append(bindings.get(param, param))
        inputs[param] = value
    try:
        value = published(score, inputs)
    except ScoreInputError as exc:
        return None, str(exc)
    return value, f"missing {', '.join(missing)}" if missing else None


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
    unit_of = protocol.resolution.unit_of()
    current = dict(record)
    values: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for d in protocol.derivations:
        value, problem = compute(d, current, unit_of)
        values[d.id] = value
        current[d.id] = value
        if problem is not None:
            problems[d.id] = problem
    return Derived(values, problems)


def with_derivations(protocol: Protocol, record: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` plus every derived value (unknown ones as ``None``)."""
    out = dict(record)
    out.update(derive(protocol, record).values)
    return out
