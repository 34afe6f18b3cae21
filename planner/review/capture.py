"""What a data source hands the review: the values entered for one participant, and where each one is.

The review (:mod:`planner.review.review`) knows nothing of workbooks, REDCap
exports or ODM files. An adapter — :mod:`exports.xlsx.review` for the CRF
workbook — reads its source and gives:

* a :class:`Capture`: the cover values (participant, arm, date of day 0), each
  form's values at each visit it is collected at, each log's records, and the
  eligibility checklist's answers, every value an :class:`Entry` as entered
  (text, number, date …, converted by the review);
* a :class:`Places` that says where a value is or would be, so a finding about
  a value that is missing still points somewhere a person can go.

A :class:`Place` is the source's own address: its fields for scripts
(``sheet``, ``cell`` for a workbook; ``record``, ``event``, ``field`` for
REDCap) and a text for people (``Labs!G12``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Protocol

from attrs import frozen

from planner.model import Form, Visit

__all__ = ["NOWHERE", "STUDY", "Capture", "Entered", "Entry", "LogSlot", "Place", "Places", "Slot"]

STUDY: Final = "study"
"""The visit key of a value over the whole study (a derivation over the logs)."""


@frozen
class Place:
    """Where a value is in its source: ``fields`` for scripts and ``text`` for people."""

    fields: tuple[tuple[str, str | None], ...] = ()
    text: str = ""

    def get(self, key: str) -> str | None:
        return next((v for k, v in self.fields if k == key), None)


NOWHERE = Place()
"""No place (a finding about the participant as a whole)."""


class Entry(Protocol):
    """A value as entered, and where (an adapter may make the place only when asked)."""

    @property
    def value(self) -> Any: ...

    @property
    def place(self) -> Place: ...


@frozen
class Entered:
    """An :class:`Entry` whose place is known when it is read."""

    value: Any
    place: Place


@frozen
class Slot:
    """A non-repeating form at a visit (``visit`` ``None``: a form collected unscheduled)."""

    form: Form
    key: str
    """The visit id (``unscheduled`` for an unscheduled form)."""
    visit: Visit | None
    heading: str
    """How people name the visit (``Week 4``)."""


@frozen
class LogSlot:
    """A repeating (log) form."""

    form: Form


@frozen
class Capture:
    """Everything entered for one participant (blank values left out)."""

    cover: Mapping[str, Entry]
    """``participant``, ``arm``, ``anchor`` (the date of day 0), as entered."""
    forms: Mapping[str, Mapping[str, Mapping[str, Entry]]]
    """Form id → visit key → item name (``""``: the date of assessment) → entry."""
    logs: Mapping[str, tuple[tuple[int, Mapping[str, Entry]], ...]]
    """Log form id → ``(record number from 1, item name → entry)`` per record."""
    answers: Mapping[str, Entry]
    """Criterion id → the checklist's answer (``Yes``, ``No``, ``Unknown``)."""
    participant_id: str | None = None
    """The participant the source says it holds, when no cover value names one."""


class Places(Protocol):
    """Where a source keeps each value (or would, once entered), and which forms it collects."""

    checklist: bool
    """Whether the source has an eligibility checklist to compare with the entered data."""
    keys: tuple[str, ...]
    """The fields of every :class:`Place` of this source (``sheet``, ``cell``), in order, for JSON."""

    def slots(self) -> tuple[Slot | LogSlot, ...]:
        """Every form at every visit the source collects it, and every log, in the source's order."""

    def cover(self, key: str) -> Place:
        """Where a cover value (``participant``, ``arm``, ``anchor``) is entered."""

    def date(self, form_id: str, key: str) -> Place:
        """Where a form's date of assessment at a visit is entered."""

    def item(self, form_id: str, key: str, name: str) -> Place:
        """Where an item of a non-repeating form is entered at a visit."""

    def log_item(self, form_id: str, number: int, name: str) -> Place:
        """Where an item of a log's record ``number`` (from 1) is entered."""

    def answer(self, criterion_id: str) -> Place:
        """Where a criterion is answered on the checklist."""

    def derived(self, derivation_id: str, key: str) -> Place:
        """Where the source shows a derived value at a visit key (or over the study)."""

    def at_visit(self, name: str, visit_id: str) -> Place | None:
        """Where an item (or derived value) is at a visit, if the source has it there."""

    def log(self, form_id: str) -> Place | None:
        """Where a log form is, if the source has it."""
