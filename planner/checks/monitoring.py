"""Monitoring checks (MON…): combinations, risks covered by rules, safety essentials.

Combination checks look at each arm's investigational and background agents.
An intervention may list several possible mechanism classes (the investigator
chooses); a pair is an error only when every choice is wrong, and a warning
when some choice would be. Risk facts come from :mod:`planner.checks.risks`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from itertools import combinations

from attrs import evolve

from planner import ctcae, units
from planner.checks import risks
from planner.checks.context import Context, crumb, label
from planner.checks.engine import Area, Check, Hit, Severity, hit
from planner.checks.exprs import Problem, problems
from planner.expr.logic import evaluate, truth
from planner.model import (
    MODALITY,
    Action,
    Arm,
    Category,
    CtcaeGrading,
    DataType,
    Intervention,
    Mechanism,
    Modality,
    MonitoringRule,
    Role,
    Timing,
)

_M = Area.MONITORING
_ADVANCED = frozenset({Modality.BIOLOGIC, Modality.TARGETED_SYNTHETIC})


def _biologic(m: Mechanism) -> bool:
    return MODALITY.get(m) is Modality.BIOLOGIC


def _advanced(m: Mechanism) -> bool:
    return MODALITY.get(m) in _ADVANCED


def _could(x: Intervention, test: Callable[[Mechanism], bool]) -> bool:
    return any(test(m) for m in x.mechanisms)


def _names(ms: frozenset[Mechanism] | tuple[Mechanism, ...]) -> str:
    return " or ".join(sorted(m.value for m in ms))


def _pairs(ctx: Context, arm: Arm) -> Iterator[tuple[tuple[int, Intervention], tuple[int, Intervention]]]:
    yield from combinations(ctx.active(arm), 2)


def _arms(ctx: Context) -> Iterator[tuple[int, Arm]]:
    yield from enumerate(ctx.protocol.arms)


def _pair_hit(i: int, arm: Arm, a: tuple[int, Intervention], b: tuple[int, Intervention], **fields: object) -> Hit:
    return hit(f"$.arms[{i}].interventions[{b[0]}]", crumb(label(arm), label(b[1])),
               first=a[1].agent, second=b[1].agent, **fields)


def _only_same(a: Intervention, b: Intervention) -> Mechanism | None:
    """The DMARD class both agents must be, if each can only be that one class."""
    ma, mb = set(a.mechanisms), set(b.mechanisms)
    only = next(iter(ma)) if ma == mb and len(ma) == 1 else None
    return only if only in MODALITY else None


def same_class(ctx: Context) -> Iterator[Hit]:
    """Two agents of an arm can only be of the same DMARD mechanism class."""
    for i, arm in _arms(ctx):
        for a, b in _pairs(ctx, arm):
            only = _only_same(a[1], b[1])
            if only is not None:
                yield _pair_hit(i, arm, a, b, mechanism=only.value)


def possibly_same_class(ctx: Context) -> Iterator[Hit]:
    """Two agents of an arm list overlapping mechanism options, so the investigator could
    choose two agents of one class."""
    for i, arm in _arms(ctx):
        for a, b in _pairs(ctx, arm):
            ma, mb = set(a[1].mechanisms), set(b[1].mechanisms)
            shared = frozenset(ma & mb & set(MODALITY))
            if shared and not (ma == mb and len(ma) == 1):
                yield _pair_hit(i, arm, a, b, mechanism=_names(shared))


def _complementary(x: Mechanism, y: Mechanism) -> bool:
    if frozenset({x, y}) in risks.COMPLEMENTARY_PAIRS:
        return True
    return (_biologic(x) and y in risks.COMPLEMENTS_ANY_BIOLOGIC) or (_biologic(y) and x in risks.COMPLEMENTS_ANY_BIOLOGIC)


def _dual(ctx: Context, arm: Arm) -> list[tuple[int, Intervention]]:
    """Investigational agents of the arm that could be biologic or targeted synthetic."""
    return [(j, x) for j, x in ctx.active(arm) if x.role is Role.INVESTIGATIONAL and _could(x, _advanced)]


def not_complementary(ctx: Context) -> Iterator[Hit]:
    """A dual biologic/targeted therapy arm whose two agents cannot have complementary
    mechanisms (TNF with IL-17 or IL-23, or a biologic with a JAK or PDE4 inhibitor).
    A pair that can only be one class is left to MON001."""
    for i, arm in _arms(ctx):
        for a, b in combinations(_dual(ctx, arm), 2):
            if _only_same(a[1], b[1]) is not None:
                continue  # MON001 reports it
            opts_a = [m for m in a[1].mechanisms if _advanced(m)]
            opts_b = [m for m in b[1].mechanisms if _advanced(m)]
            if not any(_complementary(x, y) for x in opts_a for y in opts_b):
                yield _pair_hit(i, arm, a, b, mechanisms=f"{_names(tuple(opts_a))} with {_names(tuple(opts_b))}")


def _needs_infection_note(ctx: Context, arm: Arm) -> tuple[str, str] | None:
    for a, b in _pairs(ctx, arm):
        for x, y in ((a[1], b[1]), (b[1], a[1])):
            if _could(x, lambda m: m is Mechanism.JAK) and _could(y, _advanced):
                return x.agent, y.agent
            if _could(x, lambda m: m is Mechanism.CD20) and _could(y, _advanced):
                return x.agent, y.agent
    return None


def infection_note_missing(ctx: Context) -> Iterator[Hit]:
    """An arm combining a JAK inhibitor with a biologic or targeted agent, or rituximab with
    one, does not state the infection risk in ``safety_notes`` (a note mentioning infection)."""
    for i, arm in _arms(ctx):
        pair = _needs_infection_note(ctx, arm)
        if pair and not any("infection" in n.lower() for n in arm.safety_notes):
            yield hit(f"$.arms[{i}].safety_notes", label(arm), first=pair[0], second=pair[1],
                      source=risks.INFECTION_WARNING_SOURCE)


def _agent_risks(ctx: Context, arm: Arm) -> Iterator[tuple[Intervention, Mechanism, risks.Risk]]:
    """Every risk row of every mechanism an active agent of the arm may have."""
    for _, x in ctx.active(arm):
        for m in x.mechanisms:
            for r in ctx.risks.risks_of(m):
                yield x, m, r


def _special(x: Intervention, key: str) -> bool:
    """Whether MON009 or MON010 already hold the agent to this risk (serious infection, latent TB)."""
    return key in ("serious_infection", "latent_tb_reactivation") and _could(x, lambda m: _biologic(m) or m is Mechanism.JAK)


def _covers(rule: MonitoringRule, key: str, need: risks.Need) -> bool:
    return key in rule.risks and (need is not risks.Need.SCREEN or rule.timing is Timing.BEFORE_START)


def risk_not_covered(ctx: Context) -> Iterator[Hit]:
    """In a clinical study, a risk of an arm's agents that the risk table says needs a rule
    (or a before-start screening rule) is covered by no monitoring rule applying to that arm
    (``MonitoringRule.risks``). An error where the risk rests on label text; a warning, saying
    so, where it rests only on monographs or guidelines. Dual b/tsDMARD arms also need the
    rules the DBT seed asks for."""
    if not ctx.protocol.kind.clinical:
        return
    t = ctx.risks
    for i, arm in _arms(ctx):
        rules = ctx.rules_for(arm)
        needed: dict[tuple[str, risks.Need], list[tuple[Intervention, Mechanism, risks.Risk]]] = {}
        for x, m, r in _agent_risks(ctx, arm):
            if r.found and r.need in (risks.Need.RULE, risks.Need.SCREEN) and not _special(x, r.key):
                needed.setdefault((r.key, r.need), []).append((x, m, r))
        for (key, need), rows in needed.items():
            if any(_covers(rule, key, need) for rule in rules):
                continue
            ids = tuple(dict.fromkeys(s for _, _, r in rows for s in r.sources))
            agents = ", ".join(dict.fromkeys(f"{x.agent} ({m.value})" for x, m, _ in rows))
            found = hit(f"$.arms[{i}]", label(arm), risk=key, label=t.labels.get(key, key), agents=agents,
                        kind="a before-start rule" if need is risks.Need.SCREEN else "a rule",
                        basis=t.basis(ids), says="; ".join(dict.fromkeys(r.text for _, _, r in rows)),
                        source=t.cite(ids))
            yield found if t.on_label(ids) else evolve(found, severity=Severity.WARNING)
        if len(_dual(ctx, arm)) >= 2:
            for key in risks.COMBINATION_RISKS:
                if not any(key in rule.risks for rule in rules):
                    yield hit(f"$.arms[{i}]", label(arm), risk=key, label=t.labels.get(key, key),
                              agents="the combination", kind="a rule", basis="the study's source protocol",
                              says="rigorous monitoring of dual therapy", source=risks.COMBINATION_SOURCE)


_PROBE: float = 0.001  # how far past a label limit the probe value lies (a fraction of the limit)


def _probe(ctx: Context, limit: risks.Limit) -> dict[str, object] | None:
    """A record just past ``limit`` in the protocol's own units, or ``None`` if its items are not collected."""
    entry = ctx.items.get(limit.item)
    if entry is None:
        return None
    unit = entry[1].unit
    if limit.above_uln is not None:
        uln = f"{limit.item}_uln"
        if uln not in ctx.items:
            return None
        return {limit.item: limit.above_uln * (1 + _PROBE) * 100.0, uln: 100.0}
    value = limit.below * (1 - _PROBE) if limit.below is not None else limit.above * (1 + _PROBE)  # type: ignore[operator]
    if not isinstance(unit, str) or limit.unit is None or not units.convertible(limit.unit, unit):
        return None
    return {limit.item: value * units.factor(limit.unit, unit)}


def _can_fire(ctx: Context, rule: MonitoringRule, record: dict[str, object]) -> bool:
    """True when the rule fires on ``record``, or would for some value of its unknown coded,
    yes/no or text items (a selector such as the chosen agent's class, or a judgement); a rule
    that also needs another measurement (bilirubin for Hy's law) does not count."""
    unit_of = {n: u for n in rule.condition.refs() if isinstance(u := ctx.unit_of(n), str)}
    outcome = evaluate(rule.condition, record, unit_of)
    if outcome.value is not None:
        return truth(outcome.value) is True
    numeric = (DataType.INTEGER, DataType.DECIMAL)
    return not any((it := ctx.item(n)) is not None and it.type in numeric for n in outcome.missing)


def weaker_than_label(ctx: Context) -> Iterator[Hit]:
    """A label limit of an arm's agent (ANC below 500/mm3 → discontinue) is not matched: the
    arm's rules for that risk do not fire just past the limit with an action at least as strong.
    The check probes each rule with the reference evaluator at a value 0.1 % past the limit, in the
    item's own unit; a rule whose other items are unknown counts as able to fire."""
    if not ctx.protocol.kind.clinical:
        return
    t = ctx.risks
    for i, arm in _arms(ctx):
        seen: set[tuple[str, str]] = set()
        for x, m, r in _agent_risks(ctx, arm):
            rules = [rule for rule in ctx.rules_for(arm) if r.key in rule.risks]
            if not r.found or not rules:
                continue  # MON005 reports a risk with no rule
            for limit in r.limits:
                before = limit.action is Action.DO_NOT_START
                record = _probe(ctx, limit)
                if record is None or (m.value, limit.text) in seen:
                    continue
                seen.add((m.value, limit.text))
                firing = [rule for rule in rules if (rule.timing is Timing.BEFORE_START) == before
                          and _can_fire(ctx, rule, record)]
                strength = max((risks.STRENGTH[rule.action] for rule in firing), default=-1)
                if strength < risks.STRENGTH[limit.action]:
                    yield hit(f"$.arms[{i}]", label(arm), agent=x.agent, mechanism=m.value, limit=limit.text,
                              risk=r.key, row=f"{r.row}… ({t.classes[m].section})",
                              got=", ".join(f"'{rule.id}' ({rule.action.value})" for rule in firing) or "none",
                              source=t.cite(r.sources))


def _decided(ctx: Context, about: str, arm: Arm) -> bool:
    return any(d.about == about and (not d.arms or arm.id in d.arms) for d in ctx.protocol.risk_decisions)


def combination_warned(ctx: Context) -> Iterator[Hit]:
    """Two agents of an arm, or two of its allowed choices, form a combination the risk table
    warns against (a JAK inhibitor with a biologic, abatacept with a TNF inhibitor …), and the
    protocol records no decision about it (``risk_decisions``)."""
    if not ctx.protocol.kind.clinical:
        return
    t = ctx.risks
    for i, arm in _arms(ctx):
        for a, b in _pairs(ctx, arm):
            for w in t.warnings:
                if _decided(ctx, w.id, arm):
                    continue
                for x, y in ((a, b), (b, a)):
                    partners = [m.value for m in y[1].mechanisms if m in w.with_]
                    if w.agent in x[1].mechanisms and partners:
                        yield hit(f"$.arms[{i}].interventions[{y[0]}]", crumb(label(arm), label(y[1])),
                                  first=x[1].agent, second=y[1].agent, partners=", ".join(partners),
                                  agent=w.agent.value, warning=w.id, text=w.text, source=t.cite(w.sources))
                        break


def _excluded(ctx: Context, words: tuple[str, ...]) -> bool:
    for c in ctx.protocol.eligibility:
        if c.category is not Category.EXCLUSION:
            continue
        names = sorted(c.rule.refs()) if c.rule is not None else []
        labels = [entry[1].label for n in names if (entry := ctx.items.get(n)) is not None]
        text = " ".join((c.text, *names, *labels)).lower()
        if any(w.lower() in text for w in words):
            return True
    return False


def contraindication_not_excluded(ctx: Context) -> Iterator[Hit]:
    """An arm gives (or allows) an agent whose label contraindicates a condition (iguratimod in
    pregnancy, peptic ulcer or with warfarin; methotrexate in pregnancy), and no exclusion
    criterion names it, nor does the protocol record a decision about it."""
    if not ctx.protocol.kind.clinical:
        return
    t = ctx.risks
    for i, arm in _arms(ctx):
        for j, x in ctx.active(arm):
            for c in t.contraindications:
                if c.agent in x.mechanisms and not _excluded(ctx, c.words) and not _decided(ctx, c.id, arm):
                    yield hit(f"$.arms[{i}].interventions[{j}]", crumb(label(arm), label(x)), agent=x.agent,
                              condition=c.condition, id=c.id, source=t.cite(c.sources))


def decision_integrity(ctx: Context) -> Iterator[Hit]:
    """A risk decision names a warning or contraindication the risk table lacks, an arm the
    protocol lacks, or a reference key the protocol's references lack."""
    t = ctx.risks
    ids = {w.id for w in t.warnings} | {c.id for c in t.contraindications}
    arm_ids = {a.id for a in ctx.protocol.arms}
    keys = {r.key for r in ctx.protocol.references}
    for i, d in enumerate(ctx.protocol.risk_decisions):
        where = f"decision '{d.about}'"
        if d.about not in ids:
            close = difflib.get_close_matches(d.about, sorted(ids), n=1)
            yield hit(f"$.risk_decisions[{i}].about", where, problem=f"'{d.about}' is not a warning or "
                      "contraindication of the risk table",
                      todo=f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(sorted(ids))}")
        for k, a in enumerate(d.arms):
            if a not in arm_ids:
                yield hit(f"$.risk_decisions[{i}].arms[{k}]", where, problem=f"arm '{a}' does not exist",
                          todo=f"use one of {', '.join(sorted(arm_ids)) or 'no arms defined'}")
        if d.source is not None and d.source not in keys:
            yield hit(f"$.risk_decisions[{i}].source", where, problem=f"reference '{d.source}' is not in references",
                      todo="add the reference or cite one of " + (", ".join(sorted(keys)) or "none"))


def watch_points(ctx: Context) -> Iterator[Hit]:
    """The risk table lists clinical watch points for an arm's agent (heart failure,
    demyelination, infusion reactions …) that no monitoring rule names: they should be stated
    in the protocol's safety section; listed so that none is silently left out."""
    if not ctx.protocol.kind.clinical:
        return
    for i, arm in _arms(ctx):
        named = {k for rule in ctx.rules_for(arm) for k in rule.risks}
        points = {r.key: ctx.risks.labels.get(r.key, r.key) for _, _, r in _agent_risks(ctx, arm)
                  if r.found and r.need is risks.Need.WATCH and r.key not in named}
        if points:
            yield hit(f"$.arms[{i}]", label(arm), points=", ".join(sorted(points.values())))


def not_collected(ctx: Context) -> Iterator[Hit]:
    """A rule reads an item that is never collected when the rule applies: before start
    at a screening/baseline visit, on treatment at a later visit."""
    for i, rule in enumerate(ctx.protocol.monitoring):
        before = rule.timing is Timing.BEFORE_START
        when = ctx.pre_treatment_forms if before else ctx.on_treatment_forms
        for name in sorted(rule.condition.refs()):
            forms, _ = ctx.needs(name)
            missing = sorted(forms - when)
            if forms and missing:
                yield hit(f"$.monitoring[{i}].condition", label(rule), item=name, forms=", ".join(missing),
                          phase="a screening/baseline visit" if before else "any on-treatment visit")


_BEFORE_ACTIONS = frozenset({Action.DO_NOT_START, Action.REPEAT_TEST, Action.NOTIFY})


def action_mismatch(ctx: Context) -> Iterator[Hit]:
    """A rule's action does not fit its timing or the kind of study: 'do not start' on
    treatment, stopping treatment before it starts, or euthanasia in a clinical study."""
    clinical = ctx.protocol.kind.clinical
    for i, rule in enumerate(ctx.protocol.monitoring):
        before = rule.timing is Timing.BEFORE_START
        if before and rule.action not in _BEFORE_ACTIONS:
            problem = f"'{rule.action.value}' cannot apply before treatment starts"
        elif not before and rule.action is Action.DO_NOT_START:
            problem = "'do not start' cannot apply on treatment"
        elif clinical and rule.action is Action.EUTHANISE:
            problem = "a humane endpoint (euthanasia) is an animal-study action"
        else:
            continue
        yield hit(f"$.monitoring[{i}].action", label(rule), problem=problem, timing=rule.timing.value)


def rule_integrity(ctx: Context) -> Iterator[Hit]:
    """Rule ids are unique, a rule's arms exist, and its risks are keys of the risk table."""
    seen: set[str] = set()
    arm_ids = {a.id for a in ctx.protocol.arms}
    for i, rule in enumerate(ctx.protocol.monitoring):
        where = label(rule)
        if rule.id in seen:
            yield hit(f"$.monitoring[{i}].id", where, problem=f"id '{rule.id}' is used twice",
                      todo="give each rule its own id")
        seen.add(rule.id)
        for k, arm in enumerate(rule.arms):
            if arm not in arm_ids:
                yield hit(f"$.monitoring[{i}].arms[{k}]", where, problem=f"arm '{arm}' does not exist",
                          todo=f"use one of {', '.join(sorted(arm_ids)) or 'no arms defined'}")
        for k, risk in enumerate(rule.risks):
            if risk not in ctx.risks.labels:
                close = difflib.get_close_matches(risk, list(ctx.risks.labels), n=1)
                yield hit(f"$.monitoring[{i}].risks[{k}]", where, problem=f"risk '{risk}' is not a known risk key",
                          todo=f"did you mean '{close[0]}'?" if close else
                          f"use one of {', '.join(ctx.risks.labels)}")


def unknown_item(ctx: Context) -> Iterator[Hit]:
    """A condition names an item that is neither in the data dictionary nor a derivation, or
    counts something that is not a repeating form (:mod:`planner.checks.names`)."""
    for n in ctx.names_at("$.monitoring["):
        index = int(n.path.split("[")[1].split("]")[0])
        yield hit(n.path, label(ctx.protocol.monitoring[index]), problem=n.problem, todo=n.todo)


def _biologic_or_jak(ctx: Context) -> Iterator[tuple[int, Arm, Intervention]]:
    if not ctx.protocol.kind.clinical:
        return
    for i, arm in _arms(ctx):
        agent = next((x for _, x in ctx.active(arm) if _could(x, lambda m: _biologic(m) or m is Mechanism.JAK)),
                     None)
        if agent is not None:
            yield i, arm, agent


def no_infection_hold(ctx: Context) -> Iterator[Hit]:
    """A clinical arm gives a biologic or JAK inhibitor, but no rule for it holds or
    interrupts therapy at signs of serious infection (risk ``serious_infection``)."""
    for i, arm, agent in _biologic_or_jak(ctx):
        if not any("serious_infection" in r.risks and r.action in (Action.HOLD, Action.INTERRUPT)
                   for r in ctx.rules_for(arm)):
            yield hit(f"$.arms[{i}]", label(arm), agent=agent.agent, source=risks.SERIOUS_INFECTION_HOLD_SOURCE)


def no_tb_screening(ctx: Context) -> Iterator[Hit]:
    """A clinical arm gives a biologic or JAK inhibitor, but no before-start rule screens
    for latent tuberculosis (risk ``latent_tb_reactivation``)."""
    for i, arm, agent in _biologic_or_jak(ctx):
        if not any("latent_tb_reactivation" in r.risks and r.timing is Timing.BEFORE_START
                   for r in ctx.rules_for(arm)):
            yield hit(f"$.arms[{i}]", label(arm), agent=agent.agent, source=risks.LATENT_TB_SOURCE)


_PREGNANCY_WORDS = ("pregnan", "contracept", "childbearing", "lactat", "breastfeed")


def _mentions_pregnancy(ctx: Context) -> bool:
    for c in ctx.protocol.eligibility:
        names = c.rule.refs() if c.rule is not None else frozenset()
        labels = [ctx.item(n).label if ctx.item(n) is not None else "" for n in names]  # type: ignore[union-attr]
        if any(w in t.lower() for t in (c.text, *names, *labels) for w in _PREGNANCY_WORDS):
            return True
    return any("pregnancy" in r.risks for r in ctx.protocol.monitoring)


def no_pregnancy_measure(ctx: Context) -> Iterator[Hit]:
    """A clinical arm's agent carries a pregnancy risk in the risk table (contraindicated, or
    contraception needed), but no criterion excludes pregnancy or requires contraception, and no
    rule covers risk ``pregnancy``. The finding says how long after the last dose the source
    asks for contraception, where it says."""
    if not ctx.protocol.kind.clinical or _mentions_pregnancy(ctx):
        return
    for i, arm in _arms(ctx):
        for j, x in ctx.active(arm):
            rows = [r for m in x.mechanisms for r in ctx.risks.risks_of(m)
                    if r.key == "pregnancy" and r.need is risks.Need.EXCLUDE and r.found]
            if rows:
                ids = tuple(dict.fromkeys(s for r in rows for s in r.sources))
                after = "; ".join(dict.fromkeys(r.after_last_dose for r in rows if r.after_last_dose))
                yield hit(f"$.arms[{i}].interventions[{j}]", crumb(label(arm), label(x)), agent=x.agent,
                          says="; ".join(r.text for r in rows),
                          duration=f", for {after} after the last dose" if after else "",
                          source=ctx.risks.cite(ids))


def condition_mismatch(ctx: Context) -> Iterator[Hit]:
    """A rule's condition compares values of different types, in different units, or
    with a code its codelist lacks."""
    for i, rule in enumerate(ctx.protocol.monitoring):
        for issue in problems(ctx, rule.condition):
            if issue.problem is not Problem.UNIT_TBC:
                yield hit(f"$.monitoring[{i}].condition", label(rule), what=issue.what, todo=issue.todo)


def to_confirm(ctx: Context) -> Iterator[Hit]:
    """A monitoring value is "to be confirmed" (e.g. how often a rule is checked), or a
    threshold is compared with an item whose unit is to be confirmed."""
    for pend in ctx.pending:
        if pend.path.startswith("$.monitoring"):
            yield hit(pend.path, pend.where, what=pend.field, reason=pend.reason)
    for i, rule in enumerate(ctx.protocol.monitoring):
        for issue in problems(ctx, rule.condition):
            if issue.problem is Problem.UNIT_TBC:
                yield hit(f"$.monitoring[{i}].condition", label(rule), what=f"unit of '{issue.item}'",
                          reason=issue.what)


def unverified_class(ctx: Context) -> Iterator[Hit]:
    """An arm gives an agent of a class for which the risk table records points its sources did
    not find (NOT FOUND): those risks stay unverified, so the monitoring was checked only as far
    as the sources go (clinical studies)."""
    if not ctx.protocol.kind.clinical:
        return
    seen: set[Mechanism] = set()
    for i, arm in _arms(ctx):
        for j, x in ctx.active(arm):
            for m in x.mechanisms:
                missing = [ctx.risks.labels.get(r.key, r.key) for r in ctx.risks.risks_of(m) if not r.found]
                if m in seen or not missing:
                    continue
                seen.add(m)
                yield hit(f"$.arms[{i}].interventions[{j}]", crumb(label(arm), label(x)), mechanism=m.value,
                          points=", ".join(missing), section=ctx.risks.classes[m].section)


def unknown_agent_unmonitored(ctx: Context) -> Iterator[Hit]:
    """An arm gives an agent whose risks the risk table cannot know (mechanism 'other', or a class
    the table lacks) and no monitoring rule applies to the arm: a new drug would pass silently."""
    for i, arm in _arms(ctx):
        if ctx.rules_for(arm):
            continue
        for j, x in ctx.active(arm):
            unknown = [m.value for m in x.mechanisms if m not in ctx.risks.classes]
            if unknown:
                yield hit(f"$.arms[{i}].interventions[{j}]", crumb(label(arm), label(x)), agent=x.agent,
                          mechanism=", ".join(unknown))


def _grading_problems(ctx: Context, g: CtcaeGrading) -> Iterator[tuple[str, str, str]]:
    """``(field, problem, what to do)`` for a CTCAE grading the data cannot feed."""
    item, want = ctx.item(g.item), ctcae.term_unit(g.term)
    if item is None:
        close = difflib.get_close_matches(g.item, list(ctx.items), n=1)
        yield "item", f"item '{g.item}' is not in the data dictionary", \
            f"did you mean '{close[0]}'?" if close else "name the item whose value is graded"
        return
    unit = item.unit
    if unit is None:
        yield "item", f"item '{g.item}' has no unit", f"state its unit ({want} or one that converts to it)"
    elif not isinstance(unit, str) or unit == want:
        return  # a unit to be confirmed is reported by DES013
    elif want != "xULN" and not units.convertible(unit, want):
        yield "item", f"item '{g.item}' is in {unit}, which does not convert to {want}", \
            f"grade an item measured in {want} or a unit that converts to it"
    elif want == "xULN" and g.uln_item is None:
        yield "uln_item", f"the term is graded in multiples of ULN and '{g.item}' is in {unit}", \
            "name the item holding the upper limit of normal in 'uln_item'"
    elif want == "xULN" and g.uln_item is not None:
        uln = ctx.item(g.uln_item)
        if uln is None:
            yield "uln_item", f"item '{g.uln_item}' is not in the data dictionary", \
                "name the item holding the upper limit of normal"
        elif isinstance(uln.unit, str) and not units.convertible(uln.unit, unit):
            yield "uln_item", f"'{g.uln_item}' is in {uln.unit}, which does not convert to {unit} ('{g.item}')", \
                f"give the upper limit of normal in the unit of '{g.item}'"


def ctcae_not_gradable(ctx: Context) -> Iterator[Hit]:
    """A rule's CTCAE term cannot be graded from the data: the graded item is not in the
    data dictionary or has no unit, its unit does not convert to the term's unit, or a term
    graded in multiples of ULN has no ULN item (unless the item is itself in xULN)."""
    for i, rule in enumerate(ctx.protocol.monitoring):
        for k, g in enumerate(rule.ctcae):
            for name, problem, todo in _grading_problems(ctx, g):
                yield hit(f"$.monitoring[{i}].ctcae[{k}].{name}", label(rule), term=g.term.value, problem=problem,
                          todo=todo)


CHECKS: tuple[Check, ...] = (
    Check(_M, "MON001", Severity.ERROR, "two agents of one class",
          "'{first}' and '{second}' are both {mechanism}; combine agents of different mechanism classes",
          "Two agents of one class add risk without a second mechanism (Smolecule 2026, dual biologic therapy "
          "protocol: complementary mechanisms).",
          same_class),
    Check(_M, "MON002", Severity.WARNING, "agents may be of one class",
          "'{first}' and '{second}' could both be {mechanism}; restrict their mechanism options so they differ",
          "When the investigator chooses the agents, the protocol must rule out a same-class pair.",
          possibly_same_class),
    Check(_M, "MON003", Severity.ERROR, "dual therapy not complementary",
          "'{first}' and '{second}' ({mechanisms}) are not a complementary pair; choose TNF with IL-17/IL-23, or "
          "a biologic with a JAK or PDE4 inhibitor", f"Source: {risks.COMPLEMENTARY_SOURCE}.", not_complementary),
    Check(_M, "MON004", Severity.ERROR, "infection-risk warning missing",
          "'{first}' with '{second}' carries a higher serious-infection risk, but the arm's safety_notes do not "
          "say so; add a note on the infection risk", "Source: {source}.", infection_note_missing),
    Check(_M, "MON005", Severity.ERROR, "risk not monitored",
          "risk '{risk}' ({label}) of {agents} is covered by no monitoring rule for this arm; add {kind} with "
          "'risks: [{risk}]' (the source rests on {basis})",
          "The source says: {says}. Source: {source}.", risk_not_covered),
    Check(_M, "MON006", Severity.ERROR, "monitored item not collected",
          "the condition reads '{item}', but form(s) {forms} are not collected at {phase}; schedule the form",
          "A rule can only fire on data collected while it applies.", not_collected),
    Check(_M, "MON007", Severity.ERROR, "action does not fit",
          "{problem} (timing: {timing}); choose an action that fits when the rule applies",
          "Before start: do not start, repeat test or notify; on treatment: hold, interrupt, reduce, "
          "discontinue or notify.", action_mismatch),
    Check(_M, "MON008", Severity.ERROR, "rule reference broken", "{problem}; {todo}",
          "Rules name existing arms and the risk keys of the risk table (docs/risk-table.md), and have unique ids.", rule_integrity),
    Check(_M, "MON009", Severity.ERROR, "no hold for serious infection",
          "'{agent}' is a biologic or JAK inhibitor, but no rule for this arm holds or interrupts therapy at "
          "signs of serious infection; add a rule with action hold/interrupt and risks [serious_infection]",
          "Source: {source}.", no_infection_hold),
    Check(_M, "MON010", Severity.ERROR, "no latent TB screening",
          "'{agent}' is a biologic or JAK inhibitor, but no before-start rule screens for latent TB; add one with "
          "risks [latent_tb_reactivation]", "Source: {source}.", no_tb_screening),
    Check(_M, "MON011", Severity.ERROR, "no pregnancy measure",
          "'{agent}' requires excluding pregnancy or contraception{duration}, but no criterion excludes pregnancy "
          "or requires contraception; add an exclusion or contraception criterion",
          "The source says: {says}. Source: {source}.", no_pregnancy_measure),
    Check(_M, "MON012", Severity.ERROR, "condition mismatch", "{what}; {todo}",
          "Monitoring thresholds are written in the item's unit and type (e.g. CTCAE values converted).",
          condition_mismatch),
    Check(_M, "MON013", Severity.WARNING, "monitoring value to be confirmed",
          "{what} is to be confirmed: {reason}; confirm it before the study starts",
          "An unconfirmed value is shown plainly, never guessed.", to_confirm),
    Check(_M, "MON014", Severity.INFO, "risks of class not verified",
          "for {mechanism}, the risk table's sources did not find: {points}; these stay unverified, so check "
          "the product label and add what it asks for",
          "Section '{section}' of the risk table (docs/risk-table.md); a point not found is never filled in "
          "from memory.", unverified_class),
    Check(_M, "MON015", Severity.ERROR, "CTCAE term not gradable",
          "CTCAE term '{term}': {problem}; {todo}",
          "A firing reports the CTCAE v5.0 grade computed from the observed value of the graded item, in the "
          "term's unit (/mm3, g/dL, or multiples of ULN), with the CTCAE v5.0 grade bands.", ctcae_not_gradable),
    Check(_M, "MON016", Severity.ERROR, "unknown item", "{problem}; {todo}",
          "A safety rule that reads an undefined name can never fire: every name must be an item (or a "
          "derivation id) of the data dictionary, and count() counts the records of a repeating form.",
          unknown_item),
    Check(_M, "MON017", Severity.WARNING, "agent of unknown risks unmonitored",
          "the risks of {agent} (mechanism {mechanism}) are not in the risk table, and no monitoring rule applies "
          "to this arm; add the rules its label or investigator's brochure gives, with their source",
          "A new agent's risks cannot be checked against the table, so at least its own monitoring must be "
          "stated; the checks then hold those rules to the schedule and the CRF like any other.",
          unknown_agent_unmonitored),
    Check(_M, "MON018", Severity.WARNING, "rule weaker than the label",
          "the label of {agent} ({mechanism}) says {limit}, but the arm's rules for '{risk}' do not fire there "
          "with an action as strong (firing: {got}); add or tighten a rule",
          "Label row: {row}. Source: {source}.", weaker_than_label),
    Check(_M, "MON019", Severity.ERROR, "combination warned against",
          "'{first}' with '{second}' ({partners}) is a combination the label warns against: {text}; drop it from "
          "the arm's choices, or record the decision and its reason in risk_decisions (about: {warning})",
          "Source: {source}.", combination_warned),
    Check(_M, "MON020", Severity.ERROR, "contraindication not excluded",
          "'{agent}' is contraindicated in {condition}, but no exclusion criterion names it; add the exclusion, "
          "or record the decision and its reason in risk_decisions (about: {id})",
          "Source: {source}.", contraindication_not_excluded),
    Check(_M, "MON021", Severity.ERROR, "risk decision reference broken", "{problem}; {todo}",
          "A decision names a warning or contraindication id of the risk table (docs/risk-table.md), existing "
          "arms and a reference key.", decision_integrity),
    Check(_M, "MON022", Severity.INFO, "label watch points",
          "the labels of this arm's agents ask for clinical watch of: {points}; state in the safety section how "
          "each is watched for, or add a rule naming it",
          "Watch points are risks with no computable threshold in the sources (docs/risk-table.md).",
          watch_points),
)
