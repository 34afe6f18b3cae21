"""Screening a large batch column by column: the verdicts of :class:`Screener`, at NumPy speed.

:class:`BulkScreener` prepares a protocol once: its computable criteria
compiled with :func:`planner.expr.columns.compile_columns`, and the
derivations they read, in declaration order. :meth:`BulkScreener.verdicts`
takes a :class:`~planner.expr.columns.Columns` batch and returns one verdict
code per candidate (:data:`ELIGIBLE`, :data:`INELIGIBLE`, :data:`INCOMPLETE`;
:data:`VERDICTS` maps a code to its :class:`Verdict`). The answers are those
of :meth:`Screener.verdict` for every candidate (a test keeps them equal);
only the explanations are left out — screen the few candidates you need to
explain with :class:`Screener`.

Derivations are computed column-wise where they can be:

- expression derivations (``count(ae, where=…)``, PASI) always;
- published scores whose formula tree is plain arithmetic (``ra_2010_score``,
  CDAI, mRSS …): the tree itself compiled to columns, with the inputs checked
  against the score's declared parameters column by column;
- scores whose formula calls functions (DAS28's ``sqrt``/``ln``, the 2013 SSc
  ``ifelse``) record by record on the candidates whose inputs are all known,
  calling the score itself (remembered per distinct input), so the values are
  exact but the speed is that of Python. The column evaluator is frozen:
  the SQL backend (issue 15) replaces it, rather than growing it here.

A score that declares its input ranges (:attr:`planner.scores.Derivation.ranges`)
is known between two ends where inputs are missing — a
:class:`~planner.expr.columns.Span` — as :func:`planner.derive.published` says.

NumPy is needed (the ``fast`` extra); it is imported when a screener is built.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from planner.derive import published
from planner.model import Category, Derivation, Protocol
from planner.participants.derived import Derivations
from planner.participants.screening import Verdict
from planner.scores import DERIVATIONS, ScoreInputError
from planner.scores import Derivation as Score
from planner.scores.formula import Param

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from planner.expr.columns import Columns, Truth, Values

ELIGIBLE: Final = 0
INELIGIBLE: Final = 1
INCOMPLETE: Final = 2
VERDICTS: Final = (Verdict.ELIGIBLE, Verdict.INELIGIBLE, Verdict.INCOMPLETE)
"""The :class:`Verdict` of each code."""

Step = Callable[["Columns"], "Values"]


class BulkScreener:
    """A protocol's eligibility criteria and the derivations they read, prepared for column batches."""

    def __init__(self, protocol: Protocol) -> None:
        from planner.expr.columns import compile_columns, compile_values  # needs NumPy: the 'fast' extra

        self.protocol = protocol
        criteria = [c for c in protocol.eligibility if c.rule is not None and not c.assessed_by_investigator]
        rules = [c.rule for c in criteria if c.rule is not None]
        derivations = Derivations(protocol, rules)
        self.unit_of = derivations.unit_of
        self.rules: tuple[tuple[bool, Callable[[Columns], Truth]], ...] = tuple(
            (c.category is Category.INCLUSION, compile_columns(r, self.unit_of))
            for c, r in zip(criteria, rules, strict=True))
        self.steps: tuple[tuple[str, Step], ...] = tuple(
            (d.id, compile_values(d.expression, self.unit_of) if d.expression is not None else _score_step(d))
            for d in protocol.derivations if d.id in derivations.ids)

    def derive(self, columns: Columns) -> Columns:
        """``columns`` with each derived value the criteria read, in declaration order."""
        for name, step in self.steps:
            columns = columns.with_items({name: step(columns)})
        return columns

    def verdicts(self, columns: Columns) -> NDArray[np.int8]:
        """One verdict code per candidate: ineligible if a criterion decides, else incomplete if one is unknown."""
        import numpy as np

        derived = self.derive(columns)
        failed = np.zeros(columns.size, np.bool_)
        unknown = np.zeros(columns.size, np.bool_)
        for inclusion, rule in self.rules:
            t = rule(derived)
            failed |= t.known & (t.value != inclusion)
            unknown |= ~t.known
        codes = np.where(unknown, np.int8(INCOMPLETE), np.int8(ELIGIBLE))
        codes[failed] = INELIGIBLE
        return codes


def screen_columns(protocol: Protocol, columns: Columns) -> NDArray[np.int8]:
    """The verdict code of every candidate in ``columns`` (see :data:`VERDICTS`), as :class:`Screener` decides."""
    return BulkScreener(protocol).verdicts(columns)


def summary(codes: NDArray[np.int8]) -> dict[str, int]:
    """``{"eligible": n, "ineligible": n, "incomplete": n}`` of verdict codes."""
    import numpy as np

    counts = np.bincount(codes, minlength=len(VERDICTS))
    return {v.value: int(counts[i]) for i, v in enumerate(VERDICTS)}


# -- derivations ----------------------------------------------------------------------------


def _score_step(d: Derivation) -> Step:
    """The column-wise computation of a published-score derivation (or unknown, as :mod:`planner.derive` says).

    The score's own formula tree is compiled to columns; its inputs are
    checked against the score's declared parameters on every candidate; a
    monotone score with inputs missing gets its bounds from the formula at
    the low and the high ends. Candidates whose inputs the columns cannot
    hold (text, dates, spans, deferred values) and formulas with functions,
    which the columns do not vectorise, are computed record by record.
    """
    from planner.expr.columns import Values, compile_values
    from planner.expr.nodes import Call

    score = DERIVATIONS.get(d.method) if d.method is not None else None
    if score is None:  # no method, or an unknown one: unknown for everyone
        return lambda columns: Values((columns.size,))
    bindings = d.bindings()
    names = [bindings.get(p, p) for p in score.inputs]
    by_record = any(isinstance(n, Call) for n in score.formula.walk())
    formula = None if by_record else compile_values(score.formula)

    def step(columns: Columns) -> Values:
        inputs = [_input(columns, name) for name in names]
        if formula is None or any(_odd(v) for v in inputs):
            return _per_record(score, inputs, columns.size)
        return _columns(score, formula, inputs, columns.size)

    return step


def _odd(v: Values) -> bool:
    """An input holding values the column-wise score does not read (they are checked record by record)."""
    return v.defer is not None or v.span is not None or v.text is not None or v.date is not None


def _columns(score: Score, formula: Callable[[Columns], Values], inputs: list[Values], size: int) -> Values:
    """``score`` on every candidate, from its formula compiled to columns (see :func:`_score_step`)."""
    import numpy as np

    from planner.expr.columns import Columns, Part, Span, Values

    ok, missing_any = np.ones(size, np.bool_), np.zeros(size, np.bool_)
    missing_all = np.ones(size, np.bool_)
    given: list[tuple[Param, Any, Any]] = []
    ranges = score.ranges
    for param, v in zip(score.params, inputs, strict=True):
        x, accepted = _accepted(param, v)
        missing = ~v.known
        ok &= accepted if ranges is None else accepted | missing
        missing_any |= missing
        missing_all &= missing
        given.append((param, x, missing if ranges is not None and missing.any() else None))

    def at(end: int, rows: Any = None) -> Any:
        """The formula with every missing input at its low (0) or high (1) end, on ``rows`` (all by default).

        Rows with an input the score refuses get a meaningless value here: they are not ``ok``.
        """
        batch = {}
        for param, x, missing in given:
            column = x if rows is None else x[rows]
            if missing is not None:
                assert ranges is not None
                column = np.where(missing if rows is None else missing[rows], ranges[param.name][end], column)
            batch[param.name] = _as_values(param, column)
        out = formula(Columns(size if rows is None else len(rows), batch)).num
        assert out is not None
        return out.values

    lo = at(0)
    open_ = ok & missing_any
    if ranges is None or not open_.any():
        return Values((size,), num=Part(lo, ok), whole=score.whole)
    hi = lo.copy()
    # Nothing given (the score is not for this candidate): the high end is the same for all of them,
    # computed once; only candidates with some inputs given need the formula at their own high ends.
    empty = open_ & missing_all
    if empty.any():
        hi[empty] = at(1, np.flatnonzero(empty)[:1])[0]
    rows = np.flatnonzero(open_ & ~missing_all)
    if rows.size:
        hi[rows] = at(1, rows)
    ranged = open_ & (hi != lo)
    return Values((size,), num=Part(lo, ok & ~ranged), whole=score.whole,
                  span=Span(lo, hi, ranged, score.whole, covers=True))


def _accepted(param: Param, v: Values) -> tuple[Any, Any]:
    """``(values, ok)``: where ``v`` holds what :meth:`planner.scores.Param.check` accepts, column-wise.

    Booleans are held apart from numbers in :class:`Values`, so a ``True``
    never passes for ``1`` (as the check refuses it); equality with an
    allowed value and the range tests also rule out NaN.
    """
    import numpy as np

    if param.kind == "flag":
        if v.flag is None:
            return np.zeros(v.shape, np.bool_), np.zeros(v.shape, np.bool_)
        return v.flag.values, v.flag.known
    if v.num is None:
        return np.zeros(v.shape), np.zeros(v.shape, np.bool_)
    x = v.num.values
    with np.errstate(invalid="ignore"):
        if param.kind == "points":
            hit = x == param.allowed[0]
            for a in param.allowed[1:]:
                hit |= x == a
        else:
            hit = np.isfinite(x) & ((x > param.low) if param.low_open else (x >= param.low))
            if param.high is not None:
                hit &= x <= param.high
            if param.kind == "whole":
                hit &= x == np.floor(x)
    return x, v.num.known & hit


def _as_values(param: Param, x: Any) -> Values:
    import numpy as np

    from planner.expr.columns import Values

    return Values.flags(x) if param.kind == "flag" else Values.numbers(x, np.ones(x.shape, np.bool_))


def _input(columns: Columns, name: str) -> Values:
    """``record.get(name)`` for every candidate (a derivation's input is looked up by its exact name)."""
    from planner.expr.columns import Values

    v = columns.items.get(name)
    if v is not None:
        return v
    shape = (columns.size,)
    log = columns.logs.get(name)
    if log is None:
        return Values(shape)
    # A whole repeating form as a score input (the score refuses it): kept as the records hold it.
    defer = log.present if log.defer is None else log.present | log.defer
    return Values(shape, defer=defer, extra={(i,): columns.record(i).get(name) for i in defer.nonzero()[0].tolist()})


def _python(score: Score) -> Callable[[list[Any]], Any]:
    """The score on one candidate's input values (:func:`planner.derive.published`): ``None`` if it refuses one."""
    memo: dict[tuple[object, ...], Any] = {}
    params = score.inputs

    def one(values: list[Any]) -> Any:
        if score.ranges is None and any(v is None for v in values):
            return None
        key = (*values, *map(type, values))  # 1, 1.0 and True are equal keys: the types tell them apart
        try:
            return memo[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable input (a list): not remembered
            return checked(values)
        memo[key] = checked(values)
        return memo[key]

    def checked(values: list[Any]) -> Any:
        try:
            return published(score, dict(zip(params, values, strict=True)))
        except ScoreInputError:
            return None

    return one


def _per_record(score: Score, inputs: list[Values], size: int) -> Values:
    """A score without a column-wise version: the function itself on each candidate whose inputs are all given.

    A score with declared input ranges is computed on every candidate: missing inputs give its bounds.
    """
    import numpy as np

    from planner.expr.columns import Values

    one = _python(score)
    ready = np.ones(size, np.bool_)
    for v in inputs if score.ranges is None else ():
        ready &= v.known if v.defer is None else v.known | v.defer
    results: list[object] = [None] * size
    for i in np.flatnonzero(ready).tolist():
        results[i] = one([v.item((i,)) for v in inputs])
    return Values.from_list(results)


