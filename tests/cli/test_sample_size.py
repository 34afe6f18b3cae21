"""``protocol-planner sample-size``: the number, the detectable effect or the power, with where each input comes from.

Expected values are published or computed by hand here, never by the code under test:
- Cohen J. A power primer. Psychol Bull 1992;112(1):155–159, Table 2 (α = .05 two-sided, power .80):
  d = .8 → 26 per group (t-test of two means); h = .5 → 63 per group (two proportions);
  f = .25 with 4 groups → 45 per group (one-way ANOVA).
- Power by hand from SciPy's noncentral distributions: the two-sample t-test with n per group has
  df = n₁ + n₂ − 2 and noncentrality d·√(n₁n₂/(n₁ + n₂)); an F test has noncentrality λ = f²N (Cohen 1988 §8.3) with
  df (k − 1, N − k) for one-way ANOVA and ((a − 1)(b − 1), N − ab) for the interaction of an a × b design.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import attrs
import pytest
from scipy import stats

from planner.cli import main
from planner.model import TBC, PowerTest, Protocol
from planner.serialize import dump, load

BASE = Path(__file__).parent.parent / "checks" / "base_clinical.yaml"


def t_power(d: float, n: int, alpha: float = 0.05, n2: int | None = None) -> float:
    m = n if n2 is None else n2
    df, nc = n + m - 2, d * math.sqrt(n * m / (n + m))
    crit = stats.t.ppf(1 - alpha / 2, df)
    return float(stats.nct.sf(crit, df, nc) + stats.nct.cdf(-crit, df, nc))


def f_power(f: float, total: int, df1: int, cells: int, alpha: float = 0.05) -> float:
    crit = stats.f.ppf(1 - alpha, df1, total - cells)
    return float(stats.ncf.sf(crit, df1, total - cells, f * f * total))


def base() -> Protocol:
    return load(BASE)


def with_sample_size(p: Protocol, **changes: object) -> Protocol:
    assert p.sample_size is not None
    return attrs.evolve(p, sample_size=attrs.evolve(p.sample_size, **changes))


def with_arms(p: Protocol, k: int, size: int | None = None) -> Protocol:
    arm = p.arms[0]
    arms = tuple(attrs.evolve(arm, id=f"g{i}", name=f"Group {i}", planned_size=size) for i in range(1, k + 1))
    return attrs.evolve(p, arms=arms)


def run(capsys: pytest.CaptureFixture[str], tmp_path: Path, p: Protocol | str, *options: str) -> tuple[int, str, str]:
    ref = p
    if not isinstance(p, str):
        path = tmp_path / "p.yaml"
        path.write_text(dump(p), encoding="utf-8")
        ref = str(path)
    assert isinstance(ref, str)
    code = main(["sample-size", ref, *options])
    out, err = capsys.readouterr()
    return code, out, err


def result(capsys: pytest.CaptureFixture[str], tmp_path: Path, p: Protocol | str, *options: str) -> dict[str, object]:
    code, out, err = run(capsys, tmp_path, p, *options, "--json")
    assert (0, "") == (code, err)
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def test_cohen_d_08_needs_26_per_group_and_29_enrolled_after_attrition(capsys, tmp_path) -> None:
    # base_clinical: two-sample t-test, d = 0.8, α = 0.05, power 0.8, attrition 0.1 (Cohen 1992 Table 2: 26)
    data = result(capsys, tmp_path, base())
    r = data["result"]
    assert ("number", [26, 26], [29, 29], 52, 58) == (data["solved"], r["analysed_per_group"],
                                                      r["enrolled_per_group"], r["total_analysed"], r["total_enrolled"])
    assert t_power(0.8, 26) >= 0.8 > t_power(0.8, 25)  # 26 is the smallest that reaches it
    assert "statsmodels TTestIndPower (per group)" == data["method"]


def test_the_text_report_names_each_input_with_its_source_and_the_result(capsys, tmp_path) -> None:
    code, out, err = run(capsys, tmp_path, base())
    assert (0, "") == (code, err)
    lines = out.splitlines()
    assert lines[0].endswith("sample size, solving for the number")
    effect = next(line for line in lines if line.strip().startswith("effect size"))
    assert "0.8 (Cohen's d)" in effect and "no effect_source cited" in effect and "$.sample_size.effect_size" in effect
    assert any("attrition" in line and "0.1 — protocol" in line for line in lines)
    assert "method: statsmodels TTestIndPower (per group)" in lines
    assert "  analysed per group Active 26, Placebo 26; total 52" in lines
    assert "  enrolled per group Active 29, Placebo 29; total 58 (attrition 0.1)" in lines
    assert "to be confirmed: effect size — the result holds only for the values above" == lines[-1]


def test_solve_power_at_the_planned_arms(capsys, tmp_path) -> None:
    # 29 enrolled per arm, 10% attrition → 26 analysed (rounded down); power by hand from the noncentral t
    data = result(capsys, tmp_path, base(), "--solve", "power")
    r = data["result"]
    assert ("power", [26, 26]) == (data["solved"], r["analysed_per_group"])
    assert t_power(0.8, 26) == pytest.approx(r["power"], abs=1e-5)


def test_solve_effect_gives_the_effect_that_has_the_power(capsys, tmp_path) -> None:
    data = result(capsys, tmp_path, base(), "--solve", "effect")
    d = data["result"]["effect_size"]
    assert isinstance(d, float) and 0.7 < d < 0.8  # 26 analysed per group detect a little less than 0.8
    assert 0.8 == pytest.approx(t_power(d, 26), abs=1e-5)


def test_power_is_solved_when_the_protocol_states_effect_and_number_but_no_power(capsys, tmp_path) -> None:
    data = result(capsys, tmp_path, with_sample_size(base(), power=None))
    assert "power" == data["solved"]
    assert t_power(0.8, 26) == pytest.approx(data["result"]["power"], abs=1e-5)


def test_anova_per_group_from_statsmodels_total(capsys, tmp_path) -> None:
    # Cohen 1992 Table 2: f = .25, 4 groups → 45 per group; FTestAnovaPower's nobs is the TOTAL (180)
    p = with_sample_size(with_arms(base(), 4), test=PowerTest.ONE_WAY_ANOVA, effect_size=0.25, attrition=None,
                         target=TBC("to be calculated"))
    r = result(capsys, tmp_path, p)["result"]
    assert ([45] * 4, 180) == (r["analysed_per_group"], r["total_analysed"])
    assert f_power(0.25, 180, 3, 4) >= 0.8 > f_power(0.25, 176, 3, 4)


def test_two_proportions(capsys, tmp_path) -> None:
    # Cohen 1992 Table 2: h = .5 → 63 per group
    p = with_sample_size(base(), test=PowerTest.TWO_PROPORTIONS, effect_size=0.5, attrition=None,
                         target=TBC("to be calculated"))
    p = attrs.evolve(p, arms=tuple(attrs.evolve(a, planned_size=None) for a in p.arms))
    assert [63, 63] == result(capsys, tmp_path, p)["result"]["analysed_per_group"]


def test_factorial_interaction_of_a_2_by_2_design(capsys, tmp_path) -> None:
    # interaction df 1, N − 4: by hand 32 per cell (128) reaches 0.8 at f = 0.25 and 31 per cell (124) does not
    p = with_sample_size(with_arms(base(), 4), test=PowerTest.FACTORIAL_INTERACTION, factors=(2, 2),
                         effect_size=0.25, attrition=None, target=TBC("to be calculated"))
    data = result(capsys, tmp_path, p)
    assert ([32] * 4, 128) == (data["result"]["analysed_per_group"], data["result"]["total_analysed"])
    assert f_power(0.25, 128, 1, 4) >= 0.8 > f_power(0.25, 124, 1, 4)
    assert any(g["name"] == "factors" and g["value"] == "2 × 2" for g in data["inputs"])


def test_unequal_allocation_keeps_the_ratio(capsys, tmp_path) -> None:
    p = base()
    p = attrs.evolve(p, arms=(attrs.evolve(p.arms[0], allocation_ratio=2, planned_size=None),
                              attrs.evolve(p.arms[1], planned_size=None)))
    p = with_sample_size(p, target=TBC("to be calculated"))
    data = result(capsys, tmp_path, p)
    # each arm is its share of the total rounded up: 2/3 and 1/3 of 57.9 → 39 and 20 (power by hand)
    assert [39, 20] == data["result"]["analysed_per_group"]
    assert t_power(0.8, 39, n2=20) >= 0.8 > t_power(0.8, 38, n2=19)
    assert {"name": "allocation ratio", "path": "$.arms[*].allocation_ratio", "value": "2:1", "source": "protocol",
            "confirmed": True} in data["inputs"]


# -- the shipped studies ----------------------------------------------------------------------


def test_rat_study_detectable_effect_with_its_40_animals(capsys, tmp_path) -> None:
    # 40 rats in 5 groups (Chen 2023); test, alpha, power and effect are to be confirmed, so the command
    # solves for the detectable f under the assumed one-way ANOVA and the conventional 0.05 and 0.8
    code, out, err = run(capsys, tmp_path, "cia-tnf-tof-igu")
    assert (0, "") == (code, err)
    assert "solving for the detectable effect" in out
    assert "assumed from the 5 arms; to be confirmed" in out
    assert "0.05 (two-sided) — conventional; to be confirmed" in out
    data = result(capsys, tmp_path, "cia-tnf-tof-igu")
    f = data["result"]["effect_size"]
    assert ([8] * 5, False) == (data["result"]["analysed_per_group"], data["all_inputs_confirmed"])
    assert 0.8 == pytest.approx(f_power(f, 40, 4, 5), abs=1e-5)
    assert f"f = {f:.3f}" in out


def test_shipped_studies_without_the_inputs_say_what_to_give(capsys, tmp_path) -> None:
    code, out, err = run(capsys, tmp_path, "dbt-refractory")
    lines = err.splitlines()
    assert (2, "", 2) == (code, out, len(lines))
    assert lines[0].startswith("error: dbt-refractory: $.sample_size.effect_size: effect size not given")
    assert "give the effect the study should detect as Cohen's d" in lines[0]
    assert lines[1].startswith("error: dbt-refractory: $.sample_size.target: target number not given")
    code, out, err = run(capsys, tmp_path, "ssc-digital-ulcer")
    assert (2, ["error: ssc-digital-ulcer: $.sample_size.test: a single group has no comparison to power; state "
                "the test and the groups it compares"]) == (code, err.splitlines())


def test_solving_for_power_without_an_effect_is_refused(capsys, tmp_path) -> None:
    code, _, err = run(capsys, tmp_path, "cia-tnf-tof-igu", "--solve", "power")
    assert 2 == code
    assert ["$.sample_size.effect_size"] == [line.split(": ")[2] for line in err.splitlines()]
    assert "or solve for the detectable effect with --solve effect" in err


def test_out_of_range_inputs_are_one_line_each(capsys, tmp_path) -> None:
    p = with_sample_size(base(), alpha=1.5, attrition=1.0)
    code, out, err = run(capsys, tmp_path, p)
    lines = err.splitlines()
    assert (2, "", 2) == (code, out, len(lines))
    assert lines[0].endswith("$.sample_size.alpha: 1.5 is out of range; give a probability between 0 and 1, e.g. 0.05")
    assert "$.sample_size.attrition: 1 is out of range" in lines[1]
    assert "Traceback" not in err


def test_no_sample_size_at_all(capsys, tmp_path) -> None:
    code, _, err = run(capsys, tmp_path, attrs.evolve(base(), sample_size=None))
    assert 2 == code
    assert err.rstrip().endswith("$.sample_size: the protocol states no sample size; add 'sample_size'")



def test_the_installed_command_exit_codes_and_a_clean_stderr() -> None:
    import subprocess
    import sys

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "planner", "sample-size", *argv], capture_output=True, text=True,
                              timeout=120)

    ok = cli("cia-tnf-tof-igu", "--json")
    assert (0, "") == (ok.returncode, ok.stderr)
    assert "detectable effect" == json.loads(ok.stdout)["solved"]
    bad = cli("dbt-refractory")
    assert 2 == bad.returncode and "" == bad.stdout and "Traceback" not in bad.stderr
    assert 2 == len(bad.stderr.splitlines())


def test_the_examples_in_docs_sample_size_are_what_the_command_prints(capsys) -> None:
    import re

    doc = (Path(__file__).parents[2] / "docs" / "sample-size.md").read_text(encoding="utf-8")
    examples = re.findall(r"```text\n\$ protocol-planner (.*?)\n(.*?)```", doc, flags=re.S)
    assert 2 == len(examples)
    for command, shown in examples:
        main(command.split())
        out, err = capsys.readouterr()
        assert shown == out + err, command
