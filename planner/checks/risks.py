"""Risks by mechanism class, and combination facts, as data with their sources.

This module is a table, not logic: the monitoring checks read it. Every risk
names its source. Where ``shared/domain/REFERENCE.md`` (the project's
collection of sourced facts) gives no risks for a class, the class is listed
as ``unverified`` with no risks: nothing here is filled in from memory. To add
a risk, cite the label or paper in ``source`` and mark the class verified.

Risk keys are what :attr:`planner.model.MonitoringRule.risks` names.
"""

from __future__ import annotations

import enum
from typing import Final, NamedTuple

from planner.model import Mechanism


class Status(enum.StrEnum):
    """How far a class's risk list is backed by REFERENCE.md."""

    VERIFIED = "verified"
    PARTIAL = "partial"
    UNVERIFIED = "unverified"


class Risk(NamedTuple):
    """A risk key with the source that says the class carries it."""

    key: str
    source: str


class ClassRisks(NamedTuple):
    """The risks of one mechanism class and how well they are sourced."""

    status: Status
    risks: tuple[Risk, ...]
    note: str


#: Every risk key a monitoring rule may name, with its plain label.
RISK_LABELS: Final[dict[str, str]] = {
    "serious_infection": "serious infection",
    "latent_tb_reactivation": "latent tuberculosis reactivation",
    "neutropenia": "neutropenia",
    "lymphopenia": "lymphopenia",
    "anaemia": "anaemia",
    "hyperlipidaemia": "raised lipids",
    "hepatotoxicity": "liver injury (raised liver enzymes)",
    "pregnancy": "harm in pregnancy (needs exclusion or contraception)",
    "humane_endpoint": "animal welfare (humane endpoint)",
}

_XELJANZ: Final = "Xeljanz (tofacitinib) US label, summarised in REFERENCE.md §3"
_NONE_GIVEN: Final = (
    "REFERENCE.md gives no risks for this class; not verified. Check the product label "
    "and add its monitoring; this table must not be filled in from memory."
)

RISK_TABLE: Final[dict[Mechanism, ClassRisks]] = {
    Mechanism.JAK: ClassRisks(
        Status.VERIFIED,
        (
            Risk("serious_infection", f"{_XELJANZ}: interrupt for serious infection"),
            Risk("latent_tb_reactivation", f"{_XELJANZ}: latent TB test before start"),
            Risk("neutropenia", f"{_XELJANZ}: ANC at baseline, 4–8 weeks, then every 3 months"),
            Risk("lymphopenia", f"{_XELJANZ}: lymphocytes at baseline then every 3 months"),
            Risk("anaemia", f"{_XELJANZ}: Hb at baseline, 4–8 weeks, then every 3 months"),
            Risk("hyperlipidaemia", f"{_XELJANZ}: lipids at 4–8 weeks"),
            Risk("hepatotoxicity", f"{_XELJANZ}: liver enzymes routinely"),
        ),
        "From the tofacitinib label; for another JAK inhibitor confirm against its own label.",
    ),
    Mechanism.IGURATIMOD: ClassRisks(
        Status.PARTIAL,
        (Risk("hepatotoxicity", "Hara 2007, hepatic-enzyme monitoring (REFERENCE.md §1c)"),),
        "Only hepatic-enzyme monitoring is sourced (Hara 2007); other risks are not verified.",
    ),
    Mechanism.TNF: ClassRisks(Status.UNVERIFIED, (), _NONE_GIVEN),
    Mechanism.IL17: ClassRisks(Status.UNVERIFIED, (), _NONE_GIVEN),
    Mechanism.IL23: ClassRisks(Status.UNVERIFIED, (), _NONE_GIVEN),
    Mechanism.IL12_23: ClassRisks(Status.UNVERIFIED, (), _NONE_GIVEN),
    Mechanism.CD20: ClassRisks(Status.UNVERIFIED, (), _NONE_GIVEN),
    Mechanism.IL6: ClassRisks(Status.UNVERIFIED, (), _NONE_GIVEN),
    Mechanism.CTLA4_IG: ClassRisks(Status.UNVERIFIED, (), _NONE_GIVEN),
    Mechanism.PDE4: ClassRisks(Status.UNVERIFIED, (), _NONE_GIVEN),
    Mechanism.METHOTREXATE: ClassRisks(Status.UNVERIFIED, (), _NONE_GIVEN),
}

_SEED_DBT: Final = "seed 002, Protocol 1 (dual biologic/targeted therapy), REFERENCE.md §1b"

#: Risks of an arm giving two biologic or targeted synthetic agents together.
COMBINATION_RISKS: Final[tuple[Risk, ...]] = (
    Risk("serious_infection", f"{_SEED_DBT}: rigorous monitoring for infections"),
    Risk("neutropenia", f"{_SEED_DBT}: rigorous monitoring for neutropenia"),
    Risk("hepatotoxicity", f"{_SEED_DBT}: liver function tests"),
)

#: Where a biologic or JAK inhibitor is given, a rule must hold therapy at signs of serious infection.
SERIOUS_INFECTION_HOLD_SOURCE: Final = (
    f"{_SEED_DBT}: 'a low threshold for holding therapy upon signs of serious infection'; "
    f"{_XELJANZ}: interrupt for serious infection"
)

#: Latent TB screening before a JAK inhibitor (label) or a biologic (project requirement, issue 3).
LATENT_TB_SOURCE: Final = (
    f"{_XELJANZ}: latent TB test before start; for biologics, a requirement of issue 3 "
    "(class labels not summarised in REFERENCE.md)"
)

#: Mechanism pairs the seed calls complementary in dual therapy.
COMPLEMENTARY_PAIRS: Final[tuple[frozenset[Mechanism], ...]] = (
    frozenset({Mechanism.TNF, Mechanism.IL17}),
    frozenset({Mechanism.TNF, Mechanism.IL23}),
    frozenset({Mechanism.TNF, Mechanism.IL12_23}),
)
COMPLEMENTARY_SOURCE: Final = (
    f"{_SEED_DBT}: 'TNF plus IL-17/23, or a biologic with a JAK inhibitor'; "
    "seed 002 table: apremilast + biologics"
)

#: A biologic with either of these is complementary (seed: "a biologic with a JAK inhibitor", "apremilast + biologics").
COMPLEMENTS_ANY_BIOLOGIC: Final[frozenset[Mechanism]] = frozenset({Mechanism.JAK, Mechanism.PDE4})

INFECTION_WARNING_SOURCE: Final = (
    "Xeljanz US label, Limitations of Use: with biologic DMARDs 'not recommended' (REFERENCE.md §1b); "
    "seed 002: serious infections higher than monotherapy, especially rituximab and JAK-inhibitor combinations"
)
