"""The overwrite guard keeps every CRF a person touched, judged against what protocol-planner wrote.

Each edit below is one a careless or busy user makes: a note in an unused
cell, a sheet of their own, the hidden metadata sheet damaged, a comment, a
colour, a truncated copy. Today's guard must keep every one of them — with
the folder's manifest and without it (a copied file, a deleted manifest) —
and replace only a CRF exactly as it was written. A ``build`` killed with
``kill -9`` half-way must leave a record the next build trusts.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from planner import cli
from planner.cli import crf
from planner.cli.guard import MANIFEST
from tests.hostile.harness import SECONDS, run_limited

PID = "cia-tnf-tof-igu"
ROOT = Path(__file__).parents[2]


@pytest.fixture(autouse=True)
def commands(monkeypatch: pytest.MonkeyPatch) -> None:
    if crf.register not in cli.COMMANDS:
        monkeypatch.setattr(cli, "COMMANDS", (*cli.COMMANDS, crf.register))


def export(out: Path, *extra: str) -> int:
    return cli.main(["export", PID, "--to", "xlsx", "-o", str(out), *extra])


def _with_openpyxl(change: Callable[..., None]) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        wb = load_workbook(io.BytesIO(data))
        change(wb)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    return edit


def _raw(change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None) -> Callable[[bytes], bytes]:
    """Rewrite the package part by part without any spreadsheet program (so our seal part survives)."""
    def edit(data: bytes) -> bytes:
        src = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                body = change(info.filename, src.read(info))
                if body is not None:
                    dst.writestr(info, body)
            for name, body in (extra or {}).items():
                dst.writestr(name, body)
        return out.getvalue()

    return edit


def _note_in_unused_cell(wb: object) -> None:
    wb.worksheets[1]["Z99"] = "call the vet on Monday"  # type: ignore[attr-defined]


def _own_sheet(wb: object) -> None:
    wb.create_sheet("My notes")["A1"] = "batch 7 arrived late"  # type: ignore[attr-defined]


def _damage_metadata(wb: object) -> None:
    hidden = [ws for ws in wb.worksheets if ws.sheet_state != "visible"]  # type: ignore[attr-defined]
    hidden[0]["A1"] = "damaged"


def _comment(wb: object) -> None:
    wb.worksheets[1]["Z50"].comment = Comment("check this", "me")  # type: ignore[attr-defined]


def _colour(wb: object) -> None:
    wb.worksheets[1]["Z50"].fill = PatternFill("solid", fgColor="FFFF00")  # type: ignore[attr-defined]


def _one_byte_in_a_sheet(name: str, body: bytes) -> bytes | None:
    return body.replace(b"</sheetData>", b"</sheetData> ", 1) if name.endswith("sheet2.xml") else body


def _drop_a_part(name: str, body: bytes) -> bytes | None:
    return None if name == "docProps/app.xml" else body


EDITS: dict[str, Callable[[bytes], bytes]] = {
    "note in an unused cell": _with_openpyxl(_note_in_unused_cell),
    "a sheet of their own": _with_openpyxl(_own_sheet),
    "metadata sheet damaged": _with_openpyxl(_damage_metadata),
    "a comment": _with_openpyxl(_comment),
    "a cell coloured": _with_openpyxl(_colour),
    "re-saved unchanged by another program": _with_openpyxl(lambda wb: None),
    "one byte changed in a sheet part": _raw(_one_byte_in_a_sheet),
    "a part added": _raw(lambda n, b: b, {"xl/notes.xml": b"<notes>mine</notes>"}),
    "a part removed": _raw(_drop_a_part),
    "truncated copy": lambda data: data[: len(data) // 2],
    "not a workbook at all": lambda data: b"my own notes\n",
    "empty file": lambda data: b"",
}


@pytest.mark.parametrize("manifest", [True, False], ids=["with manifest", "without manifest"])
@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_a_touched_crf_is_kept_byte_for_byte(tmp_path: Path, capsys: pytest.CaptureFixture[str], edit: str,
                                              manifest: bool) -> None:
    assert 0 == export(tmp_path)
    target = tmp_path / f"{PID}-crf.xlsx"
    target.write_bytes(EDITS[edit](target.read_bytes()))
    if not manifest:
        (tmp_path / MANIFEST).unlink()
    before = target.read_bytes()
    capsys.readouterr()
    assert 1 == export(tmp_path)
    err = capsys.readouterr().err
    assert f"{target}: not overwritten" in err and "--force" in err
    assert before == target.read_bytes()
    assert 0 == export(tmp_path, "--force")  # with --force, after a backup that holds the person's file
    backups = list(tmp_path.glob(f"{PID}-crf.backup-*.xlsx"))
    assert [before] == [b.read_bytes() for b in backups]


@pytest.mark.parametrize("manifest", [True, False], ids=["with manifest", "without manifest"])
def test_an_untouched_crf_is_replaced(tmp_path: Path, manifest: bool) -> None:
    assert 0 == export(tmp_path)
    if not manifest:
        (tmp_path / MANIFEST).unlink()
    assert 0 == export(tmp_path)
    assert not list(tmp_path.glob("*.backup-*"))


def test_a_forged_seal_vouches_only_for_our_own_bytes(tmp_path: Path) -> None:
    """Re-sealing an edited file is not a way round: only the manifest-less test reads the seal, and it is ours."""
    from exports.xlsx.seal import changes, seal

    assert 0 == export(tmp_path)
    target = tmp_path / f"{PID}-crf.xlsx"
    edited = EDITS["note in an unused cell"](target.read_bytes())
    assert changes(edited) is not None
    assert changes(seal(edited)) is None  # a deliberate forgery passes the seal ...
    target.write_bytes(seal(edited))
    assert 1 == export(tmp_path)  # ... but the manifest still knows what was written


def test_a_build_killed_half_way_leaves_a_record_the_next_build_trusts(tmp_path: Path) -> None:
    out = tmp_path / "out"
    child = subprocess.Popen([sys.executable, "-m", "planner", "build", "-o", str(out)], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and child.poll() is None:
            landed = [p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST and ".tmp" not in p.name]
            if len(landed) >= 2:
                os.killpg(child.pid, signal.SIGKILL)
                break
            time.sleep(0.01)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    leftovers = [p for p in out.rglob("*") if p.is_file() and p.name != MANIFEST and not p.name.startswith(".")
                 and p.suffix not in (".pdf", ".xlsx", ".yaml", ".json", ".dot", ".md", ".txt")]
    assert not leftovers, f"half-written files: {leftovers}"
    again = run_limited(["build", "-o", str(out)], cwd=ROOT, seconds=SECONDS * 24)
    assert 0 == again.code, again.err
