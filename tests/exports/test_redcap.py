"""The REDCap export, checked by the ``linkml-redcap`` schema (LinkML's validator) and by what REDCap refuses on import.

Every shipped study and a family of generated protocols (odd names, Unicode
and markup in every text, long texts, logs) must give files with no schema
result and no import problem. No evaluator of REDCap logic exists outside
REDCap, so the logic of the shipped studies' rules is compared with
hand-checked text, and the writer is run on the conformance suite's generated
expressions for what can be checked without running it: every field it reads
exists, and its quotes and parentheses balance.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from exports import FORMATS, redcap
from exports.redcap import names, validate
from exports.redcap.project import COLUMNS, Project
from planner import cli
from planner.expr import parse
from planner.expr import redcap as logic
from planner.expr.redcap import Unexpressible, Var
from planner.model import Codelist, DataType, Item, Protocol, Term
from protocols import REGISTRY
from tests.conformance.strategies import Case, cases
from tests.strategies import protocols

pytest.importorskip("linkml")
pytest.importorskip("linkml_redcap")

GENERATED = 100


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def _field(files: dict[str, bytes], variable: str) -> dict[str, str]:
    for row in _rows(files[redcap.DICTIONARY])[1:]:
        if row[0] == variable:
            return dict(zip(COLUMNS, row, strict=True))
    raise AssertionError(f"no field {variable}")


def _passes(files: dict[str, bytes]) -> None:
    assert [] == validate.schema_problems(files[redcap.DICTIONARY])
    assert [] == validate.import_problems(files)


@pytest.mark.parametrize("pid", list(REGISTRY))
def test_each_shipped_study_passes_the_schema_and_the_import_checks(pid: str) -> None:
    p = REGISTRY[pid]()
    files = redcap.tables(p)
    assert set(files) == {p.id and s for s in redcap.parts(p)}
    _passes(files)
    table = _rows(files[redcap.DICTIONARY])
    assert tuple(table[0]) == COLUMNS and all(len(r) == 18 for r in table)
    assert table[1][:4] == ["record_id", "participant", table[1][2], "text"]
    variables = {r[0] for r in table[1:]}
    for f in p.dictionary.forms:
        for it in f.items:
            assert names.variable(it.name, f.id if f.repeating else None) in variables
    if len(p.schedule.visits) > 1:
        events = _rows(files[redcap.EVENTS])[1:]
        assert [e[5] for e in events] == [f"{v.id.lower()}_arm_1" for v in p.schedule.visits]
        for e, v in zip(events, p.schedule.visits, strict=True):
            assert e[2] == (str(v.day) if isinstance(v.day, int) else "")


def test_the_validators_have_teeth() -> None:
    """A broken schema value, a duplicate, a split instrument, a dangling field, a bad choice: each reported."""
    files = redcap.tables(REGISTRY["ssc-digital-ulcer"]())
    dd = files[redcap.DICTIONARY]
    assert any("texty" in e for e in validate.schema_problems(dd.replace(b",yesno,", b",texty,", 1)))
    assert any("Bad-Name" in e for e in validate.schema_problems(dd.replace(b"\r\nage,", b"\r\nBad-Name,", 1)))
    table = _rows(dd)
    header, first, rest = table[0], table[1], table[2:]

    def csv_of(rows: list[list[str]]) -> bytes:
        return redcap.csv_bytes(header, rows)

    def problems(rows: list[list[str]], **more: bytes) -> list[str]:
        return validate.import_problems({**files, redcap.DICTIONARY: csv_of(rows), **more})

    assert [] == problems([first, *rest])
    assert any("first field" in e for e in problems([*rest, first]))
    assert any("defined twice" in e for e in problems([first, *rest, rest[0]]))
    assert any("not together" in e for e in problems([first, *rest, [*rest[0][:0], "zz", "participant", *rest[0][2:]]]))
    calc = next(i for i, r in enumerate(rest) if r[3] == "calc")
    dangling = [*rest[calc][:5], rest[calc][5].replace("[mrss_face]", "[mrss_nose]"), *rest[calc][6:]]
    assert any("[mrss_nose]" in e for e in problems([first, *rest[:calc], dangling, *rest[calc + 1:]]))
    radio = next(i for i, r in enumerate(rest) if r[3] == "radio")
    broken = [*rest[radio][:5], "M, Male | M, Again | F-x, Dash", *rest[radio][6:]]
    found = problems([first, *rest[:radio], broken, *rest[radio + 1:]])
    assert any("listed twice" in e for e in found) and any("'F-x'" in e for e in found)
    mapping = files[redcap.MAPPING] + b"1,nowhere_arm_1,dm\r\n1,baseline_arm_1,nothing\r\n"
    found = validate.import_problems({**files, redcap.MAPPING: mapping})
    assert any("nowhere_arm_1" in e for e in found) and any("'nothing'" in e for e in found)
    rules = files[redcap.RULES] + b'x,"[nowhere_arm_1][alt] > 1",y\r\n'
    assert any("[nowhere_arm_1]" in e for e in validate.import_problems({**files, redcap.RULES: rules}))


# -- the logic, checked by hand ---------------------------------------------------------------------


def test_the_shipped_rules_are_the_logic_written_by_hand() -> None:
    """Each expectation below was worked out by hand from the rule and REDCap's syntax."""
    dbt = redcap.tables(REGISTRY["dbt-refractory"]())
    rules = {r[0].partition(":")[0]: r[1] for r in _rows(dbt[redcap.RULES])[1:]}
    jak = '([screening_arm_1][arm] = "" or [screening_arm_1][arm] = "biologic_jak")'
    assert rules["anc_start"] == f'({jak} and ([anc] <> "" and [anc] < 1000))'
    assert rules["latent_tb"] == '([latent_tb] <> "" and ([latent_tb] = "positive" or [latent_tb] = "indeterminate"))'
    assert rules["hb_low"] == (f'({jak} and (([hb] <> "" and [hb] < 8) or ([hb_baseline] <> "" and [hb] <> "" '
                               'and ([hb_baseline] - [hb]) > 2)))')
    assert rules["lipids_window"] == (
        f'({jak} and ([jak_start_date] <> "" and [lipids_date] <> "" and '
        '(28 > datediff([jak_start_date], [lipids_date], "d", "ymd", true) or '
        'datediff([jak_start_date], [lipids_date], "d", "ymd", true) > 56)))')
    assert rules["hys_law"] == (
        '((([alt] <> "" and [alt_uln] <> "" and [alt] >= (3 * [alt_uln])) or ([ast] <> "" and [ast_uln] <> "" and '
        '[ast] >= (3 * [ast_uln]))) and ([bilirubin] <> "" and [bilirubin_uln] <> "" and '
        '[bilirubin] > (2 * [bilirubin_uln])) and ([alp] <> "" and [alp_uln] <> "" and [alp] <= [alp_uln]))')
    assert "serious_infection_hold" not in rules  # a count over the AE log: REDCap logic cannot say it
    assert "8 g/dL" not in rules["hb_low"]
    das28 = _field(dbt, "das28_crp")
    assert das28["Field Type"] == "calc"
    assert das28["Choices, Calculations, OR Slider Labels"] == (
        'if(([tjc28] <> "" and [tjc28] >= 0 and [sjc28] <> "" and [sjc28] >= 0 and [crp] <> "" and ([crp] + 1) > 0 '
        'and [gh] <> ""), (((((0.56 * sqrt([tjc28])) + (0.28 * sqrt([sjc28]))) + (0.36 * log(([crp] + 1), "e"))) '
        '+ (0.014 * [gh])) + 0.96), "")')
    i1 = _field(dbt, "elig_i1")
    assert i1["Field Type"] == "text" and i1["Field Annotation"] == (
        '@CALCTEXT(if(([screening_arm_1][diagnosis] <> "" and ([screening_arm_1][diagnosis] = "RA" or '
        '[screening_arm_1][diagnosis] = "PsA" or [screening_arm_1][diagnosis] = "axSpA")), "1", '
        'if(([screening_arm_1][diagnosis] <> "" and ([screening_arm_1][diagnosis] <> "RA" and '
        '[screening_arm_1][diagnosis] <> "PsA" and [screening_arm_1][diagnosis] <> "axSpA")), "0", "")))')
    assert _field(dbt, "elig_i4")["Field Type"] == "descriptive"  # count_distinct over the prior-therapy log
    assert _field(dbt, "elig_verdict")["Field Type"] == "descriptive"  # so no verdict that could be wrong
    ssc = redcap.tables(REGISTRY["ssc-digital-ulcer"]())
    assert _field(ssc, "elig_i1")["Choices, Calculations, OR Slider Labels"] == (
        'if(([baseline_arm_1][ssc_2013_score] <> "" and [baseline_arm_1][ssc_2013_score] >= 9), 1, '
        'if(([baseline_arm_1][ssc_2013_score] <> "" and [baseline_arm_1][ssc_2013_score] < 9), 0, ""))')
    assert _field(ssc, "elig_verdict")["Field Annotation"] == (
        '@CALCTEXT(if((([elig_i1] <> "" and [elig_i1] = 1) and ([elig_i2] <> "" and [elig_i2] = 1) and '
        '([elig_i3] <> "" and [elig_i3] = 1) and ([elig_e1] <> "" and [elig_e1] = 0)), "1", '
        'if((([elig_i1] <> "" and [elig_i1] = 0) or ([elig_i2] <> "" and [elig_i2] = 0) or '
        '([elig_i3] <> "" and [elig_i3] = 0) or ([elig_e1] <> "" and [elig_e1] = 1)), "0", "")))')
    cia = redcap.tables(REGISTRY["cia-tnf-tof-igu"]())
    assert _field(cia, "cia_score")["Choices, Calculations, OR Slider Labels"] == (
        'if(([paw_lf] <> "" and [paw_rf] <> "" and [paw_lh] <> "" and [paw_rh] <> ""), '
        '((([paw_lf] + [paw_rf]) + [paw_lh]) + [paw_rh]), "")')


def test_the_writer_refuses_what_redcap_logic_cannot_say() -> None:
    items = {"n": Item("n", "N", DataType.INTEGER), "t": Item("t", "T", DataType.TEXT),
             "d": Item("d", "D", DataType.DATE)}

    def locate(name: str) -> Var | None:
        return Var(name, items[name]) if name in items else None

    for text, words in (("count(ae) >= 1", "count"), ('t < "b"', "orders text"),
                        ("""t == "it's \\"x\\"" """, "both kinds of quote"), ('t == "[n]"', "square bracket"),
                        ("d < 3", "compares a date")):
        with pytest.raises(Unexpressible, match=words):
            logic.condition(parse(text), locate)
    assert logic.condition(parse('d < date("2024-01-31")'), locate).text == (
        '([d] <> "" and datediff([d], "2024-01-31", "d", "ymd", true) > 0)')
    assert logic.formula(parse("n / 4 - -2"), locate).text == 'if([n] <> "", (([n] / 4) - (-2)), "")'
    assert logic.formula(parse("n / n"), locate).text == 'if(([n] <> "" and [n] <> "" and [n] <> 0), ([n] / [n]), "")'


def test_a_codelist_redcap_cannot_store_is_numbered_and_rules_follow() -> None:
    p = REGISTRY["ssc-digital-ulcer"]()
    odd = Codelist("SEX", "Sex", (Term("M", "Male"), Term("F-x", "Female | other")))
    p = attrs.evolve(p, dictionary=attrs.evolve(p.dictionary, codelists=(odd,)))
    files = redcap.tables(p)
    _passes(files)
    sex = _field(files, "sex")
    assert sex["Choices, Calculations, OR Slider Labels"] == "1, Male | 2, Female &#124; other"
    assert "2 = F-x" in sex["Field Annotation"]
    e1 = next(c for c in p.eligibility if c.id == "E1")
    p = attrs.evolve(p, eligibility=tuple(attrs.evolve(c, rule=parse('sex == "F-x"')) if c is e1 else c
                                          for c in p.eligibility))
    assert '[baseline_arm_1][sex] = "2"' in _field(redcap.tables(p), "elig_e1")["Field Annotation"]


def test_text_is_escaped_and_cleaned() -> None:
    """Markup, piping brackets, pipes, formula starts, control characters and a label with nothing printable."""
    p = REGISTRY["ssc-digital-ulcer"]()
    form = p.dictionary.forms[0]
    label = '=Age <years> & "quoted" [age] | \x01 end\nnext'
    items = (attrs.evolve(form.items[0], label=label), attrs.evolve(form.items[1], label="\x02\x03"), *form.items[2:])
    p = attrs.evolve(p, dictionary=attrs.evolve(p.dictionary, forms=(attrs.evolve(form, items=items),
                                                                      *p.dictionary.forms[1:])))
    files = redcap.tables(p)
    _passes(files)
    assert _field(files, "age")["Field Label"] == (
        '&#61;Age &lt;years&gt; &amp; "quoted" &#91;age&#93; &#124; end next')
    assert _field(files, "sex")["Field Label"] == "sex"  # nothing printable left: the variable name


def test_a_name_redcap_cannot_take_lists_every_offender(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    p = REGISTRY["ssc-digital-ulcer"]()
    form = p.dictionary.forms[0]
    items = (attrs.evolve(form.items[0], name="AGE"), attrs.evolve(form.items[1], name="age"), *form.items[2:])
    visits = (attrs.evolve(p.schedule.visits[0], id="a_very_long_visit_identifier"), *p.schedule.visits[1:])
    p = attrs.evolve(p, dictionary=attrs.evolve(p.dictionary, forms=(attrs.evolve(form, items=items),
                                                                      *p.dictionary.forms[1:])),
                     schedule=attrs.evolve(p.schedule, visits=visits))
    with pytest.raises(names.NameProblems) as caught:
        Project(p)
    assert len(caught.value.problems) == 2
    assert any("'age' is also" in x for x in caught.value.problems)
    assert any("a_very_long_visit_identifier" in x for x in caught.value.problems)
    assert FORMATS["redcap"].applies(p) is not None


@settings(max_examples=GENERATED, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(p=protocols())
def test_generated_protocols_pass_the_schema_and_the_import_checks(p: Protocol) -> None:
    try:
        files = redcap.tables(p)
    except names.NameProblems as exc:  # two names meeting in lower case, a visit id too long for an event
        assert exc.problems and all(": " in line for line in exc.problems)
        return
    _passes(files)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(case=cases())
def test_the_writer_reads_only_existing_fields_with_balanced_logic(case: Case) -> None:
    """Not an evaluation (none exists outside REDCap): the written logic reads the case's items and balances."""
    def locate(name: str) -> Var | None:
        return Var(name.lower(), case.items[name]) if name in case.items else None

    written = (logic.truth_field(case.expr, locate) if case.condition else logic.formula(case.expr, locate)).text
    assert validate.balanced(written)
    read = {v for _, v, _ in validate.references(written)}
    assert read <= {n.lower() for n in case.items}
    assert read == {n.lower() for n in case.expr.refs()} or not case.expr.refs() - read


def test_export_and_build_write_the_redcap_files(tmp_path: Any) -> None:
    assert 0 == cli.main(["export", "dbt-refractory", "--to", "redcap", "-o", str(tmp_path / "x")])
    written = {f.name for f in (tmp_path / "x").iterdir() if not f.name.startswith(".")}
    assert written == {f"dbt-refractory{s}" for s in redcap.parts(REGISTRY["dbt-refractory"]())}
    assert 0 == cli.main(["build", "ssc-digital-ulcer", "--formats", "redcap", "-o", str(tmp_path / "b")])
    folder = tmp_path / "b" / "ssc-digital-ulcer"
    files = {s: (folder / f"ssc-digital-ulcer{s}").read_bytes() for s in redcap.parts(REGISTRY["ssc-digital-ulcer"]())}
    _passes(files)
    assert 0 == cli.main(["build", "ssc-digital-ulcer", "--formats", "redcap", "-o", str(tmp_path / "b")])  # again
