"""Design checks (DES…): SPIRIT/ICH M11 and ARRIVE essentials, sizes, consistency."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

from planner import units
from planner.checks.context import Context, crumb, label, walk
from planner.checks.engine import Area, Check, Hit, Severity, hit
from planner.checks.intervals import Interval, NumSet, intersect, subset
from planner.checks.sample_size import NotVerified, recompute
from planner.checks.satisfiability import admitted, admitted_universe
from planner.model import (
    TBC,
    Action,
    Arm,
    ArmType,
    DataType,
    Level,
    Masking,
    PowerTest,
    Quantity,
    RandomisationMethod,
    Range,
    Role,
    StudyKind,
    Timing,
    Visit,
    Window,
)
from planner.power import Calculation, Solved
from planner.scores.registry import ASSESSOR_JUDGED, CONDITIONS

_D = Area.DESIGN


def _essential(path: str, element: str, why: str) -> Hit:
    return hit(path, "protocol", element=element, why=why)


def spirit_essentials(ctx: Context) -> Iterator[Hit]:
    """A clinical protocol lacks an essential of SPIRIT 2013 / ICH M11: objectives,
    endpoints, population, eligibility, interventions, schedule and duration, safety
    monitoring, sample size, statistics, references, and for an interventional study
    blinding (and randomisation with two or more arms)."""
    p = ctx.protocol
    if not p.kind.clinical:
        return
    interventional = p.kind is StudyKind.CLINICAL_INTERVENTIONAL
    required = [
        ("$.objectives", "objectives", bool(p.objectives), "SPIRIT 7, M11 §3"),
        ("$.objectives", "endpoints", any(o.endpoints for o in p.objectives), "SPIRIT 12, M11 §3"),
        ("$.population", "population", p.population is not None, "SPIRIT 10, M11 §5"),
        ("$.eligibility", "eligibility criteria", bool(p.eligibility), "SPIRIT 10, M11 §5"),
        ("$.arms", "arms with interventions", any(a.interventions for a in p.arms), "SPIRIT 11, M11 §6"),
        ("$.schedule.visits", "schedule of activities", bool(p.schedule.visits), "SPIRIT 13, M11 §1.3"),
        ("$.schedule.duration_days", "duration of participation", p.schedule.duration_days is not None,
         "SPIRIT 13, M11 §4"),
        ("$.monitoring", "safety monitoring rules", bool(p.monitoring), "SPIRIT 22, M11 §8"),
        ("$.sample_size", "sample size", p.sample_size is not None, "SPIRIT 14, M11 §9"),
        ("$.statistics", "statistical methods", p.statistics is not None, "SPIRIT 20, M11 §9"),
        ("$.references", "references", bool(p.references), "SPIRIT 1–33 (sources), M11 §12"),
        ("$.blinding", "blinding", p.blinding is not None or not interventional, "SPIRIT 17, M11 §6"),
        ("$.randomisation", "randomisation", p.randomisation is not None or not interventional or len(p.arms) < 2,
         "SPIRIT 16, M11 §6"),
    ]
    for path, element, present, why in required:
        if not present:
            yield _essential(path, element, why)


def arrive_essentials(ctx: Context) -> Iterator[Hit]:
    """A preclinical protocol lacks an ARRIVE 2.0 Essential 10 item: animals (with the
    experimental unit), sample size, a-priori inclusion/exclusion criteria,
    randomisation, blinding, outcome measures, statistics, procedures, the duration,
    or humane endpoints (PREPARE)."""
    p = ctx.protocol
    if p.kind.clinical:
        return
    humane = (p.animals is not None and (isinstance(p.animals.humane_endpoints, TBC) or
                                         bool(p.animals.humane_endpoints))) \
        or any(r.action is Action.EUTHANISE for r in p.monitoring)
    required = [
        ("$.animals", "animals (species, strain, sex, age, weight, experimental unit)", p.animals is not None,
         "ARRIVE 1, 8"),
        ("$.sample_size", "sample size and its justification", p.sample_size is not None, "ARRIVE 2"),
        ("$.eligibility", "inclusion/exclusion criteria set a priori", bool(p.eligibility), "ARRIVE 3"),
        ("$.randomisation", "randomisation", p.randomisation is not None, "ARRIVE 4"),
        ("$.blinding", "blinding", p.blinding is not None, "ARRIVE 5"),
        ("$.objectives", "outcome measures", any(o.endpoints for o in p.objectives), "ARRIVE 6"),
        ("$.statistics", "statistical methods", p.statistics is not None, "ARRIVE 7"),
        ("$.procedures", "experimental procedures", bool(p.procedures), "ARRIVE 9"),
        ("$.schedule.duration_days", "duration of the experiment", p.schedule.duration_days is not None,
         "ARRIVE 9"),
        ("$.animals.humane_endpoints", "humane endpoints", humane, "ARRIVE 16, PREPARE"),
    ]
    for path, element, present, why in required:
        if not present:
            yield _essential(path, element, why)


def group_sizes(ctx: Context) -> Iterator[Hit]:
    """Planned group sizes do not add up to the number of animals (preclinical) or the
    target sample size, or a group has no planned size in an animal study."""
    p = ctx.protocol
    sizes = [a.planned_size for a in p.arms]
    if not p.kind.clinical:
        for i, a in enumerate(p.arms):
            if a.planned_size is None:
                yield hit(f"$.arms[{i}].planned_size", label(a), problem="the group has no planned size",
                          todo="state the number of animals in the group")
    totals: list[tuple[str, str, int]] = []
    if p.animals is not None and isinstance(p.animals.total, int):
        totals.append(("$.animals.total", "animals.total", p.animals.total))
    if p.sample_size is not None and isinstance(p.sample_size.target, int):
        totals.append(("$.sample_size.target", "sample_size.target", p.sample_size.target))
    if sizes and all(isinstance(s, int) for s in sizes):
        added = sum(s for s in sizes if isinstance(s, int))
        for path, name, total in totals:
            if added != total:
                yield hit(path, "protocol", problem=f"the arms' planned sizes add up to {added}, but {name} is "
                          f"{total}", todo="make the group sizes and the total agree")
    if len(totals) == 2 and totals[0][2] != totals[1][2]:
        yield hit(totals[1][0], "protocol", problem=f"sample_size.target ({totals[1][2]}) differs from "
                  f"animals.total ({totals[0][2]})", todo="state one number of animals")


def _recomputed(ctx: Context) -> Calculation | NotVerified | None:
    return ctx.memo("sample-size", lambda: recompute(ctx.protocol))


def _needed(ctx: Context) -> tuple[int, Calculation] | None:
    ss, result = ctx.protocol.sample_size, _recomputed(ctx)
    if ss is None or not isinstance(result, Calculation) or result.solved is not Solved.N:
        return None
    return (ss.target, result) if isinstance(ss.target, int) else None


def _sizes(c: Calculation) -> str:
    sizes = sorted(set(c.analysed))
    return f"{sizes[0]} per group × {len(c.analysed)}" if len(sizes) == 1 else f"{' + '.join(map(str, c.analysed))}"


def sample_size_short(ctx: Context) -> Iterator[Hit]:
    """The target sample size is smaller than statsmodels calculates from the stated
    test, effect size, alpha, power and allocation ratios (after attrition)."""
    found = _needed(ctx)
    if found is not None and found[0] < found[1].total_enrolled:
        target, c = found
        yield hit("$.sample_size.target", "sample size", target=target, needed=c.total_enrolled, per_group=_sizes(c),
                  method=c.design.method)


def sample_size_disagrees(ctx: Context) -> Iterator[Hit]:
    """The stated numbers disagree with the calculation in a way DES004 does not cover:
    the target is above the number calculated (animals or participants the calculation
    does not justify), or an arm's planned size is below its calculated share."""
    found = _needed(ctx)
    if found is None:
        return
    target, c = found
    if target > c.total_enrolled:
        yield hit("$.sample_size.target", "sample size",
                  problem=f"the target of {target} is above the {c.total_enrolled} calculated "
                          f"({_sizes(c)} analysed, {c.design.method}, after attrition)",
                  todo="lower the target, or say in the justification why more are needed (3Rs: reduction)")
    arms = ctx.protocol.arms
    if target >= c.total_enrolled and len(arms) == len(c.enrolled):
        for i, (arm, need) in enumerate(zip(arms, c.enrolled, strict=True)):
            if isinstance(arm.planned_size, int) and arm.planned_size < need:
                yield hit(f"$.arms[{i}].planned_size", label(arm),
                          problem=f"the planned size {arm.planned_size} is below the {need} calculated for "
                                  f"this arm (allocation ratio {arm.allocation_ratio})",
                          todo="raise the arm's planned size or revisit the calculation")


def sample_size_not_verified(ctx: Context) -> Iterator[Hit]:
    """The sample size states an effect size, alpha, power or test, but the number
    could not be calculated (a parameter or the test not given, or a test that does not
    fit the arms)."""
    ss, result = ctx.protocol.sample_size, _recomputed(ctx)
    stated = ss is not None and any(isinstance(v, (int, float, PowerTest))
                                    for v in (ss.effect_size, ss.alpha, ss.power, ss.test))
    if stated and isinstance(result, NotVerified):
        yield hit("$.sample_size", "sample size", reason=result.reason)


def sample_size_parameters(ctx: Context) -> Iterator[Hit]:
    """Sample-size parameters out of range: alpha or power outside (0, 1), a
    non-positive effect size, attrition outside [0, 1), or a number of groups that
    differs from the number of arms."""
    ss = ctx.protocol.sample_size
    if ss is None:
        return
    checks: list[tuple[str, object, Callable[[float], bool], str]] = [
        ("alpha", ss.alpha, lambda v: 0 < v < 1, "between 0 and 1 (e.g. 0.05)"),
        ("power", ss.power, lambda v: 0 < v < 1, "between 0 and 1 (e.g. 0.8)"),
        ("effect_size", ss.effect_size, lambda v: v > 0, "positive (Cohen's d, f or h)"),
        ("attrition", ss.attrition, lambda v: 0 <= v < 1, "a fraction from 0 to below 1 (e.g. 0.1)"),
    ]
    for name, value, ok, want in checks:
        if isinstance(value, (int, float)) and not ok(value):
            yield hit(f"$.sample_size.{name}", "sample size", problem=f"{name} is {value}", todo=f"make it {want}")
    arms = len(ctx.protocol.arms)
    if ss.groups is not None and arms and ss.groups != arms:
        yield hit("$.sample_size.groups", "sample size", problem=f"groups is {ss.groups} but there are {arms} arms",
                  todo="make them agree")


def randomisation(ctx: Context) -> Iterator[Hit]:
    """Randomisation is inconsistent: blocks without a block size, a block size that is
    not a multiple of the number of arms, or stratification without strata."""
    r, arms = ctx.protocol.randomisation, len(ctx.protocol.arms)
    if r is None:
        return
    blocked = r.method in (RandomisationMethod.PERMUTED_BLOCK, RandomisationMethod.STRATIFIED_BLOCK)
    if blocked and r.block_size is None and not r.block_sizes:
        yield hit("$.randomisation.block_size", "randomisation", problem="permuted blocks need a block size",
                  todo="state 'block_size' (a multiple of the number of arms)")
    ratios = [a.allocation_ratio for a in ctx.protocol.arms]
    unit = sum(ratios)
    whose = (f"the {arms} arms" if unit == arms
             else f"{unit}, the sum of the allocation ratios {':'.join(map(str, ratios))}")
    sizes = [("block_size", r.block_size)] if isinstance(r.block_size, int) else []
    sizes += [(f"block_sizes[{i}]", size) for i, size in enumerate(r.block_sizes)]
    for where, size in sizes:
        if arms and size % unit:
            yield hit(f"$.randomisation.{where}", "randomisation",
                      problem=f"block size {size} is not a multiple of {whose}",
                      todo=f"use a multiple of {unit}")
    if r.method is RandomisationMethod.STRATIFIED_BLOCK and not r.strata:
        yield hit("$.randomisation.strata", "randomisation", problem="stratified randomisation names no strata",
                  todo="list the strata (one permuted-block list per stratum)")


_DOSED = frozenset({Role.INVESTIGATIONAL, Role.MODEL_INDUCTION})


def intervention_incomplete(ctx: Context) -> Iterator[Hit]:
    """An investigational or model-induction agent lacks its dose, route or frequency
    (a value to be confirmed is a warning of DES013 instead)."""
    for i, arm in enumerate(ctx.protocol.arms):
        for j, x in enumerate(arm.interventions):
            if x.role not in _DOSED:
                continue
            for name in ("dose", "route", "frequency"):
                if getattr(x, name) is None:
                    yield hit(f"$.arms[{i}].interventions[{j}].{name}", crumb(label(arm), label(x)), field=name)


def schedule(ctx: Context) -> Iterator[Hit]:
    """A visit names an unknown epoch or form, or lies after the end of the schedule."""
    s = ctx.protocol.schedule
    for i, v in enumerate(s.visits):
        where = crumb("schedule", label(v))
        if s.epoch(v.epoch) is None:
            yield hit(f"$.schedule.visits[{i}].epoch", where, problem=f"epoch '{v.epoch}' does not exist",
                      todo=f"use one of {', '.join(e.id for e in s.epochs) or 'no epochs defined'}")
        for k, f in enumerate(v.forms):
            if f not in ctx.form_ids:
                yield hit(f"$.schedule.visits[{i}].forms[{k}]", where, problem=f"form '{f}' does not exist",
                          todo="add the form to the data dictionary or correct the id")
        if isinstance(v.day, int) and isinstance(s.duration_days, int) and v.day > s.duration_days:
            yield hit(f"$.schedule.visits[{i}].day", where, problem=f"day {v.day} is after the end of the "
                      f"schedule (day {s.duration_days})", todo="move the visit or extend 'duration_days'")
    timed = [(i, v) for i, v in enumerate(s.visits) if isinstance(v.day, int)]
    for (_, a), (j, b) in itertools.pairwise(timed):
        assert isinstance(a.day, int) and isinstance(b.day, int)
        where = crumb("schedule", label(b))
        if b.day < a.day:
            yield hit(f"$.schedule.visits[{j}].day", where, problem=f"day {b.day} comes before day {a.day} of "
                      f"the visit listed before it ({a.name})", todo="list the visits in day order")
        elif isinstance(a.window, Window) and isinstance(b.window, Window) \
                and a.day + a.window.after >= b.day - b.window.before:
            yield hit(f"$.schedule.visits[{j}].window", where,
                      problem=f"its window (days {b.day - b.window.before} to {b.day + b.window.after}) overlaps "
                      f"that of {a.name} (days {a.day - a.window.before} to {a.day + a.window.after}), so a "
                      "date of assessment could belong to either",
                      todo="narrow the windows so that neighbouring visits do not share a day")


_RANDOMISED = re.compile(r"(?<![-\w])(?<!non-)(?<!not )randomi[sz]ed\b|\brandomly (?:allocated|assigned)\b", re.I)
_NOT_RANDOMISED = re.compile(r"\b(?:non-?randomi[sz]ed|not randomi[sz]ed)\b", re.I)
_BLINDED = re.compile(r"\b(?:double|single|triple|assessor|observer)[- ]blind(?:ed)?\b|\bmasked\b|"
                      r"\bblinded (?:assessors?|outcome|scorers?|study|trial|experiment)\b", re.I)
_OPEN = re.compile(r"\bopen[- ]label\b|\bunblinded\b|\bnot blinded\b", re.I)


def design_text_and_fields(ctx: Context) -> Iterator[Hit]:
    """The design text says randomised or blinded while the randomisation or masking says otherwise,
    or the reverse (a field still to be confirmed is not compared)."""
    p = ctx.protocol
    text = p.design if isinstance(p.design, str) else ""
    method = p.randomisation.method if p.randomisation is not None else RandomisationMethod.NONE
    if not isinstance(method, TBC):
        randomised = method is not RandomisationMethod.NONE
        if _RANDOMISED.search(text) and not randomised:
            yield hit("$.randomisation.method", "design", problem="the design says randomised, but the "
                      "randomisation method is " + ("none" if p.randomisation is not None else "not given"),
                      todo="give the method (simple, permuted block …) or correct the design text")
        elif _NOT_RANDOMISED.search(text) and randomised:
            yield hit("$.randomisation.method", "design", problem=f"the design says non-randomised, but the "
                      f"randomisation method is {method.value}", todo="correct the design text or the method")
    masking = p.blinding.masking if p.blinding is not None else Masking.OPEN
    if not isinstance(masking, TBC):
        blinded = masking is not Masking.OPEN
        if _BLINDED.search(text) and not blinded:
            yield hit("$.blinding.masking", "design", problem="the design says blinded, but the masking is "
                      + ("open label" if p.blinding is not None else "not given"),
                      todo="state who is blinded (masking) or correct the design text")
        elif _OPEN.search(text) and blinded:
            yield hit("$.blinding.masking", "design", problem=f"the design says open label, but the masking is "
                      f"{masking.value}", todo="correct the design text or the masking")


def assigned_in_observational(ctx: Context) -> Iterator[Hit]:
    """An observational study gives an investigational agent: when the protocol assigns the
    intervention, the study is interventional (ICH E6, SPIRIT), whatever it is called."""
    if ctx.protocol.kind is not StudyKind.CLINICAL_OBSERVATIONAL:
        return
    for i, arm in enumerate(ctx.protocol.arms):
        for j, x in enumerate(arm.interventions):
            if x.role is Role.INVESTIGATIONAL:
                yield hit(f"$.arms[{i}].interventions[{j}].role", crumb(label(arm), label(x)), agent=x.agent)


_COMPARATIVE = re.compile(r"\bcompar|\bversus\b|\bvs\.?\s|\bsuperior|\bnon-?inferior|\bequivalen", re.I)
_COMPARATORS = frozenset({ArmType.ACTIVE_COMPARATOR, ArmType.PLACEBO_COMPARATOR, ArmType.NO_INTERVENTION,
                          ArmType.NORMAL_CONTROL, ArmType.DISEASE_CONTROL})


def no_comparator(ctx: Context) -> Iterator[Hit]:
    """A primary objective or endpoint is comparative (compared with, versus, superior,
    non-inferior), but the design has a single arm and no comparator or control arm to compare with."""
    p = ctx.protocol
    if len(p.arms) > 1 or any(a.type in _COMPARATORS for a in p.arms):
        return
    for i, obj in enumerate(p.objectives):
        if obj.level is not Level.PRIMARY:
            continue
        texts = [obj.text, *(e.text for e in obj.endpoints)]
        claim = next((m.group(0).strip() for text in texts if (m := _COMPARATIVE.search(text))), None)
        if claim:
            yield hit(f"$.objectives[{i}]", label(obj), claim=claim)


_COMBINATION = re.compile(r"\bcombin|\badd-on\b|\bsynerg|\badditive\b|\bthan (?:either|each|monotherapy)\b", re.I)


def _investigational(arm: Arm) -> frozenset[str]:
    return frozenset(x.agent.lower() for x in arm.interventions if x.role is Role.INVESTIGATIONAL)


def components_missing(ctx: Context) -> Iterator[Hit]:
    """An objective claims a benefit of a combination (combined, add-on, synergy, better than
    either), but for an arm of two or more investigational agents some component is given alone in
    no arm: the design cannot show what each adds (a factorial or at least the component arms; EDA)."""
    p = ctx.protocol
    if not any(_COMBINATION.search(o.text) for o in p.objectives):
        return
    singles = {_investigational(a) for a in p.arms}
    for i, arm in enumerate(p.arms):
        agents = _investigational(arm)
        if len(agents) < 2:
            continue
        missing = sorted(a for a in agents if frozenset({a}) not in singles)
        if missing:
            yield hit(f"$.arms[{i}]", label(arm), missing=", ".join(missing))


def no_unblinding(ctx: Context) -> Iterator[Hit]:
    """A blinded clinical trial states no emergency unblinding procedure (who may break the
    code, how, and how it is recorded)."""
    b = ctx.protocol.blinding
    if not ctx.protocol.kind.clinical or b is None or isinstance(b.masking, TBC) or b.masking is Masking.OPEN:
        return
    if b.unblinding is None:
        yield hit("$.blinding.unblinding", "blinding", masking=b.masking.value)


def _collected(ctx: Context, domain: str) -> bool:
    forms = {f.id for f in ctx.protocol.dictionary.forms if (f.domain or "").upper() == domain}
    return bool(forms & ctx.on_treatment_forms)


def safety_collection(ctx: Context) -> Iterator[Hit]:
    """A clinical trial collects no adverse events (a form of CDASH domain AE) at any visit
    after the start of treatment."""
    if ctx.protocol.kind is StudyKind.CLINICAL_INTERVENTIONAL and not _collected(ctx, "AE"):
        yield hit("$.dictionary.forms", "data dictionary", what="adverse events", domain="AE")


def conmed_collection(ctx: Context) -> Iterator[Hit]:
    """A clinical trial collects no concomitant medication (a form of CDASH domain CM) at any
    visit after the start of treatment."""
    if ctx.protocol.kind is StudyKind.CLINICAL_INTERVENTIONAL and not _collected(ctx, "CM"):
        yield hit("$.dictionary.forms", "data dictionary", what="concomitant medication", domain="CM")


_NUISANCE: dict[str, re.Pattern[str]] = {
    "cage": re.compile(r"\bcages?\b", re.I),
    "litter": re.compile(r"\blitters?\b|\blittermates?\b", re.I),
    "batch": re.compile(r"\bbatch(?:es)?\b", re.I),
    "centre": re.compile(r"\bmulti-?(?:centre|center|site)\b|\b(?:centres|centers|sites)\b", re.I),
}
_HANDLED: dict[str, re.Pattern[str]] = {
    **{k: v for k, v in _NUISANCE.items() if k != "centre"},
    "centre": re.compile(r"\b(?:centres?|centers?|sites?)\b", re.I),
}


def _texts(*values: object) -> str:
    return " ".join(v for v in values if isinstance(v, str))


def nuisance_unhandled(ctx: Context) -> Iterator[Hit]:
    """The design, setting or housing names a source of variation between experimental units
    (cage, litter, batch, several centres), but the randomisation neither blocks nor stratifies on
    it and neither the randomisation nor the analysis says how it is handled."""
    p = ctx.protocol
    a, pop, r, st = p.animals, p.population, p.randomisation, p.statistics
    named = _texts(p.design, a and a.housing, a and a.husbandry, a and a.experimental_unit, pop and pop.setting)
    handled = _texts(r and r.blocking_factor, r and r.description, *(r.strata if r else ()),
                     st and st.primary_analysis, st and st.secondary_analyses)
    for variable, pattern in _NUISANCE.items():
        found = pattern.search(named)
        if found and not _HANDLED[variable].search(handled):
            yield hit("$.randomisation" if r is not None else "$", "design", variable=variable,
                      said=found.group(0))


_JUDGED_LABEL = re.compile(r"\bhistolog|\bjoint counts?\b|\barthritis score|\bskin score|\bsynovitis score", re.I)
_ASSESSOR_ROLE = re.compile(r"assess|scor|evaluat|outcome|patholog|histolog|examin|rater|observer|reader", re.I)


def _judged(ctx: Context, measure: str) -> bool:
    d = ctx.derivations.get(measure)
    if d is not None and (d.method in ASSESSOR_JUDGED or _JUDGED_LABEL.search(d.label)):
        return True
    it = ctx.item(measure)
    return measure in ASSESSOR_JUDGED or (it is not None and bool(_JUDGED_LABEL.search(it.label)))


def unblinded_assessment(ctx: Context) -> Iterator[Hit]:
    """An endpoint is a score an assessor judges (joint counts, mRSS, PASI, an arthritis or
    histology score), but no one who assesses outcomes is blinded and the protocol does not say
    how the assessment is kept unbiased (``blinding.assessment``)."""
    b = ctx.protocol.blinding
    if b is not None and (isinstance(b.masking, TBC) or b.assessment is not None
                          or b.masking in (Masking.DOUBLE, Masking.ASSESSOR)
                          or any(_ASSESSOR_ROLE.search(role) for role in b.blinded_roles)):
        return
    for i, obj in enumerate(ctx.protocol.objectives):
        for j, e in enumerate(obj.endpoints):
            if _judged(ctx, e.measure):
                yield hit(f"$.objectives[{i}].endpoints[{j}].measure", label(e), measure=e.measure,
                          masking="no blinding is given" if b is None else f"the masking is {b.masking}")


_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12, "year": 365.25}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "eight": 8, "twelve": 12}
_EVERY = re.compile(r"\bevery\s+(\d+|one|two|three|four|six|eight|twelve)?\s*(day|week|month|year)s?\b", re.I)
_ADVERB = {"weekly": 7.0, "fortnightly": 14.0, "monthly": 365.25 / 12, "quarterly": 365.25 / 4}
_EVERY_WORD = re.compile(r"\b(weekly|fortnightly|monthly|quarterly)\b", re.I)
_AFTER = re.compile(r"\b(\d+)\s*(?:[–-]|to)\s*(\d+)\s*(day|week|month)s?\s+after\s+(?:the\s+)?"
                    r"(?:start|first dose|baseline|initiation)", re.I)
_GRACE = 1.1  # a visit a tenth of the interval late still honours "every N"


def _period(text: str) -> float | None:
    if m := _EVERY.search(text):
        n = m.group(1) or "1"
        return (int(n) if n.isdigit() else _WORDS[n.lower()]) * _DAYS[m.group(2).lower()]
    if m := _EVERY_WORD.search(text):
        return _ADVERB[m.group(1).lower()]
    return None


def _frequency_problem(ctx: Context, text: str, visits: list[Visit]) -> str | None:
    days = sorted({v.day for v in visits if isinstance(v.day, int)})
    if m := _AFTER.search(text):
        unit = _DAYS[m.group(3).lower()]
        lo, hi = int(m.group(1)) * unit, int(m.group(2)) * unit
        for v in visits:
            assert isinstance(v.day, int)
            w = v.window if isinstance(v.window, Window) else Window(0, 0)
            if v.day - w.before <= hi and v.day + w.after >= lo:
                return None
        return (f"no visit between day {round(lo)} and day {round(hi)} collects it (it is collected on day"
                f"{'s' if len(days) > 1 else ''} {', '.join(map(str, days)) or 'none'})")
    period = _period(text)
    if period is None or not days:
        return None
    limit = period * _GRACE
    for a, b in itertools.pairwise([0, *days] if days[0] > 0 else days):
        if b - a > limit:
            return f"it is collected on day {a} and next on day {b}, {b - a} days apart"
    end = ctx.protocol.schedule.duration_days
    if isinstance(end, int) and end - days[-1] > limit:
        return f"the last visit that collects it is on day {days[-1]}, but the schedule runs to day {end}"
    return None


def frequency_not_honoured(ctx: Context) -> Iterator[Hit]:
    """A rule applied on treatment states a frequency ("every 3 months", "monthly", "4–8 weeks
    after start") that the visits collecting its items cannot honour: a gap longer than the
    interval, no visit in the stated weeks, or no visit after the last interval before the end
    of the schedule. A schedule with a visit of unknown day is not judged."""
    for i, rule in enumerate(ctx.protocol.monitoring):
        if rule.timing is Timing.BEFORE_START or not isinstance(rule.frequency, str):
            continue
        forms: set[str] = set()
        for name in rule.condition.refs():
            forms |= ctx.needs(name)[0]
        visits = [v for v in ctx.protocol.schedule.visits  # on treatment, counting the day-0 baseline
                  if forms & set(v.forms) and (v.day == 0 or not ctx.is_pre_treatment(v))]
        if not forms or not visits or any(not isinstance(v.day, int) for v in visits):
            continue
        problem = _frequency_problem(ctx, rule.frequency, visits)
        if problem:
            yield hit(f"$.monitoring[{i}].frequency", label(rule), frequency=rule.frequency, problem=problem,
                      forms=", ".join(sorted(forms)))


def population_age(ctx: Context) -> Iterator[Hit]:
    """The population's age range and the ages the eligibility criteria admit differ (compared
    over the age item's own range, in years)."""
    pop = ctx.protocol.population
    if pop is None or not isinstance(pop.age_years, Range):
        return
    for name, (_, it) in ctx.items.items():
        if not (isinstance(it.unit, str) and units.is_known(it.unit) and units.convertible("a", it.unit)):
            continue
        if not any(name in c.rule.refs() for c in ctx.protocol.eligibility if c.rule is not None):
            continue
        f = units.factor("a", it.unit)
        low, high = pop.age_years.low, pop.age_years.high
        stated = NumSet((Interval(None if low is None else low * f, None if high is None else high * f,
                                  low is not None, high is not None),))
        allowed = admitted(ctx, name)
        universe = admitted_universe(ctx, name)
        want = intersect(universe, stated)
        if not (subset(want, allowed) and subset(allowed, want)):
            yield hit("$.population.age_years", "population", stated=str(pop.age_years), item=name,
                      admitted=str(allowed), unit=it.unit)


def _measured_in(ctx: Context, measure: str) -> tuple[str, ...]:
    d = ctx.derivations.get(measure)
    return CONDITIONS.get(d.method or "" if d is not None else measure, ())


def partial_primary(ctx: Context) -> Iterator[Hit]:
    """A population of several conditions has a primary endpoint measured by a score defined
    for only some of them (DAS28 in a population with PsA and axSpA), and the endpoint records no
    decision about it."""
    pop = ctx.protocol.population
    if pop is None or len(pop.conditions) < 2:
        return
    for i, obj in enumerate(ctx.protocol.objectives):
        for j, e in enumerate(obj.endpoints):
            stems = _measured_in(ctx, e.measure)
            if e.level is not Level.PRIMARY or not stems or e.decision is not None:
                continue
            left = [c for c in pop.conditions if not any(s in c.lower() for s in stems)]
            if left and len(left) < len(pop.conditions):
                yield hit(f"$.objectives[{i}].endpoints[{j}]", label(e), measure=e.measure,
                          covered=", ".join(c for c in pop.conditions if c not in left), left=", ".join(left))


def reference_keys(ctx: Context) -> Iterator[Hit]:
    """A quantity (``source``) or the sample size's effect size (``effect_source``) cites a
    reference key the protocol's references lack."""
    keys = {r.key for r in ctx.protocol.references}
    for path, where, _, value in walk(ctx.protocol):
        if isinstance(value, Quantity) and value.source is not None and value.source not in keys:
            yield hit(f"{path}.source", where, key=value.source, known=", ".join(sorted(keys)) or "none")
    ss = ctx.protocol.sample_size
    if ss is not None and ss.effect_source is not None and ss.effect_source not in keys:
        yield hit("$.sample_size.effect_source", "sample size", key=ss.effect_source,
                  known=", ".join(sorted(keys)) or "none")


def codelists(ctx: Context) -> Iterator[Hit]:
    """A coded item names a codelist the data dictionary lacks."""
    d = ctx.protocol.dictionary
    for name, (_, it) in ctx.items.items():
        if it.type is DataType.CODED and d.codelist(it.codelist or "") is None:
            yield hit(f"{ctx.item_paths[name]}.codelist", label(it), codelist=it.codelist,
                      known=", ".join(c.id for c in d.codelists) or "none")


def unscheduled_forms(ctx: Context) -> Iterator[Hit]:
    """A form of the data dictionary is collected at no visit."""
    scheduled = {f for v in ctx.protocol.schedule.visits for f in v.forms}
    for i, f in enumerate(ctx.protocol.dictionary.forms):
        if f.id not in scheduled:
            yield hit(f"$.dictionary.forms[{i}]", label(f), form=f.id)


_OTHER_AREAS = ("$.eligibility", "$.population", "$.objectives", "$.derivations", "$.monitoring")


def to_confirm(ctx: Context) -> Iterator[Hit]:
    """A design value is "to be confirmed" (sponsor, doses, animal details, sizes,
    schedule, statistics …); values of the other areas are reported there."""
    for pend in ctx.pending:
        if not pend.verify and not pend.path.startswith(_OTHER_AREAS):
            yield hit(pend.path, pend.where, what=pend.field, reason=pend.reason)


def to_verify(ctx: Context) -> Iterator[Hit]:
    """A quantity is marked ``verify``: it comes from a secondary source and should be
    checked against the primary one."""
    for pend in ctx.pending:
        if pend.verify:
            yield hit(pend.path, pend.where, what=pend.field, reason=pend.reason)


CHECKS: tuple[Check, ...] = (
    Check(_D, "DES001", Severity.ERROR, "SPIRIT/ICH M11 essential missing",
          "the protocol states no {element} ({why}); add it",
          "A clinical protocol states these essentials (SPIRIT 2013 checklist, ICH M11 protocol template).", spirit_essentials),
    Check(_D, "DES002", Severity.ERROR, "ARRIVE essential missing",
          "the protocol states no {element} ({why}); add it",
          "An animal study reports the Essential 10 of the ARRIVE guidelines 2.0.", arrive_essentials),
    Check(_D, "DES003", Severity.ERROR, "group sizes do not add up", "{problem}; {todo}",
          "Group sizes sum to the total number of animals or participants (ARRIVE 2a, SPIRIT 14).", group_sizes),
    Check(_D, "DES004", Severity.ERROR, "sample size too small",
          "the target of {target} is below the {needed} calculated ({per_group} analysed, after attrition); "
          "raise the target or revisit effect size, alpha and power",
          "Calculated with {method}; see `protocol-planner sample-size`.", sample_size_short),
    Check(_D, "DES005", Severity.INFO, "sample size not verified",
          "the sample size was not verified: {reason}",
          "Give the test and two of the target, the effect size and the power, to have the third calculated.",
          sample_size_not_verified),
    Check(_D, "DES006", Severity.ERROR, "sample-size parameter invalid", "{problem}; {todo}",
          "Alpha and power are probabilities; effect sizes are standardised (Cohen's d, f or h).",
          sample_size_parameters),
    Check(_D, "DES007", Severity.ERROR, "randomisation inconsistent", "{problem}; {todo}",
          "Block size is a multiple of the number of arms; stratified = one permuted-block list per stratum "
          "(the allocation sequence and its restrictions: SPIRIT 2013 item 16a).", randomisation),
    Check(_D, "DES008", Severity.ERROR, "intervention incomplete",
          "the {field} is missing; add '{field}' (or mark it to be confirmed with a reason)",
          "Each investigational or model-induction agent states dose, route and frequency (SPIRIT 11a, "
          "ARRIVE 9).", intervention_incomplete),
    Check(_D, "DES009", Severity.ERROR, "schedule inconsistent", "{problem}; {todo}",
          "Visits belong to an existing epoch, collect existing forms, fall within the schedule, are listed in day "
          "order, and have windows that do not overlap their neighbours'.", schedule),
    Check(_D, "DES010", Severity.ERROR, "unknown reference key",
          "the value cites '{key}', which is not a reference key; use one of: {known}",
          "Values cite the 'key' of an entry in 'references'.", reference_keys),
    Check(_D, "DES011", Severity.ERROR, "codelist missing",
          "the item is coded with codelist '{codelist}', which does not exist; use one of: {known}",
          "Coded items name a codelist of the data dictionary.", codelists),
    Check(_D, "DES012", Severity.WARNING, "form never collected",
          "form '{form}' is collected at no visit; add it to a visit's forms or remove it",
          "A form that no visit lists never reaches a CRF.", unscheduled_forms),
    Check(_D, "DES013", Severity.WARNING, "design value to be confirmed",
          "{what} is to be confirmed: {reason}; confirm it from the source",
          "An unconfirmed value is shown plainly, never guessed.", to_confirm),
    Check(_D, "DES014", Severity.WARNING, "value to verify",
          "{what}: {reason}; verify it against the primary source, then drop 'verify'",
          "Values from secondary sources are marked until checked against the primary publication.", to_verify),
    Check(_D, "DES015", Severity.ERROR, "design text and fields disagree", "{problem}; {todo}",
          "What the design text claims (randomised, blinded, open label) is what the randomisation and "
          "blinding fields say, so the documents and the allocation tools agree (SPIRIT 16–17, EDA).",
          design_text_and_fields),
    Check(_D, "DES016", Severity.WARNING, "sample size disagrees with the calculation", "{problem}; {todo}",
          "The stated numbers are the ones the calculation gives: more animals than it justifies go against "
          "reduction (ARRIVE 2b, the 3Rs), an arm below its share loses power (SPIRIT 14).",
          sample_size_disagrees),
    Check(_D, "DES020", Severity.ERROR, "assigned intervention in an observational study",
          "'{agent}' is an investigational agent the protocol assigns, so the study is interventional; set kind "
          "to clinical interventional, or make the agent background (given as part of usual care)",
          "A study that assigns an intervention by protocol is a clinical trial (ICH E6 glossary; SPIRIT 2025), "
          "with the safety, consent and registration duties that go with it.", assigned_in_observational),
    Check(_D, "DES021", Severity.WARNING, "comparison without a comparator",
          "the primary objective is comparative ('{claim}'), but the design has a single arm and no comparator; "
          "add a comparator or control arm, or state the objective descriptively",
          "A comparative claim needs a concurrent comparator (SPIRIT 2025 item on the comparator; EDA).",
          no_comparator),
    Check(_D, "DES022", Severity.WARNING, "combination components missing",
          "an objective claims a benefit of the combination, but {missing} is given alone in no arm; add the "
          "component arms (or a factorial design), or state what the combination is compared with",
          "What each agent adds can only be shown against arms giving each alone (NC3Rs EDA: factorial designs).",
          components_missing),
    Check(_D, "DES023", Severity.ERROR, "no unblinding procedure",
          "the trial is {masking}, but no emergency unblinding procedure is stated; give blinding.unblinding "
          "(who may break the code, how, and how it is recorded), or mark it to be confirmed",
          "A blinded trial says how a participant's allocation is revealed when their care needs it (SPIRIT "
          "17b; ICH E6).", no_unblinding),
    Check(_D, "DES024", Severity.ERROR, "adverse events not collected",
          "no {what} form (domain {domain}) is collected at any visit after treatment starts; add one and "
          "schedule it at every on-treatment visit",
          "A clinical trial records adverse events from the first dose to the end of safety follow-up "
          "(ICH E6, SPIRIT 22).", safety_collection),
    Check(_D, "DES025", Severity.WARNING, "concomitant medication not collected",
          "no {what} form (domain {domain}) is collected at any visit after treatment starts; add one",
          "Concomitant medication explains adverse events and interactions, and is needed for the risk "
          "table's interaction warnings (SPIRIT 11d).", conmed_collection),
    Check(_D, "DES026", Severity.WARNING, "nuisance variable not handled",
          "the protocol names {variable} ('{said}') as a source of variation, but the randomisation neither "
          "blocks nor stratifies on it and no analysis accounts for it; block on it (randomisation."
          "blocking_factor), stratify, adjust for it in the analysis, or say in randomisation.description why not",
          "Cages, litters, batches and centres make outcomes of units within them alike; a design names them and "
          "blocks, stratifies or adjusts for them (NC3Rs EDA; ARRIVE 2.0 items 3 and 4; ICH E9 3.2).",
          nuisance_unhandled),
    Check(_D, "DES027", Severity.WARNING, "judged outcome without blinded assessor",
          "'{measure}' is scored by an assessor's judgement, but {masking} and no assessor is blinded; blind the "
          "outcome assessors (masking or blinded_roles), or say in blinding.assessment how bias is avoided",
          "Assessors who know the allocation score joint counts, skin, paw and histology scores differently "
          "(ARRIVE 2.0 item 5; SPIRIT 17a).", unblinded_assessment),
    Check(_D, "DES028", Severity.WARNING, "frequency the schedule cannot honour",
          "the rule is applied '{frequency}', but {problem}; schedule form(s) {forms} to match, or state the "
          "frequency the schedule gives",
          "A rule checks data only when a visit collects it: the visits must follow the rule's frequency "
          "through the whole treatment period.", frequency_not_honoured),
    Check(_D, "DES029", Severity.WARNING, "population and criteria disagree",
          "the population's age range is {stated} years, but the eligibility criteria admit {item} {admitted} "
          "({unit}); make the population and the criteria agree",
          "The population a protocol describes is the one its eligibility criteria select (SPIRIT 10).",
          population_age),
    Check(_D, "DES030", Severity.WARNING, "primary endpoint for part of the population",
          "the primary endpoint measures '{measure}', defined for {covered}, but the population also has {left}; "
          "choose a measure valid in every condition, give each condition its own primary endpoint, or record "
          "the choice in the endpoint's 'decision'",
          "A primary endpoint that only some participants can have answers the question for them alone; the "
          "others add no information to the primary analysis (ICH E9 2.2.2; SPIRIT 12).", partial_primary),
)
