"""The CDISC controlled-terminology codes the USDM export writes, with the decodes CDISC gives them.

Each entry is ``concept id → preferred term``, as in the CDISC CT package of
:data:`CT_VERSION` that usdm4 0.29 ships (``usdm4/ct/cdisc/library_cache``);
``tests/exports/test_usdm.py`` checks every entry against that library, so a
typo or a renamed term fails a test rather than a reader. The maps from our
vocabulary (arm types, epoch types, routes…) to these codes are beside them;
a value with no faithful code maps to nothing and is written as text.
"""

from __future__ import annotations

from typing import Final

from planner.model.design import ArmType, Frequency, Role, Route
from planner.model.population import Sex
from planner.model.rules import Category, Level
from planner.model.schedule import EpochType
from planner.model.stats import Masking

CODE_SYSTEM: Final = "http://www.cdisc.org"
CT_VERSION: Final = "2026-03-27"

DECODE: Final[dict[str, str]] = {
    # StudyTitle.type
    "C207616": "Official Study Title", "C207615": "Brief Study Title",
    # Organization.type, StudyRole.code
    "C18240": "Academia", "C70793": "Clinical Study Sponsor", "C25936": "Investigator",
    # StudyDesign.studyType, model, timePerspective, studyPhase, blindingSchema
    "C98388": "Interventional Study", "C16084": "Observational Study",
    "C82639": "Parallel Study", "C82640": "Single Group Study", "C15208": "Cohort Study",
    "C15273": "Longitudinal Study", "C53310": "Cross-Sectional Study", "C48660": "Not Applicable",
    "C49659": "Open Label Study", "C28233": "Single Blind Study", "C15228": "Double Blind Study",
    "C187674": "Observer Blind Study",
    # StudyArm.type, dataOriginType
    "C174266": "Investigational Arm", "C174267": "Active Comparator Arm", "C174268": "Placebo Control Arm",
    "C174270": "No Intervention Arm", "C174226": "Control Arm", "C15538": "Protocol Treatment Arm",
    "C188866": "Data Generated Within Study",
    # StudyEpoch.type
    "C202487": "Screening Epoch", "C125938": "Baseline Epoch", "C101526": "Treatment Epoch",
    "C202578": "Follow-Up Epoch", "C98779": "Run-in Period",
    # Encounter.type, Timing.type, Timing.relativeToFrom
    "C25716": "Visit", "C201358": "Fixed Reference Timing Type", "C201356": "After Timing Type",
    "C201357": "Before Timing Type", "C201355": "Start to Start",
    # Objective.level, Endpoint.level
    "C85826": "Trial Primary Objective", "C85827": "Trial Secondary Objective",
    "C163559": "Trial Exploratory Objective",
    "C94496": "Primary Endpoint", "C139173": "Secondary Endpoint", "C170559": "Exploratory Endpoint",
    # EligibilityCriterion.category
    "C25532": "Inclusion Criteria", "C25370": "Exclusion Criteria",
    # StudyIntervention.role, type
    "C41161": "Protocol Agent", "C165822": "Background Treatment", "C753": "Placebo",
    "C158128": "Challenge Agent", "C1909": "Pharmacologic Substance", "C307": "Biological Agent",
    # Administration.route, frequency
    "C38288": "Oral Route of Administration", "C38299": "Subcutaneous Route of Administration",
    "C38276": "Intravenous Route of Administration", "C38258": "Intraperitoneal Route of Administration",
    "C38238": "Intradermal Route of Administration", "C28161": "Intramuscular Route of Administration",
    "C64576": "Once", "C25473": "Daily", "C64496": "Twice Daily", "C64527": "Three Times Daily",
    "C64533": "Every Three Days",
    # StudyDesignPopulation.plannedSex
    "C20197": "Male", "C16576": "Female",
}

UNIT: Final[dict[str, tuple[str, str]]] = {
    # our unit → (CDISC UNIT concept id, preferred term); only units with a code a dose or duration needs
    "mg": ("C28253", "Milligram"), "mg/kg": ("C67401", "Milligram per Kilogram"), "µg": ("C48152", "Microgram"),
    "g": ("C48155", "Gram"), "kg": ("C28252", "Kilogram"), "mL": ("C28254", "Milliliter"),
    "d": ("C25301", "Day"), "wk": ("C29844", "Week"), "a": ("C29848", "Year"),
}
"""Units of the CDISC UNIT codelist (C71620); a unit not listed is written in the text, not as a code."""

TITLE_OFFICIAL, TITLE_BRIEF = "C207616", "C207615"
SPONSOR_ROLE, INVESTIGATOR_ROLE = "C70793", "C25936"
ORGANISATION_UNKNOWN_TYPE = "C18240"
"""USDM requires an organisation type; with the sponsor to be confirmed, the organisation's label says so."""
INTERVENTIONAL, OBSERVATIONAL = "C98388", "C16084"
PARALLEL, SINGLE_GROUP, COHORT = "C82639", "C82640", "C15208"
LONGITUDINAL, CROSS_SECTIONAL = "C15273", "C53310"
PHASE_NOT_APPLICABLE = "C48660"
DATA_FROM_STUDY = "C188866"
VISIT = "C25716"
FIXED, AFTER, BEFORE, START_TO_START = "C201358", "C201356", "C201357", "C201355"
PHARMACOLOGIC, BIOLOGIC = "C1909", "C307"

BLINDING: Final = {Masking.OPEN: "C49659", Masking.SINGLE: "C28233", Masking.DOUBLE: "C15228",
                   Masking.ASSESSOR: "C187674"}
ARM: Final = {ArmType.EXPERIMENTAL: "C174266", ArmType.ACTIVE_COMPARATOR: "C174267",
              ArmType.PLACEBO_COMPARATOR: "C174268", ArmType.NO_INTERVENTION: "C174270",
              ArmType.NORMAL_CONTROL: "C174226", ArmType.DISEASE_CONTROL: "C174226", ArmType.OTHER: "C15538"}
EPOCH: Final = {EpochType.SCREENING: "C202487", EpochType.BASELINE: "C125938", EpochType.TREATMENT: "C101526",
                EpochType.FOLLOW_UP: "C202578", EpochType.INDUCTION: "C98779"}
"""Disease-model induction has no epoch term of its own; it is the run-in before treatment (named in the epoch)."""
OBJECTIVE: Final = {Level.PRIMARY: "C85826", Level.SECONDARY: "C85827", Level.EXPLORATORY: "C163559"}
ENDPOINT: Final = {Level.PRIMARY: "C94496", Level.SECONDARY: "C139173", Level.EXPLORATORY: "C170559"}
CATEGORY: Final = {Category.INCLUSION: "C25532", Category.EXCLUSION: "C25370"}
ROLE: Final = {Role.INVESTIGATIONAL: "C41161", Role.BACKGROUND: "C165822", Role.VEHICLE: "C753",
               Role.MODEL_INDUCTION: "C158128"}
ROUTE: Final = {Route.ORAL: "C38288", Route.SUBCUTANEOUS: "C38299", Route.INTRAVENOUS: "C38276",
                Route.INTRAPERITONEAL: "C38258", Route.INTRADERMAL: "C38238", Route.INTRAMUSCULAR: "C28161"}
FREQUENCY: Final = {Frequency.ONCE: "C64576", Frequency.QD: "C25473", Frequency.BID: "C64496",
                    Frequency.TID: "C64527", Frequency.Q3D: "C64533"}
"""Weekly, two- and four-weekly, continuous and "as labelled" are written as text (no exact term was found)."""
SEX: Final = {Sex.MALE: "C20197", Sex.FEMALE: "C16576"}
"""Both sexes are written as the two codes (USDM's planned sex takes Male and Female only, DDF00188)."""
