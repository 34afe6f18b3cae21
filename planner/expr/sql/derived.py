"""A protocol's derivations in SQL: published scores from their formula trees, expression derivations as expressions.

The same meaning as :class:`planner.participants.derived.Derivations` (the
reference engine in :mod:`planner.derive`):

* an **expression** derivation is its expression, compiled like a rule (a
  count in it may be known only between two ends);
* a **published score** (:mod:`planner.scores`) is its formula tree over its
  parameters, each bound to an item column. A given input the score refuses
  (:meth:`planner.scores.Param.check`: a whole number out of range, a value
  not among the published points, a real below its bound, a non-boolean
  flag) makes the score unknown. With inputs missing, a score that declares
  its input ranges (``monotone``) is known between its value with each
  missing input at its lowest and at its highest — two formula trees, each
  with ``COALESCE(input, end)`` — and any other score is unknown.

A score that reads another derivation, or an input whose column type the
checks cannot be written for (a whole-number input held as a decimal), is
:class:`~planner.expr.sql.compile.Unexpressible`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlglot import exp

from planner.expr.sql.compile import Kind, Typed, Unexpressible, _junction, _paren

if TYPE_CHECKING:
    from planner.expr.sql.compile import SqlCompiler
    from planner.model import Derivation
    from planner.scores.formula import Param


def compile_derivation(compiler: SqlCompiler, d: Derivation, busy: frozenset[str]) -> Typed:
    """The derivation's value as the reference derives it, over ``compiler``'s columns."""
    from planner.derive import inputs
    from planner.scores import DERIVATIONS

    if d.id in busy:
        raise Unexpressible(d.id, "a derivation that reads itself")
    if d.expression is not None:
        return compiler.nested(busy | {d.id}).typed(d.expression, interval=True)
    score = DERIVATIONS.get(d.method or "")
    if score is None:
        raise Unexpressible(d.id, "no published score or expression to compute it from")
    names = inputs(d)
    if compiler.derivations and set(names) & set(compiler.derivations):
        raise Unexpressible(d.id, "a score that reads another derivation")
    args: dict[str, Typed] = {}
    missing: list[exp.Expr] = []
    refused: list[exp.Expr] = []
    for p, name in zip(score.params, names, strict=True):
        t = compiler.column(name)
        if t is None:  # no column: missing for everyone
            args[p.name] = Typed(exp.Null(), _kind(p))
            missing.append(exp.Boolean(this=True))
            continue
        args[p.name] = t
        given = exp.Not(this=exp.Is(this=_paren(t.sql), expression=exp.Null()))
        missing.append(exp.Is(this=_paren(t.sql.copy()), expression=exp.Null()))
        refused.append(_junction(exp.And, [given, exp.Not(this=exp.Paren(this=_accepts(d.id, p, t)))]))
    kind: Kind = "int" if score.whole else "real"
    bad = _junction(exp.Or, refused) if refused else exp.Boolean(this=False)
    ranges = score.ranges
    if ranges is None:
        inner = compiler.with_values(args)
        value = inner.value(score.formula)
        gap = _junction(exp.Or, missing) if missing else exp.Boolean(this=False)
        return Typed(exp.Case(ifs=[exp.If(this=_junction(exp.Or, [bad, gap]), true=exp.Null())], default=value), kind)
    ends = []
    for end in (0, 1):
        filled = {name: Typed(exp.Coalesce(this=t.sql.copy(), expressions=[_literal(ranges[name][end])]), t.kind)
                  for name, t in args.items()}
        value = compiler.with_values(filled).value(score.formula)
        ends.append(exp.Case(ifs=[exp.If(this=bad.copy(), true=exp.Null())], default=value))
    return Typed(ends[0], kind, ends[1])


def _kind(p: Param) -> Kind:
    return "bool" if p.kind == "flag" else "real" if p.kind == "real" else "int"


def _literal(value: object) -> exp.Expr:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, float):
        return exp.Cast(this=exp.Literal.number(repr(value)), to=exp.DataType.build("DOUBLE"))
    return exp.Literal.number(str(value))


def _accepts(score: str, p: Param, t: Typed) -> exp.Expr:
    """The condition under which a given value of column ``t`` is accepted by parameter ``p``."""
    x = _paren(t.sql.copy())
    if p.kind == "flag":
        return exp.Boolean(this=t.kind == "bool")
    if t.kind != "int" and p.kind in ("whole", "points"):
        if t.kind == "real":
            raise Unexpressible(score, f"{p.name}: a whole-number input held as a decimal")
        return exp.Boolean(this=False)
    if p.kind == "points":
        return exp.In(this=x, expressions=[exp.Literal.number(a) for a in p.allowed])
    if t.kind not in ("int", "real"):
        return exp.Boolean(this=False)
    low = (exp.GT if p.low_open else exp.GTE)(this=x, expression=_literal(float(p.low) if p.kind == "real" else int(p.low)))
    if p.high is None:
        return low
    high_value = float(p.high) if p.kind == "real" else int(p.high)
    return _junction(exp.And, [low, exp.LTE(this=x.copy(), expression=_literal(high_value))])
