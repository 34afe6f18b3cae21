"""The ODM 1.3.2 export, checked by the standard's own tools: the CDISC XSD shipped in odmlib, and odmlib's checks.

Every shipped study and a family of generated protocols (odd names, Unicode
and markup in every text, long texts) must give a file with no schema error
and no odmlib problem, and so must the file odmlib writes after loading it.
The FormalExpressions of the shipped studies' scores are run with an XPath
engine on ClinicalData and give the score's Python value.
"""

from __future__ import annotations

import random
from typing import Any
from xml.etree import ElementTree

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from exports import FORMATS
from exports import odm as odm_export
from exports.odm import oids, validate
from planner import cli
from planner.expr import evaluate, formal
from planner.model import DataType, Protocol
from planner.scores import DERIVATIONS
from protocols import REGISTRY
from tests.strategies import protocols

pytest.importorskip("xmlschema")
pytest.importorskip("elementpath")

NS = {"odm": formal.ODM_NS}
GENERATED = 100


def _xml(protocol: Protocol) -> bytes:
    return odm_export.to_bytes(protocol)


def _passes(xml: bytes) -> None:
    assert [] == validate.schema_errors(xml)
    assert [] == validate.odmlib_problems(xml)


@pytest.mark.parametrize("pid", list(REGISTRY))
def test_each_shipped_study_passes_the_odm_schema_and_odmlib(pid: str) -> None:
    xml = _xml(REGISTRY[pid]())
    _passes(xml)
    again = ('<?xml version="1.0" encoding="UTF-8"?>\n' + validate.load(xml).to_xml_string()).encode()
    _passes(again)  # load and write with odmlib: still valid
    assert ElementTree.canonicalize(xml.decode()) == ElementTree.canonicalize(again.decode())


def test_the_validators_have_teeth() -> None:
    """A value the schema forbids and a reference to an undefined OID are both reported."""
    xml = _xml(REGISTRY["ssc-digital-ulcer"]())
    bad_value = xml.replace(b'Repeating="No"', b'Repeating="Sometimes"', 1)
    assert any("Repeating" in e for e in validate.schema_errors(bad_value))
    dangling = xml.replace(b'ItemOID="IT.dm.age"', b'ItemOID="IT.dm.no_such_item"', 1)
    assert any("IT.dm.no_such_item" in e for e in validate.odmlib_problems(dangling))


@pytest.mark.parametrize("pid", list(REGISTRY))
def test_the_metadata_follows_the_protocol(pid: str) -> None:
    p = REGISTRY[pid]()
    root = ElementTree.fromstring(_xml(p))
    mdv = root.find("odm:Study/odm:MetaDataVersion", NS)
    assert mdv is not None
    refs = [r.get("StudyEventOID") for r in mdv.findall("odm:Protocol/odm:StudyEventRef", NS)]
    assert [oids.event(v.id) for v in p.schedule.visits] == refs
    for v in p.schedule.visits:
        event = mdv.find(f"odm:StudyEventDef[@OID='{oids.event(v.id)}']", NS)
        assert event is not None
        forms = [r.get("FormOID") for r in event.findall("odm:FormRef", NS)]
        assert [oids.form(f) for f in v.forms] == [f for f in forms if f != oids.form(oids.DERIVED_FORM)]
    units = {m.get("OID"): m.get("Name") for m in root.findall(".//odm:BasicDefinitions/odm:MeasurementUnit", NS)}
    for f in p.dictionary.forms:
        group = mdv.find(f"odm:ItemGroupDef[@OID='{oids.group(f.id)}']", NS)
        assert group is not None and group.get("Repeating") == ("Yes" if f.repeating else "No")
        for it in f.items:
            idef = mdv.find(f"odm:ItemDef[@OID='{oids.item(f.id, it.name)}']", NS)
            assert idef is not None
            assert it.label == idef.findtext("odm:Question/odm:TranslatedText", namespaces=NS)
            checks = {rc.get("Comparator"): rc.findtext("odm:CheckValue", namespaces=NS)
                      for rc in idef.findall("odm:RangeCheck", NS)}
            accepted = it.accepted
            want = {} if accepted is None else {k: v for k, v in (("GE", accepted.low), ("LE", accepted.high))
                                                if v is not None}
            assert {k: float(v) for k, v in want.items()} == {k: float(v or "nan") for k, v in checks.items()}
            unit_ref = idef.find("odm:MeasurementUnitRef", NS)
            assert (units[unit_ref.get("MeasurementUnitOID")] if unit_ref is not None else None) == (
                it.unit if isinstance(it.unit, str) else None)
            cl = idef.find("odm:CodeListRef", NS)
            assert (cl.get("CodeListOID") if cl is not None else None) == (
                oids.codelist(it.codelist) if it.codelist else None)
    for cl in p.dictionary.codelists:
        codes = [c.get("CodedValue") for c in mdv.findall(f"odm:CodeList[@OID='{oids.codelist(cl.id)}']/odm:CodeListItem", NS)]
        assert list(cl.codes()) == codes
    assert len(p.derivations) == len(mdv.findall("odm:MethodDef", NS))
    assert len([c for c in p.eligibility if c.rule is not None]) + len(p.monitoring) == len(
        mdv.findall("odm:ConditionDef", NS))


def _expressions(xml: bytes) -> dict[str, str]:
    root = ElementTree.fromstring(xml)
    return {fe_parent.get("OID", ""): fe.text or "" for fe_parent in root.iter()
            for fe in fe_parent.findall("odm:FormalExpression", NS)}


@pytest.mark.parametrize("pid", list(REGISTRY))
def test_every_formal_expression_of_a_shipped_study_is_xpath_31(pid: str) -> None:
    from elementpath.xpath31 import XPath31Parser

    found = _expressions(_xml(REGISTRY[pid]()))
    assert found
    parser = XPath31Parser(namespaces=formal.NAMESPACES)
    for oid, text in found.items():
        parser.parse(text)  # raises on a syntax error, naming it
        assert oid


def _clinical(values: dict[str, Any]) -> tuple[Any, Any]:
    from tests.conformance.backends import odm_value

    tag = lambda name: f"{{{formal.ODM_NS}}}{name}"  # noqa: E731
    root = ElementTree.Element(tag("ODM"))
    event = ElementTree.SubElement(ElementTree.SubElement(ElementTree.SubElement(
        root, tag("ClinicalData")), tag("SubjectData"), SubjectKey="1"), tag("StudyEventData"), StudyEventOID="SE")
    group = ElementTree.SubElement(ElementTree.SubElement(event, tag("FormData"), FormOID="F"), tag("ItemGroupData"),
                                   ItemGroupOID="IG")
    for oid, v in values.items():
        if v is not None:
            ElementTree.SubElement(group, tag("ItemData"), ItemOID=oid, Value=odm_value(v))
    return root, event


@pytest.mark.parametrize("pid", list(REGISTRY))
def test_the_score_method_defs_compute_the_score_on_clinical_data(pid: str) -> None:
    """Each score's MethodDef, as exported, run by elementpath on ClinicalData, gives the reference's value."""
    from elementpath import XPathContext
    from elementpath.xpath31 import XPath31Parser

    p = REGISTRY[pid]()
    found = _expressions(_xml(p))
    items = p.resolution.items
    rng = random.Random(pid)
    checked = 0
    for d in p.derivations:
        score = DERIVATIONS.get(d.method or "")
        if score is None or oids.method(d.id) not in found:
            continue
        token = XPath31Parser(namespaces=formal.NAMESPACES).parse(found[oids.method(d.id)])
        binding = d.bindings()
        for _ in range(20):
            params: dict[str, Any] = {}
            for prm in score.params:
                if rng.random() < 0.1:
                    params[prm.name] = None
                elif prm.kind == "flag":
                    params[prm.name] = rng.random() < 0.5
                elif prm.kind == "points":
                    params[prm.name] = rng.choice(prm.allowed)
                else:
                    hi = prm.high if prm.high is not None else 150.0
                    params[prm.name] = rng.randint(int(prm.low), int(hi)) if prm.kind == "whole" else rng.uniform(
                        prm.low, hi)
            by_oid = {}
            for name, v in params.items():
                form, it = items[binding.get(name, name)]
                by_oid[oids.item(form.id, it.name)] = (str(v) if it.type is DataType.CODED and v is not None else v)
            root, event = _clinical(by_oid)
            got = token.get_results(XPathContext(root, item=event))
            got = got[0] if isinstance(got, list) and got else (None if got == [] else got)
            want = evaluate(score.formula, {k: v for k, v in params.items() if v is not None}).value
            assert (want is None) == (got is None), (d.id, params, want, got)
            if want is not None:
                assert float(got) == pytest.approx(float(want), rel=1e-12)
            checked += 1
    if any(DERIVATIONS.get(d.method or "") for d in p.derivations):
        assert checked


def test_text_is_escaped_and_cleaned() -> None:
    """Markup, quotes, ampersands and control characters in labels: a valid file showing the text as written."""
    p = REGISTRY["ssc-digital-ulcer"]()
    form = p.dictionary.forms[0]
    label = 'Age <years> & "quoted" \'it\'s\' ]]> \x01 end'
    changed = attrs.evolve(form, items=(attrs.evolve(form.items[0], label=label), *form.items[1:]))
    p = attrs.evolve(p, title="A < B & C \x0b", dictionary=attrs.evolve(
        p.dictionary, forms=(changed, *p.dictionary.forms[1:])))
    xml = _xml(p)
    _passes(xml)
    root = ElementTree.fromstring(xml)
    shown = root.find(f".//odm:ItemDef[@OID='{oids.item(form.id, form.items[0].name)}']/odm:Question/odm:TranslatedText",
                      NS)
    assert shown is not None and label.replace("\x01", "\ufffd") == shown.text
    assert "A < B & C \ufffd" == root.findtext(".//odm:GlobalVariables/odm:StudyDescription", namespaces=NS)


def test_blank_optional_texts_are_left_out() -> None:
    """A blank form description or item guidance writes no empty TranslatedText (odmlib cannot load one)."""
    p = REGISTRY["ssc-digital-ulcer"]()
    form = p.dictionary.forms[0]
    changed = attrs.evolve(form, description=" ", items=(attrs.evolve(form.items[0], guidance="\t"), *form.items[1:]))
    p = attrs.evolve(p, dictionary=attrs.evolve(p.dictionary, forms=(changed, *p.dictionary.forms[1:])))
    xml = _xml(p)
    _passes(xml)
    root = ElementTree.fromstring(xml)
    assert root.find(f".//odm:FormDef[@OID='{oids.form(form.id)}']/odm:Description", NS) is None


@settings(max_examples=GENERATED, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(p=protocols())
def test_generated_protocols_pass_the_odm_schema_and_odmlib(p: Protocol) -> None:
    _passes(_xml(p))


def test_export_and_build_write_the_odm_file(tmp_path: Any) -> None:
    assert "odm" in FORMATS
    assert 0 == cli.main(["export", "cia-tnf-tof-igu", "--to", "odm", "-o", str(tmp_path)])
    written = list(tmp_path.rglob("*-odm.xml"))
    assert 1 == len(written)
    _passes(written[0].read_bytes())
