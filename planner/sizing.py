"""A protocol's sample-size calculation as a person reads it: each input with where it comes from.

:mod:`planner.power` calculates; this module decides, for one protocol, what
is solved (the number, the detectable effect or the power), takes the other
two from the protocol, and records for every input its value and its source:
the protocol's field (with the reference it cites), a conventional value the
protocol leaves to be confirmed, or an assumption. The ``sample-size``
command prints it, the PDF protocol shows it with the power curve; both read
this one object, so they never disagree.

An input the calculation needs and the protocol does not give is a
:class:`~planner.power.PowerError` line naming its ``$.sample_size`` path and
what to give. Nothing is invented: an effect size comes only from the
protocol, and alpha, power and attrition fall back to the conventional
0.05, 0.8 and none only with a note that they are to be confirmed.
"""

from __future__ import annotations

from attrs import frozen

from planner.model import TBC, PowerTest, Protocol, StudyKind
from planner.power import COHEN, INDEX, Calculation, Inputs, PowerError, Solved, inputs, power_at, solve

EFFECT_NAMES = {PowerTest.TWO_SAMPLE_T: "Cohen's d", PowerTest.TWO_PROPORTIONS: "Cohen's h",
                PowerTest.ONE_WAY_ANOVA: "Cohen's f", PowerTest.FACTORIAL_INTERACTION: "Cohen's f"}

SOLVE = {"n": Solved.N, "effect": Solved.EFFECT, "power": Solved.POWER}
"""The ``--solve`` words."""


@frozen
class Given:
    """One input of the calculation as printed: ``source`` says where ``value`` comes from."""

    name: str
    path: str
    value: str
    source: str
    confirmed: bool


@frozen
class Sizing:
    """The calculation for a protocol, with its inputs and the arms its numbers belong to."""

    protocol_id: str
    short_title: str
    unit: str
    given: tuple[Given, ...]
    calculation: Calculation
    inputs: Inputs
    arms: tuple[str, ...]
    target: int | None
    effect_source: str | None
    effect_citation: str | None = None

    @property
    def method(self) -> str:
        return self.calculation.design.method

    @property
    def index(self) -> str:
        return INDEX[self.calculation.design.test]

    @property
    def effect_stated(self) -> bool:
        """Whether the effect size is the protocol's own (not solved, not to be confirmed)."""
        return self.inputs.effect is not None and self.calculation.solved is not Solved.EFFECT

    @property
    def cohen(self) -> tuple[float, float, float]:
        small, medium, large = COHEN[self.calculation.design.test]
        return small, medium, large

    def stated(self) -> bool:
        """Every input comes from the protocol (an effect size may lack its source): nothing assumed."""
        return all(g.source.startswith(("protocol", "calculated")) and "to be confirmed" not in g.source
                   for g in self.given)

    def confirmed(self) -> bool:
        """Every input is the protocol's own: nothing assumed, conventional or to be confirmed."""
        return all(g.confirmed for g in self.given)


def _ref(key: str | None) -> str:
    return f" [{key}]" if key else ""


def _why(v: object, default: str) -> str:
    return v.reason if isinstance(v, TBC) else default


def _ratio_text(ratios: tuple[int, ...]) -> str:
    return ":".join(map(str, ratios))


def for_protocol(p: Protocol, solve_for: Solved | None = None) -> Sizing:
    """Solve ``p``'s sample size for ``solve_for`` (by default whichever of the three is missing).

    Raises :class:`PowerError` with one ``$.sample_size…`` line per input
    that is missing or out of range.
    """
    i = inputs(p)
    ss = p.sample_size
    assert ss is not None  # inputs() refuses a protocol without one
    stated_power = isinstance(ss.power, (int, float)) and not isinstance(ss.power, bool)
    have = {Solved.EFFECT: i.effect is not None, Solved.N: i.enrolled is not None, Solved.POWER: stated_power}
    if solve_for is None:
        if have[Solved.EFFECT] and have[Solved.N]:
            solve_for = Solved.N if stated_power else Solved.POWER
        elif have[Solved.EFFECT]:
            solve_for = Solved.N
        elif have[Solved.N]:
            solve_for = Solved.EFFECT
    problems: list[str] = []
    index = EFFECT_NAMES[i.design.test]
    if solve_for is not Solved.EFFECT and i.effect is None:  # still None: neither is given
        problems.append(f"$.sample_size.effect_size: {_why(ss.effect_size, 'not stated in the protocol')}; give the effect the "
                        f"study should detect as {index} from a source named in effect_source"
                        + (", or solve for the detectable effect with --solve effect" if i.enrolled else ""))
    if solve_for is not Solved.N and i.enrolled is None:
        problems.append(f"$.sample_size.target: {_why(ss.target, 'not stated in the protocol')}; give the total number to enrol "
                        "(or each arm's planned_size)"
                        + (", or solve for it with --solve n" if i.effect is not None else ""))
    if problems:
        raise PowerError(problems)
    assert solve_for is not None
    power = i.power if i.power is not None else 0.8
    conventional_power = not stated_power
    c = solve(i.design, alpha=i.alpha,
              effect=None if solve_for is Solved.EFFECT else i.effect,
              power=None if solve_for is Solved.POWER else power,
              enrolled=None if solve_for is Solved.N else i.enrolled,
              attrition=i.attrition)
    unit = "animals" if p.kind is StudyKind.PRECLINICAL else "participants"
    return Sizing(p.id, p.short_title, unit, _given(p, i, solve_for, conventional_power), c, i,
                  tuple(a.name for a in p.arms) if len(p.arms) == i.design.groups else (),
                  ss.target if isinstance(ss.target, int) else None, ss.effect_source,
                  next((r.citation for r in p.references if r.key == ss.effect_source), None))


def _given(p: Protocol, i: Inputs, solved: Solved, conventional_power: bool) -> tuple[Given, ...]:
    ss = p.sample_size
    assert ss is not None
    d = i.design
    out: list[Given] = []
    if i.assumed is not None:
        out.append(Given("test", "$.sample_size.test", d.test.value,
                         f"assumed from the {d.groups} arms; to be confirmed ({_why(ss.test, 'not stated in the protocol')})", False))
    else:
        out.append(Given("test", "$.sample_size.test", d.test.value, "protocol", True))
    if d.factors:
        out.append(Given("factors", "$.sample_size.factors", " × ".join(map(str, d.factors)), "protocol", True))
    if "alpha 0.05" in i.conventional:
        out.append(Given("alpha", "$.sample_size.alpha", "0.05 (two-sided)",
                         f"conventional; to be confirmed ({_why(ss.alpha, 'not stated in the protocol')})", False))
    else:
        out.append(Given("alpha", "$.sample_size.alpha", f"{i.alpha:g} (two-sided)", "protocol", True))
    if solved is Solved.POWER:
        out.append(Given("power", "$.sample_size.power", "solved", "calculated", True))
    elif conventional_power:
        out.append(Given("power", "$.sample_size.power", "0.8",
                         f"conventional; to be confirmed ({_why(ss.power, 'not stated in the protocol')})", False))
    else:
        out.append(Given("power", "$.sample_size.power", f"{i.power:g}", "protocol", True))
    index = EFFECT_NAMES[d.test]
    if solved is Solved.EFFECT:
        why = f"; the protocol's is to be confirmed ({i.effect_reason})" if i.effect is None else ""
        out.append(Given("effect size", "$.sample_size.effect_size", f"solved ({index})", "calculated" + why,
                         i.effect is not None))
    else:
        assert i.effect is not None
        src = f"protocol{_ref(ss.effect_source)}" if ss.effect_source else "protocol (no effect_source cited)"
        out.append(Given("effect size", "$.sample_size.effect_size", f"{i.effect:g} ({index})", src,
                         ss.effect_source is not None))
    from_arms = len(p.arms) == d.groups
    out.append(Given("allocation ratio", "$.arms[*].allocation_ratio" if from_arms else "$.sample_size.groups",
                     _ratio_text(d.ratios), "protocol" if from_arms else f"equal over the {d.groups} groups stated",
                     True))
    if ss.attrition is None or isinstance(ss.attrition, TBC):
        out.append(Given("attrition", "$.sample_size.attrition", "0",
                         f"none assumed; to be confirmed ({_why(ss.attrition, 'not stated in the protocol')})", False))
    else:
        out.append(Given("attrition", "$.sample_size.attrition", f"{i.attrition:g}", "protocol", True))
    if solved is Solved.N:
        stated = f" (the protocol states {ss.target})" if isinstance(ss.target, int) else ""
        out.append(Given("number", "$.sample_size.target", f"solved{stated}", "calculated", True))
    else:
        assert i.enrolled is not None
        planned = all(isinstance(a.planned_size, int) for a in p.arms) and from_arms and p.arms
        where = "$.arms[*].planned_size" if planned else "$.sample_size.target"
        src = "protocol" + (_ref(p.arms[0].size_source) if planned and p.arms[0].size_source else _ref(ss.source))
        out.append(Given("number", where, f"{sum(i.enrolled)} enrolled ({' + '.join(map(str, i.enrolled))})",
                         src, True))
    return tuple(out)


def to_json(s: Sizing) -> dict[str, object]:
    """The calculation as plain data (``sample-size --json``)."""
    c = s.calculation
    return {
        "protocol": s.protocol_id,
        "solved": c.solved.value,
        "method": s.method,
        "inputs": [{"name": g.name, "path": g.path, "value": g.value, "source": g.source, "confirmed": g.confirmed}
                   for g in s.given],
        "result": {
            "test": c.design.test.value,
            "effect_size": round(c.effect_size, 6),
            "effect_index": s.index,
            "alpha": c.alpha,
            "power": round(c.power, 6),
            "attrition": c.attrition,
            "arms": list(s.arms),
            "analysed_per_group": list(c.analysed),
            "enrolled_per_group": list(c.enrolled),
            "total_analysed": c.total,
            "total_enrolled": c.total_enrolled,
        },
        "target": s.target,
        "all_inputs_confirmed": s.confirmed(),
    }


# -- the power curve, as data ---------------------------------------------------------------


@frozen
class Series:
    """One line of a power curve: ``points`` are (x, power)."""

    label: str
    effect: float
    points: tuple[tuple[float, float], ...]
    planned: bool


@frozen
class Curve:
    """Power against the number analysed (one line per effect) and against the effect size (at the number).

    ``per_group`` says the number axis counts each group (equal ratios) rather
    than all groups together. ``notes`` say where the effect comes from, or
    that it is to be confirmed and the lines show a range.
    """

    title: str
    subtitle: str
    unit: str
    per_group: bool
    by_n: tuple[Series, ...]
    n_planned: float
    by_effect: Series
    effect_name: str
    index: str
    effect_planned: float
    power_planned: float
    target_power: float
    notes: tuple[str, ...]


_STEPS = 60


def curve(s: Sizing) -> Curve:
    """The power curve of ``s``: the protocol's effect, or Cohen's range when the effect is to be confirmed."""
    c = s.calculation
    d = c.design
    ratios = d.ratios
    per_group = len(set(ratios)) == 1
    unit_n = c.analysed[0] / ratios[0] if per_group else c.total / sum(ratios)  # ratio units planned
    low = 2  # ratio units; numbers too small for the test's degrees of freedom give NaN and are left out
    high = max(2 * unit_n, low + 8)
    grid = sorted({max(low, round(low + (high - low) * k / _STEPS)) for k in range(_STEPS + 1)})

    def x(units: int) -> float:
        return float(units * ratios[0]) if per_group else float(units * sum(ratios))

    n_planned = float(c.analysed[0]) if per_group else float(c.total)

    def line(effect: float) -> tuple[tuple[float, float], ...]:
        pts = {n_planned: power_at(d, effect, c.alpha, c.analysed)}  # the planned sizes lie on every line
        for u in grid:
            pw = power_at(d, effect, c.alpha, tuple(u * r for r in ratios))
            if pw == pw and x(u) not in pts:  # not NaN (too few for the test's degrees of freedom)
                pts[x(u)] = pw
        return tuple(sorted(pts.items()))

    name = s.index
    notes: list[str] = []
    series: list[Series] = []
    if s.effect_stated:
        series.append(Series(f"{name} = {c.effect_size:g} (planned)", c.effect_size, line(c.effect_size), True))
        source = f" from {s.effect_citation or s.effect_source} [{s.effect_source}]." if s.effect_source else None
        notes.append(f"Effect size {name} = {c.effect_size:g}" + (source or ", no source cited: to be confirmed."))
    else:
        for label, e in zip(("small", "medium", "large"), s.cohen, strict=True):
            series.append(Series(f"{name} = {e:g} (Cohen's {label})", e, line(e), False))
        series.append(Series(f"{name} = {c.effect_size:.2f} (detectable)", c.effect_size, line(c.effect_size), True))
        reason = s.inputs.effect_reason or "not stated"
        notes.append(f"Effect size to be confirmed ({reason}): the lines show Cohen's conventional small, medium "
                     f"and large effects and the effect the planned number detects.")
    unconfirmed = [g.name for g in s.given if not g.confirmed and g.name != "effect size"]
    if unconfirmed:
        notes.append(f"Also to be confirmed: {', '.join(unconfirmed)}.")
    top = max(2 * c.effect_size, 1.5 * s.cohen[2])
    effects = [top * k / _STEPS for k in range(1, _STEPS + 1)]
    by_effect = Series(f"at {c.total}", c.effect_size,
                       tuple((e, power_at(d, e, c.alpha, c.analysed)) for e in effects), True)
    achieved = power_at(d, c.effect_size, c.alpha, c.analysed)  # a solved number rounds up: at least the target
    return Curve(
        title=f"Power curve: {s.short_title}",
        subtitle=f"{d.test.value}, {s.method.removeprefix('statsmodels ')}; two-sided α = {c.alpha:g}",
        unit=s.unit, per_group=per_group, by_n=tuple(series), n_planned=n_planned, by_effect=by_effect,
        effect_name=EFFECT_NAMES[d.test], index=name, effect_planned=c.effect_size, power_planned=achieved,
        target_power=c.power if c.solved is not Solved.POWER else (s.inputs.power or 0.8),
        notes=tuple(notes),
    )
