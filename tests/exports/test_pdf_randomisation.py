"""The PDF protocol describes the randomisation method, who holds the key and how it is concealed — never the list."""

from __future__ import annotations

import io
from pathlib import Path

import attrs
from pypdf import PdfReader

from exports.pdf import export_pdf
from exports.pdf.blocks import Para, Table, plain_text
from exports.pdf.content import build
from exports.pdf.details import LIST_KEPT
from planner.model import TBC, Protocol, Randomisation
from planner.serialize import dump, load
from protocols import REGISTRY

BASE = Path(__file__).parent.parent / "checks" / "base_clinical.yaml"


def with_randomisation(**changes: object) -> Protocol:
    p = load(BASE)
    assert p.randomisation is not None
    return attrs.evolve(p, randomisation=attrs.evolve(p.randomisation, **changes))


def rows(p: Protocol) -> dict[str, str]:
    section = build(p, run_checks=False).section("randomisation")
    assert section is not None
    (table,) = [b for b in section.blocks if isinstance(b, Table)]
    return {plain_text(k): plain_text(v) for k, v in table.rows}


def notes(p: Protocol) -> list[str]:
    section = build(p, run_checks=False).section("randomisation")
    assert section is not None
    return [plain_text(b.text) for b in section.blocks if isinstance(b, Para)]


def test_method_concealment_and_key_holder_are_described() -> None:
    got = rows(with_randomisation(key_holder="The trial statistician, outside the study team"))
    assert "permuted block" == got["Method"]
    assert "Central web system." == got["Allocation concealment"]
    assert "The trial statistician, outside the study team" == got["Allocation key held by"]
    assert [LIST_KEPT] == notes(with_randomisation())


def test_a_missing_key_holder_or_concealment_is_to_be_confirmed() -> None:
    got = rows(with_randomisation(concealment=None))
    assert got["Allocation key held by"].startswith("TO BE CONFIRMED")
    assert "who holds the allocation key" in got["Allocation key held by"]
    assert got["Allocation concealment"].startswith("TO BE CONFIRMED")
    # a key holder stated as to be confirmed is listed in Appendix A with its path
    doc = build(with_randomisation(key_holder=TBC("statistician not yet appointed")), run_checks=False)
    assert "$.randomisation.key_holder" in {item.path for item in doc.tbc}


def test_the_seed_is_never_printed_because_it_regenerates_the_list() -> None:
    p = with_randomisation(key_holder="Statistician")
    assert rows(p)["Seed"].startswith("recorded with the allocation key, not printed here")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(export_pdf(p))).pages)
    # the PDF is made from the protocol alone, so the seed is the one way the list could leak into it
    assert "20260101" not in text
    assert "Allocation key held by" in text and "Statistician" in text


def test_a_seed_to_be_confirmed_is_shown_as_such() -> None:
    assert rows(with_randomisation(seed=TBC("seed set by the statistician")))["Seed"].startswith("TO BE CONFIRMED")


def test_a_study_without_randomisation_has_no_key() -> None:
    p = REGISTRY["ssc-digital-ulcer"]()
    got = rows(p)
    assert "Allocation key held by" not in got
    assert [] == notes(p)


def test_the_shipped_randomised_studies_say_the_key_holder_is_to_be_confirmed() -> None:
    for pid in ("dbt-refractory", "cia-tnf-tof-igu"):
        assert rows(REGISTRY[pid]())["Allocation key held by"].startswith("TO BE CONFIRMED"), pid


def test_key_holder_round_trips_through_yaml() -> None:
    p = with_randomisation(key_holder="Statistician")
    assert p == load(dump(p), "yaml")
    assert isinstance(p.randomisation, Randomisation) and "key_holder: Statistician" in dump(p)
