"""Synthetic protocols of any size, for benchmarks.

:func:`synthetic_protocol` builds a valid :class:`~planner.model.Protocol`
with ``forms`` forms of ``items`` items each, of every data type (whole and
decimal numbers with and without ranges, codes, yes/no, dates, text), a few
repeating log forms, visits that collect different subsets of the forms,
published-score and expression derivations, eligibility criteria and
monitoring thresholds. The same arguments always give the same protocol.
"""

from __future__ import annotations

import datetime as dt
import random

from planner.expr import count, item
from planner.model import (
    Action,
    Arm,
    ArmType,
    Category,
    Codelist,
    Criterion,
    DataDictionary,
    DataType,
    Derivation,
    Epoch,
    EpochType,
    Form,
    Item,
    MonitoringRule,
    Protocol,
    Range,
    Schedule,
    Status,
    StudyKind,
    Term,
    Timing,
    Visit,
    Window,
)

CODELISTS = (
    Codelist("YN3", "Yes, no or not done", (Term("Y", "Yes"), Term("N", "No"), Term("ND", "Not done"))),
    Codelist("SEV", "Severity", (Term("1", "Mild"), Term("2", "Moderate"), Term("3", "Severe"))),
    Codelist("POS", "Position", tuple(Term(f"P{i}", f"Position {i}") for i in range(1, 13))),
)
_KINDS = ("int_range", "int", "dec_range", "dec", "coded", "bool", "date", "text")


def _item(form: int, i: int, rng: random.Random) -> Item:
    kind = _KINDS[(i + form) % len(_KINDS)] if i >= 4 else "int_range"
    name = f"f{form:02d}_i{i:03d}"
    label = f"Measurement {i} of form {form}" + (" (with a longer label that wraps)" if rng.random() < 0.2 else "")
    required = rng.random() < 0.7
    if kind == "int_range":
        return Item(name, label, DataType.INTEGER, range=Range(0, 4), required=required)
    if kind == "int":
        return Item(name, label, DataType.INTEGER, unit="count", required=required)
    if kind == "dec_range":
        return Item(name, label, DataType.DECIMAL, unit="mg/L", range=Range(0, 500), required=required)
    if kind == "dec":
        return Item(name, label, DataType.DECIMAL, unit="U/L", required=required)
    if kind == "coded":
        return Item(name, label, DataType.CODED, codelist=CODELISTS[i % len(CODELISTS)].id, required=required)
    if kind == "bool":
        return Item(name, label, DataType.BOOLEAN, required=required)
    if kind == "date":
        return Item(name, label, DataType.DATE, required=required)
    return Item(name, label, DataType.TEXT, required=False)


def synthetic_protocol(forms: int = 40, items: int = 150, visits: int = 6, logs: int = 3, seed: int = 0) -> Protocol:
    """A protocol with ``forms`` forms × ``items`` items (``logs`` of the forms are repeating logs)."""
    rng = random.Random(seed)
    form_list = tuple(
        Form(f"form{f:02d}", f"Synthetic form {f}", items=tuple(_item(f, i, rng) for i in range(items)),
             domain="XX" if f % 3 else None, repeating=f >= forms - logs)
        for f in range(forms))
    visit_list = []
    for v in range(visits):
        collected = tuple(f.id for k, f in enumerate(form_list) if k % (v + 2) != 1 or f.repeating)
        visit_list.append(Visit(f"v{v}", f"Visit {v}", "screening" if v == 0 else "treatment", 28 * v,
                                Window(3, 3), forms=collected))
    first = form_list[0]
    derivations = (
        Derivation("paw_total", "Sum of the first four scores", unit="score", method="cia_clinical_score",
                   inputs=tuple(f"paw_{i + 1}={first.items[i].name}" for i in range(4))),
        Derivation("pair", "First score doubled plus second", unit="score",
                   expression=2 * item(first.items[0].name) + item(first.items[1].name)),
    )
    log = form_list[-1]
    flag = next(it for it in log.items if it.type is DataType.BOOLEAN)
    monitoring = tuple(
        MonitoringRule(f"high_{k}", f"High value {k}", condition=item(it.name) > 400, action=Action.REPEAT_TEST,
                       action_text="Repeat the test.", timing=Timing.ON_TREATMENT)
        for k, it in enumerate(i for f in form_list[:10] for i in f.items if i.unit == "mg/L")
        if k < 20) + (
        MonitoringRule("log_flag", "Flagged record", condition=count(log.id, where=item(f"{log.id}.{flag.name}")) >= 1,
                       action=Action.HOLD, action_text="Hold the treatment."),)
    eligibility = (
        Criterion("I1", Category.INCLUSION, "First score at least 1.", rule=item(first.items[0].name) >= 1),
        Criterion("E1", Category.EXCLUSION, "Pair score above 10.", rule=item("pair") > 10),
    )
    return Protocol(
        id="synthetic", title=f"Synthetic protocol: {forms} forms × {items} items", short_title="Synthetic",
        version="1", date=dt.date(2026, 1, 1), status=Status.DRAFT, kind=StudyKind.CLINICAL_INTERVENTIONAL,
        sponsor="Benchmark", investigator="Benchmark", rationale="Benchmarking.", design="Benchmarking.",
        schedule=Schedule("first dose", (Epoch("screening", "Screening", EpochType.SCREENING),
                                          Epoch("treatment", "Treatment", EpochType.TREATMENT)), tuple(visit_list)),
        dictionary=DataDictionary(forms=form_list, codelists=CODELISTS),
        arms=(Arm("a", "Arm A", ArmType.EXPERIMENTAL, "Arm A."), Arm("b", "Arm B", ArmType.EXPERIMENTAL, "Arm B.")),
        derivations=derivations, eligibility=eligibility, monitoring=monitoring,
    )
