"""Monitoring rules on observations: thresholds, actions, CTCAE grades, arms and timing."""

from __future__ import annotations

import datetime as dt
import json

import attrs
import pytest
from participant_files import csv_of, xlsx_of

from planner.ctcae import Term
from planner.model import Action
from planner.participants import Participant, Phase, monitor, read_observations, visit_phase

LIVER_OK = {"alt": 30.0, "alt_uln": 40.0, "ast": 30.0, "ast_uln": 40.0, "bilirubin": 10.0, "bilirubin_uln": 21.0,
            "alp": 80.0, "alp_uln": 130.0}
QUIET = {"anc": 3000.0, "lymphocytes": 1500.0, "hb": 13.0, "hb_baseline": 13.0, "lipids_need_management": False,
         "platelets": 250000.0, "biologic_class": "TNF", "hbsag": "negative", "anti_hbc": "negative",
         "igg_low": False, "blood_disorder": False, "renal_impairment": False,
         "jak_start_date": dt.date(2026, 1, 5), "lipids_date": dt.date(2026, 2, 20), **LIVER_OK}


def check(protocol, values, visit="week4_8", arm="biologic_jak", ae=()):
    obs = Participant("P01", 2, {**QUIET, **values}, {"ae": ae}, visit, arm)
    (result,) = monitor(protocol, [obs]).results
    return result


def fired(result):
    return {f.rule: (f.action, f.grade) for f in result.fired}


def test_quiet_values_fire_nothing_and_every_rule_is_accounted_for_once(dbt):
    r = check(dbt, {})
    assert {} == fired(r) and () == r.not_evaluable
    applied = [a.rule for a in r.not_applied]
    assert sorted(m.id for m in dbt.monitoring) == sorted([*applied, *r.not_fired])
    assert {"latent_tb", "anc_start", "lym_start", "hb_start", "hbv_screen", "il6_start", "igg_start"} == set(
        applied)  # before-start rules, on treatment


# The grade reported is CTCAE v5.0's for the observed ANC, not the grade written on the rule:
# 1000 is grade 2 (< 1500–1000), 800 grade 3 (< 1000–500), 499 and 450 grade 4 (< 500).
@pytest.mark.parametrize(("anc", "expected"), [
    (1001, {}),
    (1000, {"anc_500_1000": (Action.INTERRUPT, 2)}),  # the label's 500–1000 band is inclusive
    (800, {"anc_500_1000": (Action.INTERRUPT, 3), "anc_grade3_any": (Action.NOTIFY, 3)}),
    (500, {"anc_500_1000": (Action.INTERRUPT, 3), "anc_grade3_any": (Action.NOTIFY, 3)}),
    (499, {"anc_below_500": (Action.DISCONTINUE, 4), "anc_grade3_any": (Action.NOTIFY, 4)}),
    (450, {"anc_below_500": (Action.DISCONTINUE, 4), "anc_grade3_any": (Action.NOTIFY, 4)}),
])
def test_neutrophil_thresholds_on_the_jak_arm(dbt, anc, expected):
    assert expected == fired(check(dbt, {"anc": float(anc)}))


def test_a_firing_names_the_term_the_item_and_the_rules_own_grade(dbt):
    (f, _) = check(dbt, {"anc": 450.0}).fired
    (g,) = f.ctcae
    assert ("anc_below_500", Term.NEUTROPHIL_COUNT_DECREASED, "anc", 450.0, "/mm3", 4, 4) == (
        f.rule, g.term, g.item, g.value, g.unit, g.grade, g.rule_grade)
    assert "Neutrophil count decreased, grade 4 (anc = 450 /mm3)" == g.text()


@pytest.mark.parametrize(("hb", "baseline", "fires", "grade"), [
    (7.9, 13.0, True, 3),   # below 8 g/dL: grade 3
    (8.0, 9.0, False, None),
    (9.5, 12.0, True, 2),   # fires through the fall of more than 2 g/dL; 9.5 g/dL is grade 2 (< 10–8)
    (9.5, 11.5, False, None),
    (10.5, 13.0, True, None),  # a fall of 2.5 g/dL at 10.5 g/dL: grade 1 or normal, the LLN is not known
])
def test_haemoglobin_below_8_or_a_fall_of_more_than_2(dbt, hb, baseline, fires, grade):
    r = check(dbt, {"hb": hb, "hb_baseline": baseline})
    assert ({"hb_low": (Action.INTERRUPT, grade)} if fires else {}) == fired(r)
    if fires:
        (f,) = r.fired
        assert ((Term.ANAEMIA,), "xeljanz", 3) == (tuple(g.term for g in f.ctcae), f.source, f.ctcae[0].rule_grade)
        assert f.action_text.startswith("Interrupt the JAK inhibitor.")
        assert "to be confirmed for other JAK inhibitors" in f.action_text


def test_a_grade_that_cannot_be_computed_says_why(dbt):
    (f,) = check(dbt, {"hb": 10.5, "hb_baseline": 13.0}).fired
    assert "Anemia, not gradable: grade 1 or normal: the LLN is not known (hb = 10.5 g/dL)" == f.ctcae[0].text()


def test_a_missing_baseline_haemoglobin_leaves_the_fall_not_evaluable(dbt):
    r = check(dbt, {"hb": 9.5, "hb_baseline": None})
    assert {} == fired(r)
    (u,) = r.not_evaluable
    assert ("hb_low", ("hb_baseline",)) == (u.rule, u.missing)
    assert {"hb_low": (Action.INTERRUPT, 3)} == fired(check(dbt, {"hb": 7.5, "hb_baseline": None}))  # < 8 decides


@pytest.mark.parametrize(("alt", "fires", "grade"), [(120.0, False, None), (121.0, True, 2), (200.0, True, 2),
                                                      (201.0, True, 3), (801.0, True, 4)])
def test_alt_above_three_times_uln_is_graded_from_alt(dbt, alt, fires, grade):
    r = check(dbt, {"alt": alt}, arm="tnf_il17_23")  # ULN 40 U/L: 3×, 5× and 20× ULN are 120, 200 and 800
    expected = {"liver_3uln": (Action.REPEAT_TEST, grade)} if fires else {}
    if alt > 200:  # above 5 × ULN the infliximab label discontinues
        expected["liver_5uln"] = (Action.DISCONTINUE, grade)
    assert expected == fired(r)


def test_the_liver_rule_grades_alt_and_ast_each_and_reports_the_higher(dbt):
    (f,) = check(dbt, {"alt": 150.0, "ast": 90.0}, arm="tnf_il17_23").fired
    assert [(Term.ALT_INCREASED, 2), (Term.AST_INCREASED, 1)] == [(g.term, g.grade) for g in f.ctcae]
    assert 2 == f.grade
    (f,) = check(dbt, {"alt": 150.0, "ast": None, "ast_uln": None}, arm="tnf_il17_23").fired
    assert [2, None] == [g.grade for g in f.ctcae] and "ast not given" == f.ctcae[1].note
    assert 2 == f.grade


def test_alt_decides_even_when_ast_is_missing_but_not_the_other_way(dbt):
    r = check(dbt, {"alt": 150.0, "ast": None, "ast_uln": None}, arm="tnf_il17_23")
    assert "liver_3uln" in fired(r)
    r = check(dbt, {"alt": 30.0, "ast": None, "ast_uln": None}, arm="tnf_il17_23")
    assert {"liver_3uln": ("ast", "ast_uln")} == {u.rule: u.missing for u in r.not_evaluable if u.rule == "liver_3uln"}


def test_hys_law_needs_bilirubin_above_twice_uln_with_normal_alp(dbt):
    liver = {"alt": 130.0, "bilirubin": 50.0}
    assert {"liver_3uln": (Action.REPEAT_TEST, 2), "hys_law": (Action.INTERRUPT, None)} == fired(
        check(dbt, liver, arm="tnf_il17_23"))
    assert "hys_law" not in fired(check(dbt, {**liver, "alp": 300.0}, arm="tnf_il17_23"))


def test_rules_for_other_arms_do_not_apply_and_say_why(dbt):
    r = check(dbt, {"anc": 800.0}, arm="tnf_il17_23")
    assert {"anc_grade3_any": (Action.NOTIFY, 3)} == fired(r)
    reasons = {a.rule: a.reason for a in r.not_applied}
    assert "only for arm(s) biologic_jak; this row is arm tnf_il17_23" == reasons["anc_500_1000"]


def test_without_an_arm_arm_rules_are_evaluated_and_flagged(dbt):
    r = check(dbt, {"anc": 800.0}, arm=None)
    flags = {f.rule: f.arm_unconfirmed for f in r.fired}
    assert {"anc_500_1000": True, "anc_grade3_any": False} == flags


def test_before_start_rules_only_before_treatment(dbt):
    low = {"anc": 800.0, "lymphocytes": 400.0, "hb": 8.5, "latent_tb": "positive"}
    at_screening = check(dbt, low, visit="screening")
    assert {"latent_tb": (Action.DO_NOT_START, None), "anc_start": (Action.DO_NOT_START, None),
            "lym_start": (Action.DO_NOT_START, None), "hb_start": (Action.DO_NOT_START, None)} == fired(at_screening)
    on_treatment = check(dbt, low, visit="month3")
    assert not {"latent_tb", "anc_start", "lym_start", "hb_start"} & set(fired(on_treatment))
    assert "a before-start rule; this visit is on treatment" == {
        a.rule: a.reason for a in on_treatment.not_applied}["anc_start"]
    at_baseline = check(dbt, low, visit="baseline")  # day 0: both kinds apply
    assert {"anc_start", "anc_500_1000", "latent_tb"} <= set(fired(at_baseline))


def test_visit_phases_of_the_shipped_schedules(dbt, ssc):
    def phases(p):
        return {v.id: visit_phase(p, v) for v in p.schedule.visits}

    assert {"screening": Phase.BEFORE_START, "baseline": Phase.START, "week4_8": Phase.ON_TREATMENT,
            "month3": Phase.ON_TREATMENT, "end": Phase.ON_TREATMENT} == phases(dbt)
    assert {"baseline": Phase.START, "interim": Phase.ON_TREATMENT, "month12": Phase.ON_TREATMENT} == phases(ssc)


def test_a_rule_on_forms_the_visit_does_not_collect_applies_only_when_the_row_gives_them(dbt):
    r = check(dbt, {}, visit="baseline")  # latent TB is collected at screening, not at baseline
    assert "latent_tb" in {a.rule for a in r.not_applied}
    r = check(dbt, {"latent_tb": "indeterminate"}, visit="baseline")
    assert "latent_tb" in fired(r)


def test_adverse_events_none_versus_not_recorded(dbt):
    pneumonia = {"term": "pneumonia", "start": None, "serious": True, "infection": True, "grade": 3}
    assert {"serious_infection_hold": (Action.HOLD, None)} == fired(check(dbt, {}, ae=(pneumonia,)))
    assert {} == fired(check(dbt, {}, ae=({**pneumonia, "serious": False},)))
    obs = Participant("P01", 2, QUIET, {"ae": None}, "week4_8", "biologic_jak")
    (r,) = monitor(dbt, [obs]).results
    assert [("serious_infection_hold", ("ae",))] == [(u.rule, u.missing) for u in r.not_evaluable]


def test_liver_rules_of_the_ssc_cohort(ssc):
    r = check(ssc, {"alt": 99.0, "alt_uln": 30.0}, visit="month12", arm="iguratimod")
    assert {"liver_3uln": (Action.REPEAT_TEST, 2)} == fired(r)  # 99 U/L at ULN 30 U/L: 3.3 × ULN, grade 2
    assert ("ctcae5",) == tuple(f.source for f in r.fired)  # the threshold's source, not the frequency's
    r = check(ssc, {"alt": 100.0}, visit="month12", arm="iguratimod")  # the iguratimod label's guide value
    assert {"igu_liver_100": (Action.DISCONTINUE, None)} == fired(r)
    assert ("careram",) == tuple(f.source for f in r.fired)


def test_a_protocol_without_rules_says_so(cia):
    report = monitor(attrs.evolve(cia, monitoring=()), [Participant("R01", 2, {"body_weight": 180.0}, {}, "end", "tof")])
    assert ("the protocol states no monitoring rules: nothing can fire",) == report.notes
    assert () == report.results[0].fired


def test_csv_xlsx_and_json_observations_give_the_same_answers(dbt):
    header = "participant,visit,arm,anc,hb,hb_baseline,ae,ae[1].term,ae[1].serious,ae[1].infection"
    rows = ["P01,week4_8,biologic_jak,700,11,12,,pneumonia,yes,yes", "P02,month3,tnf_il17_23,700,12,12,none,,,"]
    from_csv = monitor(dbt, read_observations(dbt, csv_of(header, *rows), "o.csv"))
    xlsx = xlsx_of([header.split(","), *[[c or None for c in r.split(",")] for r in rows]])
    from_xlsx = monitor(dbt, read_observations(dbt, xlsx, "o.xlsx"))
    doc = [{"participant": "P01", "visit": "week4_8", "arm": "biologic_jak", "anc": 700, "hb": 11, "hb_baseline": 12,
            "ae": [{"term": "pneumonia", "serious": True, "infection": True}]},
           {"participant": "P02", "visit": "month3", "arm": "tnf_il17_23", "anc": 700, "hb": 12, "hb_baseline": 12,
            "ae": []}]
    from_json = monitor(dbt, read_observations(dbt, json.dumps(doc).encode(), "o.json"))

    def answers(report):
        return [(r.participant, sorted(fired(r)), [u.rule for u in r.not_evaluable]) for r in report.results]

    assert answers(from_csv) == answers(from_xlsx) == answers(from_json)
    assert ("P01", ["anc_500_1000", "anc_grade3_any", "serious_infection_hold"]) == answers(from_csv)[0][:2]
    assert ("P02", ["anc_grade3_any"]) == answers(from_csv)[1][:2]


@pytest.mark.parametrize(("days", "fires"), [(27, True), (28, False), (56, False), (57, True), (0, True)])
def test_the_lipid_panel_window_counts_days_from_the_start(dbt, days, fires):
    start = dt.date(2026, 1, 5)
    r = check(dbt, {"jak_start_date": start, "lipids_date": start + dt.timedelta(days=days)})
    assert ("lipids_window" in fired(r)) is fires


def test_the_lipid_panel_window_is_not_evaluable_without_both_dates(dbt):
    r = check(dbt, {"lipids_date": None})
    assert "lipids_window" not in fired(r)
    assert ["lipids_window"] == [u.rule for u in r.not_evaluable]
