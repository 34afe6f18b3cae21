"""The classes of CDISC USDM 4.0 that the export writes, as frozen attrs classes, and their JSON form.

Each class is named as in USDM and has its attributes in snake case; the one
converter here writes them in USDM's camel case with the ``instanceType``
every USDM object carries (``study_cells`` → ``studyCells``). Only the
classes and attributes the export fills are defined; a reader of the file
(usdm4's pydantic model, the USDM JSON schema) gives every other attribute
its default. Why these classes are ours and not usdm4's: ``docs/decisions.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import attrs
from attrs import field, frozen
from cattrs import Converter
from cattrs.gen import make_dict_unstructure_fn, override


def _list() -> Any:
    return field(factory=list)


@frozen
class ExtensionAttribute:
    id: str
    url: str
    value_string: str | None = None


@frozen
class Code:
    id: str
    code: str
    code_system: str
    code_system_version: str
    decode: str


@frozen
class AliasCode:
    id: str
    standard_code: Code


@frozen
class CommentAnnotation:
    id: str
    text: str


@frozen
class Quantity:
    id: str
    value: float
    unit: AliasCode | None = None


@frozen
class Range:
    id: str
    min_value: Quantity
    max_value: Quantity
    is_approximate: bool = False


@frozen
class StudyTitle:
    id: str
    text: str
    type: Code


@frozen
class Organization:
    id: str
    name: str
    type: Code
    identifier_scheme: str
    identifier: str
    label: str | None = None


@frozen
class StudyIdentifier:
    id: str
    text: str
    scope_id: str


@frozen
class StudyRole:
    id: str
    name: str
    code: Code
    applies_to_ids: list[str] = _list()
    organization_ids: list[str] = _list()
    description: str | None = None


@frozen
class StudyArm:
    id: str
    name: str
    type: Code
    data_origin_description: str
    data_origin_type: Code
    description: str | None = None
    label: str | None = None
    population_ids: list[str] = _list()
    notes: list[CommentAnnotation] = _list()


@frozen
class StudyEpoch:
    id: str
    name: str
    type: Code
    description: str | None = None
    label: str | None = None
    previous_id: str | None = None
    next_id: str | None = None


@frozen
class StudyElement:
    id: str
    name: str
    description: str | None = None
    label: str | None = None
    study_intervention_ids: list[str] = _list()


@frozen
class StudyCell:
    id: str
    arm_id: str
    epoch_id: str
    element_ids: list[str]


@frozen
class Encounter:
    id: str
    name: str
    type: Code
    label: str | None = None
    previous_id: str | None = None
    next_id: str | None = None
    scheduled_at_id: str | None = None
    notes: list[CommentAnnotation] = _list()


@frozen
class Activity:
    id: str
    name: str
    label: str | None = None
    description: str | None = None
    previous_id: str | None = None
    next_id: str | None = None


@frozen
class ScheduledActivityInstance:
    id: str
    name: str
    epoch_id: str | None = None
    encounter_id: str | None = None
    activity_ids: list[str] = _list()
    default_condition_id: str | None = None
    timeline_exit_id: str | None = None


@frozen
class Timing:
    id: str
    name: str
    type: Code
    value: str
    value_label: str
    relative_to_from: Code
    relative_from_scheduled_instance_id: str
    relative_to_scheduled_instance_id: str | None = None
    window_lower: str | None = None
    window_upper: str | None = None
    window_label: str | None = None
    description: str | None = None


@frozen
class ScheduleTimelineExit:
    id: str


@frozen
class ScheduleTimeline:
    id: str
    name: str
    main_timeline: bool
    entry_condition: str
    entry_id: str
    description: str | None = None
    exits: list[ScheduleTimelineExit] = _list()
    timings: list[Timing] = _list()
    instances: list[ScheduledActivityInstance] = _list()


@frozen
class Endpoint:
    id: str
    name: str
    text: str
    purpose: str
    level: Code
    label: str | None = None
    notes: list[CommentAnnotation] = _list()


@frozen
class Objective:
    id: str
    name: str
    text: str
    level: Code
    endpoints: list[Endpoint] = _list()


@frozen
class EligibilityCriterionItem:
    id: str
    name: str
    text: str
    extension_attributes: list[ExtensionAttribute] = _list()
    notes: list[CommentAnnotation] = _list()


@frozen
class EligibilityCriterion:
    id: str
    name: str
    category: Code
    identifier: str
    criterion_item_id: str
    label: str | None = None
    previous_id: str | None = None
    next_id: str | None = None


@frozen
class StudyDesignPopulation:
    id: str
    name: str
    includes_healthy_subjects: bool
    description: str | None = None
    planned_enrollment_number: Quantity | None = None
    planned_sex: list[Code] = _list()
    planned_age: Range | None = None
    criterion_ids: list[str] = _list()
    notes: list[CommentAnnotation] = _list()


@frozen
class Duration:
    id: str
    duration_will_vary: bool
    text: str | None = None
    quantity: Quantity | None = None
    reason_duration_will_vary: str | None = None


@frozen
class Administration:
    id: str
    name: str
    duration: Duration
    description: str | None = None
    dose: Quantity | None = None
    route: AliasCode | None = None
    frequency: AliasCode | None = None
    notes: list[CommentAnnotation] = _list()


@frozen
class StudyIntervention:
    id: str
    name: str
    role: Code
    type: Code
    description: str | None = None
    label: str | None = None
    administrations: list[Administration] = _list()
    notes: list[CommentAnnotation] = _list()


@frozen
class InterventionalStudyDesign:
    id: str
    name: str
    rationale: str
    model: Code
    population: StudyDesignPopulation
    description: str | None = None
    study_type: Code | None = None
    study_phase: AliasCode | None = None
    arms: list[StudyArm] = _list()
    epochs: list[StudyEpoch] = _list()
    study_cells: list[StudyCell] = _list()
    elements: list[StudyElement] = _list()
    encounters: list[Encounter] = _list()
    activities: list[Activity] = _list()
    schedule_timelines: list[ScheduleTimeline] = _list()
    objectives: list[Objective] = _list()
    eligibility_criteria: list[EligibilityCriterion] = _list()
    study_intervention_ids: list[str] = _list()
    characteristics: list[Code] = _list()
    blinding_schema: AliasCode | None = None
    notes: list[CommentAnnotation] = _list()


@frozen
class ObservationalStudyDesign:
    id: str
    name: str
    rationale: str
    model: Code
    time_perspective: Code
    population: StudyDesignPopulation
    description: str | None = None
    study_type: Code | None = None
    study_phase: AliasCode | None = None
    arms: list[StudyArm] = _list()
    epochs: list[StudyEpoch] = _list()
    study_cells: list[StudyCell] = _list()
    elements: list[StudyElement] = _list()
    encounters: list[Encounter] = _list()
    activities: list[Activity] = _list()
    schedule_timelines: list[ScheduleTimeline] = _list()
    objectives: list[Objective] = _list()
    eligibility_criteria: list[EligibilityCriterion] = _list()
    study_intervention_ids: list[str] = _list()
    characteristics: list[Code] = _list()
    notes: list[CommentAnnotation] = _list()


@frozen
class StudyVersion:
    id: str
    version_identifier: str
    rationale: str
    titles: list[StudyTitle]
    study_identifiers: list[StudyIdentifier]
    organizations: list[Organization] = _list()
    roles: list[StudyRole] = _list()
    study_designs: list[InterventionalStudyDesign | ObservationalStudyDesign] = _list()
    eligibility_criterion_items: list[EligibilityCriterionItem] = _list()
    study_interventions: list[StudyIntervention] = _list()
    notes: list[CommentAnnotation] = _list()


@frozen
class Study:
    name: str
    versions: list[StudyVersion]
    id: str | None = None
    label: str | None = None
    description: str | None = None


@frozen
class Wrapper:
    study: Study
    usdm_version: str
    system_name: str | None = None
    system_version: str | None = None


_CAMEL = re.compile(r"_([a-z])")


def camel(name: str) -> str:
    """``study_cells`` → ``studyCells``."""
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


def _converter() -> Converter:
    conv = Converter()
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)

    def factory(cls: type) -> Any:
        renames: dict[str, Any] = {a.name: override(rename=camel(a.name)) for a in attrs.fields(cls)}
        plain: Any = make_dict_unstructure_fn(cls, conv, **renames)

        def unstructure(obj: Any) -> dict[str, Any]:
            out: dict[str, Any] = plain(obj)
            if cls is not Wrapper:
                out["instanceType"] = cls.__name__
            return out

        return unstructure

    conv.register_unstructure_hook_factory(attrs.has, factory)
    # a study design is one of two classes: unstructure by the object's own class, not the declared union
    conv.register_unstructure_hook(InterventionalStudyDesign | ObservationalStudyDesign,
                                   lambda d: conv.unstructure(d, unstructure_as=type(d)))
    return conv


CONVERTER = _converter()


def as_json_data(wrapper: Wrapper) -> dict[str, Any]:
    """The USDM JSON object of ``wrapper`` (dicts, lists and scalars)."""
    data: dict[str, Any] = CONVERTER.unstructure(wrapper)
    return data
