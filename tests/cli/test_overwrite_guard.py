"""No command overwrites a file a person edited; re-runs over the tool's own output just work.

Every command that writes files (dump, screen, monitor, export, build) goes
through ``planner.cli.guard``: its own untouched output is replaced, an edited
file is refused (exit 1, left byte-identical, nothing written), and
``--force`` keeps a timestamped backup of the edited file first.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planner.cli import guard, main
from planner.cli.guard import MANIFEST, sha256
from planner.serialize import dump
from protocols import REGISTRY

ROOT = Path(__file__).parents[2]
CANDIDATES = str(ROOT / "docs" / "examples" / "candidates-dbt.csv")
OBSERVATIONS = str(ROOT / "docs" / "examples" / "observations-dbt.csv")
FORCE_LINE = "use --force to replace it after a backup"


def append_a_note(path: Path) -> None:
    """What a person does to a text file: add a line."""
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n# checked by the coordinator\n")


def annotate_workbook(path: Path) -> None:
    """What a coordinator does to a results workbook: write a note in a cell and save it."""
    book = load_workbook(path)
    book.worksheets[0].cell(row=1, column=book.worksheets[0].max_column + 1, value="note: call back")
    book.save(path)


def append_bytes(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"\n% annotated\n")


# (name, argv for an output folder, the file written there, how a person edits it)
COMMANDS: list[tuple[str, Callable[[Path], list[str]], str, Callable[[Path], None]]] = [
    ("dump yaml", lambda d: ["dump", "dbt-refractory", "-o", str(d / "dbt.yaml")], "dbt.yaml", append_a_note),
    ("dump json", lambda d: ["dump", "ssc-digital-ulcer", "--format", "json", "-o", str(d / "ssc.json")],
     "ssc.json", append_a_note),
    ("screen csv", lambda d: ["screen", "dbt-refractory", CANDIDATES, "-o", str(d / "screening.csv")],
     "screening.csv", append_a_note),
    ("screen xlsx", lambda d: ["screen", "dbt-refractory", CANDIDATES, "-o", str(d / "screening.xlsx")],
     "screening.xlsx", annotate_workbook),
    ("monitor json", lambda d: ["monitor", "dbt-refractory", OBSERVATIONS, "--json", "-o", str(d / "mon.json")],
     "mon.json", append_a_note),
    ("export dot", lambda d: ["export", "ssc-digital-ulcer", "--to", "dot", "-o", str(d)],
     "ssc-digital-ulcer-pathway.dot", append_a_note),
    ("export pdf", lambda d: ["export", "cia-tnf-tof-igu", "--to", "pdf", "-o", str(d)],
     "cia-tnf-tof-igu-protocol.pdf", append_bytes),
]


def backups_of(target: Path) -> list[Path]:
    return sorted(target.parent.glob(f"{target.stem}.backup-*{target.suffix}"))


def recorded(target: Path) -> str | None:
    return guard.read_manifest(target.parent).get(target.name)


@pytest.mark.parametrize(("argv", "name", "edit"), [c[1:] for c in COMMANDS], ids=[c[0] for c in COMMANDS])
def test_rerun_replaces_own_output_refuses_an_edit_and_force_keeps_a_backup(tmp_path, capsys, argv, name, edit):
    target = tmp_path / name
    assert 0 == main(argv(tmp_path))
    assert sha256(target.read_bytes()) == recorded(target)
    assert 0 == main(argv(tmp_path))  # a second run over its own, untouched output
    assert [] == backups_of(target)

    edit(target)
    edited = target.read_bytes()
    capsys.readouterr()
    assert 1 == main(argv(tmp_path))
    err = capsys.readouterr().err
    assert (f"refused: {target}: not overwritten: it was changed after protocol-planner wrote it; {FORCE_LINE}\n"
            "refused: nothing was written\n") == err
    assert edited == target.read_bytes()
    assert [] == backups_of(target)

    assert 0 == main([*argv(tmp_path), "--force"])
    (backup,) = backups_of(target)
    assert edited == backup.read_bytes()
    assert f"kept a backup of {target} as {backup}" in capsys.readouterr().err
    assert edited != target.read_bytes()
    assert sha256(target.read_bytes()) == recorded(target)
    assert backup.name not in guard.read_manifest(tmp_path)  # a backup holds the person's work, not ours
    assert 0 == main(argv(tmp_path))  # the new file is the tool's own output again


def test_the_new_file_written_with_force_is_the_fresh_output(tmp_path):
    target = tmp_path / "dbt.yaml"
    target.write_text("id: my-own-draft\n", encoding="utf-8")
    assert 0 == main(["dump", "dbt-refractory", "-o", str(target), "--force"])
    assert dump(REGISTRY["dbt-refractory"](), "yaml") == target.read_text(encoding="utf-8")
    assert ["id: my-own-draft\n"] == [b.read_text(encoding="utf-8") for b in backups_of(target)]


def test_a_file_the_tool_never_wrote_is_refused(tmp_path, capsys):
    target = tmp_path / "protocol.yaml"
    target.write_text("written by hand\n", encoding="utf-8")
    assert 1 == main(["dump", "dbt-refractory", "-o", str(target)])
    err = capsys.readouterr().err
    assert (f"refused: {target}: not overwritten: protocol-planner did not write it "
            f"(no record in {tmp_path / MANIFEST}); {FORCE_LINE}") in err
    assert "written by hand\n" == target.read_text(encoding="utf-8")
    assert not (tmp_path / MANIFEST).exists()


def test_an_unreadable_manifest_vouches_for_nothing(tmp_path, capsys):
    target = tmp_path / "dbt.yaml"
    assert 0 == main(["dump", "dbt-refractory", "-o", str(target)])
    (tmp_path / MANIFEST).write_text("{ not json", encoding="utf-8")
    assert 1 == main(["dump", "dbt-refractory", "-o", str(target)])
    assert "protocol-planner did not write it" in capsys.readouterr().err


def test_the_manifest_name_and_a_folder_are_bad_input(tmp_path, capsys):
    assert 2 == main(["dump", "dbt-refractory", "-o", str(tmp_path / MANIFEST)])
    assert "is protocol-planner's record of the files it wrote; choose another name" in capsys.readouterr().err
    assert 2 == main(["dump", "dbt-refractory", "-o", str(tmp_path)])
    assert f"error: {tmp_path}: is a folder; give a file name" in capsys.readouterr().err
    assert [] == list(tmp_path.iterdir())


def test_stdout_dump_is_unaffected(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    expected = dump(REGISTRY["cia-tnf-tof-igu"](), "yaml")
    assert 0 == main(["dump", "cia-tnf-tof-igu"])
    assert expected == capsys.readouterr().out
    assert 0 == main(["dump", "cia-tnf-tof-igu", "-o", "-"])
    assert expected == capsys.readouterr().out
    assert [] == list(tmp_path.iterdir())  # no manifest, no file


def test_shell_redirection_over_an_edited_file_still_works(tmp_path):
    """``python -m planner dump ID > file.yaml`` is how the shipped YAML is regenerated."""
    target = tmp_path / "dbt-refractory.yaml"
    target.write_text("an edited copy\n", encoding="utf-8")
    with target.open("w", encoding="utf-8") as fh:
        proc = subprocess.run([sys.executable, "-m", "planner", "dump", "dbt-refractory"], stdout=fh,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT, timeout=120)
    assert (0, "") == (proc.returncode, proc.stderr)
    assert dump(REGISTRY["dbt-refractory"](), "yaml") == target.read_text(encoding="utf-8")
    assert [target] == list(tmp_path.iterdir())


def test_a_blank_crf_is_replaced_even_without_a_manifest_entry(tmp_path):
    """For workbooks the filled-CRF check stays the authority: blank is replaced, entered data is kept."""
    argv = ["export", "cia-tnf-tof-igu", "--to", "xlsx", "-o", str(tmp_path)]
    assert 0 == main(argv)
    (tmp_path / MANIFEST).unlink()
    assert 0 == main(argv)
    assert [] == backups_of(tmp_path / "cia-tnf-tof-igu-crf.xlsx")


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``folder`` with its inode (an atomic rewrite changes it) and bytes."""
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.read_bytes()) for p in folder.rglob("*") if p.is_file()}


def test_build_twice_then_an_edited_document_stops_it_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["build", "cia-tnf-tof-igu", "ssc-digital-ulcer", "-o", str(out)]
    assert 0 == main(argv)
    assert 0 == main(argv)  # the same DIR again: the build's own files are replaced
    source = out / "ssc-digital-ulcer" / "ssc-digital-ulcer.yaml"
    report = out / "ssc-digital-ulcer" / "ssc-digital-ulcer-check.md"
    append_a_note(source)
    append_a_note(report)
    before = snapshot(out)
    capsys.readouterr()

    assert 1 == main(argv)
    lines = capsys.readouterr().err.splitlines()
    refused = [line for line in lines if line.startswith("refused: ")]
    assert [f"refused: {report}: not overwritten: it was changed after protocol-planner wrote it; {FORCE_LINE}",
            f"refused: {source}: not overwritten: it was changed after protocol-planner wrote it; {FORCE_LINE}",
            "refused: nothing was written"] == refused
    assert before == snapshot(out)  # not one file written or replaced, in either study's folder

    assert 0 == main([*argv, "--force"])
    assert [before["ssc-digital-ulcer/ssc-digital-ulcer.yaml"][1]] == [b.read_bytes() for b in backups_of(source)]
    assert [before["ssc-digital-ulcer/ssc-digital-ulcer-check.md"][1]] == [b.read_bytes() for b in backups_of(report)]
    written = json.loads((out / "ssc-digital-ulcer" / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert sha256(source.read_bytes()) == written[source.name]


def test_backups_never_replace_an_earlier_backup(tmp_path, monkeypatch):
    class Frozen:
        @staticmethod
        def now() -> object:
            return types.SimpleNamespace(strftime=lambda fmt: "20250101-120000")

    monkeypatch.setattr(guard, "dt", types.SimpleNamespace(datetime=Frozen))
    target = tmp_path / "notes.csv"
    target.write_text("first\n", encoding="utf-8")
    first = guard.back_up(target)
    target.write_text("second\n", encoding="utf-8")
    second = guard.back_up(target)
    assert ("notes.backup-20250101-120000.csv", "notes.backup-20250101-120000-2.csv") == (first.name, second.name)
    assert ("first\n", "second\n") == (first.read_text(encoding="utf-8"), second.read_text(encoding="utf-8"))


def test_files_written_before_a_failure_are_recorded(tmp_path):
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    with pytest.raises(RuntimeError), guard.claim([one, two], force=False) as out:
        out.write(one, b"1\n")
        raise RuntimeError("the exporter broke")
    assert {"one.txt": sha256(b"1\n")} == guard.read_manifest(tmp_path)
    with pytest.raises(ValueError, match="was not claimed"):
        guard.claim([one], force=False).write(two, b"2\n")
