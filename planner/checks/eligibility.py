"""Eligibility checks (ELG…): items, types, units, satisfiability, completeness."""

from __future__ import annotations

import re
from collections.abc import Iterator

from planner.checks.context import Context, crumb, label
from planner.checks.engine import Area, Check, Hit, Severity, hit
from planner.checks.exprs import Issue, Problem, problems
from planner.checks.satisfiability import Kind, Verdict, analyse
from planner.expr.nodes import Cmp, Lit, Ref
from planner.model import Category, Criterion

_E = Area.ELIGIBILITY


def _rules(ctx: Context) -> Iterator[tuple[int, Criterion]]:
    for i, c in enumerate(ctx.protocol.eligibility):
        if c.rule is not None:
            yield i, c


def _all_issues(ctx: Context) -> dict[int, tuple[Issue, ...]]:
    return {i: tuple(problems(ctx, c.rule)) for i, c in _rules(ctx) if c.rule is not None}


def _issues(ctx: Context, kinds: frozenset[Problem]) -> Iterator[Hit]:
    found = ctx.memo("eligibility-issues", lambda: _all_issues(ctx))
    for i, c in _rules(ctx):
        for issue in found[i]:
            if issue.problem in kinds:
                yield _issue_hit(i, c, issue)


def _issue_hit(i: int, c: Criterion, issue: Issue) -> Hit:
    return hit(f"$.eligibility[{i}].rule", label(c), what=issue.what, todo=issue.todo)


def unknown_item(ctx: Context) -> Iterator[Hit]:
    """A rule names an item that is neither in the data dictionary nor a derivation, or counts
    something that is not a repeating form (:mod:`planner.checks.names`)."""
    for n in ctx.names_at("$.eligibility["):
        index = int(n.path.split("[")[1].split("]")[0])
        yield hit(n.path, label(ctx.protocol.eligibility[index]), problem=n.problem, todo=n.todo)


def not_collected_at_screening(ctx: Context) -> Iterator[Hit]:
    """Every item a rule reads (directly or through a derivation) must be on a form
    collected at a screening or baseline visit (epoch type screening/baseline, or day ≤ 0)."""
    for i, c in _rules(ctx):
        assert c.rule is not None
        for name in sorted(c.rule.refs()):
            forms, _ = ctx.needs(name)
            missing = sorted(forms - ctx.pre_treatment_forms)
            if missing:
                yield hit(f"$.eligibility[{i}].rule", label(c), item=name, forms=", ".join(missing))


def type_mismatch(ctx: Context) -> Iterator[Hit]:
    """Operands of a comparison have different types (a date with a number, a coded
    item with true/false), text is ordered with < or >, or a non-true/false item is
    used as a condition."""
    yield from _issues(ctx, frozenset({Problem.TYPE}))


def unit_mismatch(ctx: Context) -> Iterator[Hit]:
    """A threshold's unit differs from the unit of the item it is compared with:
    convertible units (mg/dL against g/L) must be rewritten in the item's unit;
    incompatible ones (mg/dL against mm/h) compare the wrong thing."""
    yield from _issues(ctx, frozenset({Problem.UNIT}))


def unknown_code(ctx: Context) -> Iterator[Hit]:
    """A coded item is compared with a value that is not a code of its codelist."""
    yield from _issues(ctx, frozenset({Problem.CODE}))


def _sat(ctx: Context, kind: Kind) -> Iterator[Verdict]:
    return (v for v in ctx.memo("satisfiability", lambda: tuple(analyse(ctx))) if v.kind is kind)


def _sat_hit(v: Verdict, detail: str) -> Hit:
    c = v.culprit.criterion
    others = ", ".join(f"{o.criterion.category.value} '{o.criterion.id}' ({o.text})" for o in v.others)
    return hit(f"$.eligibility[{v.culprit.index}].rule", label(c), criterion=c.id, category=c.category.value,
               item=v.key, rule=v.culprit.text, others=others or "no other criterion", detail=detail,
               universe=v.universe)


def excludes_everyone(ctx: Context) -> Iterator[Hit]:
    """Per item, a criterion leaves no value: an inclusion no permitted value meets,
    an exclusion that every permitted value meets, or an exclusion that removes
    everyone the inclusions admit."""
    for v in _sat(ctx, Kind.ALONE):
        yield _sat_hit(v, f"no permitted value of '{v.key}' ({v.universe}) "
                       f"{'meets' if v.culprit.criterion.category is Category.INCLUSION else 'escapes'} it")
    for v in _sat(ctx, Kind.EXCLUDES_ALL):
        yield _sat_hit(v, f"it excludes every value of '{v.key}' admitted by {_names(v)}")


def _names(v: Verdict) -> str:
    return ", ".join(f"{o.criterion.category.value} '{o.criterion.id}' ({o.text})" for o in v.others) or "the item's range"


def contradicting_inclusions(ctx: Context) -> Iterator[Hit]:
    """Inclusion criteria that no value of one item can meet together."""
    for v in _sat(ctx, Kind.CONTRADICTION):
        yield _sat_hit(v, f"no value of '{v.key}' meets it together with {_names(v)}")


def redundant(ctx: Context) -> Iterator[Hit]:
    """A single-item criterion that changes nothing: an inclusion implied by the
    other criteria on the same item, or an exclusion that excludes no one the
    other criteria admit."""
    for v in _sat(ctx, Kind.REDUNDANT):
        inclusion = v.culprit.criterion.category is Category.INCLUSION
        what = "every value the others admit already meets it" if inclusion else "it excludes no one the others admit"
        yield _sat_hit(v, f"{what} (others: {_names(v)})")


def duplicates(ctx: Context) -> Iterator[Hit]:
    """Two criteria have the same text (duplicate ids are refused when the protocol is built)."""
    seen_text: dict[str, str] = {}
    for i, c in enumerate(ctx.protocol.eligibility):
        text = " ".join(c.text.lower().split())
        if text and text in seen_text:
            yield hit(f"$.eligibility[{i}].text", label(c), first=seen_text[text])
        seen_text.setdefault(text, c.id)


def empty_text(ctx: Context) -> Iterator[Hit]:
    """A criterion without human-readable text."""
    for i, c in enumerate(ctx.protocol.eligibility):
        if not c.text.strip():
            yield hit(f"$.eligibility[{i}].text", label(c), category=c.category.value)


def no_rule(ctx: Context) -> Iterator[Hit]:
    """A criterion with neither a machine rule nor the 'assessed by the investigator' marker."""
    for i, c in enumerate(ctx.protocol.eligibility):
        if c.rule is None and not c.assessed_by_investigator:
            yield hit(f"$.eligibility[{i}]", label(c), text=c.text)


_CLASSIFICATIONS = (
    # (pattern in the protocol's text, derivation method, threshold, name)
    (re.compile(r"2013\b.*(SSc|systemic sclerosis)|(SSc|systemic sclerosis).*\b2013", re.I | re.S),
     "ssc_2013_score", 9, "2013 ACR/EULAR SSc classification"),
    (re.compile(r"2010\b.*(\bRA\b|rheumatoid)|(\bRA\b|rheumatoid).*\b2010\b", re.S),
     "ra_2010_score", 6, "2010 ACR/EULAR RA classification"),
)


def classification_not_computable(ctx: Context) -> Iterator[Hit]:
    """Where the population or a criterion relies on the 2013 ACR/EULAR SSc or 2010
    ACR/EULAR RA classification, a derivation computes the score (method
    ssc_2013_score / ra_2010_score) and an inclusion rule requires the published
    threshold (≥ 9 in the 2013 ACR/EULAR SSc criteria, ≥ 6 of 10 in the 2010
    ACR/EULAR RA criteria)."""
    p = ctx.protocol
    texts = [*(p.population.classification_criteria if p.population else ()), *(c.text for c in p.eligibility)]
    for pattern, method, threshold, name in _CLASSIFICATIONS:
        if not any(pattern.search(t) for t in texts):
            continue
        ids = {d.id for d in p.derivations if d.method == method}
        found = [(i, c, op, lit.value) for i, c in _rules(ctx) if c.category is Category.INCLUSION
                 for op, lit in _thresholds(c, ids)]
        if not ids or not found:
            missing = f"no derivation with method '{method}'" if not ids else f"no inclusion rule uses '{sorted(ids)[0]}'"
            yield hit("$.eligibility", "eligibility", name=name, problem=missing, method=method,
                      threshold=threshold)
            continue
        for i, c, op, value in found:
            if not (op == ">=" and value == threshold or op == ">" and value == threshold - 1):
                yield hit(f"$.eligibility[{i}].rule", label(c), name=name, method=method, threshold=threshold,
                          problem=f"the rule requires {op} {value}, not the published ≥ {threshold}")


def _thresholds(c: Criterion, ids: set[str]) -> Iterator[tuple[str, Lit]]:
    assert c.rule is not None
    for node in c.rule.walk():
        if isinstance(node, Cmp) and isinstance(node.left, Ref) and node.left.name in ids \
                and isinstance(node.right, Lit):
            yield node.op, node.right


def to_confirm(ctx: Context) -> Iterator[Hit]:
    """A value eligibility depends on is still "to be confirmed": a population field,
    or the unit of an item a rule compares with a threshold."""
    for pend in ctx.pending:
        if pend.path.startswith(("$.eligibility", "$.population")):
            yield hit(pend.path, pend.where, what=pend.field, reason=pend.reason)
    found = ctx.memo("eligibility-issues", lambda: _all_issues(ctx))
    for i, c in _rules(ctx):
        for issue in found[i]:
            if issue.problem is Problem.UNIT_TBC:
                yield hit(f"$.eligibility[{i}].rule", crumb(label(c)), what=f"unit of '{issue.item}'",
                          reason=issue.what)


CHECKS: tuple[Check, ...] = (
    Check(_E, "ELG001", Severity.ERROR, "unknown item", "{problem}; {todo}",
          "Every name in a rule must be an item (or a derivation id) of the data dictionary, and count() "
          "counts the records of a repeating form.", unknown_item),
    Check(_E, "ELG002", Severity.ERROR, "not collected at screening",
          "the rule reads '{item}', but form(s) {forms} are not collected at a screening or baseline visit; add "
          "the form to a screening/baseline visit",
          "Eligibility is decided before treatment: list the form in 'forms' of a visit whose epoch is "
          "screening or baseline, or whose day is ≤ 0.", not_collected_at_screening),
    Check(_E, "ELG003", Severity.ERROR, "type mismatch", "{what}; {todo}",
          "Compare numbers with numbers, dates with date(\"YYYY-MM-DD\"), codes with text in quotes.",
          type_mismatch),
    Check(_E, "ELG004", Severity.ERROR, "unit mismatch", "{what}; {todo}",
          "Write each threshold in the unit the item is collected in, so the rule and the CRF agree.",
          unit_mismatch),
    Check(_E, "ELG005", Severity.ERROR, "value not in codelist", "{what}; {todo}",
          "A coded item only takes the codes of its codelist; a rule using another value never matches.",
          unknown_code),
    Check(_E, "ELG006", Severity.ERROR, "criterion excludes everyone",
          "{category} '{criterion}' ({rule}) leaves no one eligible: {detail}; check its direction and threshold",
          "Per item, inclusion ∧ ¬exclusion must leave some permitted value; fix the comparison "
          "(< vs >), the threshold, or the item's range.", excludes_everyone),
    Check(_E, "ELG007", Severity.ERROR, "contradicting inclusions",
          "{category} '{criterion}' ({rule}) contradicts other inclusions: {detail}; correct one of them",
          "Inclusion criteria must all hold together; two that cannot both hold exclude everyone.",
          contradicting_inclusions),
    Check(_E, "ELG008", Severity.WARNING, "redundant criterion",
          "{category} '{criterion}' ({rule}) is redundant: {detail}; remove it or correct its threshold",
          "A criterion that changes nothing is noise on the CRF, or a sign of a wrong threshold or direction.",
          redundant),
    Check(_E, "ELG009", Severity.ERROR, "duplicate criterion",
          "this criterion repeats the text of criterion '{first}'; merge the two or reword one",
          "Two criteria with the same wording confuse investigators and double-count on CRFs.",
          duplicates),
    Check(_E, "ELG010", Severity.ERROR, "empty criterion text",
          "this {category} criterion has no text; write the criterion as investigators will read it",
          "Every criterion needs its human-readable text, also when it has a machine rule.", empty_text),
    Check(_E, "ELG011", Severity.ERROR, "criterion without rule",
          "'{text}' has no machine rule; add 'rule' over dictionary items, or set "
          "'assessed_by_investigator: true' if no rule can express it",
          "Screening can only decide criteria with rules; the marker makes the gap explicit.", no_rule),
    Check(_E, "ELG012", Severity.ERROR, "classification not computable",
          "the protocol relies on the {name}, but {problem}; add a derivation with method '{method}' and an "
          "inclusion rule '<derivation> >= {threshold}'",
          "Classification criteria are scores with a published threshold (2013 ACR/EULAR SSc: ≥ 9; 2010 "
          "ACR/EULAR RA: ≥ 6 of 10); computing them "
          "makes eligibility checkable.", classification_not_computable),
    Check(_E, "ELG013", Severity.WARNING, "eligibility value to be confirmed",
          "{what} is to be confirmed: {reason}; confirm it before screening starts",
          "An unconfirmed value is shown plainly, never guessed; eligibility using it cannot be fully checked.",
          to_confirm),
)
