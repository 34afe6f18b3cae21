"""``protocol-planner check``: output, JSON shape and exit codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
import yaml

from planner.cli.check import register
from planner.cli.common import BadInput
from tests.checks.cases import CASES, load_case


def run(argv: list[str]) -> int:
    """Run the check command through a parser of its own (the lead wires it into planner.cli)."""
    parser = argparse.ArgumentParser(prog="protocol-planner")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


def write_case(tmp_path: Path, name: str) -> Path:
    from planner.serialize import dump

    path = tmp_path / f"{name}.yaml"
    path.write_text(dump(load_case(CASES / f"{name}.yaml")), encoding="utf-8")
    return path


def test_shipped_id_without_errors_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert 0 == run(["check", "ssc-digital-ulcer"])
    out = capsys.readouterr().out
    assert "ssc-digital-ulcer v" in out and "0 error(s)" in out


def test_warnings_fail_only_with_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_case(tmp_path, "end011_timepoint_tbc")
    assert 0 == run(["check", str(path)])
    assert 1 == run(["check", str(path), "--strict"])
    assert "END011" in capsys.readouterr().out


def test_errors_exit_1_and_json_has_the_issue_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_case(tmp_path, "mon001_two_tnf")
    assert 1 == run(["check", str(path), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert {"protocol", "version", "findings", "summary"} == set(data)
    assert {"error", "warning", "info"} == set(data["summary"])
    first = data["findings"][0]
    assert {"code": "MON001", "severity": "error", "area": "monitoring",
            "path": "$.arms[0].interventions[1]"} == {k: first[k] for k in ("code", "severity", "area", "path")}


def test_bad_input_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput):
        run(["check", str(tmp_path / "missing.yaml")])
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump({"id": "x"}), encoding="utf-8")
    with pytest.raises(BadInput):
        run(["check", str(broken)])
