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

from planner import ctcae, units
from planner.checks import risks
from planner.checks.context import Context, crumb, label
from planner.checks.engine import Area, Check, Hit, Severity, hit
from planner.checks.exprs import Problem, problems
from planner.model import MODALITY, Action, Arm, CtcaeGrading, Intervention, Mechanism, Modality, Role, Timing

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


def _needed_risks(ctx: Context, arm: Arm) -> dict[str, tuple[str, str]]:
    """``{risk: (agents, source)}`` for the arm's agents and, for dual therapy, the combination."""
    out: dict[str, tuple[str, str]] = {}
    for _, x in ctx.active(arm):
        for m in x.mechanisms:
            for risk in ctx.risks.get(m, risks.ClassRisks(risks.Status.UNVERIFIED, (), "")).risks:
                out.setdefault(risk.key, (x.agent, risk.source))
    if len(_dual(ctx, arm)) >= 2:
        for risk in risks.COMBINATION_RISKS:
            out.setdefault(risk.key, ("the combination", risk.source))
    out.pop("pregnancy", None)  # covered by eligibility or contraception, see MON011
    return out


def risk_not_covered(ctx: Context) -> Iterator[Hit]:
    """In a clinical study, a risk of an arm's agents (from the risk table) is not covered
    by any monitoring rule applying to that arm (``MonitoringRule.risks``)."""
    if not ctx.protocol.kind.clinical:
        return
    for i, arm in _arms(ctx):
        covered = {k for r in ctx.rules_for(arm) for k in r.risks}
        for key, (agent, source) in _needed_risks(ctx, arm).items():
            if key not in covered:
                yield hit(f"$.arms[{i}]", label(arm), risk=key, label=risks.RISK_LABELS.get(key, key), agent=agent,
                          source=source)


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
            if risk not in risks.RISK_LABELS:
                yield hit(f"$.monitoring[{i}].risks[{k}]", where, problem=f"risk '{risk}' is not a known risk key",
                          todo=f"use one of {', '.join(risks.RISK_LABELS)}")


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
    """A clinical arm's agent carries a pregnancy risk in the risk table, but no criterion
    excludes pregnancy or requires contraception, and no rule covers risk ``pregnancy``."""
    if not ctx.protocol.kind.clinical or _mentions_pregnancy(ctx):
        return
    for i, arm in _arms(ctx):
        for j, x in ctx.active(arm):
            source = next((r.source for m in x.mechanisms for r in ctx.risks.get(
                m, risks.ClassRisks(risks.Status.UNVERIFIED, (), "")).risks if r.key == "pregnancy"), None)
            if source is not None:
                yield hit(f"$.arms[{i}].interventions[{j}]", crumb(label(arm), label(x)), agent=x.agent,
                          source=source)


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
    """An arm gives an agent whose class has no, or only partly, sourced risks in the risk
    table, so its monitoring was checked only as far as the sources go (clinical studies)."""
    if not ctx.protocol.kind.clinical:
        return
    seen: set[Mechanism] = set()
    for i, arm in _arms(ctx):
        for j, x in ctx.active(arm):
            for m in x.mechanisms:
                entry = ctx.risks.get(m)
                if entry is None or entry.status is risks.Status.VERIFIED or m in seen:
                    continue
                seen.add(m)
                yield hit(f"$.arms[{i}].interventions[{j}]", crumb(label(arm), label(x)), mechanism=m.value,
                          status=entry.status.value, note=entry.note)


def unknown_agent_unmonitored(ctx: Context) -> Iterator[Hit]:
    """An arm gives an agent whose risks the risk table cannot know (mechanism 'other', or a class
    the table lacks) and no monitoring rule applies to the arm: a new drug would pass silently."""
    for i, arm in _arms(ctx):
        if ctx.rules_for(arm):
            continue
        for j, x in ctx.active(arm):
            unknown = [m.value for m in x.mechanisms if m not in ctx.risks]
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
          "Two agents of one class add risk without a second mechanism (seed 002: complementary mechanisms).",
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
          "risk '{risk}' ({label}) of {agent} is covered by no monitoring rule for this arm; add a rule with "
          "'risks: [{risk}]'", "Source: {source}.", risk_not_covered),
    Check(_M, "MON006", Severity.ERROR, "monitored item not collected",
          "the condition reads '{item}', but form(s) {forms} are not collected at {phase}; schedule the form",
          "A rule can only fire on data collected while it applies.", not_collected),
    Check(_M, "MON007", Severity.ERROR, "action does not fit",
          "{problem} (timing: {timing}); choose an action that fits when the rule applies",
          "Before start: do not start, repeat test or notify; on treatment: hold, interrupt, reduce, "
          "discontinue or notify.", action_mismatch),
    Check(_M, "MON008", Severity.ERROR, "rule reference broken", "{problem}; {todo}",
          "Rules name existing arms and risk keys of planner.checks.risks, and have unique ids.", rule_integrity),
    Check(_M, "MON009", Severity.ERROR, "no hold for serious infection",
          "'{agent}' is a biologic or JAK inhibitor, but no rule for this arm holds or interrupts therapy at "
          "signs of serious infection; add a rule with action hold/interrupt and risks [serious_infection]",
          "Source: {source}.", no_infection_hold),
    Check(_M, "MON010", Severity.ERROR, "no latent TB screening",
          "'{agent}' is a biologic or JAK inhibitor, but no before-start rule screens for latent TB; add one with "
          "risks [latent_tb_reactivation]", "Source: {source}.", no_tb_screening),
    Check(_M, "MON011", Severity.ERROR, "no pregnancy measure",
          "'{agent}' requires excluding pregnancy, but no criterion excludes it or requires contraception; add "
          "an exclusion or contraception criterion", "Source: {source}.", no_pregnancy_measure),
    Check(_M, "MON012", Severity.ERROR, "condition mismatch", "{what}; {todo}",
          "Monitoring thresholds are written in the item's unit and type (e.g. CTCAE values converted).",
          condition_mismatch),
    Check(_M, "MON013", Severity.WARNING, "monitoring value to be confirmed",
          "{what} is to be confirmed: {reason}; confirm it before the study starts",
          "An unconfirmed value is shown plainly, never guessed.", to_confirm),
    Check(_M, "MON014", Severity.INFO, "risks of class not verified",
          "the risks of {mechanism} are {status} in the risk table, so its monitoring was checked only as far "
          "as REFERENCE.md goes; check the product label",
          "The risk table (planner/checks/risks.py) says: {note}", unverified_class),
    Check(_M, "MON015", Severity.ERROR, "CTCAE term not gradable",
          "CTCAE term '{term}': {problem}; {todo}",
          "A firing reports the CTCAE v5.0 grade computed from the observed value of the graded item, in the "
          "term's unit (/mm3, g/dL, or multiples of ULN); see planner/ctcae.py.", ctcae_not_gradable),
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
)
