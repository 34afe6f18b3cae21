"""Who or what is studied: a clinical population or laboratory animals."""

from __future__ import annotations

import enum

from attrs import field, frozen

from planner.model.values import TBC, Quantity, Range, non_empty, tuple_field


class StudyKind(enum.StrEnum):
    """The three kinds of study the planner knows."""

    CLINICAL_INTERVENTIONAL = "clinical interventional"
    CLINICAL_OBSERVATIONAL = "clinical observational cohort"
    PRECLINICAL = "preclinical animal experiment"

    @property
    def clinical(self) -> bool:
        return self is not StudyKind.PRECLINICAL


@frozen
class ClinicalPopulation:
    """The participants of a clinical study (SPIRIT 10, ICH M11 §5)."""

    description: str = field(validator=non_empty())
    conditions: tuple[str, ...] = tuple_field()
    classification_criteria: tuple[str, ...] = tuple_field()
    background_therapy: tuple[str, ...] | TBC = ()
    age_years: Range | TBC | None = None
    setting: str | TBC | None = None


class Sex(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"
    BOTH = "both"


@frozen
class AnimalDetails:
    """Animals of a preclinical study (ARRIVE 2.0 items 1, 8 and PREPARE)."""

    species: str | TBC = field(validator=non_empty())
    strain: str | TBC = field(validator=non_empty())
    sex: Sex | TBC
    total: int | TBC
    experimental_unit: str | TBC = field(validator=non_empty())
    age: Quantity | TBC
    weight_g: Range | TBC
    supplier: str | TBC
    housing: str | TBC
    husbandry: str | TBC
    humane_endpoints: tuple[str, ...] | TBC
    acclimatisation: str | TBC | None = None
    source: str | None = None


@frozen
class Procedure:
    """An experimental procedure (disease induction, sampling, imaging; ARRIVE item 9)."""

    id: str
    name: str = field(validator=non_empty())
    description: str = field(validator=non_empty())
    day: int | TBC | None = None
    details: tuple[str, ...] = tuple_field()
    source: str | None = None
