"""A small protocol that exercises every part of the PDF and DOT exports.

It is deliberately awkward: rule text full of ``<`` and ``>``, Greek letters,
``≥ ≤ × µ ³``, "to be confirmed" values in many places, a schedule too wide
for a portrait page, a decision pathway, and a preclinical twin. The other
PDF and DOT tests import :func:`sample_protocol` from here.
"""

from __future__ import annotations

import datetime as dt

import attrs

from planner.expr import item, parse, q
from planner.model import (
    TBC,
    AnimalDetails,
    Arm,
    ArmType,
    Blinding,
    Category,
    ClinicalPopulation,
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
    Frequency,
    Intervention,
    Item,
    Level,
    Masking,
    Mechanism,
    MonitoringRule,
    NodeKind,
    Objective,
    Pathway,
    PathwayEdge,
    PathwayNode,
    PowerTest,
    Procedure,
    Protocol,
    Quantity,
    Randomisation,
    RandomisationMethod,
    Range,
    Reference,
    Role,
    Route,
    SampleSize,
    Schedule,
    Sex,
    Statistics,
    Status,
    Strategy,
    StudyKind,
    Visit,
    Window,
)
from planner.model.rules import Action

ANC_TEXT = "ANC < 1.0 × 10⁹/L at screening"
XY_TEXT = "x<y and y>z where x is the baseline value & z the limit"
CYTOKINE_TEXT = "Plasma IL-1β ≥ 5 pg/mL or TNF-α ≤ 2 pg/mL"
PLATELET_TEXT = "Platelets ≤ 100 × 10³/µL"


def _visits(n: int) -> tuple[Visit, ...]:
    out = [Visit("screening", "Screening", "scr", TBC("screening window not given"), forms=("dm", "lab"))]
    for k in range(1, n - 1):
        out.append(Visit(f"week{k * 4}", f"Week {k * 4}", "trt", k * 28, Window(3, 3, source="ref_b"),
                         forms=("lab", "ae") if k % 2 else ("lab", "ae", "eff")))
    out.append(Visit("follow_up", "Follow-up", "fu", (n - 1) * 28, TBC("window not given"), forms=("ae", "eff")))
    return tuple(out)


def sample_protocol(*, visits: int = 10, preclinical: bool = False) -> Protocol:
    """The sample protocol; ``visits`` sets the width of the schedule."""
    lab = Form("lab", "Safety laboratory", domain="LB", items=(
        Item("anc", "Absolute neutrophil count", DataType.DECIMAL, unit="10^9/L", range=Range(0, 50)),
        Item("alt", "ALT", DataType.DECIMAL, unit="U/L"),
        Item("alt_uln", "ALT upper limit of normal", DataType.DECIMAL, unit="U/L"),
        Item("il1b", "Plasma IL-1β", DataType.DECIMAL, unit="pg/mL", source="ref_a"),
        Item("tnfa", "Plasma TNF-α", DataType.DECIMAL, unit=TBC("TNF-α assay unit not reported")),
        Item("plt", "Platelets", DataType.DECIMAL, unit="/µL"),
    ))
    dm = Form("dm", "Demographics", domain="DM", items=(Item("age", "Age", DataType.INTEGER, unit="a"),))
    ae = Form("ae", "Adverse events", domain="AE", repeating=True, items=(
        Item("term", "Term", DataType.TEXT), Item("serious", "Serious", DataType.BOOLEAN)))
    eff = Form("eff", "Efficacy", items=(Item("score", "Disease score", DataType.DECIMAL, unit="score"),))
    arms = (
        Arm("combo", "TOF + IGU", ArmType.EXPERIMENTAL, "Tofacitinib with iguratimod.", planned_size=20,
            size_source="ref_a", interventions=(
                Intervention("tofacitinib", (Mechanism.JAK,), dose=Quantity(5, "mg", source="ref_a", verify=True),
                             route=Route.ORAL, frequency=Frequency.BID, duration=Quantity(12, "wk")),
                Intervention("iguratimod", (Mechanism.IGURATIMOD,), dose=TBC("iguratimod dose not reported"),
                             route=Route.ORAL, frequency=Frequency.QD, duration=TBC("duration not reported")),
            ), safety_notes=("Serious infections are more frequent with combined immunosuppression.",)),
        Arm("control", "Control", ArmType.ACTIVE_COMPARATOR, "Iguratimod alone.",
            planned_size=TBC("control group size not reported"), interventions=(
                Intervention("iguratimod", (Mechanism.IGURATIMOD,), role=Role.INVESTIGATIONAL,
                             dose=Quantity(25, "mg"), route=Route.ORAL, frequency=Frequency.BID),
            )),
    )
    criteria = (
        Criterion("adult", Category.INCLUSION, "Age ≥ 18 years", rule=item("age") >= 18, source="ref_a"),
        Criterion("cytokines", Category.INCLUSION, CYTOKINE_TEXT, rule=parse("il1b >= 5 or tnfa <= 2")),
        Criterion("neutropenia", Category.EXCLUSION, ANC_TEXT, rule=item("anc") < q(1.0, "10^9/L")),
        Criterion("xy", Category.EXCLUSION, XY_TEXT, assessed_by_investigator=True),
        Criterion("platelets", Category.EXCLUSION, PLATELET_TEXT, rule=parse("plt <= 100000")),
    )
    monitoring = (
        MonitoringRule("anc_low", "ANC below 1.0 × 10⁹/L", item("anc") < q(1.0, "10^9/L"), Action.INTERRUPT,
                       "Interrupt tofacitinib until ANC > 1.0 × 10⁹/L.", arms=("combo",),
                       ctcae=(CtcaeGrading(CtcaeTerm.NEUTROPHIL_COUNT_DECREASED, "anc", grade=3),), source="ref_b"),
        MonitoringRule("alt_high", "ALT ≥ 3 × ULN", item("alt") >= 3 * item("alt_uln"), Action.DISCONTINUE,
                       "Stop both drugs & report <possible> DILI.", frequency=TBC("liver test frequency not given")),
    )
    objectives = (
        Objective("efficacy", Level.PRIMARY, "To compare disease activity at week 12.", endpoints=(
            Endpoint("score_change", Level.PRIMARY, "Change in disease score from baseline", "score",
                     timepoints=("week12",), change_from_baseline=True, comparison="TOF + IGU vs control",
                     source="ref_a"),
        )),
        Objective("safety", Level.SECONDARY, "To describe serious adverse events.", endpoints=(
            Endpoint("saes", Level.SECONDARY, "Number of serious adverse events", "sae_count",
                     timepoints=TBC("safety timepoints not given")),
        )),
    )
    pathway = Pathway("after_failure", "Options after iguratimod failure", source="ref_b", nodes=(
        PathwayNode("start", "Iguratimod failure", NodeKind.START),
        PathwayNode("which", "Disease context?", NodeKind.DECISION),
        PathwayNode("dbt", "Dual therapy (TNF-α + IL-17 \"blockers\")", NodeKind.STRATEGY,
                    Strategy("RA, PsA", "Moderate", "More infections", source="ref_b")),
        PathwayNode("switch", "Switch class", NodeKind.STRATEGY),
        PathwayNode("done", "Remission ≥ 6 months", NodeKind.OUTCOME),
    ), edges=(
        PathwayEdge("start", "which"),
        PathwayEdge("which", "dbt", "≥ 2 classes failed"),
        PathwayEdge("which", "switch", "x<y & \"one\""),
        PathwayEdge("dbt", "done"),
        PathwayEdge("switch", "done", "response"),
    ))
    p = Protocol(
        id="sample-study",
        title="A sample study of tofacitinib with iguratimod (IL-1β and TNF-α)",
        short_title="Sample TOF + IGU study",
        version="1.2",
        date=dt.date(2024, 5, 1),
        status=Status.DRAFT,
        kind=StudyKind.CLINICAL_INTERVENTIONAL,
        sponsor=TBC("sponsor not named"),
        investigator="Dr A. Example",
        rationale="Iguratimod lowers IL-1β; tofacitinib blocks JAK signalling downstream of TNF-α.",
        design="Randomised, open-label, two-arm trial of 12 weeks.",
        schedule=Schedule("first dose", epochs=(
            Epoch("scr", "Screening", EpochType.SCREENING),
            Epoch("trt", "Treatment", EpochType.TREATMENT),
            Epoch("fu", "Follow-up", EpochType.FOLLOW_UP),
        ), visits=_visits(visits), duration_days=TBC("study length not given")),
        dictionary=DataDictionary(forms=(dm, lab, ae, eff)),
        population=ClinicalPopulation("Adults with active RA after iguratimod failure.", conditions=("RA",),
                                      age_years=Range(18, None), setting=TBC("setting not given")),
        procedures=(Procedure("biopsy", "Synovial biopsy", "Ultrasound-guided biopsy.", day=28),),
        arms=arms,
        objectives=objectives,
        derivations=(Derivation("sae_count", "Serious AE count", expression=parse("count(ae, where=ae.serious)")),),
        eligibility=criteria,
        monitoring=monitoring,
        sample_size=SampleSize(40, "Detect a 1.0-point difference (SD 1.1).", effect_size=0.9, alpha=0.05, power=0.8,
                               test=PowerTest.TWO_SAMPLE_T, attrition=0.1, source="ref_a"),
        randomisation=Randomisation(RandomisationMethod.PERMUTED_BLOCK, "1:1 in blocks.", block_size=4, seed=20240501,
                                    concealment="Central web system."),
        blinding=Blinding(Masking.ASSESSOR, "Joint assessors are blinded.", ("joint assessor",)),
        statistics=Statistics("ANCOVA of the change at week 12, adjusted for baseline.", missing_data=TBC("not given")),
        pathways=(pathway,),
        references=(
            Reference("ref_a", "Author A, et al. A trial of IL-1β. J Rheum 2020;1:1–10.", doi="10.1000/a"),
            Reference("ref_b", "Author B. Safety of TNF-α & JAK <blockers>. Lancet 2021;2:3.", pmid="123"),
        ),
    )
    if not preclinical:
        return p
    animals = AnimalDetails("Rat", "Sprague-Dawley", Sex.MALE, 40, "the individual rat", Quantity(6, "wk"),
                            TBC("weight not reported"), "Vital River", TBC("housing not reported"), "12 h light",
                            ("Weight loss ≥ 20 %", "Arthritis score > 12 of 16"), source="ref_a")
    return attrs.evolve(p, id="sample-rats", kind=StudyKind.PRECLINICAL, population=None, animals=animals)


def test_sample_protocol_builds() -> None:
    p = sample_protocol()
    assert 10 == len(p.schedule.visits)
    assert "sample-rats" == sample_protocol(preclinical=True).id
