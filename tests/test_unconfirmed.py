"""One list of values not yet confirmed, shared by the checks, the PDF appendix and the CRF cover."""

from __future__ import annotations

import io
from pathlib import Path

import attrs
import pytest
from openpyxl import load_workbook

from exports.pdf.appendix import collect_tbc
from exports.xlsx import write
from exports.xlsx.sheets import unconfirmed_lines
from planner.checks import check
from planner.checks.context import Context
from planner.model import TBC, Quantity, Schedule
from planner.model.unconfirmed import Unconfirmed, unconfirmed, walk
from planner.serialize import load
from protocols import REGISTRY

MINIMAL = Path(__file__).resolve().parent / "cases" / "valid" / "minimal.yaml"
TO_CONFIRM_CODES = {"DES013", "DES014", "ELG013", "END011", "MON013"}


def test_minimal_protocol_lists_tbc_and_verify_values_in_document_order() -> None:
    p = load(MINIMAL)
    arm = p.arms[0]
    dose = Quantity(10, "mg", source="example2024", verify=True)
    drug = attrs.evolve(arm.interventions[0], dose=dose, frequency=TBC("dosing interval not reported"))
    p = attrs.evolve(p, sponsor=TBC("sponsor not named"),
                     arms=(attrs.evolve(arm, interventions=(drug,)), *p.arms[1:]))
    assert (
        Unconfirmed("$.sponsor", "protocol", "sponsor", "sponsor not named"),
        Unconfirmed("$.investigator", "protocol", "investigator", "principal investigator not named yet"),
        Unconfirmed("$.arms[0].interventions[0].dose", "arm 'Drug X' › intervention 'Drug X'", "dose",
                    "10 mg comes from a secondary source", True),
        Unconfirmed("$.arms[0].interventions[0].frequency", "arm 'Drug X' › intervention 'Drug X'", "frequency",
                    "dosing interval not reported"),
    ) == unconfirmed(p)
    places = [u.place for u in unconfirmed(p)]
    assert ["sponsor", "investigator", "arm 'Drug X' › intervention 'Drug X' › dose",
            "arm 'Drug X' › intervention 'Drug X' › frequency"] == places
    assert "10 mg comes from a secondary source; verify it against the primary source" == unconfirmed(p)[2].description


def _from_walk(p: object) -> tuple[Unconfirmed, ...]:
    """What :func:`unconfirmed` promises: :func:`walk` filtered for ``TBC`` values and quantities to verify."""
    out = []
    for path, where, name, value in walk(p):
        if isinstance(value, TBC):
            out.append(Unconfirmed(path, where, name, value.reason))
        elif isinstance(value, Quantity) and value.verify:
            out.append(Unconfirmed(path, where, name, f"{value} comes from a secondary source", True))
    return tuple(out)


@pytest.mark.parametrize("pid", list(REGISTRY))
def test_unconfirmed_is_walk_filtered(pid: str) -> None:
    p = REGISTRY[pid]()
    assert _from_walk(p) == unconfirmed(p)
    yaml_copy = load(Path(__file__).resolve().parents[1] / "protocols" / "yaml" / f"{pid}.yaml")
    assert _from_walk(yaml_copy) == unconfirmed(yaml_copy) == unconfirmed(p)


@pytest.mark.parametrize("pid", list(REGISTRY))
def test_checks_pdf_and_crf_list_the_same_values(pid: str) -> None:
    p = REGISTRY[pid]()
    model = unconfirmed(p)
    assert model, "every shipped study has values to be confirmed"
    assert model == Context(p).pending
    assert [(u.path, u.place, u.description, u.verify) for u in model] == [
        (x.path, x.where, x.reason, x.verify) for x in collect_tbc(p)]
    reported = {f.path for f in check(p).findings if f.code in TO_CONFIRM_CODES}
    assert {u.path for u in model} <= reported

    buffer = io.BytesIO()
    write(p, buffer)
    cover = load_workbook(io.BytesIO(buffer.getvalue()))["Cover"]
    rows = [(r[0].value, r[1].value) for r in cover.iter_rows(max_col=2)]
    heading = rows.index((f"To be confirmed ({len(model)})", None))
    assert unconfirmed_lines(p) == rows[heading + 1: heading + 1 + len(model)]
    assert len(model) == len(unconfirmed_lines(p))


def test_verify_values_of_the_cia_study_are_listed_by_all() -> None:
    p = REGISTRY["cia-tnf-tof-igu"]()
    verify = [u for u in unconfirmed(p) if u.verify]
    assert verify, "the CIA study cites a secondary source for its doses"
    pdf = {x.path for x in collect_tbc(p) if x.verify}
    crf = [text for _, text in unconfirmed_lines(p) if text.startswith("TO VERIFY: ")]
    des014 = {f.path for f in check(p).findings if f.code == "DES014"}
    assert {u.path for u in verify} == pdf == des014
    assert len(verify) == len(crf)


def test_schedule_duration_is_not_negative() -> None:
    with pytest.raises(ValueError, match="duration_days: -1 must be ≥ 0"):
        Schedule("first dose", duration_days=-1)
    assert 0 == Schedule("first dose", duration_days=0).duration_days
    assert TBC("not stated") == Schedule("first dose", duration_days=TBC("not stated")).duration_days
    assert Schedule("first dose").duration_days is None
