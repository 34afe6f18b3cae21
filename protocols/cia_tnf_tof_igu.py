"""Tofacitinib + iguratimod in rat collagen-induced arthritis with TNF-α (five groups).

Source: Chen et al., Int Immunopharmacol 2023;124(Pt B):110913 (abstract and
summaries only) and a news summary of it (reference ``summary2023``). Doses and
duration come from an unidentified secondary summary, to be verified (reference
``chen2023_secondary``; the news summary gives no doses), so every value citing
it is marked for verification against the paper. Not found in the abstract or
the summaries: the TNF-α dose, route and schedule; the collagen, adjuvant and
booster day; the arthritis-score scale; the named pyroptosis proteins; micro-CT
parameters; bone-turnover markers; timepoints; statistics.
All of these are "to be confirmed" here, as are the experimental unit and the
day of sampling, which no source states.
"""

from __future__ import annotations

import datetime as dt

from planner.expr import item
from planner.model import (
    TBC,
    AnimalDetails,
    Arm,
    ArmType,
    Blinding,
    Category,
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
    Mechanism,
    Objective,
    Procedure,
    Protocol,
    Quantity,
    Randomisation,
    Role,
    Route,
    SampleSize,
    Schedule,
    Sex,
    Statistics,
    Status,
    StudyKind,
    Visit,
)
from protocols import _refs as refs

NOT_FOUND = "not found in the abstract or summaries of Chen 2023"
DEC, INT = DataType.DECIMAL, DataType.INTEGER
DOSE_SOURCE = "chen2023_secondary"
SIX_WEEKS = Quantity(6, "wk", source=DOSE_SOURCE, verify=True)
GROUP_SIZE = TBC("8 per group only if the 40 rats were split equally (40/5); the abstract does not state "
                 "group sizes")


def _drug(agent: str, mechanism: Mechanism, mg_per_kg: int) -> Intervention:
    return Intervention(agent, (mechanism,), dose=Quantity(mg_per_kg, "mg/kg", source=DOSE_SOURCE, verify=True),
                        route=Route.ORAL, frequency=Frequency.QD, duration=SIX_WEEKS, source=DOSE_SOURCE,
                        notes="Daily dose from the secondary summary; verify against Chen 2023.")


SALINE = Intervention("Normal saline (same volume as treatment)", (Mechanism.VEHICLE,), role=Role.VEHICLE,
                      route=Route.ORAL, frequency=Frequency.QD, duration=SIX_WEEKS, source=DOSE_SOURCE,
                      notes="Controls receive the same volume of normal saline (secondary summary; verify "
                            "against Chen 2023).")
COLLAGEN = Intervention("Collagen in adjuvant (collagen type, adjuvant and any booster to be confirmed)", (Mechanism.MODEL_INDUCTION,),
                        role=Role.MODEL_INDUCTION, dose=TBC("collagen dose and adjuvant " + NOT_FOUND),
                        route=TBC("usual rat CIA practice is intradermal at the tail base (secondary sources); "
                                  + NOT_FOUND),
                        frequency=TBC("usual practice is a booster on day 7; " + NOT_FOUND), source="chen2023")
TNF_ALPHA = Intervention("TNF-α (continuous injection to worsen arthritis and induce osteoporosis)",
                         (Mechanism.MODEL_INDUCTION,), role=Role.MODEL_INDUCTION,
                         dose=TBC("TNF-α dose " + NOT_FOUND), route=TBC("TNF-α route " + NOT_FOUND),
                         frequency=TBC("TNF-α schedule " + NOT_FOUND), source="chen2023")
TOFACITINIB = _drug("Tofacitinib", Mechanism.JAK, 12)
IGURATIMOD = _drug("Iguratimod", Mechanism.IGURATIMOD, 10)
MODEL = (COLLAGEN, TNF_ALPHA)

ARMS = (
    Arm("normal", "Normal control", ArmType.NORMAL_CONTROL, "Healthy rats given normal saline.",
        planned_size=GROUP_SIZE, interventions=(SALINE,)),
    Arm("model", "CIA + TNF model", ArmType.DISEASE_CONTROL, "CIA with continuous TNF-α, given normal saline.",
        planned_size=GROUP_SIZE, interventions=(*MODEL, SALINE)),
    Arm("tof", "TOF", ArmType.EXPERIMENTAL, "CIA + TNF treated with tofacitinib.", planned_size=GROUP_SIZE,
        interventions=(*MODEL, TOFACITINIB)),
    Arm("igu", "IGU", ArmType.EXPERIMENTAL, "CIA + TNF treated with iguratimod.", planned_size=GROUP_SIZE,
        interventions=(*MODEL, IGURATIMOD)),
    Arm("tof_igu", "TOF + IGU", ArmType.EXPERIMENTAL, "CIA + TNF treated with tofacitinib and iguratimod.",
        planned_size=GROUP_SIZE, interventions=(*MODEL, TOFACITINIB, IGURATIMOD)),
)

PAWS = (("paw_lf", "left fore"), ("paw_rf", "right fore"), ("paw_lh", "left hind"), ("paw_rh", "right hind"))
SCALE_TBC = TBC("arthritis-score scale " + NOT_FOUND + "; usual practice is 0–4 per paw, 0–16 per animal")
UNIT_TBC = TBC("assay units " + NOT_FOUND)

DICTIONARY = DataDictionary(forms=(
    Form("animal", "Animal record", items=(
        Item("body_weight", "Body weight", DEC, unit="g", guidance="Needed for mg/kg dosing."),
    )),
    Form("arthritis", "Arthritis clinical score", description="Score each paw; scheme to be confirmed.",
         items=tuple(Item(name, f"Arthritis score, {label} paw", INT, range=SCALE_TBC, source="chen2023")
                     for name, label in PAWS)),
    Form("cytokines", "Plasma cytokines (ELISA)", items=(
        Item("il18", "Plasma IL-18", DEC, unit=UNIT_TBC, source="chen2023"),
        Item("il1b", "Plasma IL-1β", DEC, unit=UNIT_TBC, source="chen2023"),
        Item("il6", "Plasma IL-6", DEC, unit=UNIT_TBC, source="chen2023"),
    )),
    Form("histology", "Ankle and knee histology (HE, IHC)",
         description="Scoring scheme to be confirmed; SMASH recommendations (Hayer 2021) apply.", items=(
             Item("infiltration", "Inflammatory-cell infiltration, ankle (HE)", DEC,
                  range=TBC("histology scoring scheme " + NOT_FOUND), source="chen2023"),
             Item("synovial_hyperplasia", "Synovial hyperplasia, ankle (HE)", DEC,
                  range=TBC("histology scoring scheme " + NOT_FOUND), source="chen2023"),
             Item("pyroptosis_proteins", "Synovial pyroptosis-protein expression (NLRP3 inflammasome pathway; "
                  "proteins to be confirmed)", DEC, unit=UNIT_TBC, source="chen2023"),
             Item("knee_bone_destruction", "Knee bone destruction (HE/IHC)", DEC,
                  range=TBC("bone-destruction scoring " + NOT_FOUND), source="chen2023"),
         )),
    Form("microct", "Knee micro-CT", description="Parameters recommended by Bouxsein 2010; the paper's own "
         "parameters, voxel size and volume of interest are to be confirmed.", items=(
             Item("bv_tv", "Bone volume fraction (BV/TV)", DEC, unit="%", source="bouxsein2010"),
             Item("tb_n", "Trabecular number (Tb.N)", DEC, unit="1/mm", source="bouxsein2010"),
             Item("tb_th", "Trabecular thickness (Tb.Th)", DEC, unit="mm", source="bouxsein2010"),
             Item("tb_sp", "Trabecular separation (Tb.Sp)", DEC, unit="mm", source="bouxsein2010"),
         )),
    Form("bone_turnover", "Bone turnover", items=(
        Item("bone_turnover_marker", "Bone-turnover marker (markers to be confirmed)", DEC, unit=UNIT_TBC,
             source="chen2023"),
    )),
))

TIMEPOINT_TBC = TBC("timepoint " + NOT_FOUND)
SAMPLING_DAY = TBC("day of sampling and termination " + NOT_FOUND + "; treatment lasts 6 weeks per a secondary "
                   "summary (verify), which would put the end of treatment at day 42")
SCHEDULE = Schedule(
    anchor="first day of treatment (day 0)",
    epochs=(Epoch("induction", "Arthritis induction", EpochType.INDUCTION),
            Epoch("treatment", "Treatment", EpochType.TREATMENT)),
    visits=(
        Visit("induction", "Collagen immunisation and TNF-α", "induction", TIMEPOINT_TBC, None,
              forms=("animal",)),
        Visit("start", "Start of treatment (day 0)", "treatment", 0, None, forms=("animal", "arthritis")),
        Visit("scoring", "Arthritis scoring during treatment", "treatment",
              TBC("scoring frequency " + NOT_FOUND), None, forms=("animal", "arthritis")),
        Visit("end", "End of treatment: sampling and termination", "treatment", SAMPLING_DAY, None,
              forms=("animal", "arthritis", "cytokines", "histology", "microct", "bone_turnover")),
    ),
    duration_days=TBC("length of the schedule: treatment lasts 6 weeks (day 0 to 42) per a secondary summary "
                      "(verify), but the day of sampling and termination is " + NOT_FOUND),
)

COMPARISON = "CIA + TNF model vs normal control; TOF + IGU vs CIA + TNF model; TOF and IGU alone vs model (Chen 2023)"
END = ("end",)
OBJECTIVES = (
    Objective("efficacy", Level.PRIMARY, "To test whether tofacitinib plus iguratimod reduces arthritis, "
              "inflammation and pyroptosis in rat CIA with TNF-α, compared with the untreated CIA + TNF model "
              "(Chen 2023 compares each treatment group with the model).", endpoints=(
        Endpoint("arthritis_score", Level.PRIMARY, "Arthritis clinical score at the end of treatment",
                 measure="cia_score", timepoints=END, comparison=COMPARISON, source="chen2023",
                 decision=TBC("which outcome is primary: Chen 2023 reports the arthritis score among several "
                              "outcomes and names none primary (" + NOT_FOUND + "); the score is this draft's "
                              "choice")),
        Endpoint("il1b", Level.SECONDARY, "Plasma IL-1β", measure="il1b", timepoints=END, comparison=COMPARISON,
                 source="chen2023"),
        Endpoint("il18", Level.SECONDARY, "Plasma IL-18", measure="il18", timepoints=END, comparison=COMPARISON,
                 source="chen2023"),
        Endpoint("il6", Level.SECONDARY, "Plasma IL-6", measure="il6", timepoints=END, comparison=COMPARISON,
                 source="chen2023"),
        Endpoint("infiltration", Level.SECONDARY, "Inflammatory-cell infiltration and synovial hyperplasia "
                 "(ankle HE)", measure="infiltration", timepoints=END, comparison=COMPARISON, source="chen2023"),
        Endpoint("pyroptosis", Level.SECONDARY, "Synovial pyroptosis proteins", measure="pyroptosis_proteins",
                 timepoints=END, comparison=COMPARISON, source="chen2023"),
    )),
    Objective("bone", Level.SECONDARY, "To test whether the combination reduces bone destruction and restores "
              "bone turnover (secondary osteoporosis).", endpoints=(
        Endpoint("bone_destruction", Level.SECONDARY, "Knee bone destruction (HE, IHC)",
                 measure="knee_bone_destruction", timepoints=END, comparison=COMPARISON, source="chen2023"),
        Endpoint("microct", Level.SECONDARY, "Knee micro-CT bone volume fraction (BV/TV), the "
                 "parameter Bouxsein 2010 recommends; Chen 2023's micro-CT parameters are not found", measure="bv_tv",
                 timepoints=END, comparison=COMPARISON, source="bouxsein2010"),
        Endpoint("bone_turnover", Level.SECONDARY, "Bone turnover", measure="bone_turnover_marker",
                 timepoints=END, comparison=COMPARISON, source="chen2023"),
    )),
)

# A plain sum, not the published ``cia_clinical_score`` method: that method declares
# the 0–4 per-paw scheme, which Chen 2023 is not known to use (SCALE_TBC).
DERIVATIONS = (
    Derivation("cia_score", "Arthritis clinical score (sum of the four paw scores; scheme to be confirmed)",
               unit="score", expression=item(PAWS[0][0]) + item(PAWS[1][0]) + item(PAWS[2][0]) + item(PAWS[3][0]),
               definition=SCALE_TBC, source="chen2023"),
)

HUMANE = TBC("humane endpoints " + NOT_FOUND)


def build() -> Protocol:
    """The cia-tnf-tof-igu protocol."""
    return Protocol(
        id="cia-tnf-tof-igu",
        title="Tofacitinib plus iguratimod in rat collagen-induced arthritis with continuous TNF-α: effects on "
              "arthritis, pyroptosis and secondary osteoporosis",
        short_title="TOF + IGU in rat CIA + TNF-α",
        version="0.1",
        date=dt.date(2026, 11, 22),
        status=Status.DRAFT,
        kind=StudyKind.PRECLINICAL,
        sponsor=TBC("sponsor not named in the source"),
        investigator=TBC("principal investigator not named in the source"),
        rationale="Continuous TNF-α on top of collagen-induced arthritis models active, refractory RA with "
                  "secondary osteoporosis (high IL-6, IL-1β and IL-18, synovial hyperplasia, bone damage). "
                  "Iguratimod reduced arthritis in rat CIA at 5 and 20 mg/kg/day (Du 2008), and JAK inhibition "
                  "raised bone mass and lowered RANKL/OPG in mice (Adam 2020). Chen 2023 tested the combination.",
        design="Randomised controlled experiment in five parallel groups of male Sprague-Dawley rats: normal "
               "control, CIA + TNF model, TOF, IGU and TOF + IGU. Treatment lasts 6 weeks according to a "
               "secondary summary, to be verified against Chen 2023.",
        animals=AnimalDetails(
            species="Rat (Rattus norvegicus)", strain="Sprague-Dawley", sex=Sex.MALE, total=40,
            experimental_unit=TBC("experimental unit " + NOT_FOUND + "; the news summary says the 40 rats "
                                  "were randomly assigned to five groups, not whether allocation and treatment were "
                                  "per animal or per cage"),
            age=Quantity(6, "wk", source="chen2023"),
            weight_g=TBC("weight range " + NOT_FOUND), supplier=TBC("supplier " + NOT_FOUND),
            housing=TBC("housing " + NOT_FOUND), husbandry=TBC("husbandry " + NOT_FOUND),
            humane_endpoints=HUMANE, acclimatisation=TBC("acclimatisation " + NOT_FOUND), source="chen2023",
        ),
        procedures=(
            Procedure("cia", "Collagen-induced arthritis", "Immunisation with collagen in adjuvant (the collagen "
                      "type, adjuvant and any booster are to be confirmed).", day=TBC("immunisation and booster days " + NOT_FOUND),
                      details=("Usual rat practice (secondary sources): collagen in incomplete Freund's adjuvant "
                               "intradermally at the tail base, booster on day 7 — to be confirmed.",),
                      source="chen2023"),
            Procedure("tnf", "Continuous TNF-α injection", "TNF-α given continuously to worsen active arthritis and "
                      "induce secondary osteoporosis.", day=TBC("TNF-α schedule " + NOT_FOUND), source="chen2023"),
            Procedure("sampling", "Blood sampling and termination", "Plasma for ELISA; ankles and knees for "
                      "histology, IHC and micro-CT.", day=SAMPLING_DAY, source="chen2023"),
        ),
        schedule=SCHEDULE,
        dictionary=DICTIONARY,
        arms=ARMS,
        objectives=OBJECTIVES,
        derivations=DERIVATIONS,
        eligibility=(Criterion("I1", Category.INCLUSION, "Male Sprague-Dawley rat, 6 weeks old (Chen 2023; "
                               "the day on which age was stated is not given).", assessed_by_investigator=True,
                               source="chen2023"),),
        sample_size=SampleSize(40, TBC("sample-size justification " + NOT_FOUND), groups=5, source="chen2023",
                               effect_size=TBC("effect size " + NOT_FOUND),
                               test=TBC("statistical test " + NOT_FOUND)),
        randomisation=Randomisation(TBC("randomisation method " + NOT_FOUND),
                                    "Rats were randomly assigned to the five groups (Chen 2023).",
                                    seed=TBC("allocation seed " + NOT_FOUND), source="chen2023"),
        blinding=Blinding(TBC("blinding " + NOT_FOUND), TBC("who was blinded " + NOT_FOUND)),
        statistics=Statistics(TBC("statistical methods " + NOT_FOUND)),
        references=(refs.CHEN2023, refs.SEED_SUMMARY, refs.CHEN2023_SECONDARY, refs.DU2008, refs.ADAM2020,
                    refs.BOUXSEIN2010, refs.HAYER2021, refs.ARRIVE2020),
    )
