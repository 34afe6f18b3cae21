"""The schedule of activities: epochs, visits with windows, forms per visit."""

from __future__ import annotations

import enum

from attrs import field, frozen

from planner.model.values import TBC, at_least, identifier, non_empty, tuple_field, unique


class EpochType(enum.StrEnum):
    """The kind of a study period (USDM StudyEpoch type)."""

    SCREENING = "screening"
    BASELINE = "baseline"
    TREATMENT = "treatment"
    FOLLOW_UP = "follow-up"
    INDUCTION = "induction"


@frozen
class Epoch:
    """A period of the study (USDM StudyEpoch)."""

    id: str = field(validator=identifier())
    name: str = field(validator=non_empty())
    type: EpochType


@frozen
class Window:
    """Allowed deviation from a visit's nominal day: ``before`` and ``after`` days."""

    before: int = field(validator=at_least(0))
    after: int = field(validator=at_least(0))
    source: str | None = None

    def __str__(self) -> str:
        if self.before == self.after:
            return f"±{self.before} d"
        return f"−{self.before}/+{self.after} d"


@frozen
class Visit:
    """A planned contact or timepoint (USDM Encounter, ODM StudyEventDef).

    ``day`` counts from the schedule's anchor (day 0); ``forms`` lists the
    ids of the forms collected at this visit.
    """

    id: str = field(validator=identifier())
    name: str = field(validator=non_empty())
    epoch: str
    day: int | TBC
    window: Window | TBC | None = None
    forms: tuple[str, ...] = tuple_field()
    source: str | None = None


@frozen
class Schedule:
    """Epochs, visits and the length of participation.

    ``anchor`` says what day 0 is ("first dose", "first immunisation");
    ``duration_days`` is the planned participation per participant or animal.
    """

    anchor: str = field(validator=non_empty())
    epochs: tuple[Epoch, ...] = tuple_field(validator=unique(lambda e: e.id, "epoch id"))
    visits: tuple[Visit, ...] = tuple_field(validator=unique(lambda v: v.id, "visit id"))
    duration_days: int | TBC | None = field(default=None, validator=at_least(0))
    duration_source: str | None = None

    def visit(self, visit_id: str) -> Visit | None:
        return next((v for v in self.visits if v.id == visit_id), None)

    def epoch(self, epoch_id: str) -> Epoch | None:
        return next((e for e in self.epochs if e.id == epoch_id), None)
