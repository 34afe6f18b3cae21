"""The XLSForm export, checked by the field's own tools: pyxform's conversion and ODK Validate (JavaRosa).

The shipped studies go through ``pyxform.convert(..., validate=True)``
(one JVM each) with no error and no warning. The generated protocols go
through pyxform's conversion one by one and through ODK Validate in one
batch (one JVM for all of them: a JVM start costs 1.5-3 s here). The
calculations of the shipped studies' scores, run by rxeval on a submission,
give the scores' Python values.
"""

from __future__ import annotations

import io
import random
import shutil
from typing import Any
from xml.etree import ElementTree

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings

from exports import FORMATS
from exports import xlsform as xlsform_export
from exports.xlsform import names, validate, xpath
from exports.xlsform.form import build, group_name
from planner import cli
from planner.expr import evaluate, parse
from planner.model import DataType, Item, Protocol
from planner.scores import DERIVATIONS
from protocols import REGISTRY
from tests.strategies import protocols

pytest.importorskip("pyxform")
rxeval = pytest.importorskip("rxeval")
if shutil.which("java") is None:  # .ci/run installs a JRE; a developer without one is told why
    pytest.skip("ODK Validate needs java (apt-get install default-jre-headless)", allow_module_level=True)

GENERATED = 100
XF = {"h": "http://www.w3.org/1999/xhtml", "xf": "http://www.w3.org/2002/xforms"}


def _xform(p: Protocol, *, validate_with_odk: bool = False) -> str:
    xml, problems = validate.convert(xlsform_export.to_bytes(p), validate=validate_with_odk)
    assert [] == problems
    return xml


@pytest.mark.parametrize("pid", list(REGISTRY))
def test_each_shipped_study_passes_pyxform_and_odk_validate(pid: str) -> None:
    """pyxform's convert with validate=True runs ODK Validate: no error, no warning."""
    _xform(REGISTRY[pid](), validate_with_odk=True)


def test_the_validators_have_teeth() -> None:
    """A function JavaRosa lacks (ODK Validate) and a duplicate name (pyxform) are each reported."""
    xml = _xform(REGISTRY["cia-tnf-tof-igu"]())
    assert [] == validate.odk_validate([xml])
    broken = xml.replace('calculate="', 'calculate="floor(1) + ', 1)
    assert broken != xml
    assert any("floor" in p for p in validate.odk_validate([xml, broken]))
    form = build(REGISTRY["cia-tnf-tof-igu"]())
    first = next(i for i, r in enumerate(form.survey) if r["type"] in ("integer", "decimal", "text", "date"))
    twice = {"type": "text", "name": form.survey[first]["name"], "label": "again"}
    rows = [*form.survey[:first + 1], twice, *form.survey[first + 1:]]
    bad = attrs.evolve(form, survey=rows)
    out = io.BytesIO()
    xlsform_export.workbook(bad, REGISTRY["cia-tnf-tof-igu"]()).save(out)
    assert validate.convert(out.getvalue(), validate=False)[1]


@pytest.mark.parametrize("pid", list(REGISTRY))
def test_the_form_follows_the_protocol(pid: str) -> None:
    p = REGISTRY[pid]()
    form = build(p)
    rows = {r["name"]: r for r in form.survey if "name" in r}
    for f in p.dictionary.forms:
        begin = rows[group_name(f)]
        assert ("begin repeat" if f.repeating else "begin group") == begin["type"]
        at = [v.id for v in p.schedule.visits if f.id in v.forms]
        if 0 < len(at) < len(p.schedule.visits):
            assert sorted(at) == sorted(part.split("'")[1] for part in begin["relevant"].split(" or "))
        for it in f.items:
            row = next(r for r in _inside(form.survey, group_name(f)) if r.get("name") == it.name)
            assert it.label == row["label"]
            want = {DataType.INTEGER: "integer", DataType.DECIMAL: "decimal", DataType.TEXT: "text",
                    DataType.DATE: "date", DataType.BOOLEAN: "select_one yes_no"}.get(it.type,
                                                                                  f"select_one {it.codelist}")
            assert want == row["type"]
            accepted = it.accepted
            if accepted is not None and (accepted.low is not None or accepted.high is not None):
                assert "constraint" in row and "constraint_message" in row
            else:
                assert "constraint" not in row
    for cl in p.dictionary.codelists:
        assert list(cl.codes()) == [c["name"] for c in form.choices if c["list_name"] == cl.id]
    calculated = {r["name"] for r in form.survey if r["type"] == "calculate"}
    left_out = {what for what, _ in form.about}
    for d in p.derivations:
        assert (d.id in calculated) != (f"derivation {d.id}" in left_out)
    for m in p.monitoring:
        assert (f"mon_{m.id}" in calculated) != (f"monitoring rule {m.id}" in left_out)


def _inside(survey: list[dict[str, str]], group: str) -> list[dict[str, str]]:
    start = next(i for i, r in enumerate(survey) if r.get("name") == group)
    depth, out = 0, []
    for r in survey[start + 1:]:
        if r["type"].startswith("end ") and depth == 0:
            break
        depth += r["type"].startswith("begin ") - r["type"].startswith("end ")
        out.append(r)
    return out


@pytest.mark.parametrize("pid", list(REGISTRY))
def test_the_score_calculations_give_the_score_in_a_submission(pid: str) -> None:
    """Each score's calculate, as pyxform wrote it into the XForm, run by rxeval, gives the reference's value."""
    p = REGISTRY[pid]()
    root = ElementTree.fromstring(_xform(p))
    binds = {b.get("nodeset"): b.get("calculate") for b in root.iter(f"{{{XF['xf']}}}bind") if b.get("calculate")}
    paths = {n.split("/")[-1]: n for n in binds}
    items = p.resolution.items
    rng = random.Random(pid)
    checked = 0
    for d in p.derivations:
        score = DERIVATIONS.get(d.method or "")
        if score is None or d.id not in paths:
            continue
        binding = d.bindings()
        for _ in range(20):
            values: dict[str, Any] = {}
            for prm in score.params:
                if rng.random() < 0.1:
                    values[prm.name] = None
                elif prm.kind == "flag":
                    values[prm.name] = rng.random() < 0.5
                elif prm.kind == "points":
                    values[prm.name] = rng.choice(prm.allowed)
                else:
                    hi = prm.high if prm.high is not None else 150.0
                    values[prm.name] = rng.randint(int(prm.low), int(hi)) if prm.kind == "whole" else round(
                        rng.uniform(prm.low, hi), 2)
            fields: dict[str, str] = {}
            for name, v in values.items():
                form, it = items[binding.get(name, name)]
                text = "" if v is None else ("yes" if v else "no") if it.type is DataType.BOOLEAN else str(v)
                fields[f"/data/{group_name(form)}/{it.name}"] = text
            got = rxeval.eval_expression(binds[paths[d.id]], _submission(fields))
            want = evaluate(score.formula, {k: v for k, v in values.items() if v is not None}).value
            assert (want is None) == (got == ""), (d.id, values, want, got)
            if want is not None:
                assert float(got) == pytest.approx(float(want), rel=1e-12)
            checked += 1
    if any(DERIVATIONS.get(d.method or "") for d in p.derivations):
        assert checked


def _submission(fields: dict[str, str]) -> str:
    """A ``<data>`` instance holding ``fields`` (``/data/group/name``)."""
    root = ElementTree.Element("data")
    for path, text in fields.items():
        node = root
        for part in path.split("/")[2:]:
            child = node.find(part)
            node = child if child is not None else ElementTree.SubElement(node, part)
        node.text = text
    return ElementTree.tostring(root, encoding="unicode")


def test_text_is_escaped_and_cleaned() -> None:
    """Markup, quotes, ${…}, a leading '=' and control characters: a valid form showing the text as written."""
    p = REGISTRY["ssc-digital-ulcer"]()
    form = p.dictionary.forms[0]
    label = '=Age <years> & "quoted" \'it\'s\' ${age} ]]> \x01 end'
    changed = attrs.evolve(form, items=(attrs.evolve(form.items[0], label=label, guidance="+1 ${x}"),
                                        *form.items[1:]))
    p = attrs.evolve(p, short_title="=A < B & C \x0b", dictionary=attrs.evolve(
        p.dictionary, forms=(changed, *p.dictionary.forms[1:])))
    root = ElementTree.fromstring(_xform(p, validate_with_odk=True))
    shown = {e.get("ref", "").split("/")[-1]: e.findtext("xf:label", namespaces=XF) for e in root.iter()
             if e.get("ref")}
    expected = label.replace("\x01", "\ufffd").replace("${", "$" + xlsform_export.WORD_JOINER + "{")
    assert expected == shown[form.items[0].name]
    assert "=A < B & C \ufffd" == root.findtext("h:head/h:title", namespaces=XF)


def test_unmappable_names_are_an_error_listing_every_offender(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    p = REGISTRY["cia-tnf-tof-igu"]()
    f0 = p.dictionary.forms[0]
    meta = attrs.evolve(f0.items[0], name="meta")
    clash = attrs.evolve(f0.items[0], name="META")
    p = attrs.evolve(p, dictionary=attrs.evolve(p.dictionary, forms=(
        attrs.evolve(f0, items=(meta, *f0.items[1:], clash)), *p.dictionary.forms[1:])))
    with pytest.raises(names.Unmappable) as caught:
        build(p)
    problems = caught.value.problems
    assert 2 == len(problems), problems
    assert problems[0].startswith("$.dictionary.forms[0].items[0].name: 'meta' is reserved")
    assert problems[1].startswith(f"$.dictionary.forms[0].items[{len(f0.items)}].name: 'META' is also the XLSForm name")
    assert [] == names.choice_problems([("A", "$")])
    assert 1 == len(names.choice_problems([("a b", "$.x")]))
    # at the command line: one line per problem, exit 2, no traceback
    path = tmp_path / "p.yaml"
    from planner.serialize import dump

    path.write_text(dump(p), encoding="utf-8")
    assert 2 == cli.main(["export", str(path), "--to", "xlsform", "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert "'meta' is reserved" in err and "Traceback" not in err


def _xpath_answer(text: str, values: dict[str, str]) -> str:
    xml = "<data>" + "".join(f"<{k}>{v}</{k}>" for k, v in values.items()) + "</data>"
    return str(rxeval.eval_expression(text, xml, today="2026-03-01"))


def test_unknown_is_blank_and_kleene_logic_holds() -> None:
    items = {"a": Item("a", "A", DataType.INTEGER), "f": Item("f", "F", DataType.BOOLEAN),
             "d": Item("d", "D", DataType.DATE)}

    def locate(n: str) -> tuple[str, Item | None] | None:
        return (f"/data/{n}", items[n]) if n in items else None

    rule = xpath.condition(parse("a >= 3 or f"), locate)
    assert "yes" == _xpath_answer(rule, {"a": "", "f": "yes"})
    assert "" == _xpath_answer(rule, {"a": "", "f": "no"})
    assert "no" == _xpath_answer(rule, {"a": "2", "f": "no"})
    days = xpath.formula(parse("days_between(d, today())"), locate)
    assert "29" == _xpath_answer(days, {"d": "2026-01-31"})
    assert "" == _xpath_answer(days, {"d": ""})


def test_a_flipped_operator_in_the_odk_backend_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """``>=`` written as ``>`` in the ODK writer: the conformance suite's comparison with the reference disagrees."""
    from tests.conformance.strategies import Case
    from tests.conformance.test_conformance import RECORDS, disagreements

    items = {"a": Item("a", "A", DataType.INTEGER)}
    case = Case(items, parse("a >= 3"), True, 7)
    assert 3 in [r.get("a") for r in case.records(RECORDS)]
    assert not list(disagreements(case, ("odk-xpath",)))
    monkeypatch.setitem(xpath._CMP, ">=", ">")  # noqa: SLF001 - the deliberate bug
    found = next(disagreements(case, ("odk-xpath",)), None)
    assert found is not None and found.startswith("odk-xpath:")


_GENERATED_XFORMS: list[str] = []


def _accepted_ranges_exist(p: Protocol) -> bool:
    """False for a protocol whose ``Item.accepted`` raises: a declared high below 0 on a non-negative unit
    makes it build ``Range(0, high)``, which the model refuses (a model bug, reported; test_odm meets it too)."""
    from planner.model.values import FieldError

    try:
        for f in p.dictionary.forms:
            for it in f.items:
                _ = it.accepted
    except FieldError:
        return False
    return True


@settings(max_examples=GENERATED, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(p=protocols())
def test_generated_protocols_pass_pyxform(p: Protocol) -> None:
    """pyxform converts every generated protocol's form with no warning (ODK Validate runs on them all next)."""
    assume(_accepted_ranges_exist(p))
    try:
        data = xlsform_export.to_bytes(p)
    except names.Unmappable as exc:
        assert exc.problems and all(line.startswith(("$.", "the ")) for line in exc.problems)
        assume(False)  # a refused protocol is not one of the GENERATED validated ones
        return
    xml, problems = validate.convert(data, validate=False)
    assert [] == problems
    _GENERATED_XFORMS.append(xml)


def test_generated_protocols_pass_odk_validate_in_one_run() -> None:
    """Runs after the generated test: every form it converted, through ODK Validate in one JVM."""
    if not _GENERATED_XFORMS:
        pytest.skip("run with test_generated_protocols_pass_pyxform")
    assert len(_GENERATED_XFORMS) >= GENERATED
    assert [] == validate.odk_validate(_GENERATED_XFORMS)


def test_export_and_build_write_the_xlsform(tmp_path: Any) -> None:
    assert "xlsform" in FORMATS
    assert 0 == cli.main(["export", "cia-tnf-tof-igu", "--to", "xlsform", "-o", str(tmp_path)])
    written = list(tmp_path.rglob("*-xlsform.xlsx"))
    assert 1 == len(written)
    assert [] == validate.convert(written[0].read_bytes(), validate=False)[1]
    assert 0 == cli.main(["build", "cia-tnf-tof-igu", "-o", str(tmp_path / "b"), "--formats", "xlsform"])
    assert (tmp_path / "b" / "cia-tnf-tof-igu" / "cia-tnf-tof-igu-xlsform.xlsx").exists()
