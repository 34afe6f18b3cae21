"""The study as a REDCap project: data dictionary rows, arms, events, instrument–event mapping, repeating
instruments and data-quality rules, as plain tables (:class:`Project`); :mod:`exports.redcap` writes them as CSV.

Instruments, in order: ``participant`` (the record id first, then the
randomised arm), one per protocol form, ``derived_values`` (a ``calc`` field
per derivation) and ``eligibility`` (a computed field per criterion with a
rule, and the verdict). Logic comes from :mod:`planner.expr.redcap`; what it
cannot express becomes a descriptive field saying so, never other logic.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal

from attrs import frozen

from exports.redcap import names
from planner.derive import inputs
from planner.expr import redcap
from planner.expr.nodes import And, Expr, Not, Ref
from planner.expr.redcap import Unexpressible, Var
from planner.model import Codelist, DataType, Derivation, Form, Item, Protocol, Visit
from planner.model.rules import Category
from planner.model.values import TBC, Range
from planner.scores import DERIVATIONS

COLUMNS = ("Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
           "Choices, Calculations, OR Slider Labels", "Field Note", "Text Validation Type OR Show Slider Number",
           "Text Validation Min", "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
           "Required Field?", "Custom Alignment", "Question Number (surveys only)", "Matrix Group Name",
           "Matrix Ranking?", "Field Annotation")
"""The 18 columns of a REDCap data dictionary, in REDCap's order and with its header text."""

ARMS_COLUMNS = ("arm_num", "name")
EVENTS_COLUMNS = ("event_name", "arm_num", "day_offset", "offset_min", "offset_max", "unique_event_name",
                  "custom_event_label")
MAPPING_COLUMNS = ("arm_num", "unique_event_name", "form")
REPEATING_COLUMNS = ("event_name", "form_name", "custom_form_label")
RULES_COLUMNS = ("rule_name", "rule_logic", "real_time_execution")
ARM_NUMBER = 1
ARM_NAME = "Study schedule"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_FORMULA_START = {"=": "&#61;", "+": "&#43;", "-": "&#45;", "@": "&#64;"}


def plain(text: str) -> str:
    """``text`` on one line: control characters and line breaks become spaces, runs of white space one space."""
    cleaned = "".join(" " if _CONTROL.match(ch) or unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in text)
    return _SPACES.sub(" ", cleaned).strip()


def shown(text: str, fallback: str) -> str:
    """Protocol text for a REDCap label or note, shown as written: one line, HTML-escaped, ``[ ]`` not read as
    piping, ``|`` not read as a choice separator, no leading ``=``/``+``/``-``/``@`` a spreadsheet would run;
    ``fallback`` when nothing printable is left."""
    one = plain(text) or plain(fallback)
    out = html.escape(one, quote=False).replace("[", "&#91;").replace("]", "&#93;").replace("|", "&#124;")
    if out[:1] in _FORMULA_START:
        out = _FORMULA_START[out[0]] + out[1:]
    return out


def _bound(x: float | int) -> str:
    if isinstance(x, int) or float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    return format(Decimal(repr(float(x))), "f")


@frozen
class Field:
    """One data dictionary row."""

    variable: str
    form: str
    type: str
    label: str
    section: str = ""
    choices: str = ""
    note: str = ""
    validation: str = ""
    minimum: str = ""
    maximum: str = ""
    required: str = ""
    annotation: str = ""

    def row(self) -> tuple[str, ...]:
        return (self.variable, self.form, self.section, self.type, self.label, self.choices, self.note,
                self.validation, self.minimum, self.maximum, "", "", self.required, "", "", "", "", self.annotation)


class Project:
    """The REDCap project of one protocol; :class:`names.NameProblems` when a name cannot be REDCap's."""

    def __init__(self, protocol: Protocol) -> None:
        self.p = protocol
        self.visits = list(protocol.schedule.visits)
        self.longitudinal = len(self.visits) > 1
        self.items = protocol.resolution.items
        self.unit_of = protocol.resolution.unit_of()
        self.codes = {cl.id: _codes(cl) for cl in protocol.dictionary.codelists}
        self.variable_of = {name: names.variable(it.name, f.id if f.repeating else None)
                            for name, (f, it) in self.items.items()}
        self.derived_visits = {d.id: [v.id for v in self.visits if self._collects(v, d)] for d in protocol.derivations}
        self.derived_at = [v.id for v in self.visits if any(v.id in vs for vs in self.derived_visits.values())]
        self.omitted: list[str] = []
        """Monitoring rules with no data-quality rule, each with why."""
        self._check_names()
        self.computed: set[str] = set()
        self.fields = list(self._fields())
        self.rules = list(self._rules())

    # -- names ---------------------------------------------------------------------------------

    def _check_names(self) -> None:
        p = self.p
        variables: list[tuple[str, str]] = [(names.RECORD_ID, "the record id")]
        if p.arms:
            variables.append((names.ARM, "the randomised arm"))
        for i, f in enumerate(p.dictionary.forms):
            for j, it in enumerate(f.items):
                variables.append((names.variable(it.name, f.id if f.repeating else None),
                                  f"$.dictionary.forms[{i}].items[{j}] ({f.id}.{it.name})"))
        variables += [(names.variable(d.id), f"$.derivations[{i}] ({d.id})") for i, d in enumerate(p.derivations)]
        if p.eligibility:
            variables += [(names.criterion(c.id), f"$.eligibility[{i}] ({c.id})") for i, c in enumerate(p.eligibility)]
            variables.append((names.VERDICT, "the eligibility verdict"))
        instruments = [(names.PARTICIPANT_FORM, "the participant instrument")]
        instruments += [(names.instrument(f.id), f"$.dictionary.forms[{i}] ({f.id})")
                        for i, f in enumerate(p.dictionary.forms)]
        if p.derivations:
            instruments.append((names.DERIVED_FORM, "the derived values instrument"))
        if p.eligibility:
            instruments.append((names.ELIGIBILITY_FORM, "the eligibility instrument"))
        events = [(names.event_name(v.id), f"$.schedule.visits[{i}] ({v.id})") for i, v in enumerate(self.visits)]
        problems = names.check(variables, instruments, events if self.longitudinal else [])
        if problems:
            raise names.NameProblems(problems)

    # -- where values live -----------------------------------------------------------------------

    def _input_forms(self, d: Derivation) -> set[str]:
        forms: set[str] = set()
        for n in inputs(d):
            if n in self.items:
                forms.add(self.items[n][0].id)
            elif self.p.dictionary.form(n.partition(".")[0]) is not None:
                forms.add(n.partition(".")[0])
        return forms

    def _collects(self, v: Visit, d: Derivation) -> bool:
        forms = self._input_forms(d)
        return bool(forms) and forms <= set(v.forms)

    def event(self, visit_id: str) -> str | None:
        return names.unique_event(visit_id, ARM_NUMBER) if self.longitudinal else None

    def _var(self, name: str, *, at_first: bool) -> Var:
        """The field a rule's name reads: in the event being evaluated, or (``at_first``) where it is first collected."""
        found = self.items.get(name)
        if found is not None:
            f, it = found
            codes = self.codes.get(it.codelist or "")
            event = None
            if at_first and self.longitudinal:
                first = next((v.id for v in self.visits if f.id in v.forms), None)
                if first is None:
                    raise Unexpressible(f"{name} is on the form {f.id}, which no visit collects")
                event = self.event(first)
            return Var(self.variable_of[name], it, event, codes)
        d = self.p.derivation(name)
        if d is not None:
            if d.id not in self.computed:
                raise Unexpressible(f"the derived value {name} is not computed in REDCap")
            event = None
            if at_first and self.longitudinal:
                visits = self.derived_visits.get(d.id) or []
                if not visits:
                    raise Unexpressible(f"the derived value {name} has all its inputs at no single visit")
                event = self.event(visits[0])
            return Var(names.variable(d.id), None, event)
        raise Unexpressible(f"{name} is not an item or derived value of this study")

    # -- the data dictionary ---------------------------------------------------------------------

    def _fields(self) -> Iterator[Field]:
        p = self.p
        yield Field(names.RECORD_ID, names.PARTICIPANT_FORM, "text", "Record ID",
                    section=shown(f"{p.short_title} (protocol {p.id}, version {p.version})", p.id))
        if p.arms:
            yield Field(names.ARM, names.PARTICIPANT_FORM, "dropdown", "Randomised arm",
                        choices=" | ".join(f"{a.id}, {shown(a.name, a.id)}" for a in p.arms),
                        note="Monitoring rules limited to some arms check this field; left blank, every arm's "
                             "rules apply.")
            if not all(names.CODE.match(a.id) for a in p.arms):  # pragma: no cover - arm ids are identifiers
                raise names.NameProblems([f"arm id {a.id!r} is not a REDCap choice code" for a in p.arms])
        for f in p.dictionary.forms:
            yield from self._form(f)
        if p.derivations:
            yield from self._derived()
        if p.eligibility:
            yield from self._eligibility()

    def _form(self, f: Form) -> Iterator[Field]:
        header = shown(f.name + (f" — {f.description}" if f.description else "")
                       + (" (a log: any number of records)" if f.repeating else ""), f.id)
        for i, it in enumerate(f.items):
            field = self._item(f, it)
            yield Field(**{**_fields_of(field), "section": header}) if i == 0 else field

    def _item(self, f: Form, it: Item) -> Field:
        var = names.variable(it.name, f.id if f.repeating else None)
        notes = []
        if isinstance(it.unit, str):
            notes.append(f"Unit: {it.unit}.")
        elif isinstance(it.unit, TBC):
            notes.append(f"The unit is {it.unit}.")
        if isinstance(it.range, TBC):
            notes.append(f"The range is {it.range}.")
        if it.guidance:
            notes.append(it.guidance)
        if it.source:
            notes.append(f"Source: {it.source}.")
        base = {"variable": var, "form": names.instrument(f.id), "label": shown(it.label, it.name),
                "note": shown(" ".join(notes), "") if notes else "", "required": "y" if it.required else "",
                "annotation": shown(f"CDASH: {it.cdash}", "") if it.cdash else ""}
        if it.type is DataType.BOOLEAN:
            return Field(type="yesno", **base)
        if it.type is DataType.CODED:
            cl = self.p.dictionary.codelist(it.codelist or "")
            terms = cl.terms if cl is not None else ()
            mapping = self.codes.get(it.codelist or "")
            choices = " | ".join(f"{mapping[t.code] if mapping else t.code}, {shown(t.decode, t.code)}" for t in terms)
            if mapping:
                base["annotation"] = " ".join(filter(None, (base["annotation"], shown(
                    "Protocol codes: " + "; ".join(f"{mapping[t.code]} = {t.code}" for t in terms), ""))))
            return Field(type="radio" if len(terms) <= 4 else "dropdown", choices=choices, **base)
        if it.type is DataType.DATE:
            return Field(type="text", validation="date_ymd", **base)
        if it.type in (DataType.INTEGER, DataType.DECIMAL):
            low, high = _limits(it)
            return Field(type="text", validation="integer" if it.type is DataType.INTEGER else "number",
                         minimum=low, maximum=high, **base)
        return Field(type="text", **base)

    def _derived(self) -> Iterator[Field]:
        header = shown("Derived values: computed from the entered values, nothing to enter", "Derived values")
        for i, d in enumerate(self.p.derivations):
            var = names.variable(d.id)
            words = [w for w in (f"Unit: {d.unit}." if d.unit else "",
                                 d.definition if isinstance(d.definition, str) else "",
                                 f"Source: {d.source}." if d.source else "") if w]
            try:
                logic = self._derivation_logic(d)
            except Unexpressible as exc:
                field = Field(var, names.DERIVED_FORM, "descriptive", shown(
                    f"{d.label}: not computed in REDCap ({exc}); protocol-planner crf-check computes it.", d.id))
            else:
                self.computed.add(d.id)
                note = shown(" ".join(words), "") if words else ""
                if logic.textual:
                    field = Field(var, names.DERIVED_FORM, "text", shown(d.label, d.id), note=note,
                                  annotation=f"@CALCTEXT({logic.text})")
                else:
                    field = Field(var, names.DERIVED_FORM, "calc", shown(d.label, d.id), choices=logic.text, note=note)
            yield Field(**{**_fields_of(field), "section": header}) if i == 0 else field

    def _derivation_logic(self, d: Derivation) -> redcap.Logic:
        def here(name: str) -> Var:
            return self._var(name, at_first=False)

        if d.expression is not None:
            return redcap.formula(d.expression, here, self.unit_of)
        score = DERIVATIONS.get(d.method or "")
        if score is None:
            raise Unexpressible(f"{d.method!r} is not a score with a formula tree")
        binding = d.bindings()
        return redcap.formula(score.formula, lambda param: here(binding.get(param, param)), coded_numbers=True)

    def eligibility_visit(self) -> str | None:
        """The visit whose event holds the eligibility instrument: the last first-collection of what the rules read."""
        if not self.visits:
            return None
        order = {v.id: i for i, v in enumerate(self.visits)}
        latest = 0
        for c in self.p.eligibility:
            for name in (c.rule.refs() if c.rule is not None and not c.assessed_by_investigator else ()):
                found = self.items.get(name)
                forms = {found[0].id} if found else set()
                d = self.p.derivation(name)
                if d is not None and self.derived_visits.get(d.id):
                    latest = max(latest, order[self.derived_visits[d.id][0]])
                for f in forms:
                    first = next((v.id for v in self.visits if f in v.forms), None)
                    if first is not None:
                        latest = max(latest, order[first])
        return self.visits[latest].id

    def _eligibility(self) -> Iterator[Field]:
        header = shown("Eligibility, computed from the entered values: 1 = the rule is true, 0 = false, blank = "
                       "not known yet (a value is missing)", "Eligibility")
        verdict_terms: list[Expr] = []
        blocked: list[str] = []
        fields: list[Field] = []
        for c in self.p.eligibility:
            var = names.criterion(c.id)
            what = ("the inclusion criterion is met" if c.category is Category.INCLUSION
                    else "the exclusion applies (the participant is excluded)")
            label = shown(f"{c.id} ({c.category.value}): {c.text}", c.id)
            if c.rule is None or c.assessed_by_investigator:
                fields.append(Field(var, names.ELIGIBILITY_FORM, "descriptive", shown(
                    f"{c.id} ({c.category.value}): {c.text} — assessed by the investigator, not computed.", c.id)))
                continue
            try:
                logic = redcap.truth_field(c.rule, lambda name: self._var(name, at_first=True), self.unit_of)
            except Unexpressible as exc:
                blocked.append(c.id)
                fields.append(Field(var, names.ELIGIBILITY_FORM, "descriptive", shown(
                    f"{c.id} ({c.category.value}): {c.text} — not computed in REDCap ({exc}); protocol-planner "
                    "screen and crf-check evaluate it.", c.id)))
                continue
            term: Expr = Ref(c.id)
            verdict_terms.append(term if c.category is Category.INCLUSION else Not(term))
            fields.append(_computed(var, label, logic, shown(f"1 when {what}. Rule: {c.rule}.", "")))
        if verdict_terms and not blocked:
            by_id = {c.id: c for c in self.p.eligibility}

            def criterion(name: str) -> Var:
                return Var(names.criterion(by_id[name].id), Item(name, name, DataType.BOOLEAN))

            rule = verdict_terms[0] if len(verdict_terms) == 1 else And(tuple(verdict_terms))
            logic = redcap.truth_field(rule, criterion, as_text=True)
            fields.append(_computed(names.VERDICT, "Eligible (by the computed criteria)", logic, shown(
                "1 eligible: every computed inclusion criterion met and no computed exclusion applies; 0 not "
                "eligible; blank incomplete. Criteria assessed by the investigator are not part of it.", "")))
        elif blocked:
            fields.append(Field(names.VERDICT, names.ELIGIBILITY_FORM, "descriptive", shown(
                f"No computed verdict: {', '.join(blocked)} cannot be computed in REDCap, and a verdict without it "
                "could say eligible where the protocol says not.", "verdict")))
        for i, f in enumerate(fields):
            yield Field(**{**_fields_of(f), "section": header}) if i == 0 else f

    def _has_fields(self, form_id: str) -> bool:
        f = self.p.dictionary.form(form_id)
        return f is not None and bool(f.items)

    # -- longitudinal structure ---------------------------------------------------------------------

    def arms(self) -> list[tuple[str, ...]]:
        return [(str(ARM_NUMBER), ARM_NAME)] if self.longitudinal else []

    def events(self) -> list[tuple[str, ...]]:
        if not self.longitudinal:
            return []
        out: list[tuple[str, ...]] = []
        for v in self.visits:
            day = str(v.day) if isinstance(v.day, int) else ""
            window = v.window if not isinstance(v.window, TBC) else None
            out.append((names.event_name(v.id), str(ARM_NUMBER), day,
                        str(window.before) if window is not None else "", str(window.after) if window is not None else "",
                        self.event(v.id) or "", plain(v.name) or v.id))
        return out

    def instruments_at(self, v: Visit, first: bool) -> list[str]:
        forms = [names.PARTICIPANT_FORM] if first else []
        forms += [names.instrument(f) for f in v.forms if self._has_fields(f)]
        if v.id in self.derived_at:
            forms.append(names.DERIVED_FORM)
        if self.p.eligibility and v.id == self.eligibility_visit():
            forms.append(names.ELIGIBILITY_FORM)
        return list(dict.fromkeys(forms))

    def mapping(self) -> list[tuple[str, ...]]:
        if not self.longitudinal:
            return []
        return [(str(ARM_NUMBER), self.event(v.id) or "", form)
                for i, v in enumerate(self.visits) for form in self.instruments_at(v, i == 0)]

    def repeating(self) -> list[tuple[str, ...]]:
        logs = [f for f in self.p.dictionary.forms if f.repeating and f.items]
        if self.longitudinal:
            return [(self.event(v.id) or "", names.instrument(f.id), "") for v in self.visits for f in logs
                    if f.id in v.forms]
        return [("", names.instrument(f.id), "") for f in logs]

    # -- monitoring rules ---------------------------------------------------------------------------------

    def _rules(self) -> Iterator[tuple[str, ...]]:
        first = self.event(self.visits[0].id) if self.longitudinal and self.visits else None
        arm_field = f"[{first}][{names.ARM}]" if first else f"[{names.ARM}]"
        for m in self.p.monitoring:
            try:
                logic = redcap.condition(m.condition, lambda name: self._var(name, at_first=False), self.unit_of)
            except Unexpressible as exc:
                self.omitted.append(f"{m.id} ({plain(m.name) or m.id}): {exc}")
                continue
            text = logic.text
            if m.arms and self.p.arms:
                arms = redcap.disj([f'{arm_field} = ""', *(f'{arm_field} = "{a}"' for a in m.arms)])
                text = redcap.render(redcap.conj([arms, text]))
            name = plain(f"{m.id}: {m.name} — {m.action.value}") or m.id
            yield (name, text, "y")


def _fields_of(f: Field) -> dict[str, str]:
    return {k: getattr(f, k) for k in ("variable", "form", "type", "label", "section", "choices", "note", "validation",
                                       "minimum", "maximum", "required", "annotation")}


def _computed(var: str, label: str, logic: redcap.Logic, note: str) -> Field:
    if logic.textual:
        return Field(var, names.ELIGIBILITY_FORM, "text", label, note=note, annotation=f"@CALCTEXT({logic.text})")
    return Field(var, names.ELIGIBILITY_FORM, "calc", label, choices=logic.text, note=note)


def _codes(cl: Codelist) -> dict[str, str] | None:
    """``None`` when every code is a REDCap raw value as it is, else each code's number in the list (1, 2 …)."""
    if all(names.CODE.match(t.code) for t in cl.terms):
        return None
    return {t.code: str(i) for i, t in enumerate(cl.terms, 1)}


def _limits(it: Item) -> tuple[str, str]:
    accepted = it.accepted  # Item refuses a range below zero for a quantity that cannot be negative
    if not isinstance(accepted, Range):
        return "", ""
    low, high = accepted.low, accepted.high
    if it.type is DataType.INTEGER and not (low is not None and high is not None and math.ceil(low) > math.floor(high)):
        low = math.ceil(low) if low is not None else None  # (a range holding no whole number stays as written)
        high = math.floor(high) if high is not None else None
    return (_bound(low) if low is not None else "", _bound(high) if high is not None else "")
