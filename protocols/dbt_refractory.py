"""Dual biologic / targeted therapy (DBT) in refractory RA, PsA and axSpA.

Source: "Protocol 1: Investigating Dual Biologic Therapy (DBT) in Refractory
Disease" of the Smolecule technical note (reference ``smolecule2026``), its
review reference, and the
tofacitinib US label and CTCAE v5.0 for safety thresholds. What the sources
do not give (doses, sample size, allocation, blinding, visit windows, study
length, endpoint timepoints) is marked to be confirmed; the pregnancy
exclusion is not in the sources either and says so.
"""

from __future__ import annotations

import datetime as dt

from planner.expr import count, count_distinct, days_between, item, q
from planner.model import (
    TBC,
    Action,
    Arm,
    ArmType,
    Blinding,
    Category,
    ClinicalPopulation,
    Codelist,
    Criterion,
    CtcaeGrading,
    CtcaeTerm,
    DataDictionary,
    DataType,
    Derivation,
    Endpoint,
    Epoch,
    EpochType,
    Form,
    Intervention,
    Item,
    Level,
    Mechanism,
    MonitoringRule,
    Objective,
    Protocol,
    Randomisation,
    Range,
    RiskDecision,
    SampleSize,
    Schedule,
    Statistics,
    Status,
    StudyKind,
    Term,
    Timing,
    Visit,
    Window,
)
from planner.scores.pasi import PASI_GRADE_MAX, PASI_INPUTS, PASI_REGION_WEIGHTS
from protocols import _forms as forms
from protocols import _refs as refs
from protocols._safety import ACTION_TBC, anaemia, liver_rules, lymphopenia, neutropenia, serious_infection_hold
from protocols.pathway import iguratimod_failure_pathway

NOT_IN_SEED = "not given in the source protocol (Smolecule 2026, Protocol 1)"
# The source protocol states no pregnancy or contraception requirement.
NO_PREGNANCY_SOURCE = "not stated in the source protocol, Smolecule 2026, Protocol 1"
LABEL_DOSE = TBC("dose per the product label of the chosen agent; " + NOT_IN_SEED)
# Abatacept is not offered with the JAK inhibitor: its label does not recommend it with JAK inhibitors (or TNF
# inhibitors), and the source protocol names no class, so the choice is left to the classes no label warns about
# beyond the JAK inhibitor's own warning (recorded in RISK_DECISIONS).
BIOLOGICS = (Mechanism.TNF, Mechanism.IL17, Mechanism.IL23, Mechanism.IL12_23, Mechanism.IL6, Mechanism.CD20)
JAK_ARMS = ("biologic_jak",)

DUAL_NOTE = (
    "Serious infections are consistently more frequent with dual therapy than with monotherapy, especially "
    "with rituximab and JAK-inhibitor combinations (Smolecule 2026). No pooled serious-infection rate is available."
)
JAK_NOTE = (
    DUAL_NOTE + " Tofacitinib with biologic DMARDs or potent immunosuppressants (azathioprine, ciclosporin) is "
    "'not recommended' (Xeljanz US label, Limitations of Use); the study's decision to combine them is recorded "
    "with its reason."
)


def _agent(name: str, mechanisms: tuple[Mechanism, ...]) -> Intervention:
    return Intervention(name, mechanisms, dose=LABEL_DOSE, route=TBC("per the chosen agent's label"),
                        frequency=TBC("per the chosen agent's label"),
                        duration=TBC("treatment duration " + NOT_IN_SEED), source="smolecule2026")


ARMS = (
    Arm("tnf_il17_23", "TNF inhibitor + IL-17/IL-23 pathway inhibitor", ArmType.EXPERIMENTAL,
        "A TNF inhibitor combined with an IL-17 or IL-23 (or IL-12/23) inhibitor: complementary mechanisms.",
        planned_size=TBC("sample size " + NOT_IN_SEED),
        interventions=(
            _agent("TNF inhibitor (investigator's choice of agent)", (Mechanism.TNF,)),
            _agent("IL-17 or IL-23 pathway inhibitor (investigator's choice)",
                   (Mechanism.IL17, Mechanism.IL23, Mechanism.IL12_23)),
        ),
        safety_notes=(DUAL_NOTE,)),
    Arm("biologic_jak", "Biologic + JAK inhibitor", ArmType.EXPERIMENTAL,
        "A biologic DMARD combined with a JAK inhibitor: complementary mechanisms. Abatacept is not offered: its "
        "label does not recommend it with a JAK inhibitor.",
        planned_size=TBC("sample size " + NOT_IN_SEED),
        interventions=(
            _agent("Biologic DMARD (investigator's choice of class and agent)", BIOLOGICS),
            _agent("JAK inhibitor (investigator's choice of agent)", (Mechanism.JAK,)),
        ),
        safety_notes=(JAK_NOTE,)),
)

DX = Codelist("DX", "Diagnosis", (Term("RA", "Rheumatoid arthritis"), Term("PsA", "Psoriatic arthritis"),
                                  Term("axSpA", "Axial spondyloarthritis")))
INT, DEC, BOOL, CODED, TXT = DataType.INTEGER, DataType.DECIMAL, DataType.BOOLEAN, DataType.CODED, DataType.TEXT


DICTIONARY = DataDictionary(
    codelists=(forms.SEX, DX, forms.MECHANISM, forms.TB_RESULT, forms.HBV_RESULT),
    forms=(
        forms.demographics(),
        Form("dx", "Diagnosis and classification", domain="MH", items=(
            Item("diagnosis", "Diagnosis", CODED, codelist="DX", cdash="MHTERM"),
            Item("ra_joints", "2010 ACR/EULAR RA: joint involvement score (RA only)", INT, range=Range(0, 5),
                 required=False, source="ra2010"),
            Item("ra_serology", "2010 ACR/EULAR RA: serology score (RA only)", INT, range=Range(0, 3),
                 required=False, source="ra2010"),
            Item("ra_acute_phase", "2010 ACR/EULAR RA: acute-phase reactants score (RA only)", INT,
                 range=Range(0, 1), required=False, source="ra2010"),
            Item("ra_duration", "2010 ACR/EULAR RA: symptom duration score (RA only)", INT, range=Range(0, 1),
                 required=False, source="ra2010"),
        )),
        Form("prior_therapy", "Prior b/tsDMARD therapy", domain="CM", repeating=True, items=(
            Item("agent", "Agent", TXT, cdash="CMTRT"),
            Item("mechanism_class", "Mechanism class", CODED, codelist="MECH"),
            Item("failed", "Treatment failure", BOOL,
                 guidance="What counts as failure is to be confirmed: the source protocol (Smolecule 2026) does not "
                          "define it."),
        )),
        forms.tb_screening(),
        forms.hbv_screening("rituximablabel"),
        Form("tx", "Combination given", description="Recorded at each visit, so a switch of agent is seen by the "
             "class-specific safety rules.", items=(
            Item("biologic_class", "Mechanism class of the chosen biologic (biologic + JAK inhibitor arm)", CODED,
                 codelist="MECH", required=False,
                 guidance="Class-specific label rules (IL-6 receptor inhibitor, rituximab) read this."),
            Item("igg_low", "Serum IgG below the local laboratory's lower limit (before rituximab)", BOOL,
                 required=False, source="rituximabconsensus",
                 guidance="Baseline IgG before rituximab (consensus statement); no numeric threshold is given."),
        )),
        Form("das28", "Joint counts and DAS28 (RA)", items=(
            Item("tjc28", "Tender joint count (28 joints)", INT, range=Range(0, 28), required=False),
            Item("sjc28", "Swollen joint count (28 joints)", INT, range=Range(0, 28), required=False),
            Item("esr", "ESR", DEC, unit="mm/h", required=False),
            Item("crp", "CRP", DEC, unit="mg/L", required=False),
            Item("gh", "Patient global health (VAS)", INT, unit="mm", range=Range(0, 100), required=False),
        )),
        Form("pasi", "Psoriasis Area and Severity Index", description="Regions weighted head 0.1, arms 0.2, "
             "trunk 0.3, legs 0.4; erythema, induration and scaling 0–4; area 0–6.", items=tuple(
                 Item(f"pasi_{region}_{part}", f"PASI {region}: {part}", INT, range=Range(0, top), required=False)
                 for region in PASI_REGION_WEIGHTS for part, top in PASI_GRADE_MAX.items())),
        Form("pro", "Patient-reported outcomes", items=(
            Item("pro_score", "Patient-reported outcome score", DEC, unit=TBC("instrument not named in the source protocol (Smolecule 2026, Protocol 1)"),
                 guidance="Instrument to be confirmed: the source protocol (Smolecule 2026) names "
                          "'patient-reported outcomes' only."),
        )),
        forms.lung_function(),
        forms.safety_labs(lipids=True, extra=(
            Item("platelets", "Platelet count", DEC, unit="/mm3", cdash="LBORRES", required=False, source="kevzara",
                 guidance="The IL-6 receptor inhibitor labels set platelet thresholds."),)),
        forms.adverse_events(),
        forms.concomitant_medication(),
        forms.exposure(),
    ),
)

SCREENING_FORMS = ("dm", "dx", "prior_therapy", "tb", "hbv", "tx", "lb", "cm")
EFFICACY_FORMS = ("das28", "pasi", "pro", "pft")
SCHEDULE = Schedule(
    anchor="first dose of the combination (day 0)",
    epochs=(Epoch("screening", "Screening", EpochType.SCREENING), Epoch("treatment", "Treatment", EpochType.TREATMENT)),
    visits=(
        Visit("screening", "Screening", "screening", TBC("screening period " + NOT_IN_SEED),
              forms=SCREENING_FORMS),
        Visit("baseline", "Baseline (day 0)", "treatment", 0, Window(0, 0), forms=(*EFFICACY_FORMS, "tx", "lb", "ex")),
        Visit("week4_8", "Weeks 4–8", "treatment", 42, Window(14, 14, source="xeljanz"),
              forms=("tx", "lb", "ae", "cm", "ex"), source="xeljanz"),
        Visit("month3", "Month 3", "treatment", 91, TBC("visit window " + NOT_IN_SEED),
              forms=(*EFFICACY_FORMS, "tx", "lb", "ae", "cm", "ex"), source="xeljanz"),
        Visit("end", "End of study", "treatment", TBC("study length " + NOT_IN_SEED), None,
              forms=(*EFFICACY_FORMS, "tx", "lb", "ae", "cm", "ex")),
    ),
    duration_days=TBC("study length " + NOT_IN_SEED),
)

DERIVATIONS = (
    Derivation("das28_esr", "DAS28-ESR", unit="score", method="das28_esr",
               inputs=("tjc28", "sjc28", "esr_mm_h=esr", "gh_mm=gh")),
    Derivation("das28_crp", "DAS28-CRP", unit="score", method="das28_crp",
               inputs=("tjc28", "sjc28", "crp_mg_l=crp", "gh_mm=gh")),
    Derivation("ra_2010_score", "2010 ACR/EULAR RA classification score", unit="score", method="ra_2010_score",
               inputs=("joints=ra_joints", "serology=ra_serology", "acute_phase=ra_acute_phase",
                       "duration=ra_duration"), source="ra2010"),
    Derivation("pasi", "PASI", unit="score", method="pasi", inputs=tuple(f"{n}=pasi_{n}" for n in PASI_INPUTS)),
    Derivation("serious_infections", "Number of serious infections", unit="count",
               expression=count("ae", where=item("ae.infection") & item("ae.serious"))),
)

EPT = TBC("endpoint timepoint " + NOT_IN_SEED)
OBJECTIVES = (
    Objective("efficacy", Level.PRIMARY, "To describe the effect of dual b/tsDMARD therapy on disease activity "
              "in refractory inflammatory arthritis.", endpoints=(
        Endpoint("das28_change", Level.PRIMARY, "Change from baseline in DAS28-ESR (patients with RA)",
                 measure="das28_esr", timepoints=EPT, change_from_baseline=True,
                 comparison=TBC("comparison or success criterion " + NOT_IN_SEED), source="smolecule2026",
                 decision=TBC("which outcome is primary: the source protocol lists disease activity (DAS28 for RA, "
                              "PASI for psoriasis), patient-reported and organ outcomes and names none primary; "
                              "DAS28-ESR is this draft's choice, so patients with PsA or axSpA add nothing to the "
                              "primary analysis")),
        Endpoint("das28_crp_change", Level.SECONDARY, "Change from baseline in DAS28-CRP (patients with RA)",
                 measure="das28_crp", timepoints=EPT, change_from_baseline=True, source="smolecule2026"),
        Endpoint("pasi_change", Level.SECONDARY, "Change from baseline in PASI (patients with psoriasis)",
                 measure="pasi", timepoints=EPT, change_from_baseline=True, source="smolecule2026"),
        Endpoint("pro_change", Level.SECONDARY, "Change from baseline in patient-reported outcomes",
                 measure="pro_score", timepoints=EPT, change_from_baseline=True, source="smolecule2026"),
        Endpoint("fvc_change", Level.SECONDARY, "Change from baseline in FVC (% predicted), organ involvement",
                 measure="fvc_pct_pred", timepoints=EPT, change_from_baseline=True, source="smolecule2026"),
    )),
    Objective("safety", Level.SECONDARY, "To describe the safety of dual b/tsDMARD therapy, in particular "
              "infections, neutropenia and liver tests.", endpoints=(
        Endpoint("serious_infections", Level.SECONDARY, "Number of serious infections during the study",
                 measure="serious_infections", timepoints=EPT, source="smolecule2026"),
    )),
)

ELIGIBILITY = (
    Criterion("I1", Category.INCLUSION, "Diagnosis of rheumatoid arthritis, psoriatic arthritis or axial "
              "spondyloarthritis.", rule=item("diagnosis").is_in("RA", "PsA", "axSpA"), source="smolecule2026"),
    Criterion("I2", Category.INCLUSION, "For rheumatoid arthritis: 2010 ACR/EULAR classification score ≥ 6.",
              rule=item("diagnosis").ne("RA") | (item("ra_2010_score") >= 6),
              source=TBC("the source protocol (Smolecule 2026, Protocol 1) sets no classification requirement; the 2010 ACR/EULAR criteria (score ≥ 6, "
                         "ra2010) are the usual standard for RA, and none is set for PsA or axSpA")),
    Criterion("I3", Category.INCLUSION, "Active disease (the measure and threshold of activity are to be "
              "confirmed).", assessed_by_investigator=True, source="smolecule2026"),
    Criterion("I4", Category.INCLUSION, "Failure of at least two b/tsDMARDs from different mechanistic classes.",
              rule=count_distinct("prior_therapy.mechanism_class", where=item("prior_therapy.failed")) >= 2,
              source="smolecule2026"),
    Criterion("E1", Category.EXCLUSION, "Pregnancy or breastfeeding (to be confirmed: " + NO_PREGNANCY_SOURCE
              + ").", rule=item("sex").eq("F") & (item("pregnant") | item("breastfeeding")),
              source=TBC("a pregnancy or breastfeeding exclusion is " + NO_PREGNANCY_SOURCE
                         + "; keep, change or drop it")),
)

ANC, LYM, HB, PLT = item("anc"), item("lymphocytes"), item("hb"), item("platelets")
ALT, AST, ALT_ULN, AST_ULN = item("alt"), item("ast"), item("alt_uln"), item("ast_uln")
IL6 = item("biologic_class").eq("IL6")
IL6_ONLY = (" Applies when the chosen biologic is an IL-6 receptor inhibitor; thresholds from the sarilumab US "
            "label (Kevzara), to be confirmed for tocilizumab against its own label.")
LABEL_FREQ = "baseline, weeks 4–8, then every 3 months (tofacitinib US label, Xeljanz)"
# The JAK arm lets the investigator choose the JAK inhibitor; the label thresholds are tofacitinib's.
TOF_ONLY = " Threshold from the tofacitinib US label (Xeljanz); to be confirmed for other JAK inhibitors."
MONITORING = (
    serious_infection_hold("smolecule2026", "at every visit and at any sign of infection"),
    MonitoringRule("latent_tb", "Latent tuberculosis before start",
                   condition=item("latent_tb").is_in("positive", "indeterminate"), action=Action.DO_NOT_START,
                   action_text="Do not start a biologic or JAK inhibitor until latent TB has been evaluated and "
                               "managed as the product label requires.",
                   timing=Timing.BEFORE_START, risks=("latent_tb_reactivation",), frequency="at screening",
                   source="xeljanz"),
    MonitoringRule("anc_start", "ANC below 1000/mm³ before start", condition=ANC < q(1000, "/mm3"),
                   action=Action.DO_NOT_START, action_text="Do not start the JAK inhibitor." + TOF_ONLY,
                   timing=Timing.BEFORE_START, arms=JAK_ARMS, risks=("neutropenia",), frequency="at screening",
                   source="xeljanz"),
    MonitoringRule("lym_start", "Lymphocytes below 500/mm³ before start", condition=LYM < q(500, "/mm3"),
                   action=Action.DO_NOT_START, action_text="Do not start the JAK inhibitor." + TOF_ONLY,
                   timing=Timing.BEFORE_START, arms=JAK_ARMS, risks=("lymphopenia",), frequency="at screening",
                   source="xeljanz"),
    MonitoringRule("hb_start", "Haemoglobin below 9 g/dL before start", condition=HB < q(9, "g/dL"),
                   action=Action.DO_NOT_START, action_text="Do not start the JAK inhibitor." + TOF_ONLY,
                   timing=Timing.BEFORE_START, arms=JAK_ARMS, risks=("anaemia",), frequency="at screening",
                   source="xeljanz"),
    MonitoringRule("anc_500_1000", "ANC 500–1000/mm³", condition=ANC.between(q(500, "/mm3"), q(1000, "/mm3")),
                   action=Action.INTERRUPT,
                   action_text="If persistent, interrupt the JAK inhibitor until ANC is above 1000/mm³." + TOF_ONLY,
                   arms=JAK_ARMS, risks=("neutropenia",), frequency=LABEL_FREQ, ctcae=neutropenia(3),
                   source="xeljanz"),
    MonitoringRule("anc_below_500", "ANC below 500/mm³", condition=ANC < q(500, "/mm3"),
                   action=Action.DISCONTINUE, action_text="If confirmed on repeat testing, discontinue the JAK "
                   "inhibitor." + TOF_ONLY, arms=JAK_ARMS, risks=("neutropenia",), frequency=LABEL_FREQ,
                   ctcae=neutropenia(4), source="xeljanz"),
    MonitoringRule("lym_below_500", "Lymphocytes below 500/mm³", condition=LYM < q(500, "/mm3"),
                   action=Action.DISCONTINUE, action_text="If confirmed on repeat testing, discontinue the JAK "
                   "inhibitor." + TOF_ONLY, arms=JAK_ARMS, risks=("lymphopenia",),
                   frequency="baseline, then every 3 months (tofacitinib US label, Xeljanz)",
                   ctcae=lymphopenia(3), source="xeljanz"),
    MonitoringRule("hb_low", "Haemoglobin below 8 g/dL or a fall of more than 2 g/dL",
                   condition=(HB < q(8, "g/dL")) | (item("hb_baseline") - HB > q(2, "g/dL")),
                   action=Action.INTERRUPT, action_text="Interrupt the JAK inhibitor." + TOF_ONLY, arms=JAK_ARMS,
                   risks=("anaemia",), frequency=LABEL_FREQ, ctcae=anaemia(3), source="xeljanz"),
    MonitoringRule("anc_grade3_any", "ANC below 1000/mm³ on any combination", condition=ANC < q(1000, "/mm3"),
                   action=Action.NOTIFY, action_text="Notify the investigator (CTCAE v5.0 grade ≥ 3 neutropenia; "
                   f"Smolecule 2026 asks for neutropenia monitoring); {ACTION_TBC}.", risks=("neutropenia",),
                   frequency="at every visit with safety laboratory tests (this protocol's schedule; Smolecule "
                             "2026 gives no frequency)",
                   ctcae=neutropenia(3), source="ctcae5"),
    MonitoringRule("lipids", "Lipids after the JAK inhibitor starts", condition=item("lipids_need_management"),
                   action=Action.NOTIFY, action_text="Manage per clinical guidelines for hyperlipidaemia (the "
                   "tofacitinib label asks for lipids 4–8 weeks after start and gives no threshold; to be confirmed "
                   "for other JAK inhibitors).", arms=JAK_ARMS, risks=("hyperlipidaemia",),
                   frequency="4–8 weeks after start (tofacitinib US label, Xeljanz)", source="xeljanz"),
    MonitoringRule("lipids_window", "Lipid panel outside 4–8 weeks after the JAK inhibitor started",
                   condition=~days_between(item("jak_start_date"), item("lipids_date")).between(28, 56),
                   action=Action.REPEAT_TEST, action_text="Take the lipid panel 4–8 weeks (28–56 days) after the "
                   "JAK inhibitor started, as the tofacitinib label asks; to be confirmed for other JAK "
                   "inhibitors.", arms=JAK_ARMS, risks=("hyperlipidaemia",),
                   frequency="4–8 weeks after start (tofacitinib US label, Xeljanz)", source="xeljanz"),
    MonitoringRule("hbv_screen", "Hepatitis B serology before start",
                   condition=item("hbsag").is_in("positive", "indeterminate")
                   | item("anti_hbc").is_in("positive", "indeterminate"), action=Action.DO_NOT_START,
                   action_text="Do not start until hepatitis B status has been evaluated and managed as the chosen "
                   "agents' labels require (the rituximab label screens every patient for HBsAg and anti-HBc; "
                   "reactivation also occurs in HBsAg-negative, anti-HBc-positive patients).",
                   timing=Timing.BEFORE_START, risks=("hbv_reactivation",), frequency="at screening",
                   source="rituximablabel"),
    MonitoringRule("il6_start", "IL-6 receptor inhibitor: blood counts or liver tests too low or high to start",
                   condition=IL6 & ((ANC < q(2000, "/mm3")) | (PLT < q(150000, "/mm3")) | (ALT > 1.5 * ALT_ULN)
                                    | (AST > 1.5 * AST_ULN)),
                   action=Action.DO_NOT_START, action_text="Do not start the IL-6 receptor inhibitor (ANC below "
                   "2000/mm³, platelets below 150 000/mm³, or ALT/AST above 1.5 × ULN)." + IL6_ONLY,
                   timing=Timing.BEFORE_START, arms=JAK_ARMS, risks=("neutropenia", "thrombocytopenia",
                                                                    "hepatotoxicity"),
                   frequency="at screening", source="kevzara"),
    MonitoringRule("il6_interrupt", "IL-6 receptor inhibitor: ANC 500–1000/mm³, platelets 50 000–100 000/mm³ or "
                   "ALT/AST above 3 × ULN",
                   condition=IL6 & (ANC.between(q(500, "/mm3"), q(1000, "/mm3"))
                                    | PLT.between(q(50000, "/mm3"), q(100000, "/mm3"))
                                    | (ALT > 3 * ALT_ULN) | (AST > 3 * AST_ULN)),
                   action=Action.INTERRUPT, action_text="Interrupt the IL-6 receptor inhibitor; resume at the "
                   "label's lower dose when ANC is above 1000/mm³, platelets above 100 000/mm³ and ALT/AST below "
                   "3 × ULN." + IL6_ONLY, arms=JAK_ARMS, risks=("neutropenia", "thrombocytopenia", "hepatotoxicity"),
                   frequency=TBC("the sarilumab label's monitoring frequency was not found"), source="kevzara"),
    MonitoringRule("il6_discontinue", "IL-6 receptor inhibitor: ANC below 500/mm³, platelets below 50 000/mm³ or "
                   "ALT/AST above 5 × ULN",
                   condition=IL6 & ((ANC < q(500, "/mm3")) | (PLT < q(50000, "/mm3")) | (ALT > 5 * ALT_ULN)
                                    | (AST > 5 * AST_ULN)),
                   action=Action.DISCONTINUE, action_text="Discontinue the IL-6 receptor inhibitor (platelets "
                   "confirmed on repeat testing)." + IL6_ONLY, arms=JAK_ARMS,
                   risks=("neutropenia", "thrombocytopenia", "hepatotoxicity"),
                   frequency=TBC("the sarilumab label's monitoring frequency was not found"), source="kevzara"),
    MonitoringRule("igg_start", "Low IgG before rituximab", condition=item("biologic_class").eq("CD20")
                   & item("igg_low"), action=Action.NOTIFY, action_text="Review with the investigator before "
                   "starting rituximab: the consensus statement asks for baseline IgG and gives no numeric "
                   "threshold.", timing=Timing.BEFORE_START, arms=JAK_ARMS, risks=("hypogammaglobulinaemia",),
                   frequency="at screening and before each course (consensus statement)",
                   source="rituximabconsensus"),
    MonitoringRule("liver_5uln", "ALT or AST above 5 × ULN", condition=(ALT > 5 * ALT_ULN) | (AST > 5 * AST_ULN),
                   action=Action.DISCONTINUE, action_text="Discontinue the biologic and investigate (the infliximab "
                   "label: jaundice or ALT/AST ≥ 5 × ULN; the IL-6 receptor inhibitor labels: above 5 × ULN); "
                   "to be confirmed for the other agents against their labels.",
                   risks=("hepatotoxicity",), frequency="at every visit with safety laboratory tests (this "
                   "protocol's schedule)", ctcae=(CtcaeGrading(CtcaeTerm.ALT_INCREASED, "alt", "alt_uln", grade=3),
                                                 CtcaeGrading(CtcaeTerm.AST_INCREASED, "ast", "ast_uln", grade=3)),
                   source="infliximablabel"),
    *liver_rules("at every visit with safety laboratory tests (this protocol's schedule; Smolecule 2026 asks for "
                 "liver tests and the tofacitinib label for liver enzymes 'routinely', neither with a frequency)"),
)

RISK_DECISIONS = (
    RiskDecision("jak_with_biologic", arms=JAK_ARMS, source="smolecule2026",
                 reason="The study's question is dual therapy after failure of two or more b/tsDMARD classes: the "
                 "source protocol combines a biologic with a JAK inhibitor, choosing agents with their combined "
                 "safety in mind, and asks for rigorous monitoring of infections, neutropenia and liver tests "
                 "(rules serious_infection_hold, anc_*, il6_*, liver_*), which this protocol holds at every visit."),
)


def build() -> Protocol:
    """The dbt-refractory protocol."""
    return Protocol(
        id="dbt-refractory",
        title="Dual biologic or targeted synthetic therapy in refractory rheumatoid arthritis, psoriatic "
              "arthritis and axial spondyloarthritis after failure of two or more b/tsDMARD classes",
        short_title="DBT in refractory inflammatory arthritis",
        version="0.1",
        date=dt.date(2026, 11, 22),
        status=Status.DRAFT,
        kind=StudyKind.CLINICAL_INTERVENTIONAL,
        sponsor=TBC("sponsor not named in the source"),
        investigator=TBC("principal investigator not named in the source"),
        rationale="Switching to a b/tsDMARD with a different mechanism is the standard approach after failure "
                  "of a single agent; for patients who have failed two or more classes, combining two agents with complementary mechanisms (TNF plus IL-17/IL-23, or a "
                  "biologic with a JAK inhibitor) may control refractory disease, at the price of more serious "
                  "infections than monotherapy, especially with rituximab and JAK-inhibitor combinations.",
        design="Study of dual b/tsDMARD therapy in two complementary combinations (a TNF inhibitor with an "
               "IL-17/IL-23 pathway inhibitor, or a biologic with a JAK inhibitor), the agents chosen with their "
               "combined safety profile in mind (Smolecule 2026). How patients are allocated to a combination, and "
               "whether anyone is blinded, are to be confirmed.",
        population=ClinicalPopulation(
            "Patients with active RA, PsA or axSpA who have failed at least two b/tsDMARDs from different "
            "mechanistic classes.",
            conditions=("Rheumatoid arthritis", "Psoriatic arthritis", "Axial spondyloarthritis"),
            classification_criteria=("2010 ACR/EULAR classification criteria for RA (score ≥ 6)",),
            background_therapy=TBC("background therapy " + NOT_IN_SEED),
            age_years=TBC("age limits " + NOT_IN_SEED),
        ),
        schedule=SCHEDULE,
        dictionary=DICTIONARY,
        arms=ARMS,
        objectives=OBJECTIVES,
        derivations=DERIVATIONS,
        eligibility=ELIGIBILITY,
        monitoring=MONITORING,
        sample_size=SampleSize(TBC("target number " + NOT_IN_SEED), TBC("justification " + NOT_IN_SEED),
                               effect_size=TBC("effect size " + NOT_IN_SEED),
                               test=TBC("statistical test " + NOT_IN_SEED)),
        randomisation=Randomisation(TBC("allocation to a combination " + NOT_IN_SEED),
                                    "To be confirmed: the source protocol (Smolecule 2026, 'Combination "
                                    "Selection') asks for two agents with "
                                    "complementary mechanisms and their combined safety in mind, and says nothing "
                                    "about randomisation.", source="smolecule2026"),
        blinding=Blinding(TBC("blinding " + NOT_IN_SEED), TBC("who is blinded " + NOT_IN_SEED)),
        statistics=Statistics(TBC("primary analysis " + NOT_IN_SEED),
                              analysis_population=TBC("analysis population " + NOT_IN_SEED),
                              missing_data=TBC("handling of missing data " + NOT_IN_SEED)),
        pathways=(iguratimod_failure_pathway(),),
        risk_decisions=RISK_DECISIONS,
        references=(refs.SMOLECULE2026, refs.DBT_REVIEW, refs.XELJANZ, refs.CTCAE5, refs.FDA_DILI, refs.FURER2023,
                    refs.KEVZARA, refs.INFLIXIMAB_LABEL, refs.RITUXIMAB_LABEL, refs.RITUXIMAB_CONSENSUS,
                    refs.VALERO2023, refs.RA2010, refs.IGU_SSC2023, refs.ORENCIA_LABEL),
    )
