"""Monitoring rules on observations: thresholds, actions, CTCAE grades, arms and timing."""

from __future__ import annotations

import json

import attrs
import pytest
from participant_files import csv_of, xlsx_of

from planner.model import Action
from planner.participants import Participant, Phase, ctcae_grade, monitor, read_observations, visit_phase

LIVER_OK = {"alt": 30.0, "alt_uln": 40.0, "ast": 30.0, "ast_uln": 40.0, "bilirubin": 10.0, "bilirubin_uln": 21.0,
            "alp": 80.0, "alp_uln": 130.0}
QUIET = {"anc": 3000.0, "lymphocytes": 1500.0, "hb": 13.0, "hb_baseline": 13.0, "lipids_need_management": False,
         **LIVER_OK}


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
    assert {"latent_tb", "anc_start", "lym_start", "hb_start"} == set(applied)  # before-start rules, on treatment


@pytest.mark.parametrize(("anc", "expected"), [
    (1001, {}),
    (1000, {"anc_500_1000": (Action.INTERRUPT, 3)}),  # the label's 500–1000 band is inclusive
    (800, {"anc_500_1000": (Action.INTERRUPT, 3), "anc_grade3_any": (Action.REPEAT_TEST, 3)}),
    (499, {"anc_below_500": (Action.DISCONTINUE, 4), "anc_grade3_any": (Action.REPEAT_TEST, 3)}),
])
def test_neutrophil_thresholds_on_the_jak_arm(dbt, anc, expected):
    assert expected == fired(check(dbt, {"anc": float(anc)}))


@pytest.mark.parametrize(("hb", "baseline", "fires"), [(7.9, 13.0, True), (8.0, 9.0, False), (9.5, 12.0, True),
                                                       (9.5, 11.5, False)])
def test_haemoglobin_below_8_or_a_fall_of_more_than_2(dbt, hb, baseline, fires):
    r = check(dbt, {"hb": hb, "hb_baseline": baseline})
    assert ({"hb_low": (Action.INTERRUPT, 3)} if fires else {}) == fired(r)
    if fires:
        (f,) = r.fired
        assert ("Anaemia, grade 3 (< 8 g/dL)", "xeljanz", "Interrupt the JAK inhibitor.") == (
            f.ctcae, f.source, f.action_text)


def test_a_missing_baseline_haemoglobin_leaves_the_fall_not_evaluable(dbt):
    r = check(dbt, {"hb": 9.5, "hb_baseline": None})
    assert {} == fired(r)
    (u,) = r.not_evaluable
    assert ("hb_low", ("hb_baseline",)) == (u.rule, u.missing)
    assert {"hb_low": (Action.INTERRUPT, 3)} == fired(check(dbt, {"hb": 7.5, "hb_baseline": None}))  # < 8 decides


@pytest.mark.parametrize(("alt", "fires"), [(120.0, False), (121.0, True)])
def test_alt_above_three_times_uln_is_grade_2(dbt, alt, fires):
    r = check(dbt, {"alt": alt}, arm="tnf_il17_23")
    assert ({"liver_3uln": (Action.REPEAT_TEST, 2)} if fires else {}) == fired(r)


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
    assert {"anc_grade3_any": (Action.REPEAT_TEST, 3)} == fired(r)
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
    r = check(ssc, {"alt": 200.0}, visit="month12", arm="iguratimod")
    assert {"liver_3uln": (Action.REPEAT_TEST, 2)} == fired(r)
    assert ("hara2007",) == tuple(f.source for f in r.fired)


def test_a_protocol_without_rules_says_so(cia):
    report = monitor(attrs.evolve(cia, monitoring=()), [Participant("R01", 2, {"body_weight": 180.0}, {}, "end", "tof")])
    assert ("the protocol states no monitoring rules: nothing can fire",) == report.notes
    assert () == report.results[0].fired


def test_ctcae_grade_is_read_from_the_rule_text():
    assert 3 == ctcae_grade("Anaemia, grade 3 (< 8 g/dL)")
    assert 4 == ctcae_grade("Neutrophil count decreased, Grade 4")
    assert None is ctcae_grade(None)
    assert None is ctcae_grade("ALT increased")


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
