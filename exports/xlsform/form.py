"""The study as one XLSForm, built first as plain rows (tests inspect them; :mod:`exports.xlsform` renders them).

One form per study, one submission per visit of one participant (the
context of the ODM FormalExpressions too): a ``visit`` question chooses the
visit, and each CRF form is a group (a repeat for a log form) that is
``relevant`` at the visits that collect it. Items become questions with
``constraint`` from their accepted range; derivations, eligibility criteria
(and the verdict) and monitoring rules become ``calculate`` rows through
:mod:`exports.xlsform.xpath`; a monitoring rule that fires shows a note
(``relevant`` on the rule's calculation). What ODK XPath cannot say is left
out of the survey and listed, with the reason, on the ``about`` sheet.
"""

from __future__ import annotations

from attrs import field, frozen

from exports.xlsform import names, xpath
from planner.expr.formal import Unexpressible
from planner.expr.nodes import And, Expr, Not, Ref
from planner.model import DataType, Derivation, Form, Item, Protocol
from planner.model.rules import Category
from planner.model.values import TBC, Range
from planner.scores import DERIVATIONS

YES_NO = "yes_no"
VISITS = "visits"
VISIT = "visit"
VERDICT = "eligible"

Row = dict[str, str]
PATH = "__path"
"""A row's key (never written) for where in the protocol its name comes from, for the name check."""


def group_name(f: Form) -> str:
    """``grp_<id>`` or ``rpt_<id>``: a form's group shares the survey's names with items and derivations."""
    return f"{'rpt' if f.repeating else 'grp'}_{f.id}"


@frozen
class XLSForm:
    """The three sheets XLSForm defines, and the ``about`` sheet of what was left out."""

    survey: list[Row]
    choices: list[Row]
    settings: Row
    about: list[tuple[str, str]] = field(factory=list)


SURVEY_COLUMNS = ("type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message",
                  "calculation")
CHOICE_COLUMNS = ("list_name", "name", "label")
SETTINGS_COLUMNS = ("form_title", "form_id", "version")


def _number(x: float | int) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


class Builder:
    def __init__(self, protocol: Protocol) -> None:
        self.p = protocol
        self.units = protocol.resolution.unit_of()
        self.computed: set[str] = set()  # derivations that have a calculate row
        self.referenced: set[str] = set()  # names some calculation or relevant reads as ${name}
        self.about: list[tuple[str, str]] = []

    # -- names ---------------------------------------------------------------------------

    def check_names(self, survey: list[Row]) -> None:
        """Every survey name, choice list and choice name usable; :class:`names.Unmappable` lists those that are not."""
        p = self.p
        problems = names.survey_problems(survey, self.referenced)
        lists = [(YES_NO, "the yes/no list protocol-planner adds"), (VISITS, "the visit list protocol-planner adds")]
        lists += [(cl.id, f"$.dictionary.codelists[{i}].id") for i, cl in enumerate(p.dictionary.codelists)]
        seen: dict[str, str] = {}
        for name, path in lists:
            if name in seen:
                problems.append(f"{path}: {name!r} is also the XLSForm choice list of {seen[name]}; rename it")
            seen.setdefault(name, path)
        problems += names.choice_problems(
            (t.code, f"$.dictionary.codelists[{i}].terms[{j}].code")
            for i, cl in enumerate(p.dictionary.codelists) for j, t in enumerate(cl.terms))
        if problems:
            raise names.Unmappable(problems)

    # -- the form ----------------------------------------------------------------------------

    def build(self) -> XLSForm:
        p = self.p
        survey: list[Row] = []
        if p.schedule.visits:
            survey.append({"type": f"select_one {VISITS}", "name": VISIT, "label": "Visit", "required": "yes",
                           PATH: "the visit question protocol-planner adds"})
        for i, f in enumerate(p.dictionary.forms):
            survey += self.form(i, f)
        survey += self.derivations()
        survey += self.eligibility()
        survey += self.monitoring()
        self.check_names(survey)
        return XLSForm([{k: v for k, v in row.items() if k != PATH} for row in survey], self.choices(),
                       self.settings(), self.about)

    def settings(self) -> Row:
        return {"form_title": self.p.short_title, "form_id": self.p.id, "version": self.p.version}

    def choices(self) -> list[Row]:
        rows = [{"list_name": YES_NO, "name": "yes", "label": "Yes"},
                {"list_name": YES_NO, "name": "no", "label": "No"}]
        rows += [{"list_name": VISITS, "name": v.id, "label": v.name} for v in self.p.schedule.visits]
        for cl in self.p.dictionary.codelists:
            rows += [{"list_name": cl.id, "name": t.code, "label": t.decode} for t in cl.terms]
        return rows

    def _visits_of(self, f: Form) -> str | None:
        visits = self.p.schedule.visits
        at = [v.id for v in visits if f.id in v.forms]
        if not visits or not at or len(at) == len(visits):
            return None  # collected at every visit, or at none the schedule names: always shown
        self.referenced.add(VISIT)
        return " or ".join(f"${{{VISIT}}} = '{v}'" for v in at)

    def form(self, i: int, f: Form) -> list[Row]:
        kind = "repeat" if f.repeating else "group"
        begin: Row = {"type": f"begin {kind}", "name": group_name(f), "label": f.name,
                      PATH: f"$.dictionary.forms[{i}].id (XLSForm {kind} {group_name(f)})"}
        if f.description:
            begin["hint"] = f.description
        relevant = self._visits_of(f)
        if relevant:
            begin["relevant"] = relevant
        items = [{**self.item(it), PATH: f"$.dictionary.forms[{i}].items[{j}].name"} for j, it in enumerate(f.items)]
        return [begin, *items, {"type": f"end {kind}"}]

    def item(self, it: Item) -> Row:
        types = {DataType.INTEGER: "integer", DataType.DECIMAL: "decimal", DataType.TEXT: "text",
                 DataType.DATE: "date", DataType.BOOLEAN: f"select_one {YES_NO}"}
        row: Row = {"type": types.get(it.type) or f"select_one {it.codelist}", "name": it.name, "label": it.label}
        hints = [h for h in (it.guidance, f"Unit: {it.unit}." if isinstance(it.unit, str) else None,
                             _tbc("unit", it.unit), _tbc("range", it.range)) if h]
        if hints:
            row["hint"] = " ".join(hints)
        if it.required:
            row["required"] = "yes"
        accepted = it.accepted
        if isinstance(accepted, Range) and (accepted.low is not None or accepted.high is not None):
            tests, words = [], []
            if accepted.low is not None:
                tests.append(f". >= {xpath.number_literal(accepted.low)}")
                words.append(f"at least {_number(accepted.low)}")
            if accepted.high is not None:
                tests.append(f". <= {xpath.number_literal(accepted.high)}")
                words.append(f"at most {_number(accepted.high)}")
            unit = f" {it.unit}" if isinstance(it.unit, str) else ""
            row["constraint"] = " and ".join(tests)
            row["constraint_message"] = f"{it.label}: {' and '.join(words)}{unit}"
        return row

    # -- calculations ---------------------------------------------------------------------------

    def locate(self, name: str) -> tuple[str, Item | None] | None:
        found = self.p.resolution.items.get(name)
        if found is not None:
            form, it = found
            if form.repeating:
                return None
            self.referenced.add(it.name)
            return f"${{{it.name}}}", it
        if name in self.computed:
            self.referenced.add(name)
            return f"${{{name}}}", None
        return None

    def derivations(self) -> list[Row]:
        rows: list[Row] = []
        pending = list(self.p.derivations)
        reasons: dict[str, str] = {}
        progress = True
        while pending and progress:  # a derivation may read another: each pass adds those whose inputs are there
            progress = False
            for d in list(pending):
                try:
                    calc = self._derivation(d)
                except Unexpressible as exc:
                    reasons[d.id] = str(exc)
                    continue
                rows.append({"type": "calculate", "name": d.id, "calculation": calc,
                             PATH: f"$.derivations[{self.p.derivations.index(d)}].id"})
                self.computed.add(d.id)
                pending.remove(d)
                progress = True
        self.about += [(f"derivation {d.id}", f"not calculated in the form: {reasons[d.id]}; protocol-planner "
                                              "computes it") for d in pending]
        return rows

    def _derivation(self, d: Derivation) -> str:
        if d.expression is not None:
            return xpath.formula(d.expression, self.locate, self.units)
        score = DERIVATIONS.get(d.method or "")
        if score is None:
            raise Unexpressible(f"{d.method!r} is not a score with a formula tree")
        binding = d.bindings()
        return xpath.formula(score.formula, lambda prm: self.locate(binding.get(prm, prm)), coded_numbers=True)

    def _condition(self, name: str, what: str, path: str, rule: Expr) -> Row | None:
        try:
            calc = xpath.condition(rule, self.locate, self.units)
        except Unexpressible as exc:
            self.about.append((what, f"not calculated in the form: {exc}; protocol-planner evaluates it"))
            return None
        return {"type": "calculate", "name": name, "calculation": calc, PATH: f"{path} (calculation {name})"}

    def eligibility(self) -> list[Row]:
        rows: list[Row] = []
        verdict: list[Expr] = []
        decidable = True
        flags: dict[str, Item] = {}
        for i, c in enumerate(self.p.eligibility):
            if c.rule is None:
                continue
            row = self._condition(f"elig_{c.id}", f"{c.category.value} criterion {c.id}", f"$.eligibility[{i}].id",
                                  c.rule)
            if row is not None:
                rows.append(row)
            if c.assessed_by_investigator:
                continue  # screening leaves these to the investigator too
            if row is None:
                decidable = False
                continue
            flags[row["name"]] = Item(row["name"], c.id, DataType.BOOLEAN)
            ref = Ref(row["name"])
            verdict.append(ref if c.category is Category.INCLUSION else Not(ref))
        if not verdict:
            return rows
        if not decidable:
            self.about.append(("eligibility verdict", "not calculated in the form: a criterion it needs is not; "
                                                     "protocol-planner screens it"))
            return rows
        tree = verdict[0] if len(verdict) == 1 else And(tuple(verdict))
        self.referenced |= set(flags) | {VERDICT}
        calc = xpath.condition(tree, lambda n: (f"${{{n}}}", flags[n]) if n in flags else None)
        rows.append({"type": "calculate", "name": VERDICT, "calculation": calc,
                     PATH: "the eligibility verdict protocol-planner adds"})
        rows.append({"type": "note", "name": f"{VERDICT}_note", "relevant": f"${{{VERDICT}}} = 'no'",
                     "label": "Not eligible: an inclusion criterion is not met or an exclusion criterion applies.",
                     PATH: "the eligibility note protocol-planner adds"})
        return rows

    def monitoring(self) -> list[Row]:
        rows: list[Row] = []
        for i, m in enumerate(self.p.monitoring):
            row = self._condition(f"mon_{m.id}", f"monitoring rule {m.id}", f"$.monitoring[{i}].id", m.condition)
            if row is None:
                continue
            self.referenced.add(row["name"])
            rows.append(row)
            rows.append({"type": "note", "name": f"mon_{m.id}_alert", "relevant": f"${{mon_{m.id}}} = 'yes'",
                         "label": f"Safety rule: {m.name}. Action ({m.action.value}): {m.action_text}",
                         PATH: f"$.monitoring[{i}].id (note mon_{m.id}_alert)"})
        return rows


def _tbc(what: str, value: object) -> str | None:
    return f"The {what} is {value}." if isinstance(value, TBC) else None


def build(protocol: Protocol) -> XLSForm:
    """The XLSForm of ``protocol``, or :class:`exports.xlsform.names.Unmappable` listing every unusable name."""
    return Builder(protocol).build()
