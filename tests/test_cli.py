"""The command line: list, show, dump, validate; exit codes and error lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import main
from planner.cli.guard import MANIFEST
from protocols import REGISTRY

IDS = list(REGISTRY)
ROOT = Path(__file__).parents[1]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_list_json_gives_the_three_ids_with_title_kind_and_version(capsys):
    assert 0 == main(["list", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert IDS == [r["id"] for r in rows]
    assert all({"id", "title", "kind", "version"} == set(r) for r in rows)
    assert {"clinical interventional", "preclinical animal experiment"} == {
        r["kind"] for r in rows}


def test_list_table_and_show(capsys):
    assert 0 == main(["list"])
    out = capsys.readouterr().out
    assert all(pid in out for pid in IDS)
    assert 0 == main(["show", "cia-tnf-tof-igu"])
    out = capsys.readouterr().out
    assert "TO BE CONFIRMED" in out and "TOF + IGU" in out


@pytest.mark.parametrize("pid", IDS)
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_dump_of_a_dump_is_byte_identical(pid, fmt, tmp_path, capsys):
    first = tmp_path / f"first.{fmt}"
    assert 0 == main(["dump", pid, "--format", fmt, "-o", str(first)])
    assert 0 == main(["dump", str(first), "--format", fmt])
    assert first.read_text(encoding="utf-8") == capsys.readouterr().out


def test_wrong_type_deep_inside_exits_2_with_the_path_and_no_traceback(tmp_path):
    text = (ROOT / "protocols/yaml/cia-tnf-tof-igu.yaml").read_text(encoding="utf-8")
    broken = text.replace("      value: 12\n", "      value: twelve\n", 1)
    assert broken != text
    path = tmp_path / "broken.yaml"
    path.write_text(broken, encoding="utf-8")
    proc = run("validate", str(path))
    assert 2 == proc.returncode
    assert "Traceback" not in proc.stderr
    assert f"error: {path}: $.arms[2].interventions[2].dose.value: expected a number, got text 'twelve'" in proc.stderr
    assert "" == proc.stdout


def test_every_problem_is_reported_once_per_line(tmp_path):
    text = (ROOT / "protocols/yaml/ssc-digital-ulcer.yaml").read_text(encoding="utf-8")
    broken = text.replace("status: draft", "status: drafty").replace("unit: U/L", "unit: U/l", 1)
    path = tmp_path / "two.yaml"
    path.write_text(broken, encoding="utf-8")
    proc = run("validate", str(path))
    assert 2 == proc.returncode
    lines = proc.stderr.strip().splitlines()
    assert 2 == len(lines)
    assert any("$.status: 'drafty' is not a status; did you mean 'draft'? Expected one of" in line for line in lines)
    assert any(".unit: unknown unit 'U/l'; did you mean 'U/L'" in line for line in lines)


def test_unknown_protocol_and_missing_file_are_bad_input(capsys):
    assert 2 == main(["show", "no-such-study"])
    assert "no such protocol id or file" in capsys.readouterr().err
    assert 2 == main(["validate", "missing.yaml"])


def test_usage_error_exits_2(capsys):
    assert 2 == main(["dump"])
    assert 2 == main(["frobnicate"])


def test_validate_ok_and_console_entry_point(tmp_path):
    proc = run("validate", str(ROOT / "protocols/yaml/dbt-refractory.yaml"))
    assert 0 == proc.returncode, proc.stderr
    assert "ok — dbt-refractory" in proc.stdout


def test_dump_writes_atomically_with_normal_permissions(tmp_path):
    out = tmp_path / "sub" / "p.yaml"
    assert 0 == main(["dump", "dbt-refractory", "-o", str(out)])
    assert out.stat().st_mode & 0o044  # readable by group/others under a usual umask
    assert {out.name, MANIFEST} == {p.name for p in out.parent.iterdir()}  # no temporary file left behind


@pytest.mark.parametrize("command", [("validate",), ("check",), ("screen", "dbt-refractory")])
def test_a_folder_or_non_utf8_file_is_named_as_such(command, tmp_path, capsys):
    folder = tmp_path / "protocol.yaml"
    folder.mkdir()
    assert 2 == main([*command, str(folder)])
    assert f"error: {folder}: is a folder, not a file; give the path of a file in it\n" == capsys.readouterr().err
    if command[0] != "screen":  # screening judges a file by its extension first
        latin1 = tmp_path / "latin1.yaml"
        latin1.write_bytes("id: caf\xe9\n".encode("latin-1"))
        assert 2 == main([*command, str(latin1)])
        assert "not UTF-8 text (byte 0xe9 at position 7); save it as UTF-8 text" in capsys.readouterr().err


TYPO = ROOT / "tests" / "cases" / "malformed" / "rule_unknown_item.yaml"
TYPO_FINDING = "ELG001 [criterion 'I1'] the rule reads 'agee', which is not an item of the data dictionary"


def test_a_rule_typo_is_a_check_finding_and_check_reports_the_rest(capsys):
    assert 1 == main(["check", str(TYPO), "--json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    typo = [f for f in findings if f["code"] == "ELG001"]
    assert ["$.eligibility[0].rule"] == [f["path"] for f in typo]
    assert "did you mean 'age'?" in typo[0]["message"]


@pytest.mark.parametrize("argv", [["screen", "{p}", "docs/examples/candidates-dbt.csv"], ["export", "{p}", "--to", "pdf",
                                                                                           "-o", "{out}"]])
def test_commands_that_use_the_rules_refuse_a_typo_with_the_checks_words(tmp_path, capsys, argv):
    args = [a.format(p=TYPO, out=tmp_path / "x.pdf") for a in argv]
    assert 2 == main(args)
    err = capsys.readouterr().err
    assert f"error: {TYPO}: $.eligibility[0].rule: {TYPO_FINDING}" in err
    assert not (tmp_path / "x.pdf").exists()
