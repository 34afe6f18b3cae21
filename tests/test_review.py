"""The review is format-neutral: the same entries from another kind of source give the same findings.

:class:`RecordPlaces` is a second adapter, shaped like an EDC export (a
record, an event, a field): it hands the review the entries of a
:class:`~exports.xlsx.fill.Filling` directly, with no workbook. For every
shipped study, a correct filling and one with typed errors, a safety signal
and a missing value are reviewed both ways: the findings (code, message,
visit, item), the derived values and the verdict are the same; only the
places differ, each in its source's own terms.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest

from exports.xlsx import plan, write
from exports.xlsx.fill import DATE, Filling, fill, plausible_filling
from exports.xlsx.read import read_crf
from planner.model import Protocol
from planner.review import Capture, CrfReport, Entered, LogSlot, Place, Reviewer, Slot
from protocols import REGISTRY

sys.path.insert(0, str(Path(__file__).parent / "exports"))
from test_xlsx_read import CORRECT, DAY0, PRIOR_FAILURES  # noqa: E402

IDS = list(REGISTRY)


def _place(**fields: str | None) -> Place:
    return Place(tuple(fields.items()), ", ".join(f"{k} {v}" for k, v in fields.items() if v is not None))


class RecordPlaces:
    """Places of an EDC-style export: ``record``, ``event``, ``field``."""

    keys = ("record", "event", "field")

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.checklist = bool(protocol.eligibility)

    def slots(self) -> tuple[Slot | LogSlot, ...]:
        out: list[Slot | LogSlot] = []
        for form in self.protocol.dictionary.forms:
            if form.repeating:
                out.append(LogSlot(form))
                continue
            visits = [v for v in self.protocol.schedule.visits if form.id in v.forms]
            out.extend(Slot(form, v.id, v, v.name) for v in visits)
            if not visits:
                out.append(Slot(form, "unscheduled", None, "Unscheduled"))
        return tuple(out)

    def cover(self, key: str) -> Place:
        return _place(event="enrolment", field=key)

    def date(self, form_id: str, key: str) -> Place:
        return _place(event=key, field=f"{form_id}_date")

    def item(self, form_id: str, key: str, name: str) -> Place:
        return _place(event=key, field=name)

    def log_item(self, form_id: str, number: int, name: str) -> Place:
        return _place(record=str(number), event=form_id, field=name)

    def answer(self, criterion_id: str) -> Place:
        return _place(event="eligibility", field=criterion_id)

    def derived(self, derivation_id: str, key: str) -> Place:
        return _place(event=key, field=derivation_id)

    def at_visit(self, name: str, visit_id: str) -> Place | None:
        return _place(event=visit_id, field=name) if name in self.protocol.dictionary.items() else None

    def log(self, form_id: str) -> Place | None:
        return _place(event=form_id) if self.protocol.dictionary.form(form_id) else None


def _capture(filling: Filling, places: RecordPlaces) -> Capture:
    cover = {k: Entered(v, places.cover(k)) for k, v in
             (("participant", filling.participant), ("arm", filling.arm), ("anchor", filling.day0)) if v is not None}
    forms = {f: {key: {name: Entered(v, places.date(f, key) if name == DATE else places.item(f, key, name))
                       for name, v in values.items() if v is not None and v != ""}
                 for key, values in by_key.items()} for f, by_key in filling.forms.items()}
    logs = {f: tuple((n, {name: Entered(v, places.log_item(f, n, name)) for name, v in record.items() if v is not None})
                     for n, record in enumerate(records, start=1)) for f, records in filling.logs.items()}
    answers = {c: Entered(a, places.answer(c)) for c, a in filling.answers.items()}
    return Capture(cover, forms, logs, answers)


def _filling(pid: str, protocol: Protocol) -> Filling:
    filling = plausible_filling(protocol, plan(protocol), day0=DAY0, overrides=CORRECT[pid])
    if pid == "dbt-refractory":
        filling = attrs.evolve(filling, logs=dict(filling.logs, prior_therapy=PRIOR_FAILURES))
    return filling


def _spoilt(filling: Filling, protocol: Protocol) -> Filling:
    """A text where a number goes, a required value left out, and a lab value that fires a safety rule."""
    forms: dict[str, dict[str, dict[str, Any]]] = {f: {k: dict(v) for k, v in by.items()}
                                                   for f, by in filling.forms.items()}
    for form in protocol.dictionary.forms:
        numbers = [it for it in form.items if it.type.value in ("integer", "decimal")]
        required = [it for it in form.items if it.required and it not in numbers[:1]]
        if form.id in forms and numbers and required:
            key = next(iter(forms[form.id]))
            forms[form.id][key][numbers[0].name] = "two"
            forms[form.id][key].pop(required[0].name, None)
            break
    if "lb" in forms and "month3" in forms["lb"]:
        forms["lb"]["month3"]["anc"] = 450.0
    return attrs.evolve(filling, forms=forms, day0=filling.day0 or dt.date(2026, 1, 5))


def _facts(report: CrfReport) -> tuple[Any, ...]:
    findings = sorted((f.code, f.message, f.visit, f.item) for f in report.findings)
    return findings, report.derived, report.eligible, report.not_started, report.participant_id


@pytest.mark.parametrize("spoil", [False, True], ids=["correct", "spoilt"])
@pytest.mark.parametrize("pid", IDS)
def test_a_second_source_gives_the_workbooks_findings(pid: str, spoil: bool) -> None:
    protocol = REGISTRY[pid]()
    filling = _filling(pid, protocol)
    if spoil:
        filling = _spoilt(filling, protocol)
    buffer = io.BytesIO()
    write(protocol, buffer, participant_id=filling.participant)
    from_workbook = read_crf(protocol, fill(buffer.getvalue(), plan(protocol), filling))
    places = RecordPlaces(protocol)
    from_records = Reviewer(places, protocol).review(_capture(filling, places))
    assert _facts(from_records) == _facts(from_workbook)
    if spoil:
        assert {"CRF-TYPE", "CRF-MISSING"} <= {f.code for f in from_records.findings}
    assert all(set(dict(f.place.fields)) <= set(RecordPlaces.keys) for f in from_records.findings)
    if from_records.findings:
        assert {"record", "event", "field"} <= set(from_records.to_dict()["findings"][0])


@pytest.mark.parametrize(("raw", "item_type", "expected"), [
    ("7.6", "decimal", (7.6, None)),
    ("7,6", "decimal", (None, "CRF-TYPE|expected a number with a decimal point, got '7,6' (write 7.6)")),
    ("nan", "decimal", (None, "CRF-TYPE|expected a number, got 'nan'")),
    ("Yes", "boolean", (True, None)),
    ("maybe", "boolean", (None, "CRF-CODE|expected yes/no (also y/n, true/false, 1/0), got 'maybe'")),
    (dt.datetime(2026, 1, 5, 10, 30), "date", (None, "CRF-TYPE|expected a date, got a date with a time of day "
                                                      "(2026-01-05 10:30:00)")),
])
def test_an_entered_value_means_what_it_means_in_a_candidate_file(raw: object, item_type: str,
                                                                     expected: tuple[object, str | None]) -> None:
    """One conversion for screening and review: a CRF no longer reads '7,6' as 7.6 or 'nan' as a number."""
    from planner.model import DataType, Item
    from planner.review.convert import convert

    assert expected == convert(Item("x", "X", DataType(item_type)), raw, None)
