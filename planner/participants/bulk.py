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
- the published scores in :data:`VECTORISED` (``ra_2010_score``,
  ``ssc_2013_score``), with the input checks of :mod:`planner.scores`;
- any other published score (DAS28, mRSS, …) record by record on the
  candidates whose inputs are all known, calling the score function itself
  (remembered per distinct input), so the values are exact but the speed is
  that of Python.

A score that declares its input ranges (:attr:`planner.scores.Derivation.ranges`)
is known between two ends where inputs are missing — a
:class:`~planner.expr.columns.Span` — as :func:`planner.derive.published` says.

NumPy is needed (the ``fast`` extra); it is imported when a screener is built.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from planner.derive import published
from planner.model import Category, Derivation, Protocol
from planner.participants.derived import Derivations
from planner.participants.screening import Verdict
from planner.scores import DERIVATIONS, ScoreInputError
from planner.scores import Derivation as Score

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
    """The column-wise computation of a published-score derivation (or unknown, as :mod:`planner.derive` says)."""
    from planner.expr.columns import Values

    score = DERIVATIONS.get(d.method) if d.method is not None else None
    if score is None:  # no method, or an unknown one: unknown for everyone
        return lambda columns: Values((columns.size,))
    bindings = d.bindings()
    params = score.inputs
    names = [bindings.get(p, p) for p in params]
    vectorised = VECTORISED.get(score.name)

    def step(columns: Columns) -> Values:
        inputs = [_input(columns, name) for name in names]
        if vectorised is None:
            return _per_record(score, inputs, columns.size)
        result = vectorised(dict(zip(params, inputs, strict=True)))
        return _resolve_deferred(result, score, inputs)

    return step


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


def _resolve_deferred(result: Values, score: Score, inputs: list[Values]) -> Values:
    """Fill the rows a column-wise score deferred (inputs the columns cannot hold) with the exact value."""
    import numpy as np
    from attrs import evolve

    if result.defer is None:
        return result
    one = _python(score)
    rows = np.flatnonzero(result.defer).tolist()
    return evolve(result, extra={(i,): one([v.item((i,)) for v in inputs]) for i in rows})


def _accepted(v: Values, allowed: Sequence[int]) -> tuple[Any, Any]:
    """``(values, ok)``: where ``v`` holds a whole number in ``allowed`` (ints or integral floats, not booleans).

    That is what :func:`planner.scores._validate.whole` and ``one_of``
    accept; equality with an allowed value also rules out fractions and NaN.
    """
    import numpy as np

    if v.num is None:
        return np.zeros(v.shape), np.zeros(v.shape, np.bool_)
    x = v.num.values
    hit = x == allowed[0]
    for a in allowed[1:]:
        hit |= x == a
    return x, v.num.known & hit


def _missing(v: Values) -> Any:
    """Where an input is not given (``None``, absent, or known only between two ends): the score's bounds apply."""
    return ~(v.known if v.defer is None else v.known | v.defer)


def _bounded(shape: tuple[int, ...], lo: Any, width: Any, ok: Any, inputs: Iterable[Values]) -> Values:
    """Whole-number scores: ``lo`` where ``width`` is 0 (or ``None``), else a span to ``lo + width``, where ``ok``."""
    from planner.expr.columns import Part, Span, Values

    if width is None or not width.any():
        return Values(shape, num=Part(lo, ok), whole=True, defer=_any_defer(inputs))
    ranged = ok & (width != 0)
    hi = lo + width
    return Values(shape, num=Part(lo, ok & ~ranged), whole=True, defer=_any_defer(inputs),
                  span=Span(lo, hi, ranged, True, covers=True))


def _sum_of_accepted(ranges: Mapping[str, Sequence[int]]) -> Callable[[Mapping[str, Values]], Values]:
    """A score that adds whole-number inputs, each checked against its allowed values (missing: lowest to highest)."""
    def score(inputs: Mapping[str, Values]) -> Values:
        import numpy as np

        shape = next(iter(inputs.values())).shape
        lo, width, ok = np.zeros(shape), np.zeros(shape, np.int16), np.ones(shape, np.bool_)  # small whole widths
        lows = []
        with np.errstate(all="ignore"):
            for name, allowed in ranges.items():
                x, accepted = _accepted(inputs[name], allowed)
                missing = _missing(inputs[name])
                ok &= accepted | missing
                term = x * accepted  # added to zero: an accepted -0.0 adds as 0
                if np.isnan(term).any():  # NaN or ∞ held for an unknown value, times 0
                    term = np.where(accepted, x, 0.0)
                lo += term
                if missing.any():
                    width += missing * np.int16(max(allowed) - min(allowed))
                    if min(allowed):
                        lows.append(missing * float(min(allowed)))
        for low in lows:
            lo += low
        return _bounded(shape, lo, width, ok, inputs.values())

    return score


def _any_defer(values: Iterable[Values]) -> Any:
    """Candidates whose input the columns could not hold (answered record by record), or ``None``."""
    defers = [v.defer for v in values if v.defer is not None]
    if not defers:
        return None
    out = defers[0]
    for d in defers[1:]:
        out = out | d
    return out


def _ssc_points(flags: Mapping[str, Any]) -> Any:
    """The 2013 SSc total of boolean arrays by item (only the higher of each pair counts)."""
    import numpy as np

    def points(name: str, weight: int) -> Any:
        return np.where(flags[name], float(weight), 0.0)

    return (points("skin_thickening_proximal_to_mcp", 9)
            + np.where(flags["sclerodactyly"], 4.0, points("puffy_fingers", 2))
            + np.where(flags["pitting_scars"], 3.0, points("digital_tip_ulcers", 2))
            + points("telangiectasia", 2) + points("abnormal_nailfold_capillaries", 2) + points("pah_or_ild", 2)
            + points("raynaud", 3) + points("ssc_antibodies", 3))


def _ssc_2013(inputs: Mapping[str, Values]) -> Values:
    """:func:`planner.scores.ssc_2013_score` column-wise: every input a boolean (``0``/``1`` are refused).

    A missing item counts as absent for the lowest total and present for the highest.
    """
    import numpy as np

    shape = next(iter(inputs.values())).shape
    ok, open_ = np.ones(shape, np.bool_), np.zeros(shape, np.bool_)
    yes: dict[str, Any] = {}
    missing: dict[str, Any] = {}
    for name, v in inputs.items():
        given = np.zeros(shape, np.bool_) if v.flag is None else v.flag.known
        yes[name] = given & (False if v.flag is None else v.flag.values)
        missing[name] = _missing(v)
        ok &= given | missing[name]
        open_ |= missing[name]
    lo = _ssc_points(yes)
    if not (open_ & ok).any():
        return _bounded(shape, lo, None, ok, inputs.values())
    hi = _ssc_points({name: yes[name] | missing[name] for name in inputs})
    return _bounded(shape, lo, hi - lo, ok, inputs.values())


VECTORISED: Final[Mapping[str, Callable[[Mapping[str, Values]], Values]]] = {
    "ra_2010_score": _sum_of_accepted({"joints": (0, 1, 2, 3, 5), "serology": (0, 2, 3), "acute_phase": (0, 1),
                                       "duration": (0, 1)}),
    "ssc_2013_score": _ssc_2013,
}
"""Published scores computed column-wise, by name: each takes the input :class:`Values` by parameter."""
