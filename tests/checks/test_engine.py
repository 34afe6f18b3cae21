"""The engine: registry, reports, crash isolation, and checks written as Python cases."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest

from planner.checks import REGISTRY, UNCONFIRMED_CODES, Area, Check, Context, Hit, Registry, Severity, check, hit
from planner.checks.risks import ClassRisks, Grade, Need, Risk, Source, table
from planner.checks.sample_size import NotVerified, recompute
from planner.expr import parse
from planner.model import Category, Criterion, Mechanism, Protocol
from planner.power import Calculation
from planner.serialize import structure
from tests.checks.cases import base_data, merge


def base(kind: str = "clinical", **overrides: object) -> Protocol:
    return structure(merge(base_data(kind), overrides))


def test_codes_are_unique_stable_and_prefixed_by_area() -> None:
    codes = [c.code for c in REGISTRY]
    assert len(codes) == len(set(codes))
    assert all(c.code.startswith(c.area.prefix) for c in REGISTRY)
    assert codes == sorted(codes, key=lambda c: (["ELG", "END", "MON", "DES"].index(c[:3]), c))


def test_each_area_has_at_least_five_checks_with_templates_and_docstrings() -> None:
    for area in Area:
        assert len(REGISTRY.by_area(area)) >= 5, area
    assert all(c.message and c.hint and c.description for c in REGISTRY)


def test_unconfirmed_codes_are_exactly_the_to_be_confirmed_and_verify_checks() -> None:
    # documents fold these findings into Appendix A's count, so a new such check must join the set
    restating = {c.code for c in REGISTRY if c.function.__name__ in ("to_confirm", "to_verify")}
    assert restating == UNCONFIRMED_CODES


def test_registering_a_code_twice_is_refused() -> None:
    first = next(iter(REGISTRY))
    with pytest.raises(ValueError, match="registered twice"):
        Registry([first, first])


def test_a_check_that_raises_becomes_an_error_naming_it_and_the_others_still_run() -> None:
    def broken(ctx: Context) -> Iterator[Hit]:
        yield hit("$.x", "somewhere", n=1)
        raise RuntimeError("boom")

    def fine(ctx: Context) -> Iterator[Hit]:
        yield hit("$.arms", "arms", n=len(ctx.protocol.arms))

    registry = Registry([
        Check(Area.DESIGN, "DES901", Severity.WARNING, "broken check", "saw {n}", "no hint", broken),
        Check(Area.DESIGN, "DES902", Severity.INFO, "fine check", "{n} arms", "no hint", fine),
    ])
    report = check(base(), registry=registry)
    assert ["DES901", "DES902"] == [f.code for f in report.findings]
    crashed = report.findings[0]
    assert Severity.ERROR == crashed.severity
    assert "DES901" in crashed.message and "broken check" in crashed.message and "boom" in crashed.message
    assert "[arms] 2 arms" == report.findings[1].message


def test_report_json_shape() -> None:
    p = base(statistics=None)
    data = check(p).as_dict()
    assert {"protocol", "version", "findings", "summary"} == set(data)
    assert ("base-clinical", "1.0") == (data["protocol"], data["version"])
    assert {"error": 1, "warning": 0, "info": 0} == data["summary"]
    assert [{"code", "severity", "area", "path", "message", "hint"}] == [set(f) for f in data["findings"]]
    finding = data["findings"][0]
    assert ("DES001", "error", "design", "$.statistics") == (
        finding["code"], finding["severity"], finding["area"], finding["path"])


def test_messages_say_where_what_and_what_to_do() -> None:
    arms = base_data()["arms"]
    arms[0]["interventions"][0].pop("frequency")
    finding = check(base(arms=arms)).findings[0]
    assert "$.arms[0].interventions[0].frequency" == finding.path
    assert finding.message.startswith("[arm 'Active' › intervention 'Study drug'] the frequency is missing; add")


def test_unknown_item_in_a_python_built_protocol() -> None:
    p = base()
    rule = Criterion("inc_crp", Category.INCLUSION, "CRP above 10 mg/L", rule=parse("crp > 10"))
    p = attrs.evolve(p, eligibility=(*p.eligibility, rule))
    report = check(p)
    assert {"ELG001"} == report.codes()
    assert "$.eligibility[4].rule" == report.findings[0].path


def test_pregnancy_risk_needs_an_exclusion_or_contraception() -> None:
    shipped = table()
    risk = Risk("pregnancy", Need.EXCLUDE, "Pregnancy", "contraception during and 4 weeks after", ("Z9",),
                after_last_dose="4 weeks")
    t = attrs.evolve(shipped, sources={**shipped.sources, "Z9": Source(Grade.LABEL, "test label")},
                     classes={**shipped.classes, Mechanism.OTHER: ClassRisks("test", (risk,))})
    with_exclusion = base()
    assert set() == check(with_exclusion, risks=t).codes()
    without = base(eligibility=[c for c in base_data()["eligibility"] if c["id"] != "exc_pregnant"])
    report = check(without, risks=t)
    assert {"MON011"} == report.codes()
    assert "contraception, for 4 weeks after the last dose" in report.findings[0].message
    assert report.findings[0].hint.endswith("Source: Z9 [L] test label.")


def test_anova_power_gives_the_total_over_groups() -> None:
    p = base(sample_size={"target": 80, "justification": "j", "effect_size": 0.4, "alpha": 0.05, "power": 0.8,
                          "test": "one-way ANOVA", "groups": 5})
    result = recompute(p)
    assert isinstance(result, Calculation)
    assert ((16,) * 5, 80) == (result.analysed, result.total)  # total n ≈ 79.5 → 16 per group
    t = recompute(base(sample_size={"target": 52, "justification": "j", "effect_size": 0.8, "alpha": 0.05,
                                    "power": 0.8, "test": "two-sample t-test"}))
    assert isinstance(t, Calculation)
    assert ((26, 26), 52) == (t.analysed, t.total)  # n1 ≈ 25.5 per group


def test_sample_size_with_missing_parameters_is_not_verified() -> None:
    result = recompute(base(sample_size={"target": 58, "justification": "j", "effect_size": None,
                                         "test": "two-sample t-test", "alpha": 0.05, "power": None}))
    assert isinstance(result, NotVerified)
    assert "two of the target number, the effect size and the power" in result.reason

