"""The OIDs of the ODM export: one rule per kind of definition, shared by the writer and the ClinicalData reader.

Every OID is built from protocol identifiers (which are already restricted
to letters, digits and ``_``), so two definitions never share one and the
same protocol always gives the same OIDs. An item's OID names its form, since
two logs may both have an ``agent`` item.
"""

from __future__ import annotations

import re

DERIVED_FORM = "DERIVED"
"""The id of the form holding derived values (scores, counts): computed, never entered."""


def study(protocol_id: str) -> str:
    return f"ST.{protocol_id}"


def metadata_version(version: str) -> str:
    return "MDV." + re.sub(r"[^A-Za-z0-9._-]+", "_", version)


def event(visit_id: str) -> str:
    return f"SE.{visit_id}"


def form(form_id: str) -> str:
    return f"FM.{form_id}"


def group(form_id: str) -> str:
    return f"IG.{form_id}"


def item(form_id: str, name: str) -> str:
    return f"IT.{form_id}.{name}"


def derived(derivation_id: str) -> str:
    return item(DERIVED_FORM, derivation_id)


def codelist(codelist_id: str) -> str:
    return f"CL.{codelist_id}"


def method(derivation_id: str) -> str:
    return f"MT.{derivation_id}"


def eligibility(criterion_id: str) -> str:
    return f"CD.ELIG.{criterion_id}"


def monitoring(rule_id: str) -> str:
    return f"CD.MON.{rule_id}"


def unit_oids(units: list[str]) -> dict[str, str]:
    """``{unit: OID}``: letters and digits of the unit, numbered when two units would meet (``/mm3``, ``mm3``)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for u in units:
        base = "MU." + (re.sub(r"[^A-Za-z0-9]+", "_", u).strip("_") or "unit")
        oid, n = base, 2
        while oid in taken:
            oid, n = f"{base}_{n}", n + 1
        taken.add(oid)
        out[u] = oid
    return out
