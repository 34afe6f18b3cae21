"""Iguratimod for ischaemic digital ulcers in systemic sclerosis: a prospective cohort.

Source: "Protocol 2: Evaluating Iguratimod for Digital Ulcers in Systemic
Sclerosis" of the Smolecule technical note (reference ``smolecule2026``),
derived from the Renji Hospital registry study (Front Med 2023;10:1113408).
The cohort takes iguratimod at the source protocol's regimen, "typically 25 mg
twice daily", which is not confirmed in the registry paper's text: the dose is
marked to verify. The pregnancy
exclusion is not in the sources and says so.
"""

from __future__ import annotations

import datetime as dt

from planner.expr import Expr, count, item, q
from planner.model import (
    TBC,
    Action,
    Arm,
    ArmType,
    Blinding,
    Category,
    ClinicalPopulation,
    Criterion,
    DataDictionary,
    DataType,
    Derivation,
    Endpoint,
    Epoch,
    EpochType,
    Form,
    Frequency,
    Intervention,
    Item,
    Level,
    Masking,
    Mechanism,
    MonitoringRule,
    Objective,
    Protocol,
    Quantity,
    Randomisation,
    RandomisationMethod,
    Range,
    Role,
    SampleSize,
    Schedule,
    Statistics,
    Status,
    StudyKind,
    Timing,
    Visit,
    Window,
)
from planner.scores import MRSS_SITES
from protocols import _forms as forms
from protocols import _refs as refs
from protocols._safety import liver_rules
from protocols.pathway import iguratimod_failure_pathway

NOT_IN_SEED = "not given in the source protocol (Smolecule 2026, Protocol 2)"
# The source protocol states no pregnancy or contraception requirement.
NO_PREGNANCY_SOURCE = "not stated in the source protocol, Smolecule 2026, Protocol 2"
INT, DEC, BOOL, DATE, TXT = DataType.INTEGER, DataType.DECIMAL, DataType.BOOLEAN, DataType.DATE, DataType.TEXT

SSC_ITEMS = (
    ("skin_thickening_proximal_to_mcp", "Skin thickening of the fingers of both hands extending proximal to the "
                                        "MCP joints (sufficient criterion, 9 points)"),
    ("puffy_fingers", "Puffy fingers (2 points)"),
    ("sclerodactyly", "Sclerodactyly distal to the MCPs (4 points)"),
    ("digital_tip_ulcers", "Digital tip ulcers (2 points)"),
    ("pitting_scars", "Fingertip pitting scars (3 points)"),
    ("telangiectasia", "Telangiectasia (2 points)"),
    ("abnormal_nailfold_capillaries", "Abnormal nailfold capillaries (2 points)"),
    ("pah_or_ild", "Pulmonary arterial hypertension and/or interstitial lung disease (2 points)"),
    ("raynaud", "Raynaud's phenomenon (3 points)"),
    ("ssc_antibodies", "SSc-related autoantibodies: anticentromere, anti-topoisomerase I or anti-RNA "
                       "polymerase III (3 points)"),
)

IGURATIMOD_LABS = (
    Item("blood_disorder", "Blood disorder at this blood count (investigator's judgement)", BOOL, required=False,
         source="careram", guidance="The iguratimod label asks for a blood count with differential before the "
         "start and periodically, and gives no numeric threshold: judge RBC, WBC and platelet decreases."),
    Item("renal_impairment", "Renal impairment (investigator's judgement from BUN, creatinine and urinalysis)",
         BOOL, required=False, source="careram", guidance="Renal tests are mandatory before iguratimod; the "
         "label asks for careful administration in renal impairment and gives no threshold."),
)

DICTIONARY = DataDictionary(
    codelists=(forms.SEX,),
    forms=(
        forms.demographics(),
        Form("ssc_class", "2013 ACR/EULAR SSc classification", domain="MH",
             items=tuple(Item(name, label, BOOL, source="ssc2013") for name, label in SSC_ITEMS)),
        Form("du_history", "Digital ulcer history and vasoactive therapy", domain="MH", items=(
            Item("du_history", "History of ischaemic digital ulcers", BOOL, cdash="MHOCCUR"),
            Item("vasoactive_therapy", "On standard vasoactive therapy", BOOL),
            Item("vasoactive_agents", "Vasoactive agents (names)", TXT, required=False),
        )),
        Form("digital_ulcer", "Digital ulcer log", repeating=True,
             description="One record per digital ulcer seen during follow-up.", items=(
                 Item("onset", "Date first seen", DATE),
                 Item("location", "Digit and site", TXT),
                 Item("ischaemic", "Ischaemic digital ulcer", BOOL),
                 Item("new_ulcer", "New since the previous visit", BOOL),
             )),
        Form("mrss", "Modified Rodnan skin score", description="17 sites, 0–3 each (Clements 1995).",
             items=tuple(Item(f"mrss_{site}", f"mRSS {site.replace('_', ' ')}", INT, range=Range(0, 3),
                              source="clements1995") for site in MRSS_SITES)),
        forms.lung_function(),
        Form("progression", "Overall disease progression", items=(
            Item("progressed", "Overall disease progression since the previous visit", BOOL,
                 guidance="Definition of overall progression to be confirmed (the source protocol, Smolecule "
                          "2026, does not define it)."),
        )),
        forms.safety_labs(extra=IGURATIMOD_LABS),
        forms.adverse_events(),
        forms.concomitant_medication(),
        forms.exposure(),
    ),
)

BASELINE_FORMS = ("dm", "ssc_class", "du_history", "mrss", "pft", "lb", "cm")
FOLLOW_UP_FORMS = ("digital_ulcer", "mrss", "pft", "progression", "lb", "ae", "cm", "ex")
SCHEDULE = Schedule(
    anchor="start of iguratimod (day 0)",
    epochs=(Epoch("baseline", "Baseline", EpochType.BASELINE), Epoch("follow_up", "Follow-up", EpochType.FOLLOW_UP)),
    visits=(
        Visit("baseline", "Baseline (day 0)", "baseline", 0, Window(0, 0), forms=BASELINE_FORMS),
        Visit("interim", "Interim follow-up visits", "follow_up",
              TBC("number and timing of interim visits " + NOT_IN_SEED),
              TBC("visit window " + NOT_IN_SEED), forms=("digital_ulcer", "lb", "ae", "cm", "ex")),
        Visit("month12", "Month 12 (end of follow-up)", "follow_up", 365,
              TBC("visit window " + NOT_IN_SEED), forms=FOLLOW_UP_FORMS, source="smolecule2026"),
    ),
    # The source protocol gives the follow-up only as an example ("e.g., 12 months"): the month-12 visit
    # follows that example, and the length itself stays to be confirmed.
    duration_days=TBC("length of follow-up: the source protocol suggests 12 months as an example "
                      "('e.g., 12 months') and fixes none"),
    duration_source="smolecule2026",
)


def _mrss_total() -> Derivation:
    return Derivation("mrss_total", "mRSS total (0–51)", unit="score", method="mrss_total",
                      inputs=tuple(f"{site}=mrss_{site}" for site in MRSS_SITES), source="clements1995")


NEW_DU: Expr = count("digital_ulcer", where=item("digital_ulcer.new_ulcer") & item("digital_ulcer.ischaemic"))
DERIVATIONS = (
    Derivation("new_du_count", "Number of new ischaemic digital ulcers", unit="count", expression=NEW_DU,
               source="smolecule2026"),
    _mrss_total(),
    Derivation("ssc_2013_score", "2013 ACR/EULAR SSc classification score", unit="score",
               method="ssc_2013_score", inputs=tuple(f"{name}={name}" for name, _ in SSC_ITEMS), source="ssc2013"),
)

OBJECTIVES = (
    Objective("du_prevention", Level.PRIMARY, "To describe the occurrence of new ischaemic digital ulcers in "
              "patients with SSc taking iguratimod on top of vasoactive therapy.", endpoints=(
        Endpoint("new_du", Level.PRIMARY, "Occurrence of new ischaemic digital ulcers during 12 months of "
                 "follow-up (patients free of new ulcers)", measure="new_du_count", timepoints=("month12",),
                 success=item("new_du_count").eq(0),
                 comparison=TBC("comparator and analysis " + NOT_IN_SEED), source="smolecule2026"),
    )),
    Objective("disease_course", Level.SECONDARY, "To describe skin, lung and overall disease course.", endpoints=(
        Endpoint("mrss_change", Level.SECONDARY, "Change from baseline in mRSS at month 12", measure="mrss_total",
                 timepoints=("month12",), change_from_baseline=True, source="smolecule2026"),
        Endpoint("fvc_change", Level.SECONDARY, "Change from baseline in FVC (% predicted) at month 12",
                 measure="fvc_pct_pred", timepoints=("month12",), change_from_baseline=True,
                 source="smolecule2026"),
        Endpoint("progression", Level.SECONDARY, "Overall disease progression during follow-up",
                 measure="progressed", timepoints=("month12",), source="smolecule2026"),
    )),
)

ELIGIBILITY = (
    Criterion("I1", Category.INCLUSION, "Systemic sclerosis fulfilling the 2013 ACR/EULAR classification "
              "criteria (total score ≥ 9).", rule=item("ssc_2013_score") >= 9, source="ssc2013"),
    Criterion("I2", Category.INCLUSION, "History of ischaemic digital ulcers.", rule=item("du_history"),
              source="smolecule2026"),
    Criterion("I3", Category.INCLUSION, "Receiving standard vasoactive therapy.", rule=item("vasoactive_therapy"),
              source="smolecule2026"),
    Criterion("E1", Category.EXCLUSION, "Pregnancy or breastfeeding (to be confirmed: " + NO_PREGNANCY_SOURCE
              + ").", rule=item("sex").eq("F") & (item("pregnant") | item("breastfeeding")),
              source=TBC("a pregnancy or breastfeeding exclusion is " + NO_PREGNANCY_SOURCE
                         + "; keep, change or drop it")),
    Criterion("E2", Category.EXCLUSION, "Peptic ulcer (contraindicated in the iguratimod label).",
              assessed_by_investigator=True, source="careram"),
    Criterion("E3", Category.EXCLUSION, "Treatment with warfarin that cannot be stopped (iguratimod is "
              "contraindicated with warfarin; the label gives warfarin priority).", assessed_by_investigator=True,
              source="careram"),
    Criterion("E4", Category.EXCLUSION, "Severe hepatic impairment (contraindicated in the iguratimod label).",
              assessed_by_investigator=True, source="careram"),
)

ALT, AST = item("alt"), item("ast")
LABEL_FREQ = TBC("the iguratimod label asks for tests before the start and periodically after it, without an "
                 "interval; this protocol's visits are to be confirmed")
MONITORING = (
    *liver_rules("at every visit with safety laboratory tests (this protocol's schedule; Hara 2007 monitors "
                 "hepatic enzymes on iguratimod but gives no frequency)"),
    MonitoringRule("igu_liver_100", "AST or ALT at or above 100 IU/L", condition=(ALT >= q(100, "U/L"))
                   | (AST >= q(100, "U/L")), action=Action.DISCONTINUE,
                   action_text="Discontinue iguratimod (the label's guide value: AST/ALT ≥ 100 IU/L).",
                   risks=("hepatotoxicity",), frequency=LABEL_FREQ, source="careram"),
    MonitoringRule("igu_blood_disorder", "Blood disorder on iguratimod", condition=item("blood_disorder"),
                   action=Action.INTERRUPT, action_text="Stop or interrupt iguratimod as needed, as the label "
                   "asks for blood disorders (RBC, WBC or platelet decrease); whether to resume is the "
                   "investigator's decision.", risks=("cytopenia",), frequency=LABEL_FREQ, source="careram"),
    MonitoringRule("igu_renal_start", "Renal impairment before iguratimod", condition=item("renal_impairment"),
                   action=Action.NOTIFY, action_text="Notify the investigator: the label asks for careful "
                   "administration in renal impairment (more adverse reactions).", timing=Timing.BEFORE_START,
                   risks=("renal",), frequency="at baseline", source="careram"),
)

# The source protocol has the cohort take iguratimod "typically 25 mg twice daily"; the dose is not confirmed in
# the registry paper's text, so it is typed and marked to verify.
IGURATIMOD = Intervention(
    "Iguratimod", (Mechanism.IGURATIMOD,),
    dose=Quantity(25, "mg", source="smolecule2026", verify=True),
    route=TBC("the sources do not state the route"),
    frequency=Frequency.BID,
    duration=TBC("treatment duration " + NOT_IN_SEED + "; follow-up lasts 12 months (Smolecule 2026: "
                 "'e.g., 12 months')"),
    notes="25 mg twice daily as the source protocol gives it (Smolecule 2026: 'typically 25 mg twice daily'); the frequency comes from the "
          "same phrase and, like the dose, is not confirmed in the registry paper's text. Usual dosing elsewhere "
          "is 25 mg/day for 4 weeks, then 50 mg/day, with hepatic-enzyme monitoring (Hara 2007).",
    source="smolecule2026",
)
VASOACTIVE = Intervention(
    "Standard vasoactive therapy", (Mechanism.VASOACTIVE,), role=Role.BACKGROUND,
    dose=TBC("agents and doses per standard care; " + NOT_IN_SEED), source="smolecule2026",
)


def build() -> Protocol:
    """The ssc-digital-ulcer protocol."""
    return Protocol(
        id="ssc-digital-ulcer",
        title="Iguratimod on top of vasoactive therapy for ischaemic digital ulcers in systemic sclerosis: "
              "a prospective cohort",
        short_title="Iguratimod for SSc digital ulcers",
        version="0.1",
        date=dt.date(2026, 11, 22),
        status=Status.DRAFT,
        kind=StudyKind.CLINICAL_INTERVENTIONAL,  # iguratimod is assigned by the protocol
        sponsor=TBC("sponsor not named in the source"),
        investigator=TBC("principal investigator not named in the source"),
        rationale="In the Renji Hospital SSc registry (2017–2021), 23 of 182 patients took iguratimod (median "
                  "follow-up 61 weeks); 8 of 11 (72.7 %) with digital ulcers had no new ulcer, and among 31 "
                  "patients with digital ulcers on vasoactive drugs iguratimod was protective (adjusted RR 0.25, "
                  "95 % CI 0.05–0.94). A prospective cohort can test this signal.",
        design="Prospective single-arm interventional study (the source protocol, Smolecule 2026, calls it a prospective cohort): patients "
               "with SSc and a history of ischaemic digital ulcers are given iguratimod by the protocol on top of "
               "standard vasoactive therapy and are followed for 12 months (Smolecule 2026: 'e.g., 12 months').",
        population=ClinicalPopulation(
            "Patients with systemic sclerosis (2013 ACR/EULAR criteria) and a history of ischaemic digital ulcers.",
            conditions=("Systemic sclerosis", "Ischaemic digital ulcers"),
            classification_criteria=("2013 ACR/EULAR classification criteria for SSc (score ≥ 9)",),
            background_therapy=("Standard vasoactive therapy",),
            age_years=TBC("age limits " + NOT_IN_SEED),
        ),
        schedule=SCHEDULE,
        dictionary=DICTIONARY,
        arms=(Arm("iguratimod", "Iguratimod + vasoactive therapy", ArmType.EXPERIMENTAL,
                  "Iguratimod 25 mg twice daily (Smolecule 2026: 'typically'; to verify against the registry "
                  "paper) on top of standard vasoactive therapy; followed for 12 months.",
                  planned_size=TBC("cohort size " + NOT_IN_SEED), interventions=(IGURATIMOD, VASOACTIVE)),),
        objectives=OBJECTIVES,
        derivations=DERIVATIONS,
        eligibility=ELIGIBILITY,
        monitoring=MONITORING,
        sample_size=SampleSize(TBC("cohort size " + NOT_IN_SEED), TBC("justification " + NOT_IN_SEED)),
        randomisation=Randomisation(RandomisationMethod.NONE, "Single cohort; no allocation."),
        blinding=Blinding(Masking.OPEN, "Open, single cohort.",
                          assessment=TBC("whether the assessors of the mRSS and of new ulcers know the treatment "
                                         + NOT_IN_SEED)),
        statistics=Statistics(TBC("primary analysis " + NOT_IN_SEED),
                              analysis_population=TBC("analysis population " + NOT_IN_SEED),
                              missing_data=TBC("handling of missing data " + NOT_IN_SEED)),
        pathways=(iguratimod_failure_pathway(),),
        references=(refs.SMOLECULE2026, refs.IGU_SSC2023, refs.HARA2007, refs.SSC2013, refs.CLEMENTS1995,
                    refs.VONK2021, refs.CTCAE5, refs.FDA_DILI, refs.DBT_REVIEW, refs.CARERAM),
    )
