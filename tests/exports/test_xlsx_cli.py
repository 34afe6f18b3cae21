"""``protocol-planner export --to xlsx``: files written, entered data never lost, one workbook per participant."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from exports.xlsx import plan
from exports.xlsx.fill import Filling, fill
from exports.xlsx.read import entered_cells
from planner import cli
from planner.cli import crf
from planner.cli.guard import MANIFEST
from protocols import REGISTRY

PID = "cia-tnf-tof-igu"


@pytest.fixture(autouse=True)
def commands(monkeypatch):
    """Register this module's commands (until the lead adds them to planner.cli.COMMANDS)."""
    if crf.register not in cli.COMMANDS:
        monkeypatch.setattr(cli, "COMMANDS", (*cli.COMMANDS, crf.register))


def export(out, *extra: str) -> int:
    return cli.main(["export", PID, "--to", "xlsx", "-o", str(out), *extra])


def filled(path) -> bytes:
    protocol = REGISTRY[PID]()
    data = fill(path.read_bytes(), plan(protocol),
                Filling(participant="R-01", forms={"animal": {"start": {"body_weight": 201.5}}}))
    path.write_bytes(data)
    return data


def test_export_writes_the_workbook_atomically(tmp_path, capsys):
    assert 0 == export(tmp_path)
    target = tmp_path / f"{PID}-crf.xlsx"
    assert f"wrote {target}" in capsys.readouterr().out
    assert {target.name, MANIFEST} == {p.name for p in tmp_path.iterdir()}  # no temporary files left behind
    assert () == entered_cells(target.read_bytes())
    assert 0 == export(tmp_path)  # a blank CRF is simply replaced


def test_export_refuses_to_overwrite_entered_data_and_leaves_the_file_byte_identical(tmp_path, capsys):
    assert 0 == export(tmp_path)
    target = tmp_path / f"{PID}-crf.xlsx"
    before = filled(target)
    capsys.readouterr()
    assert 1 == export(tmp_path)
    err = capsys.readouterr().err
    assert f"refused: {target}: not overwritten: it holds entered data (2 cells" in err
    assert "use --force" in err
    assert before == target.read_bytes()
    assert {target.name, MANIFEST} == {p.name for p in tmp_path.iterdir()}


def test_force_keeps_a_timestamped_backup_first(tmp_path, capsys):
    assert 0 == export(tmp_path)
    target = tmp_path / f"{PID}-crf.xlsx"
    before = filled(target)
    assert 0 == export(tmp_path, "--force")
    backups = sorted(tmp_path.glob(f"{PID}-crf.backup-*.xlsx"))
    assert 1 == len(backups)
    assert before == backups[0].read_bytes()
    assert f"kept a backup of {target} as {backups[0]}" in capsys.readouterr().err
    assert () == entered_cells(target.read_bytes())


def test_a_file_that_is_not_a_blank_crf_is_not_overwritten_either(tmp_path, capsys):
    target = tmp_path / f"{PID}-crf.xlsx"
    target.write_bytes(b"my own notes")
    assert 1 == export(tmp_path)
    assert "it is not a readable .xlsx workbook" in capsys.readouterr().err
    assert b"my own notes" == target.read_bytes()


def test_one_workbook_per_participant_with_the_id_filled_in(tmp_path, capsys):
    assert 0 == export(tmp_path, "--participants", "3")
    names = sorted(p.name for p in tmp_path.iterdir() if p.name != MANIFEST)
    assert [f"{PID}-crf-{n}.xlsx" for n in ("001", "002", "003")] == names
    wb = load_workbook(io.BytesIO((tmp_path / f"{PID}-crf-002.xlsx").read_bytes()))
    assert "002" == wb["Cover"]["B12"].value
    assert "Participant 002" == wb["Cover"].oddHeader.right.text
    assert "3/3 written" in capsys.readouterr().err


def test_participant_ids_from_a_file(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("# site 1\nS1-001\n\nS1-002  # second\n", encoding="utf-8")
    out = tmp_path / "out"
    assert 0 == export(out, "--participant-ids", str(ids))
    assert [f"{PID}-crf-S1-001.xlsx", f"{PID}-crf-S1-002.xlsx"] == sorted(
        p.name for p in out.iterdir() if p.name != MANIFEST)


def test_bad_participant_ids_are_bad_input(tmp_path, capsys):
    ids = tmp_path / "ids.txt"
    ids.write_text("ok-1\n../etc/passwd\nok-1\n", encoding="utf-8")
    assert 2 == export(tmp_path / "out", "--participant-ids", str(ids))
    err = capsys.readouterr().err
    assert f"{ids}:2: '../etc/passwd' is not a usable participant id" in err
    assert f"{ids}:3: participant id 'ok-1' is listed twice" in err
    assert not (tmp_path / "out").exists()


def test_refusal_covers_every_participant_before_anything_is_written(tmp_path, capsys):
    assert 0 == export(tmp_path, "--participants", "2")
    second = tmp_path / f"{PID}-crf-002.xlsx"
    filled(second)
    first_before = (tmp_path / f"{PID}-crf-001.xlsx").read_bytes()
    assert 1 == export(tmp_path, "--participants", "2")
    assert first_before == (tmp_path / f"{PID}-crf-001.xlsx").read_bytes()


def test_participants_apply_to_xlsx_only(tmp_path, capsys):
    assert 2 == cli.main(["export", PID, "--to", "dot", "-o", str(tmp_path), "--participants", "2"])
    assert "apply to --to xlsx only" in capsys.readouterr().err


def test_docs_example_runs():
    import re
    from pathlib import Path

    doc = Path(__file__).parents[2] / "docs" / "export-xlsx.md"
    blocks = re.findall(r"```python\n(.*?)```", doc.read_text(encoding="utf-8"), flags=re.S)
    assert 1 == len(blocks)
    exec(compile(blocks[0], str(doc), "exec"), {})  # noqa: S102 - our own documentation
