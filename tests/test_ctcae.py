"""CTCAE v5.0 grading: the band table against REFERENCE.md §3, units, unknown limits, and the typed rule field."""

from __future__ import annotations

import attrs
import pytest

from planner import ctcae
from planner.ctcae import Limit, Term, grade
from planner.expr import item
from planner.model import Action, CtcaeGrading, FieldError, MonitoringRule
from planner.serialize import LoadError, dump, load, structure, unstructure
from protocols import REGISTRY

N, L, ALT, AST, HB = (Term.NEUTROPHIL_COUNT_DECREASED, Term.LYMPHOCYTE_COUNT_DECREASED, Term.ALT_INCREASED,
                      Term.AST_INCREASED, Term.ANAEMIA)

# -- the table --------------------------------------------------------------------------------


def test_every_term_has_its_bands_in_one_unit_with_grade_1_at_a_limit_of_normal():
    for term in Term:
        bands = ctcae.bands(term)
        assert {ctcae.term_unit(term)} == {b.unit for b in bands}
        assert sorted(b.grade for b in bands) == list(range(1, len(bands) + 1))
        assert isinstance(next(b for b in bands if b.grade == 1).start, Limit)
        assert [None] == [b.end for b in bands if b.grade == max(x.grade for x in bands)]  # the worst is open


def test_the_bands_read_as_reference_states_them():
    def table(term):
        return [(b.grade, b.start, b.end) for b in sorted(ctcae.bands(term), key=lambda b: b.grade)]

    # Neutrophils: G1 < LLN–1500/mm³; G2 < 1500–1000; G3 < 1000–500; G4 < 500.
    assert [(1, Limit.LLN, 1500), (2, 1500, 1000), (3, 1000, 500), (4, 500, None)] == table(N)
    # Lymphocytes: G1 < LLN–800; G2 < 800–500; G3 < 500–200; G4 < 200.
    assert [(1, Limit.LLN, 800), (2, 800, 500), (3, 500, 200), (4, 200, None)] == table(L)
    # ALT/AST: G1 > ULN–3×ULN; G2 > 3–5×; G3 > 5–20×; G4 > 20×.
    assert [(1, Limit.ULN, 3), (2, 3, 5), (3, 5, 20), (4, 20, None)] == table(ALT) == table(AST)
    # Haemoglobin: G1 < LLN–10 g/dL; G2 < 10–8; G3 < 8.
    assert [(1, Limit.LLN, 10), (2, 10, 8), (3, 8, None)] == table(HB)
    assert ("/mm3", "/mm3", "xULN", "g/dL") == tuple(ctcae.term_unit(t) for t in (N, L, ALT, HB))


# -- band edges ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    (1499.0, 2), (1000.0, 2), (999.0, 3), (500.0, 3), (499.9, 4), (0.0, 4),
    (1500.0, None), (3000.0, None),  # grade 1 or normal: the LLN is not known
])
def test_neutrophil_edges(value, expected):
    assert expected == grade(N, value, "/mm3")


@pytest.mark.parametrize(("value", "expected"), [
    (799.0, 2), (500.0, 2), (499.0, 3), (200.0, 3), (199.0, 4), (800.0, None),
])
def test_lymphocyte_edges(value, expected):
    assert expected == grade(L, value, "/mm3")


@pytest.mark.parametrize(("value", "expected"), [(9.9, 2), (8.0, 2), (7.99, 3), (4.0, 3), (10.0, None), (14.0, None)])
def test_anaemia_edges_stop_at_grade_3(value, expected):
    assert expected == grade(HB, value, "g/dL")  # grade 4 is clinical (life-threatening), not a number


@pytest.mark.parametrize(("ratio", "expected"), [
    (0.5, 0), (1.0, 0), (1.01, 1), (3.0, 1), (3.01, 2), (5.0, 2), (5.01, 3), (20.0, 3), (20.01, 4),
])
def test_alt_and_ast_edges_in_multiples_of_uln(ratio, expected):
    assert expected == grade(ALT, ratio, "xULN") == grade(AST, ratio, "xULN")
    assert expected == grade(ALT, ratio * 40, "U/L", uln=40.0)


def test_a_known_lln_grades_grade_1_and_normal():
    assert (1, 1, 0, 0) == (grade(N, 1500.0, "/mm3", lln=1800.0), grade(N, 1799.0, "/mm3", lln=1800.0),
                            grade(N, 1800.0, "/mm3", lln=1800.0), grade(N, 3000.0, "/mm3", lln=1800.0))
    assert (1, 0) == (grade(HB, 11.0, "g/dL", lln=12.0), grade(HB, 12.0, "g/dL", lln=12.0))
    assert (1, 1) == (grade(L, 0.9, "10^9/L", lln=1.0), grade(L, 800.0, "/mm3", lln=1000.0))


# -- units ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "unit", "expected"), [
    (1.0, "10^9/L", 2), (0.999, "10^9/L", 3), (0.5, "10^9/L", 3), (0.45, "10^9/L", 4), (450.0, "/µL", 4),
])
def test_counts_convert_from_other_units(value, unit, expected):
    assert expected == grade(N, value, unit)


def test_haemoglobin_converts_from_g_per_litre():
    assert (2, 2, 3) == (grade(HB, 95.0, "g/L"), grade(HB, 80.0, "g/L"), grade(HB, 79.0, "g/L"))


def test_an_incompatible_unit_is_an_error_not_a_grade():
    with pytest.raises(ValueError, match="cannot be graded"):
        grade(N, 1.0, "g/dL")
    with pytest.raises(ValueError, match="cannot be graded"):
        grade(HB, 9.0, "mgg")


def test_a_uln_term_needs_the_uln_unless_the_value_is_a_multiple_of_it():
    assert None is grade(ALT, 150.0, "U/L")
    assert None is grade(ALT, 150.0, "U/L", uln=0.0)
    assert 2 == grade(ALT, 150.0, "U/L", uln=40.0)
    assert 2 == grade(AST, 3.75, "xULN")


# -- the typed rule field -------------------------------------------------------------------------


def _rule(*gradings: CtcaeGrading) -> MonitoringRule:
    return MonitoringRule("alt_high", "ALT above 3 × ULN", item("alt") > 3 * item("alt_uln"), Action.NOTIFY,
                          "Tell the investigator.", ctcae=gradings)


def test_a_grading_is_checked_locally():
    assert "Alanine aminotransferase increased, grade 2" == CtcaeGrading(ALT, "alt", "alt_uln", 2).describe()
    assert "Anemia" == CtcaeGrading(HB, "hb").describe()
    with pytest.raises(FieldError, match="grades are 1 to 5"):
        CtcaeGrading(N, "anc", grade=6)
    with pytest.raises(FieldError, match="not graded in multiples of ULN"):
        CtcaeGrading(N, "anc", uln_item="anc_uln")
    with pytest.raises(FieldError, match="duplicate CTCAE term"):
        _rule(CtcaeGrading(ALT, "alt", "alt_uln"), CtcaeGrading(ALT, "alt2", "alt_uln"))


def test_a_grading_given_as_text_is_a_clear_error_not_a_crash():
    # the free-text form of earlier versions (ctcae="... grade 3") must say what to write instead
    with pytest.raises(FieldError, match=r"ctcae: expected a list or tuple, got the text 'grade 3'"):
        MonitoringRule("m", "n", item("anc") < 1, Action.NOTIFY, "t", ctcae="grade 3")  # type: ignore[arg-type]
    with pytest.raises(FieldError, match=r"ctcae: item 0 is str 'grade 3', expected a CTCAE grading"):
        MonitoringRule("m", "n", item("anc") < 1, Action.NOTIFY, "t", ctcae=["grade 3"])  # type: ignore[list-item]
    with pytest.raises(FieldError, match=r"arms: expected a list or tuple, got the text 'jak'"):
        MonitoringRule("m", "n", item("anc") < 1, Action.NOTIFY, "t", arms="jak")  # type: ignore[arg-type]


def test_a_rule_with_gradings_round_trips_through_yaml_and_json():
    p = REGISTRY["dbt-refractory"]()
    rule = _rule(CtcaeGrading(ALT, "alt", "alt_uln", 2), CtcaeGrading(AST, "ast", "ast_uln"))
    p = attrs.evolve(p, monitoring=(*p.monitoring, rule))
    data = unstructure(p)["monitoring"][-1]["ctcae"]
    assert [{"term": "Alanine aminotransferase increased", "item": "alt", "uln_item": "alt_uln", "grade": 2},
            {"term": "Aspartate aminotransferase increased", "item": "ast", "uln_item": "ast_uln"}] == data
    for fmt in ("yaml", "json"):
        back = load(dump(p, fmt), fmt)  # type: ignore[arg-type]
        assert p == back
        assert rule.ctcae == back.monitoring[-1].ctcae
        assert isinstance(back.monitoring[-1].ctcae[0].term, Term)


def test_a_bad_grading_in_a_document_is_one_line_with_a_path():
    data = unstructure(REGISTRY["dbt-refractory"]())
    i = next(k for k, m in enumerate(data["monitoring"]) if m["id"] == "anc_below_500")
    data["monitoring"][i]["ctcae"] = [{"term": "ANC low", "item": "anc"}, {"term": "Anemia", "item": "hb", "grade": 0}]
    with pytest.raises(LoadError) as exc:
        structure(data)
    assert 2 == len(exc.value.problems)
    assert exc.value.problems[0].startswith(f"$.monitoring[{i}].ctcae[0].term: 'ANC low' is not a")
    assert f"$.monitoring[{i}].ctcae[1].grade: CTCAE grades are 1 to 5, not 0" == exc.value.problems[1]


def test_the_shipped_rules_grade_the_lab_items_they_read():
    p = REGISTRY["dbt-refractory"]()
    graded = {m.id: [(g.term, g.item, g.grade) for g in m.ctcae] for m in p.monitoring if m.ctcae}
    assert {"anc_500_1000": [(N, "anc", 3)], "anc_below_500": [(N, "anc", 4)], "lym_below_500": [(L, "lymphocytes", 3)],
            "hb_low": [(HB, "hb", 3)], "anc_grade3_any": [(N, "anc", 3)],
            "liver_3uln": [(ALT, "alt", 2), (AST, "ast", 2)], "liver_5uln": [(ALT, "alt", 3), (AST, "ast", 3)]} == graded
    for m in p.monitoring:
        assert {g.item for g in m.ctcae} <= m.condition.refs()


def test_threshold_sources_name_where_the_threshold_comes_from():
    dbt, ssc = REGISTRY["dbt-refractory"](), REGISTRY["ssc-digital-ulcer"]()
    by_id = {m.id: m for m in dbt.monitoring}
    assert "ctcae5" == by_id["liver_3uln"].source == {m.id: m for m in ssc.monitoring}["liver_3uln"].source
    assert "Hara 2007" in {m.id: m for m in ssc.monitoring}["liver_3uln"].frequency  # type: ignore[operator]
    grade3 = by_id["anc_grade3_any"]
    assert ("ctcae5", Action.NOTIFY) == (grade3.source, grade3.action)
    assert "action is to be confirmed" in grade3.action_text
    jak_arm = next(a for a in dbt.arms if a.id == "biologic_jak")
    assert "investigator's choice" in next(x.agent for x in jak_arm.interventions if "JAK" in x.agent)
    for m in dbt.monitoring:
        if m.source == "xeljanz" and m.arms == ("biologic_jak",):
            assert "to be confirmed for other JAK inhibitors" in m.action_text, m.id


# -- the check (MON015) ----------------------------------------------------------------------------


def _mon015(gradings: tuple[CtcaeGrading, ...]) -> list[tuple[str, str]]:
    from planner.checks import check

    p = REGISTRY["dbt-refractory"]()
    p = attrs.evolve(p, monitoring=(*p.monitoring, _rule(*gradings)))
    return [(f.path, f.message) for f in check(p).findings if f.code == "MON015"]


def test_the_shipped_protocols_grade_what_they_collect():
    from planner.checks import check

    for pid in ("dbt-refractory", "ssc-digital-ulcer"):
        assert [] == [f.message for f in check(REGISTRY[pid]()).findings if f.code == "MON015"]


@pytest.mark.parametrize(("grading", "path", "says"), [
    (CtcaeGrading(L, "lymphocyte"), "ctcae[0].item", "item 'lymphocyte' is not in the data dictionary; did you "
                                                       "mean 'lymphocytes'?"),
    (CtcaeGrading(ALT, "alt"), "ctcae[0].uln_item", "name the item holding the upper limit of normal"),
    (CtcaeGrading(ALT, "alt", "alt_ul"), "ctcae[0].uln_item", "item 'alt_ul' is not in the data dictionary"),
    (CtcaeGrading(ALT, "alt", "bilirubin"), "ctcae[0].uln_item", "'bilirubin' is in µmol/L, which does not convert "
                                                                 "to U/L ('alt')"),
    (CtcaeGrading(HB, "anc"), "ctcae[0].item", "item 'anc' is in /mm3, which does not convert to g/dL"),
])
def test_a_grading_the_data_cannot_feed_is_an_error_with_a_path(grading, path, says):
    n = len(REGISTRY["dbt-refractory"]().monitoring)
    ((where, message),) = _mon015((grading,))
    assert f"$.monitoring[{n}].{path}" == where
    assert says in message
