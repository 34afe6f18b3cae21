"""Forms and codelists shared by the clinical studies (CDASH-like domains).

Allowed ranges are given only where they are part of a definition (a 28-joint
count is 0–28, a 100 mm VAS is 0–100, a CTCAE grade is 1–5); plausibility
limits for laboratory values are not invented.
"""

from __future__ import annotations

from planner.model import Codelist, DataType, Form, Item, Mechanism, Range, Term

INT, DEC, TXT, DATE, BOOL, CODED = (
    DataType.INTEGER, DataType.DECIMAL, DataType.TEXT, DataType.DATE, DataType.BOOLEAN, DataType.CODED,
)

SEX = Codelist("SEX", "Sex", (Term("M", "Male"), Term("F", "Female")))
TB_RESULT = Codelist(
    "TBRES", "Latent tuberculosis test result",
    (Term("negative", "Negative"), Term("positive", "Positive"), Term("indeterminate", "Indeterminate")),
)
MECHANISM = Codelist(
    "MECH", "Mechanism class of a b/tsDMARD",
    tuple(Term(m.name, m.value) for m in (
        Mechanism.TNF, Mechanism.IL17, Mechanism.IL23, Mechanism.IL12_23, Mechanism.IL6, Mechanism.CD20,
        Mechanism.CTLA4_IG, Mechanism.JAK, Mechanism.PDE4,
    )),
)


def demographics() -> Form:
    return Form("dm", "Demographics", domain="DM", items=(
        Item("age", "Age", INT, unit="a", cdash="AGE"),
        Item("sex", "Sex", CODED, codelist="SEX", cdash="SEX"),
        Item("pregnant", "Pregnant (women only)", BOOL, required=False,
             guidance="Answer for women; leave empty for men."),
        Item("breastfeeding", "Breastfeeding (women only)", BOOL, required=False,
             guidance="Answer for women; leave empty for men."),
    ))


HBV_RESULT = Codelist(
    "HBVRES", "Hepatitis B serology result",
    (Term("negative", "Negative"), Term("positive", "Positive"), Term("indeterminate", "Indeterminate")),
)


def hbv_screening(source: str) -> Form:
    """HBsAg and anti-HBc before the first dose (the rituximab label screens every patient for both)."""
    return Form("hbv", "Hepatitis B screening", domain="MB", items=(
        Item("hbsag", "Hepatitis B surface antigen (HBsAg)", CODED, codelist="HBVRES", cdash="MBORRES",
             source=source),
        Item("anti_hbc", "Hepatitis B core antibody (anti-HBc)", CODED, codelist="HBVRES", cdash="MBORRES",
             source=source),
    ))


def tb_screening() -> Form:
    return Form("tb", "Latent tuberculosis screening", domain="MB", items=(
        Item("latent_tb", "Latent TB test result", CODED, codelist="TBRES", cdash="MBORRES",
             source="xeljanz"),
    ))


def safety_labs(*, lipids: bool = False, extra: tuple[Item, ...] = ()) -> Form:
    """Haematology and liver tests named by the label and CTCAE thresholds, and ``extra`` items a study's
    agents need (platelets, an investigator's judgement the label asks for)."""
    items = [
        Item("anc", "Absolute neutrophil count", DEC, unit="/mm3", cdash="LBORRES", source="ctcae5"),
        Item("lymphocytes", "Lymphocyte count", DEC, unit="/mm3", cdash="LBORRES", source="ctcae5"),
        Item("hb", "Haemoglobin", DEC, unit="g/dL", cdash="LBORRES", source="ctcae5"),
        Item("hb_baseline", "Haemoglobin at baseline (copied from the baseline visit)", DEC, unit="g/dL",
             required=False, guidance="Copy the baseline value so a fall can be judged at this visit."),
        Item("alt", "ALT", DEC, unit="U/L", cdash="LBORRES"),
        Item("alt_uln", "ALT upper limit of normal (local laboratory)", DEC, unit="U/L"),
        Item("ast", "AST", DEC, unit="U/L", cdash="LBORRES"),
        Item("ast_uln", "AST upper limit of normal (local laboratory)", DEC, unit="U/L"),
        Item("bilirubin", "Total bilirubin", DEC, unit="µmol/L", cdash="LBORRES"),
        Item("bilirubin_uln", "Total bilirubin upper limit of normal (local laboratory)", DEC, unit="µmol/L"),
        Item("alp", "Alkaline phosphatase", DEC, unit="U/L", cdash="LBORRES"),
        Item("alp_uln", "Alkaline phosphatase upper limit of normal (local laboratory)", DEC, unit="U/L"),
    ]
    if lipids:
        items.append(Item("ldl_c", "LDL cholesterol", DEC, unit="mmol/L", required=False, source="xeljanz",
                          guidance="Lipids at 4–8 weeks of tofacitinib (label)."))
        items.append(Item("lipids_need_management", "Lipids need management (investigator's judgement per local "
                          "guidelines)", BOOL, required=False, source="xeljanz",
                          guidance="The label gives no threshold: judge against local hyperlipidaemia guidelines."))
        items.append(Item("lipids_date", "Date of the 4–8 week lipid panel", DATE, required=False, cdash="LBDTC",
                          source="xeljanz", guidance="The label asks for lipids 4–8 weeks after the start."))
        items.append(Item("jak_start_date", "Date the JAK inhibitor was started (copied from the exposure record)",
                          DATE, required=False, source="xeljanz",
                          guidance="Copy the first dose date so the 4–8 week window can be checked at this visit."))
    items.extend(extra)
    return Form("lb", "Safety laboratory", domain="LB", items=tuple(items))


def adverse_events() -> Form:
    return Form("ae", "Adverse events", domain="AE", repeating=True, items=(
        Item("term", "Adverse event (verbatim term)", TXT, cdash="AETERM"),
        Item("start", "Start date", DATE, cdash="AESTDTC"),
        Item("serious", "Serious", BOOL, cdash="AESER"),
        Item("infection", "Infection", BOOL),
        Item("grade", "CTCAE v5.0 grade", INT, range=Range(1, 5), cdash="AETOXGR", source="ctcae5"),
    ))


def concomitant_medication() -> Form:
    return Form("cm", "Concomitant medication", domain="CM", repeating=True, items=(
        Item("agent", "Medication", TXT, cdash="CMTRT"),
        Item("start", "Start date", DATE, cdash="CMSTDTC"),
        Item("end", "End date", DATE, required=False, cdash="CMENDTC"),
    ))


def exposure() -> Form:
    return Form("ex", "Study drug exposure", domain="EX", repeating=True, items=(
        Item("agent", "Agent", TXT, cdash="EXTRT"),
        Item("start", "Start date", DATE, cdash="EXSTDTC"),
        Item("end", "End date", DATE, required=False, cdash="EXENDTC"),
        Item("interrupted", "Interrupted or held", BOOL, required=False),
    ))


def lung_function() -> Form:
    return Form("pft", "Pulmonary function", domain="RE", items=(
        Item("fvc_pct_pred", "Forced vital capacity", DEC, unit="% predicted", cdash="REORRES"),
        Item("dlco_pct_pred", "DLCO", DEC, unit="% predicted", required=False, cdash="REORRES"),
    ))
