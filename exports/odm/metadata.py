"""The study as ODM 1.3.2 metadata, built as :mod:`odmlib` objects (no XML is written by hand).

One ``StudyEventDef`` per visit with its ``FormRef``\\ s, one ``FormDef`` and
``ItemGroupDef`` per form (the item group repeats for a log form), one
``ItemDef`` per item with its question, range checks, codelist and unit, the
codelists, the measurement units, a ``MethodDef`` per derivation and a
``ConditionDef`` per eligibility criterion and monitoring rule.
FormalExpressions come from :mod:`planner.expr.formal`; a rule or score that
has none says so in its description and keeps no expression.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from odmlib.odm_1_3_2 import model as odm

from exports.odm import oids
from planner.cleantext import xml_chars
from planner.expr import formal
from planner.expr.nodes import Expr
from planner.model import Codelist, DataType, Derivation, Form, Item, Protocol, Visit
from planner.model.rules import Category, Criterion, MonitoringRule
from planner.model.values import TBC, Range
from planner.scores import DERIVATIONS

LANG = "en"

_DATATYPE = {DataType.INTEGER: "integer", DataType.DECIMAL: "float", DataType.TEXT: "text",
             DataType.DATE: "date", DataType.BOOLEAN: "boolean"}


def text(value: str) -> list[odm.TranslatedText]:
    return [odm.TranslatedText(_content=xml_chars(value), lang=LANG)]


def description(value: str) -> odm.Description:
    return odm.Description(TranslatedText=text(value))


def _codes_are_integers(cl: Codelist) -> bool:
    return all(t.code.lstrip("-").isdigit() for t in cl.terms)


def datatype(protocol: Protocol, item: Item) -> str:
    if item.type is DataType.CODED:
        cl = protocol.dictionary.codelist(item.codelist or "")
        return "integer" if cl is not None and _codes_are_integers(cl) else "text"
    return _DATATYPE[item.type]


def _number(x: float | int) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


class Builder:
    """The metadata of one protocol; :meth:`study` gives the odmlib ``Study``."""

    def __init__(self, protocol: Protocol) -> None:
        self.p = protocol
        self.items = protocol.resolution.items
        self.unit_names = sorted({it.unit for _, (_, it) in self.items.items() if isinstance(it.unit, str)})
        self.unit_oid = oids.unit_oids(self.unit_names)
        self.derived_forms = self._derived_at_visits()

    # -- lookup of the names a rule reads -------------------------------------------------

    def locate(self, name: str) -> tuple[str, Item | None] | None:
        found = self.items.get(name)
        if found is not None:
            f, it = found
            return oids.item(f.id, it.name), it
        if self.p.derivation(name) is not None:
            return oids.derived(name), None
        return None

    # -- study -----------------------------------------------------------------------------

    def study(self) -> odm.Study:
        p = self.p
        gv = odm.GlobalVariables(StudyName=odm.StudyName(_content=xml_chars(p.short_title)),
                               StudyDescription=odm.StudyDescription(_content=xml_chars(p.title)),
                               ProtocolName=odm.ProtocolName(_content=xml_chars(f"{p.id} version {p.version}")))
        study = odm.Study(OID=oids.study(p.id), GlobalVariables=gv, MetaDataVersion=[self.metadata_version()])
        if self.unit_names:
            study.BasicDefinitions = odm.BasicDefinitions(MeasurementUnit=[
                odm.MeasurementUnit(OID=self.unit_oid[u], Name=xml_chars(u), Symbol=odm.Symbol(TranslatedText=text(u)))
                for u in self.unit_names])
        return study

    def metadata_version(self) -> odm.MetaDataVersion:
        p = self.p
        mdv = odm.MetaDataVersion(OID=oids.metadata_version(p.version), Name=xml_chars(f"{p.short_title} {p.version}"),
                                Description=xml_chars(f"{p.status.value}, {p.date.isoformat()}"))
        mdv.Protocol = odm.Protocol(Description=description(p.design), StudyEventRef=[
            odm.StudyEventRef(StudyEventOID=oids.event(v.id), OrderNumber=i, Mandatory="Yes")
            for i, v in enumerate(p.schedule.visits, 1)])
        mdv.StudyEventDef = [self.event(v) for v in p.schedule.visits]
        forms = list(p.dictionary.forms)
        mdv.FormDef = [self.form(f) for f in forms]
        mdv.ItemGroupDef = [self.group(f) for f in forms]
        mdv.ItemDef = [self.item(f, it) for f in forms for it in f.items]
        if p.derivations:
            mdv.FormDef.append(odm.FormDef(
                OID=oids.form(oids.DERIVED_FORM), Name="Derived values", Repeating="No",
                Description=description("Scores and counts computed from the visit's forms by their MethodDefs; "
                                        "not entered."),
                ItemGroupRef=[odm.ItemGroupRef(ItemGroupOID=oids.group(oids.DERIVED_FORM), Mandatory="Yes")]))
            mdv.ItemGroupDef.append(odm.ItemGroupDef(
                OID=oids.group(oids.DERIVED_FORM), Name="Derived values", Repeating="No",
                ItemRef=[odm.ItemRef(ItemOID=oids.derived(d.id), OrderNumber=i, Mandatory="No",
                                   MethodOID=oids.method(d.id)) for i, d in enumerate(p.derivations, 1)]))
            mdv.ItemDef.extend(self.derived_item(d) for d in p.derivations)
        mdv.CodeList = [self.codelist(cl) for cl in p.dictionary.codelists]
        mdv.ConditionDef = [*(self.criterion(c) for c in p.eligibility if c.rule is not None),
                            *(self.monitoring_rule(m) for m in p.monitoring)]
        mdv.MethodDef = [self.method(d) for d in p.derivations]
        return mdv

    # -- schedule ------------------------------------------------------------------------------

    def _derived_at_visits(self) -> set[str]:
        """The visits whose forms hold every input of at least one derivation: they carry the derived form."""
        out: set[str] = set()
        for v in self.p.schedule.visits:
            here = set(v.forms)
            for d in self.p.derivations:
                forms = self._input_forms(d)
                if forms and forms <= here:
                    out.add(v.id)
        return out

    def _input_forms(self, d: Derivation) -> set[str]:
        names: set[str] = set(d.bindings().values())
        if d.expression is not None:
            names |= {n.partition(".")[0] if n not in self.items else n for n in d.expression.refs()}
        forms: set[str] = set()
        for n in names:
            if n in self.items:
                forms.add(self.items[n][0].id)
            elif self.p.dictionary.form(n) is not None:
                forms.add(n)
        return forms

    def event(self, v: Visit) -> odm.StudyEventDef:
        epoch = self.p.schedule.epoch(v.epoch)
        refs = [odm.FormRef(FormOID=oids.form(fid), OrderNumber=i, Mandatory=self._mandatory(fid))
                for i, fid in enumerate(v.forms, 1)]
        if v.id in self.derived_forms:
            refs.append(odm.FormRef(FormOID=oids.form(oids.DERIVED_FORM), OrderNumber=len(refs) + 1, Mandatory="No"))
        return odm.StudyEventDef(OID=oids.event(v.id), Name=xml_chars(v.name), Repeating="No", Type="Scheduled",
                               Category=xml_chars(epoch.name) if epoch is not None else None,
                               Description=description(_timing(v, self.p.schedule.anchor)), FormRef=refs)

    def _mandatory(self, form_id: str) -> str:
        f = self.p.dictionary.form(form_id)
        return "No" if f is None or f.repeating else "Yes"

    # -- forms and items -------------------------------------------------------------------------

    def form(self, f: Form) -> odm.FormDef:
        fd = odm.FormDef(OID=oids.form(f.id), Name=xml_chars(f.name), Repeating="No",
                       ItemGroupRef=[odm.ItemGroupRef(ItemGroupOID=oids.group(f.id), Mandatory="Yes")])
        if f.description and f.description.strip():  # a blank description is no description
            fd.Description = description(f.description)
        return fd

    def group(self, f: Form) -> odm.ItemGroupDef:
        ig = odm.ItemGroupDef(OID=oids.group(f.id), Name=xml_chars(f.name), Repeating="Yes" if f.repeating else "No",
                            ItemRef=[odm.ItemRef(ItemOID=oids.item(f.id, it.name), OrderNumber=i,
                                               Mandatory="Yes" if it.required else "No")
                                     for i, it in enumerate(f.items, 1)])
        if f.domain:
            ig.Domain = xml_chars(f.domain)
        if f.repeating:
            ig.Description = description(f"A log: any number of {f.name} records per participant.")
        return ig

    def item(self, f: Form, it: Item) -> odm.ItemDef:
        idef = odm.ItemDef(OID=oids.item(f.id, it.name), Name=it.name, DataType=datatype(self.p, it),
                         Question=odm.Question(TranslatedText=text(it.label)))
        notes = [n for n in (it.guidance, _tbc("unit", it.unit), _tbc("range", it.range),
                             f"Source: {it.source}" if it.source else None) if n and n.strip()]
        if notes:
            idef.Description = description(" ".join(notes))
        if isinstance(it.unit, str):
            idef.MeasurementUnitRef = [odm.MeasurementUnitRef(MeasurementUnitOID=self.unit_oid[it.unit])]
        idef.RangeCheck = list(self.range_checks(it))
        if it.codelist is not None:
            idef.CodeListRef = odm.CodeListRef(CodeListOID=oids.codelist(it.codelist))
        if it.cdash:
            idef.Alias = [odm.Alias(Context="CDASH", Name=xml_chars(it.cdash))]
        return idef

    def range_checks(self, it: Item) -> Iterator[odm.RangeCheck]:
        accepted = it.accepted
        if not isinstance(accepted, Range):
            return
        for comparator, bound, words in (("GE", accepted.low, "at least"), ("LE", accepted.high, "at most")):
            if bound is None:
                continue
            shown = _number(bound)
            unit = f" {it.unit}" if isinstance(it.unit, str) else ""
            rc = odm.RangeCheck(Comparator=comparator, SoftHard="Hard", CheckValue=[odm.CheckValue(_content=shown)],
                              ErrorMessage=odm.ErrorMessage(TranslatedText=text(f"{it.label}: {words} {shown}{unit}")))
            if isinstance(it.unit, str):
                rc.MeasurementUnitRef = odm.MeasurementUnitRef(MeasurementUnitOID=self.unit_oid[it.unit])
            yield rc

    def codelist(self, cl: Codelist) -> odm.CodeList:
        out = odm.CodeList(OID=oids.codelist(cl.id), Name=xml_chars(cl.name),
                         DataType="integer" if _codes_are_integers(cl) else "text",
                         CodeListItem=[odm.CodeListItem(CodedValue=xml_chars(t.code), OrderNumber=i,
                                                      Decode=odm.Decode(TranslatedText=text(t.decode)))
                                       for i, t in enumerate(cl.terms, 1)])
        if cl.source:
            out.Description = description(f"Source: {cl.source}")
        return out

    # -- derivations and rules ------------------------------------------------------------------------

    def derived_item(self, d: Derivation) -> odm.ItemDef:
        count = d.expression is not None and d.unit == "count"
        idef = odm.ItemDef(OID=oids.derived(d.id), Name=d.id, DataType="integer" if count else "float",
                         Question=odm.Question(TranslatedText=text(d.label)))
        idef.Description = description(f"Derived by {oids.method(d.id)}; not entered.")
        return idef

    def method(self, d: Derivation) -> odm.MethodDef:
        words = [d.label + "."]
        if isinstance(d.definition, str):
            words.append(d.definition)
        elif isinstance(d.definition, TBC):
            words.append(str(d.definition))
        if d.source:
            words.append(f"Source: {d.source}.")
        expression: str | None = None
        try:
            expression = self._derivation_expression(d)
        except formal.Unexpressible as exc:
            words.append(f"No FormalExpression: {exc}; protocol-planner computes it (crf-check).")
        md = odm.MethodDef(OID=oids.method(d.id), Name=xml_chars(d.label), Type="Computation",
                         Description=description(" ".join(words)))
        if expression is not None:
            md.FormalExpression = [odm.FormalExpression(Context=formal.CONTEXT, _content=expression)]
        return md

    def _derivation_expression(self, d: Derivation) -> str:
        units = self.p.resolution.unit_of()
        if d.expression is not None:
            return formal.formula(d.expression, self.locate, units)
        score = DERIVATIONS.get(d.method or "")
        if score is None:
            raise formal.Unexpressible(f"{d.method!r} is not a score with a formula tree")
        binding = d.bindings()

        def locate(param: str) -> tuple[str, Item | None] | None:
            return self.locate(binding.get(param, param))

        return formal.formula(score.formula, locate, coded_numbers=True)

    def _condition(self, oid: str, name: str, words: str, rule: Expr) -> odm.ConditionDef:
        cd = odm.ConditionDef(OID=oid, Name=xml_chars(name))
        try:
            expression: str | None = formal.condition(rule, self.locate, self.p.resolution.unit_of())
        except formal.Unexpressible as exc:
            expression = None
            words += f" No FormalExpression: {exc}; protocol-planner evaluates it (crf-check, monitor)."
        cd.Description = description(f"{words} Rule: {rule}. A protocol rule, not a collection exception: "
                                     "no ItemRef refers to it.")
        if expression is not None:
            cd.FormalExpression = [odm.FormalExpression(Context=formal.CONTEXT, _content=expression)]
        return cd

    def criterion(self, c: Criterion) -> odm.ConditionDef:
        assert c.rule is not None
        meaning = ("True when the inclusion criterion is met" if c.category is Category.INCLUSION
                   else "True when the exclusion criterion applies (the participant is excluded)")
        return self._condition(oids.eligibility(c.id), f"{c.category.value} {c.id}", f"{c.text} {meaning}.", c.rule)

    def monitoring_rule(self, m: MonitoringRule) -> odm.ConditionDef:
        return self._condition(oids.monitoring(m.id), m.name,
                               f"True when the rule fires. Action ({m.action.value}): {m.action_text}", m.condition)


def _timing(v: Visit, anchor: str) -> str:
    day = f"Day {v.day} ({anchor} is day 0)" if isinstance(v.day, int) else f"Day {v.day}"
    if v.window is None:
        return f"{day}."
    return f"{day}, window {v.window}."


def _tbc(what: str, value: object) -> str | None:
    return f"The {what} is {value}." if isinstance(value, TBC) else None


def creation_time(protocol: Protocol, created: dt.datetime | None) -> str:
    """``created``, else the protocol's date at midnight UTC: the same protocol always gives the same file."""
    moment = created or dt.datetime.combine(protocol.date, dt.time(0), dt.UTC)
    return moment.replace(microsecond=0).isoformat()
