"""The protocol as USDM 4.0 objects (:mod:`exports.usdm.model`): study, version, design, schedule, criteria.

Values the sources do not give stay visible: a required USDM text the protocol
lacks says ``TO BE CONFIRMED: reason``, and a fact USDM has no attribute for
(an arm's planned size, a window to be confirmed) is a note on its object.
Texts USDM reads as XHTML (criteria, objectives, endpoints) are escaped.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Iterator

from exports.usdm import codes
from exports.usdm import model as m
from planner.cleantext import encodable, xml_chars
from planner.expr.text import to_text
from planner.model import Protocol
from planner.model.design import MODALITY, Arm, Frequency, Intervention, Modality, Role, Route
from planner.model.population import Sex, StudyKind
from planner.model.rules import Criterion
from planner.model.schedule import EpochType, Visit
from planner.model.values import TBC, Quantity, Range, show

USDM_VERSION = "4.0.0"
RULE_URL = "urn:protocol-planner:usdm:eligibility-rule"
"""The extension attribute carrying a criterion's computable rule, in the planner's rule syntax."""


def plain(text: str) -> str:
    """Text any JSON file can hold as UTF-8 (lone surrogates become U+FFFD; JSON escapes the rest)."""
    return encodable(text)


def xhtml(text: str) -> str:
    """Text for an attribute USDM reads as an XHTML fragment: markup characters escaped, XML-forbidden ones replaced."""
    return html.escape(xml_chars(text), quote=False)


def required(value: str | TBC | None, what: str) -> str:
    """A text USDM requires: the value, or a plain "TO BE CONFIRMED" saying why."""
    if isinstance(value, str) and value.strip():
        return plain(value)
    if isinstance(value, TBC):
        return plain(show(value))
    return f"TO BE CONFIRMED: the protocol does not state {what}"


class Ids:
    """USDM ids: ``Class_<our id>`` for named objects, ``Class_<n>`` for the rest; unique in the file."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.taken: set[str] = set()

    def __call__(self, klass: str, key: str | None = None) -> str:
        if key is None:
            self.counts[klass] = self.counts.get(klass, 0) + 1
            candidate = f"{klass}_{self.counts[klass]}"
        else:
            candidate = f"{klass}_{key}"
        base, n = candidate, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{base}~{n}"
        self.taken.add(candidate)
        return candidate


class Builder:
    """One protocol's USDM objects; :meth:`wrapper` gives the whole document."""

    def __init__(self, protocol: Protocol) -> None:
        self.p = protocol
        self.id = Ids()

    # -- small values ----------------------------------------------------------------------

    def code(self, concept: str) -> m.Code:
        return m.Code(self.id("Code"), concept, codes.CODE_SYSTEM, codes.CT_VERSION, codes.DECODE[concept])

    def alias(self, concept: str) -> m.AliasCode:
        return m.AliasCode(self.id("AliasCode"), self.code(concept))

    def note(self, text: str) -> m.CommentAnnotation:
        return m.CommentAnnotation(self.id("CommentAnnotation"), plain(text))

    def unit(self, unit: str) -> m.AliasCode | None:
        found = codes.UNIT.get(unit)
        if found is None:
            return None
        concept, decode = found
        return m.AliasCode(self.id("AliasCode"), m.Code(self.id("Code"), concept, codes.CODE_SYSTEM, codes.CT_VERSION,
                                                         decode))

    def quantity(self, q: Quantity) -> m.Quantity | None:
        """A USDM quantity, or ``None`` when our unit has no CDISC code (the caller writes it as text)."""
        if q.unit == "1":
            return m.Quantity(self.id("Quantity"), float(q.value))
        unit = self.unit(q.unit)
        return None if unit is None else m.Quantity(self.id("Quantity"), float(q.value), unit)

    # -- the document ----------------------------------------------------------------------

    def wrapper(self) -> m.Wrapper:
        p = self.p
        study = m.Study(name=plain(p.id), label=plain(p.short_title), description=plain(p.title),
                        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:protocol-planner:{p.id}:{p.version}")),
                        versions=[self.version()])
        return m.Wrapper(study, USDM_VERSION, "protocol-planner", None)

    def version(self) -> m.StudyVersion:
        p = self.p
        sponsor = m.Organization(
            self.id("Organization", "sponsor"), required(p.sponsor, "the sponsor"), self.code(codes.ORGANISATION_UNKNOWN_TYPE),
            identifier_scheme="TO BE CONFIRMED: the protocol gives no sponsor identifier scheme",
            identifier="TO BE CONFIRMED: the protocol gives no sponsor identifier",
            label="Sponsor (organisation type to be confirmed: USDM requires one, the protocol does not state it)")
        version_id = self.id("StudyVersion")
        roles = [m.StudyRole(self.id("StudyRole", "sponsor"), "Sponsor", self.code(codes.SPONSOR_ROLE),
                             applies_to_ids=[version_id], organization_ids=[sponsor.id]),
                 m.StudyRole(self.id("StudyRole", "investigator"), "Investigator", self.code(codes.INVESTIGATOR_ROLE),
                             applies_to_ids=[version_id], description=plain(p.investigator if isinstance(p.investigator, str)
                                               else show(p.investigator)))]
        identifier = m.StudyIdentifier(self.id("StudyIdentifier"), plain(p.id), sponsor.id)
        titles = [m.StudyTitle(self.id("StudyTitle"), plain(p.title), self.code(codes.TITLE_OFFICIAL)),
                  m.StudyTitle(self.id("StudyTitle"), plain(p.short_title), self.code(codes.TITLE_BRIEF))]
        items = self.criterion_items()
        interventions = list(self.interventions())
        notes = [self.note(f"Status: {p.status.value}; protocol date {p.date.isoformat()}")]
        notes += [self.note(f"Reference [{r.key}]: {r.citation}" + (f" doi:{r.doi}" if r.doi else "")
                            + (f" PMID {r.pmid}" if r.pmid else "")) for r in p.references]
        return m.StudyVersion(
            version_id, plain(p.version), plain(p.rationale), titles, [identifier],
            organizations=[sponsor], roles=roles, study_designs=[self.design(items, interventions)],
            eligibility_criterion_items=list(items.values()), study_interventions=list({id(i): i for _, _, i in interventions}.values()),
            notes=notes)

    # -- design ----------------------------------------------------------------------------

    def design(self, items: dict[str, m.EligibilityCriterionItem],
               interventions: list[tuple[Arm, Intervention, m.StudyIntervention]]
               ) -> m.InterventionalStudyDesign | m.ObservationalStudyDesign:
        p = self.p
        arms = [self.arm(a) for a in p.arms]
        epochs = self.epochs()
        elements, cells = self.cells(arms, epochs, interventions)
        encounters, timeline = self.schedule(epochs)
        criteria = self.criteria(items)
        population = self.population([c.id for c in criteria])
        common = dict(
            description=plain(p.design), arms=[a for _, a in arms], epochs=[e for _, e in epochs],
            study_cells=cells, elements=elements, encounters=encounters, activities=self.activities(),
            schedule_timelines=[timeline], objectives=self.objectives(), eligibility_criteria=criteria,
            study_intervention_ids=list(dict.fromkeys(i.id for _, _, i in interventions)), notes=self.design_notes())
        name = plain(f"{p.short_title} design")
        if p.kind is StudyKind.CLINICAL_OBSERVATIONAL:
            several = sum(1 for v in p.schedule.visits) > 1
            return m.ObservationalStudyDesign(
                self.id("StudyDesign"), name, plain(p.rationale), self.code(codes.COHORT),
                self.code(codes.LONGITUDINAL if several else codes.CROSS_SECTIONAL), population,
                study_type=self.code(codes.OBSERVATIONAL), **common)  # type: ignore[arg-type]
        blinding = None
        if p.blinding is not None and not isinstance(p.blinding.masking, TBC):
            blinding = self.alias(codes.BLINDING[p.blinding.masking])
        return m.InterventionalStudyDesign(
            self.id("StudyDesign"), name, plain(p.rationale),
            self.code(codes.PARALLEL if len(p.arms) > 1 else codes.SINGLE_GROUP), population,
            study_type=self.code(codes.INTERVENTIONAL),
            study_phase=self.alias(codes.PHASE_NOT_APPLICABLE) if p.kind is StudyKind.PRECLINICAL else None,
            blinding_schema=blinding, **common)  # type: ignore[arg-type]

    def design_notes(self) -> list[m.CommentAnnotation]:
        p = self.p
        notes = [self.note(f"Study kind: {p.kind.value}")]
        if p.blinding is not None:
            notes.append(self.note(f"Blinding: {show(p.blinding.masking)}; {show(p.blinding.description)}"))
        if p.randomisation is not None:
            notes.append(self.note(f"Randomisation: {show(p.randomisation.method)}; {p.randomisation.description}"))
        if p.sample_size is not None:
            notes.append(self.note(f"Sample size: {show(p.sample_size.target)}; {show(p.sample_size.justification)}"))
        return notes

    def arm(self, a: Arm) -> tuple[Arm, m.StudyArm]:
        notes = [self.note(f"Planned size: {show(a.planned_size)}")] if a.planned_size is not None else []
        notes += [self.note(f"Safety note: {s}") for s in a.safety_notes]
        if a.allocation_ratio != 1:
            notes.append(self.note(f"Allocation ratio: {a.allocation_ratio}"))
        # names are the protocol's ids (unique, as USDM requires); the people's names are labels
        return a, m.StudyArm(self.id("StudyArm", a.id), plain(a.id), self.code(codes.ARM[a.type]),
                             "Data collected in this study", self.code(codes.DATA_FROM_STUDY),
                             description=plain(a.description), label=plain(a.name), notes=notes)

    def epochs(self) -> list[tuple[EpochType, m.StudyEpoch]]:
        eps = self.p.schedule.epochs
        ids = [self.id("StudyEpoch", e.id) for e in eps]
        return [(e.type, m.StudyEpoch(ids[i], plain(e.id), self.code(codes.EPOCH[e.type]),
                                      description=plain(f"{e.name} ({e.type.value})"), label=plain(e.name),
                                      previous_id=ids[i - 1] if i else None,
                                      next_id=ids[i + 1] if i + 1 < len(ids) else None))
                for i, e in enumerate(eps)]

    def cells(self, arms: list[tuple[Arm, m.StudyArm]], epochs: list[tuple[EpochType, m.StudyEpoch]],
              interventions: list[tuple[Arm, Intervention, m.StudyIntervention]]
              ) -> tuple[list[m.StudyElement], list[m.StudyCell]]:
        """One element and one cell per arm and epoch; an element names the interventions given in it.

        The model does not say in which epoch each intervention is given: disease-model induction agents
        are placed in induction epochs, every other intervention in treatment epochs, none elsewhere.
        """
        elements: list[m.StudyElement] = []
        cells: list[m.StudyCell] = []
        for arm, usdm_arm in arms:
            for kind, epoch in epochs:
                given = [si.id for a, i, si in interventions if a is arm and (
                    (kind is EpochType.INDUCTION and i.role is Role.MODEL_INDUCTION)
                    or (kind is EpochType.TREATMENT and i.role is not Role.MODEL_INDUCTION))]
                element = m.StudyElement(self.id("StudyElement"), plain(f"{arm.id}.{epoch.name}"),
                                         label=plain(f"{arm.name} — {epoch.label}"), study_intervention_ids=given)
                elements.append(element)
                cells.append(m.StudyCell(self.id("StudyCell"), usdm_arm.id, epoch.id, [element.id]))
        return elements, cells

    # -- schedule --------------------------------------------------------------------------

    def activities(self) -> list[m.Activity]:
        used = [f for f in self.p.dictionary.forms if any(f.id in v.forms for v in self.p.schedule.visits)]
        ids = [self.id("Activity", f.id) for f in used]
        return [m.Activity(ids[i], plain(f.id), label=plain(f.name),
                           description=plain(f.description) if f.description and f.description.strip() else None,
                           previous_id=ids[i - 1] if i else None, next_id=ids[i + 1] if i + 1 < len(ids) else None)
                for i, f in enumerate(used)]

    def schedule(self, epochs: list[tuple[EpochType, m.StudyEpoch]]) -> tuple[list[m.Encounter], m.ScheduleTimeline]:
        s = self.p.schedule
        epoch_id = {e.id: usdm.id for e, (_, usdm) in zip(s.epochs, epochs, strict=True)}
        visits = s.visits
        enc_ids = [self.id("Encounter", v.id) for v in visits]
        inst_ids = [self.id("ScheduledActivityInstance", v.id) for v in visits]
        exit_ = m.ScheduleTimelineExit(self.id("ScheduleTimelineExit"))
        anchor = next((i for i, v in enumerate(visits) if v.day == 0), None)
        if anchor is None:
            anchor = next((i for i, v in enumerate(visits) if isinstance(v.day, int)), None)
        timings: dict[int, m.Timing] = {}
        if anchor is not None:
            for i, v in enumerate(visits):
                if isinstance(v.day, int):
                    timings[i] = self.timing(v, visits[anchor], inst_ids[i], inst_ids[anchor], i == anchor)
        encounters = []
        instances = []
        for i, v in enumerate(visits):
            notes = [] if isinstance(v.day, int) else [self.note(f"Day: {show(v.day)}")]
            if isinstance(v.window, TBC) or (i == anchor and v.window is not None):
                notes.append(self.note(f"Window: {show(v.window)}"))
            encounters.append(m.Encounter(
                enc_ids[i], plain(v.id), self.code(codes.VISIT), label=plain(v.name),
                previous_id=enc_ids[i - 1] if i else None, next_id=enc_ids[i + 1] if i + 1 < len(visits) else None,
                scheduled_at_id=timings[i].id if i in timings else None, notes=notes))
            last = i + 1 == len(visits)
            instances.append(m.ScheduledActivityInstance(
                inst_ids[i], plain(v.id), epoch_id=epoch_id.get(v.epoch), encounter_id=enc_ids[i],
                activity_ids=[f"Activity_{f}" for f in v.forms if self.p.dictionary.form(f) is not None],
                default_condition_id=None if last else inst_ids[i + 1], timeline_exit_id=exit_.id if last else None))
        duration = f"; planned participation {show(s.duration_days)} days" if s.duration_days is not None else ""
        timeline = m.ScheduleTimeline(
            self.id("ScheduleTimeline", "main"), "Main timeline", True,
            plain(f"Day 0 is {s.anchor}{duration}"), inst_ids[0] if inst_ids else "",
            description=plain(f"Schedule of activities; day 0 is {s.anchor}"), exits=[exit_],
            timings=[timings[i] for i in sorted(timings)], instances=instances)
        return encounters, timeline

    def timing(self, v: Visit, anchor: Visit, inst: str, anchor_inst: str, is_anchor: bool) -> m.Timing:
        assert isinstance(v.day, int) and isinstance(anchor.day, int)
        lower = upper = label = None
        if v.window is not None and not isinstance(v.window, TBC):
            lower, upper = f"P{v.window.before}D", f"P{v.window.after}D"
            label = str(v.window)
        if is_anchor:  # USDM allows no window on the anchor (DDF00025): the encounter's note gives it
            return m.Timing(self.id("Timing", v.id), plain(f"{v.id} (anchor)"), self.code(codes.FIXED), "P0D",
                            f"Day {v.day}", self.code(codes.START_TO_START), inst,
                            relative_to_scheduled_instance_id=inst,
                            description=plain(f"Day {v.day}: {self.p.schedule.anchor}"))
        delta = v.day - anchor.day
        return m.Timing(self.id("Timing", v.id), plain(v.id), self.code(codes.BEFORE if delta < 0 else codes.AFTER),
                        f"P{abs(delta)}D", f"Day {v.day}", self.code(codes.START_TO_START), inst,
                        relative_to_scheduled_instance_id=anchor_inst, window_lower=lower, window_upper=upper,
                        window_label=label)

    # -- objectives, criteria, population --------------------------------------------------

    def objectives(self) -> list[m.Objective]:
        out = []
        for o in self.p.objectives:
            endpoints = []
            for e in o.endpoints:
                notes = [self.note(f"Measure: {e.measure}" + (" (change from baseline)" if e.change_from_baseline
                                                               else "")),
                         self.note(f"Timepoints: {show(e.timepoints) if e.timepoints != () else '—'}")]
                if e.success is not None:
                    notes.append(self.note(f"Success: {show(e.success) if isinstance(e.success, TBC) else to_text(e.success)}"))
                if e.comparison is not None:
                    notes.append(self.note(f"Comparison: {show(e.comparison)}"))
                if e.decision is not None:
                    notes.append(self.note(f"Decision: {show(e.decision)}"))
                endpoints.append(m.Endpoint(self.id("Endpoint", f"{o.id}.{e.id}"), plain(e.id), xhtml(e.text),
                                            "TO BE CONFIRMED: the protocol does not state the endpoint's purpose",
                                            self.code(codes.ENDPOINT[e.level]), notes=notes))
            out.append(m.Objective(self.id("Objective", o.id), plain(o.id), xhtml(o.text),
                                   self.code(codes.OBJECTIVE[o.level]), endpoints))
        return out

    def criterion_items(self) -> dict[str, m.EligibilityCriterionItem]:
        return {c.id: self.criterion_item(c) for c in self.p.eligibility}

    def criterion_item(self, c: Criterion) -> m.EligibilityCriterionItem:
        ext = [m.ExtensionAttribute(self.id("ExtensionAttribute"), RULE_URL, plain(to_text(c.rule)))] if c.rule else []
        notes = []
        if c.assessed_by_investigator:
            notes.append(self.note("Assessed by the investigator: no computable rule"))
        if c.source is not None:
            notes.append(self.note(f"Source: {show(c.source)}"))
        text = c.text if c.text.strip() else "TO BE CONFIRMED: the criterion has no text"
        return m.EligibilityCriterionItem(self.id("EligibilityCriterionItem", c.id), plain(c.id), xhtml(text),
                                          extension_attributes=ext, notes=notes)

    def criteria(self, items: dict[str, m.EligibilityCriterionItem]) -> list[m.EligibilityCriterion]:
        crit = self.p.eligibility
        ids = [self.id("EligibilityCriterion", c.id) for c in crit]
        return [m.EligibilityCriterion(ids[i], plain(c.id), self.code(codes.CATEGORY[c.category]), plain(c.id),
                                       items[c.id].id, previous_id=ids[i - 1] if i else None,
                                       next_id=ids[i + 1] if i + 1 < len(ids) else None)
                for i, c in enumerate(crit)]

    def population(self, criterion_ids: list[str]) -> m.StudyDesignPopulation:
        p = self.p
        notes: list[m.CommentAnnotation] = []
        planned = None
        target = p.sample_size.target if p.sample_size is not None else None
        if p.animals is not None and target is None:
            target = p.animals.total
        if isinstance(target, int):
            planned = m.Quantity(self.id("Quantity"), float(target))
        elif target is not None:
            notes.append(self.note(f"Planned enrolment: {show(target)}"))
        age = None
        sex: list[m.Code] = []
        if p.population is not None:
            pop = p.population
            description = pop.description
            notes += [self.note(f"Condition: {c}") for c in pop.conditions]
            notes += [self.note(f"Classification criteria: {c}") for c in pop.classification_criteria]
            r = pop.age_years
            if isinstance(r, Range) and r.low is not None and r.high is not None and r.low < r.high:  # USDM: max > min
                age = m.Range(self.id("Range"),
                              m.Quantity(self.id("Quantity"), float(r.low), self.unit("a")),
                              m.Quantity(self.id("Quantity"), float(r.high), self.unit("a")))
            elif pop.age_years is not None:
                notes.append(self.note(f"Age (years): {show(pop.age_years)}"))
            if pop.setting is not None:
                notes.append(self.note(f"Setting: {show(pop.setting)}"))
            healthy = False
        else:
            a = p.animals
            description = "Laboratory animals" if a is None else (
                f"Animals: {show(a.species)}, strain {show(a.strain)}; experimental unit {show(a.experimental_unit)}")
            if a is not None:
                if isinstance(a.sex, TBC):
                    notes.append(self.note(f"Sex: {show(a.sex)}"))
                else:
                    sex = [self.code(codes.SEX[x]) for x in ((Sex.MALE, Sex.FEMALE) if a.sex is Sex.BOTH else (a.sex,))]
                notes += [self.note(f"Age: {show(a.age)}"), self.note(f"Weight (g): {show(a.weight_g)}")]
            from planner.model.design import ArmType

            healthy = any(arm.type is ArmType.NORMAL_CONTROL for arm in p.arms)
        return m.StudyDesignPopulation(self.id("StudyDesignPopulation"), "Study population", healthy,
                                       description=plain(description), planned_enrollment_number=planned,
                                       planned_sex=sex, planned_age=age, criterion_ids=criterion_ids, notes=notes)

    # -- interventions ---------------------------------------------------------------------

    def interventions(self) -> Iterator[tuple[Arm, Intervention, m.StudyIntervention]]:
        """Each arm's interventions, as one USDM intervention per agent (and role) with one administration per
        distinct regimen: the same agent given in several arms is one intervention, as USDM names must be unique."""
        regimens: dict[tuple[str, Role], dict[Intervention, list[Arm]]] = {}
        for a in self.p.arms:
            for i in a.interventions:
                regimens.setdefault((i.agent, i.role), {}).setdefault(i, []).append(a)
        made: dict[tuple[str, Role], m.StudyIntervention] = {}
        names: set[str] = set()
        for n, ((agent, role), given) in enumerate(regimens.items(), 1):
            name = agent if agent not in names else f"{agent} ({role.value})"
            names.add(name)
            admins = [self.administration(n, k, name, i, arms) for k, (i, arms) in enumerate(given.items(), 1)]
            first = next(iter(given))
            biologic = all(MODALITY.get(x) is Modality.BIOLOGIC for x in first.mechanisms)
            made[(agent, role)] = m.StudyIntervention(
                self.id("StudyIntervention", str(n)), plain(name), self.code(codes.ROLE[role]),
                self.code(codes.BIOLOGIC if biologic else codes.PHARMACOLOGIC),
                description=plain(", ".join(x.value for x in first.mechanisms)), administrations=admins)
        for a in self.p.arms:
            for i in a.interventions:
                yield a, i, made[(i.agent, i.role)]

    def administration(self, n: int, k: int, name: str, i: Intervention, arms: list[Arm]) -> m.Administration:
        where = ", ".join(a.name for a in arms)
        notes = []
        dose = None
        if isinstance(i.dose, Quantity):
            dose = self.quantity(i.dose)
            if dose is None:
                notes.append(self.note(f"Dose: {i.dose}"))
            if i.dose.verify:
                notes.append(self.note(f"Dose {i.dose} to be verified against the primary source"))
        elif i.dose is not None:
            notes.append(self.note(f"Dose: {show(i.dose)}"))
        route = None
        if isinstance(i.route, Route) and i.route in codes.ROUTE:
            route = self.alias(codes.ROUTE[i.route])
        elif i.route is not None:
            notes.append(self.note(f"Route: {show(i.route)}"))
        frequency = None
        if isinstance(i.frequency, Frequency) and i.frequency in codes.FREQUENCY:
            frequency = self.alias(codes.FREQUENCY[i.frequency])
        elif isinstance(i.frequency, Frequency):
            notes.append(self.note(f"Frequency: {i.frequency.label}"))
        elif i.frequency is not None:
            notes.append(self.note(f"Frequency: {show(i.frequency)}"))
        if isinstance(i.duration, Quantity):
            duration = m.Duration(self.id("Duration"), False, text=str(i.duration), quantity=self.quantity(i.duration))
        else:
            duration = m.Duration(self.id("Duration"), False, text=plain(
                show(i.duration) if i.duration is not None else "TO BE CONFIRMED: the protocol does not state the "
                                                                "duration"))
        if i.notes:
            notes.append(self.note(i.notes))
        if i.source:
            notes.append(self.note(f"Source: {i.source}"))
        return m.Administration(self.id("Administration", f"{n}.{k}"), plain(f"{name}: {where}"), duration,
                                description=plain(f"{i.agent} in {'arm' if len(arms) == 1 else 'arms'} {where}"),
                                dose=dose, route=route, frequency=frequency, notes=notes)
