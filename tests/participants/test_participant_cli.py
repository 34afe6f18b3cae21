"""The ``screen`` and ``monitor`` command handlers, called as the command line would."""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook
from participant_files import csv_of, xlsx_of

from planner.cli import participants as cli
from planner.cli.common import BadInput

EXAMPLES = "docs/examples"


@pytest.fixture(autouse=True)
def _at_root(monkeypatch, request):
    monkeypatch.chdir(request.config.rootpath)


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="protocol-planner")
    cli.register(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def run(*argv: str) -> int:
    args = parse(*argv)
    code: int = args.handler(args)
    return code


def test_register_adds_screen_and_monitor_with_their_options():
    args = parse("screen", "dbt-refractory", "c.csv", "--json", "-o", "out.xlsx")
    assert (cli.cmd_screen, "dbt-refractory", "c.csv", True, "out.xlsx") == (
        args.handler, args.protocol, args.candidates, args.json, args.output)
    assert cli.cmd_monitor is parse("monitor", "x", "o.csv").handler


def test_screen_prints_a_table_and_exits_0_whatever_the_answers(capsys):
    assert 0 == run("screen", "dbt-refractory", f"{EXAMPLES}/candidates-dbt.csv")
    out = capsys.readouterr().out
    assert "8 candidates: 1 eligible, 4 ineligible, 3 incomplete" in out
    assert ("D04  INCOMPLETE  row 5\n     missing: breastfeeding\n     E1 unknown — Pregnancy or breastfeeding (to "
            "be confirmed: not stated in the source protocol, Smolecule 2026, Protocol 1).") in out
    assert "the investigator assesses, for every candidate: I3 Active disease" in out


def test_screen_json(capsys):
    assert 0 == run("screen", "ssc-digital-ulcer", f"{EXAMPLES}/candidates-ssc.json", "--json")
    data = json.loads(capsys.readouterr().out)
    assert {"eligible": 2, "ineligible": 3, "incomplete": 0} == data["summary"]
    s04 = next(c for c in data["candidates"] if c["participant"] == "S04")  # one item blank, but 13 points already
    assert ("eligible", [], 4) == (s04["result"], s04["missing"], s04["row"])
    s02 = next(c for c in data["candidates"] if c["participant"] == "S02")
    assert ["I1"] == [d["criterion"] for d in s02["deciding"]]
    assert "ssc_2013_score = 7" in s02["deciding"][0]["because"]


def test_screen_writes_xlsx_with_two_sheets(tmp_path, capsys, dbt):
    out = tmp_path / "screening.xlsx"
    assert 0 == run("screen", "dbt-refractory", f"{EXAMPLES}/candidates-dbt.csv", "-o", str(out))
    assert f"wrote {out}: 8 candidates (1 eligible, 4 ineligible, 3 incomplete)\n" == capsys.readouterr().out
    book = load_workbook(out)
    assert ["Screening", "Criteria"] == book.sheetnames
    rows = list(book["Screening"].iter_rows(values_only=True))
    assert ("participant", "row", "result") == rows[0][:3]
    assert ("D02", 3, "ineligible", "I4") == rows[2][:4]
    assert 8 * len(dbt.eligibility) + 1 == book["Criteria"].max_row  # every candidate × every criterion, nothing dropped
    assert [] == [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_monitor_writes_csv_and_json(tmp_path, capsys):
    out = tmp_path / "monitoring.csv"
    assert 0 == run("monitor", "dbt-refractory", f"{EXAMPLES}/observations-dbt.csv", "-o", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {"fired", "not evaluable", "no rule fired"} == {r["status"] for r in rows}
    hb = next(r for r in rows if r["rule"] == "hb_low" and r["status"] == "fired")
    assert ("D01", "month3", "interrupt", "3", "xeljanz") == (hb["participant"], hb["visit"], hb["action"],
                                                               hb["CTCAE grade"], hb["source"])
    capsys.readouterr()
    out = tmp_path / "monitoring.json"
    assert 0 == run("monitor", "dbt-refractory", f"{EXAMPLES}/observations-dbt.csv", "-o", str(out), "--json")
    printed = capsys.readouterr()
    assert json.loads(printed.out) == json.loads(out.read_text(encoding="utf-8"))
    assert printed.err.startswith(f"wrote {out}: 8 rows")


def test_monitor_table(capsys):
    assert 0 == run("monitor", "dbt-refractory", f"{EXAMPLES}/observations-dbt.csv")
    out = capsys.readouterr().out
    assert "FIRED hys_law — INTERRUPT [fdadili]" in out
    assert ("FIRED anc_below_500 — DISCONTINUE · CTCAE v5.0: Neutrophil count decreased, grade 4 (anc = 450 /mm3) "
            "[xeljanz]") in out
    assert "(rule for arm(s) biologic_jak; the row gives no arm)" in out


def test_xlsx_output_never_turns_text_into_a_formula(tmp_path, dbt):
    src = tmp_path / "c.csv"
    src.write_bytes(csv_of("participant,sex", "=HYPERLINK(\"http://x\"),M", "+1,F", "-2,F", "@SUM(A1),M"))
    out = tmp_path / "s.xlsx"
    assert 0 == run("screen", "dbt-refractory", str(src), "-o", str(out))
    ws = load_workbook(out)["Screening"]
    cells = [ws.cell(row=i, column=1) for i in range(2, 6)]
    assert ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)"] == [c.value for c in cells]
    assert {"s"} == {c.data_type for c in cells}


def test_bad_input_lists_every_problem_with_file_row_and_column(tmp_path):
    src = tmp_path / "c.csv"
    src.write_bytes(csv_of("participant,agee,sex", "P01,50,X", "P01,51,F"))
    with pytest.raises(BadInput) as exc:
        run("screen", "dbt-refractory", str(src))
    assert [f"{src}, row 1, column 'agee': no item 'agee' in the protocol's data dictionary; did you mean 'age'?",
            f"{src}, row 2, column 'sex': 'X' is not in codelist SEX (M, F)",
            f"{src}, row 3, column 'participant': participant 'P01' appears twice (rows 2 and 3): give one row per "
            "participant"] == exc.value.lines


@pytest.mark.parametrize(("argv", "line"), [
    (("screen", "dbt-refractory", "nowhere.csv"), "nowhere.csv: no such file"),
    (("screen", "no-such-protocol", f"{EXAMPLES}/candidates-dbt.csv"), "no-such-protocol: no such protocol id"),
    (("screen", "dbt-refractory", f"{EXAMPLES}/candidates-dbt.csv", "-o", "out.txt"),
     "out.txt: -o writes .xlsx, .csv, .json files; give one of those extensions"),
    (("monitor", "dbt-refractory", f"{EXAMPLES}/candidates-dbt.csv"),
     f"{EXAMPLES}/candidates-dbt.csv, row 1: no 'visit' column"),
])
def test_unusable_input_is_bad_input(argv, line):
    with pytest.raises(BadInput) as exc:
        run(*argv)
    assert exc.value.lines[0].startswith(line)


def test_xlsx_candidates_and_observations_through_the_handlers(tmp_path, capsys):
    src = tmp_path / "candidates.xlsx"
    src.write_bytes(xlsx_of([["participant", "sex", "diagnosis", "prior_therapy[1].mechanism_class",
                              "prior_therapy[1].failed", "prior_therapy[2].mechanism_class", "prior_therapy[2].failed"],
                             ["X1", "M", "PsA", "TNF", True, "JAK", True],
                             ["X2", "M", "PsA", "TNF", True, "TNF", True]], title="candidates"))
    assert 0 == run("screen", "dbt-refractory", str(src), "--json")
    data = json.loads(capsys.readouterr().out)
    assert [("X1", "eligible", 2), ("X2", "ineligible", 3)] == [
        (c["participant"], c["result"], c["row"]) for c in data["candidates"]]
    obs = tmp_path / "observations.xlsx"
    obs.write_bytes(xlsx_of([["participant", "visit", "arm", "anc"], ["X1", "week4_8", "biologic_jak", 450]]))
    assert 0 == run("monitor", "dbt-refractory", str(obs), "--json")
    (row,) = json.loads(capsys.readouterr().out)["observations"]
    assert {"anc_below_500", "anc_grade3_any"} == {f["rule"] for f in row["fired"]}
    assert [{"term": "Neutrophil count decreased", "item": "anc", "value": 450.0, "unit": "/mm3", "grade": 4,
             "rule_grade": 3, "note": None}] == next(f["ctcae"] for f in row["fired"] if f["rule"] == "anc_grade3_any")
    assert {4} == {f["ctcae_grade"] for f in row["fired"]}


def _wired() -> bool:
    """Whether the lead has listed ``participants.register`` in ``planner.cli.COMMANDS``."""
    from planner.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return "screen" in sub.choices and "monitor" in sub.choices


@pytest.mark.skipif(not _wired(), reason="planner.cli.COMMANDS does not list participants.register yet")
def test_end_to_end_exit_codes_through_the_installed_command(tmp_path):
    def cli_run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "planner", *argv], capture_output=True, text=True, timeout=120)

    ok = cli_run("screen", "dbt-refractory", f"{EXAMPLES}/candidates-dbt.csv")
    assert (0, "") == (ok.returncode, ok.stderr)
    ok = cli_run("monitor", "dbt-refractory", f"{EXAMPLES}/observations-dbt.csv", "-o", str(tmp_path / "m.xlsx"))
    assert 0 == ok.returncode and (tmp_path / "m.xlsx").is_file()
    bad = tmp_path / "bad.csv"
    bad.write_text("participant,agee\nP01,5\nP01,6\n", encoding="utf-8")
    proc = cli_run("screen", "dbt-refractory", str(bad))
    assert 2 == proc.returncode and "Traceback" not in proc.stderr and "" == proc.stdout
    assert [f"error: {bad}, row 1, column 'agee': no item 'agee' in the protocol's data dictionary; did you mean "
            "'age'?",
            f"error: {bad}, row 3, column 'participant': participant 'P01' appears twice (rows 2 and 3): give one "
            "row per participant"] == proc.stderr.splitlines()


def test_screen_gives_the_same_output_on_both_engines(capsys, tmp_path):
    outputs = []
    for engine in ("duckdb", "python"):
        assert 0 == run("screen", "dbt-refractory", f"{EXAMPLES}/candidates-dbt.csv", "--json", "--engine", engine)
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert "duckdb" == parse("screen", "dbt-refractory", "c.csv").engine  # the default


def test_screen_on_duckdb_reports_input_problems_one_line_each(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("participant,agee,age\nP01,1,abc\nP01,2,40\n")
    with pytest.raises(BadInput) as exc:
        run("screen", "dbt-refractory", str(bad), "--engine", "duckdb")
    assert [f"{bad}, row 1, column 'agee': no item 'agee' in the protocol's data dictionary; did you mean 'age'?",
            f"{bad}, row 2, column 'age': expected a whole number, got 'abc'",
            f"{bad}, row 3, column 'participant': participant 'P01' appears twice (rows 2 and 3): give one row per "
            "participant"] == exc.value.lines
