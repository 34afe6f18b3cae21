"""Screening against the shipped protocols, with known answers."""

from __future__ import annotations

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st
from participant_files import csv_of

from planner.derive import with_derivations
from planner.participants import Participant, Screener, Status, Verdict
from planner.participants.derived import Derivations

MALE_PSA = {"age": 45, "sex": "M", "diagnosis": "PsA"}
RA_8 = {"diagnosis": "RA", "ra_joints": 3, "ra_serology": 3, "ra_acute_phase": 1, "ra_duration": 1}
SSC_NONE = dict.fromkeys(("skin_thickening_proximal_to_mcp", "puffy_fingers", "sclerodactyly", "digital_tip_ulcers",
                          "pitting_scars", "telangiectasia", "abnormal_nailfold_capillaries", "pah_or_ild", "raynaud",
                          "ssc_antibodies"), False)


def therapy(mechanism, failed=True, agent="x"):
    return {"agent": agent, "mechanism_class": mechanism, "failed": failed}


def one(engine, protocol, values, **logs):
    (result,) = engine.screen(protocol, [Participant("P01", 2, values, logs)]).results
    return result


def by_id(result):
    return {c.id: c for c in result.criteria}


# -- dbt-refractory: I4 counts distinct failed mechanism classes -----------------


def test_two_failed_classes_are_eligible_with_i3_left_to_the_investigator(dbt, engine):
    r = one(engine, dbt, MALE_PSA, prior_therapy=[therapy("TNF"), therapy("IL17")])
    assert Verdict.ELIGIBLE is r.verdict
    assert ["I3"] == [c.id for c in r.to_assess]
    assert Status.TO_BE_ASSESSED is by_id(r)["I3"].status
    assert () == r.missing


def test_two_failures_of_one_class_count_once(dbt, engine):
    r = one(engine, dbt, MALE_PSA, prior_therapy=[therapy("TNF", agent="adalimumab"), therapy("TNF", agent="etanercept")])
    assert Verdict.INELIGIBLE is r.verdict
    (i4,) = r.deciding
    assert "I4 not met" == i4.label
    assert "count_distinct(prior_therapy.mechanism_class, where=prior_therapy.failed) = 1" in i4.because


def test_a_class_that_did_not_fail_does_not_count(dbt, engine):
    r = one(engine, dbt, MALE_PSA, prior_therapy=[therapy("TNF"), therapy("JAK", failed=False), therapy("TNF")])
    assert ["I4"] == [c.id for c in r.deciding]
    r = one(engine, dbt, MALE_PSA, prior_therapy=[therapy("TNF"), therapy("JAK", failed=False), therapy("CTLA4_IG")])
    assert Verdict.ELIGIBLE is r.verdict


def test_no_prior_therapy_is_ineligible_but_an_unrecorded_history_is_incomplete(dbt, engine):
    assert Verdict.INELIGIBLE is one(engine, dbt, MALE_PSA, prior_therapy=[]).verdict
    r = one(engine, dbt, MALE_PSA)
    assert (Verdict.INCOMPLETE, ("prior_therapy",)) == (r.verdict, r.missing)


def test_an_unknown_failure_makes_the_count_unknown_and_names_the_item(dbt, engine):
    r = one(engine, dbt, MALE_PSA, prior_therapy=[therapy("TNF"), therapy("IL17", failed=None)])
    assert Verdict.INCOMPLETE is r.verdict
    assert ("prior_therapy.failed",) == r.missing
    assert ["I4"] == [c.id for c in r.unknown]


# -- dbt-refractory: I2 reads the 2010 RA score, E1 pregnancy -------------------


def test_ra_needs_a_2010_score_of_six(dbt, engine):
    base = {"sex": "M"}
    logs = {"prior_therapy": [therapy("TNF"), therapy("IL6")]}
    assert Verdict.ELIGIBLE is one(engine, dbt, {**base, **RA_8}, **logs).verdict
    r = one(engine, dbt, {**base, **RA_8, "ra_serology": 0, "ra_joints": 2}, **logs)
    assert ["I2"] == [c.id for c in r.deciding]
    assert "ra_2010_score = 4" in r.deciding[0].because


def test_a_missing_ra_score_names_its_items_not_the_derivation(dbt, engine):
    r = one(engine, dbt, {"sex": "M", "diagnosis": "RA", "ra_joints": 3, "ra_duration": 1},
            prior_therapy=[therapy("TNF"), therapy("IL6")])
    assert (Verdict.INCOMPLETE, ("ra_acute_phase", "ra_serology")) == (r.verdict, r.missing)


def test_an_impossible_score_input_is_a_problem_not_a_silent_zero(dbt, engine):
    r = one(engine, dbt, {"sex": "M", **RA_8, "ra_serology": 1}, prior_therapy=[therapy("TNF"), therapy("IL6")])
    assert Verdict.INCOMPLETE is r.verdict
    assert Status.UNKNOWN is by_id(r)["I2"].status
    assert 1 == len(r.problems) and r.problems[0].startswith("ra_2010_score: ")


def test_pregnancy_exclusion(dbt, engine):
    logs = {"prior_therapy": [therapy("TNF"), therapy("IL17")]}
    r = one(engine, dbt, {"sex": "F", "diagnosis": "PsA", "pregnant": True}, **logs)
    assert (Verdict.INELIGIBLE, "E1 applies") == (r.verdict, r.deciding[0].label)
    r = one(engine, dbt, {"sex": "F", "diagnosis": "PsA", "pregnant": False}, **logs)
    assert (Verdict.INCOMPLETE, ("breastfeeding",)) == (r.verdict, r.missing)
    assert Verdict.ELIGIBLE is one(engine, dbt, {"sex": "M", "diagnosis": "PsA"}, **logs).verdict


def test_a_deciding_criterion_wins_over_missing_data_which_is_still_named(dbt, engine):
    r = one(engine, dbt, {"sex": "F", "diagnosis": "PsA", "pregnant": False}, prior_therapy=[therapy("TNF")])
    assert Verdict.INELIGIBLE is r.verdict
    assert (["I4"], ("breastfeeding",)) == ([c.id for c in r.deciding], r.missing)


def test_a_file_without_a_column_the_criteria_read_gets_a_note(dbt, engine):
    sheet = engine.read(dbt, csv_of("participant,diagnosis", "P01,PsA"), "c.csv")
    report = engine.screen(dbt, sheet)
    assert any("the file has no column for" in n and "sex" in n and "prior_therapy.failed" in n
               for n in report.notes)
    assert (Verdict.INCOMPLETE,) == tuple(r.verdict for r in report.results)


# -- ssc-digital-ulcer: the 2013 ACR/EULAR score through derivations ---------------


SSC_OK = {"sex": "F", "pregnant": False, "breastfeeding": False, "du_history": True, "vasoactive_therapy": True}


def test_proximal_skin_thickening_alone_classifies(ssc, engine):
    r = one(engine, ssc, {**SSC_OK, **SSC_NONE, "skin_thickening_proximal_to_mcp": True})
    assert Verdict.ELIGIBLE is r.verdict
    assert "ssc_2013_score = 9" in by_id(r)["I1"].because


def test_higher_of_paired_items_only_and_a_score_below_nine(ssc, engine):
    # sclerodactyly 4 (puffy fingers 2 not added) + pitting scars 3 (tip ulcers 2 not added) = 7
    values = {**SSC_OK, **SSC_NONE, "puffy_fingers": True, "sclerodactyly": True, "digital_tip_ulcers": True,
              "pitting_scars": True}
    r = one(engine, ssc, values)
    assert (Verdict.INELIGIBLE, ["I1"]) == (r.verdict, [c.id for c in r.deciding])
    assert "ssc_2013_score = 7" in r.deciding[0].because
    assert Verdict.ELIGIBLE is one(engine, ssc, {**values, "telangiectasia": True}).verdict  # 9


def test_a_blank_classification_item_that_could_decide_leaves_the_score_unknown(ssc, engine):
    r = one(engine, ssc, {**SSC_OK, **SSC_NONE, "sclerodactyly": True, "raynaud": True, "pah_or_ild": None})  # 7 or 9
    assert (Verdict.INCOMPLETE, ("pah_or_ild",)) == (r.verdict, r.missing)
    assert "ssc_2013_score = 7..9" in by_id(r)["I1"].because


def test_blank_classification_items_that_cannot_change_the_answer_do_not_hold_it_up(ssc, engine):
    # 4 + 3 + 3 = 10 already: PAH/ILD (2 points) can only add.
    r = one(engine, ssc, {**SSC_OK, **SSC_NONE, "sclerodactyly": True, "raynaud": True, "ssc_antibodies": True,
                  "pah_or_ild": None})
    assert (Verdict.ELIGIBLE, ()) == (r.verdict, r.missing)
    # REFERENCE.md §2: proximal skin thickening alone scores 9, whatever the other items are.
    r = one(engine, ssc, {**SSC_OK, "skin_thickening_proximal_to_mcp": True})
    assert (Verdict.ELIGIBLE, ()) == (r.verdict, r.missing)
    assert "ssc_2013_score = 9..28" in by_id(r)["I1"].because
    # Nothing known: 0..28 decides nothing, and every item is named.
    r = one(engine, ssc, dict(SSC_OK))
    assert Verdict.INCOMPLETE is r.verdict
    assert set(SSC_NONE) <= set(r.missing)


def test_digital_ulcer_history_and_vasoactive_therapy_are_required(ssc, engine):
    r = one(engine, ssc, {**SSC_OK, **SSC_NONE, "skin_thickening_proximal_to_mcp": True, "du_history": False,
                  "vasoactive_therapy": False})
    assert ["I2", "I3"] == [c.id for c in r.deciding]


# -- cia-tnf-tof-igu: no criteria -------------------------------------------------


def test_a_protocol_whose_criteria_the_investigator_assesses_says_so(cia, engine):
    sheet = engine.read(cia, csv_of("participant,body_weight", "R01,182.5"), "rats.csv")
    report = engine.screen(cia, sheet)
    assert [Verdict.ELIGIBLE] == [r.verdict for r in report.results]
    assert [c.id for c in cia.eligibility] == [c.id for c in report.results[0].to_assess]
    assert any("no computable eligibility criteria" in n for n in report.notes)
    bare = attrs.evolve(cia, eligibility=())
    assert ("the protocol states no eligibility criteria: no candidate can be found ineligible",) == engine.screen(
        bare, sheet).notes


# -- the compiled fast path agrees with the explained answer ---------------------

MECH = st.sampled_from(["TNF", "IL17", "IL23", "JAK", "IL6", "CTLA4_IG"])
THERAPY = st.fixed_dictionaries({"agent": st.just("x"), "mechanism_class": st.one_of(st.none(), MECH),
                                 "failed": st.one_of(st.none(), st.booleans())})
DBT_RECORD = st.fixed_dictionaries({}, optional={
    "sex": st.sampled_from(["M", "F"]), "pregnant": st.booleans(), "breastfeeding": st.booleans(),
    "diagnosis": st.sampled_from(["RA", "PsA", "axSpA"]), "ra_joints": st.sampled_from([0, 1, 2, 3, 5]),
    "ra_serology": st.sampled_from([0, 1, 2, 3]), "ra_acute_phase": st.integers(0, 1),
    "ra_duration": st.integers(0, 1), "prior_therapy": st.lists(THERAPY, max_size=4),
})


@settings(max_examples=150, deadline=None)
@given(DBT_RECORD)
def test_compiled_verdict_equals_the_explained_one(dbt, record):
    screener = Screener(dbt)
    values = {k: v for k, v in record.items() if k != "prior_therapy"}
    logs = {"prior_therapy": record["prior_therapy"]} if "prior_therapy" in record else {}
    assert screener.screen(Participant("P", 1, values, logs)).verdict is screener.verdict(record)


@settings(max_examples=100, deadline=None)
@given(DBT_RECORD)
def test_prepared_derivations_equal_planner_derive(dbt, record):
    derivations = Derivations(dbt, [d.expression for d in dbt.derivations if d.expression is not None]
                              + [c.rule for c in dbt.eligibility if c.rule is not None])
    mine = dict(record)
    derivations.apply(mine)
    reference = with_derivations(dbt, record)
    assert {k: reference[k] for k in derivations.ids} == {k: mine[k] for k in derivations.ids}
