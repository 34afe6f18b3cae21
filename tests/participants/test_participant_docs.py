"""docs/participants.md tells the truth: its example answers, error lines and Python snippet."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from participant_files import xlsx_of

from planner.derive import with_derivations
from planner.participants import InputError, monitor, read, read_candidates, screen
from planner.participants.derived import Derivations
from protocols import REGISTRY

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "participants.md"
MARKER = re.compile(r"<!-- answers: (screen|monitor) (\S+) (\S+) -->\n((?:\|.*\n)+)")


def answer_tables() -> list[tuple[str, str, str, list[list[str]]]]:
    out = []
    for command, pid, path, table in MARKER.findall(DOC.read_text(encoding="utf-8")):
        rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in table.splitlines()]
        out.append((command, pid, path, rows[2:]))  # skip the header and the --- line
    return out


def test_every_example_file_has_answers_in_the_docs():
    documented = {Path(path).name for _, _, path, _ in answer_tables()}
    assert {p.name for p in (ROOT / "docs" / "examples").iterdir()} == documented


def screening_rows(report) -> list[list[str]]:
    return [[s.participant, s.verdict.value, ", ".join(c.id for c in s.deciding), ", ".join(s.missing)]
            for s in report.results]


def monitoring_rows(report) -> list[list[str]]:
    def firing(f):
        extra = f", grade {f.grade}" if f.grade is not None else ""
        return f"{f.rule} ({f.action.value}{extra})"

    return [[r.participant, r.visit, "; ".join(firing(f) for f in r.fired),
             ", ".join(u.rule for u in r.not_evaluable)] for r in report.results]


@pytest.mark.parametrize(("command", "pid", "path", "expected"), answer_tables(), ids=lambda v: str(v)[:40])
def test_documented_answers(command, pid, path, expected):
    protocol = REGISTRY[pid]()
    file = ROOT / "docs" / path
    sheet = read(protocol, file.read_bytes(), file.name, "candidates" if command == "screen" else "observations")
    actual = screening_rows(screen(protocol, sheet)) if command == "screen" else monitoring_rows(monitor(protocol, sheet))
    assert expected == actual


def test_the_xlsx_version_of_the_csv_example_gives_the_same_answers(tmp_path):
    """The XLSX example is generated here, not committed: the CSV's cells typed as a spreadsheet holds them."""
    protocol = REGISTRY["dbt-refractory"]()
    text = (ROOT / "docs/examples/candidates-dbt.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))

    def typed(cell: str) -> object:
        if cell == "":
            return None
        if cell.isdigit():
            return int(cell)
        return {"yes": True, "no": False}.get(cell, cell)

    path = tmp_path / "candidates-dbt.xlsx"
    path.write_bytes(xlsx_of([rows[0], *[[typed(c) for c in r] for r in rows[1:]]], title="candidates"))
    from_csv = screen(protocol, read_candidates(protocol, text.encode(), "candidates-dbt.csv"))
    from_xlsx = screen(protocol, read_candidates(protocol, path.read_bytes(), path.name))
    assert screening_rows(from_csv) == screening_rows(from_xlsx)
    assert [s.row for s in from_csv.results] == [s.row for s in from_xlsx.results]


def test_the_error_lines_in_the_docs_are_real():
    documented = re.search(r"```text\n(error: candidates\.csv.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert documented is not None
    lines = (ROOT / "docs/examples/candidates-dbt.csv").read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace("participant,age,", "participant,agee,")
    lines[3] = lines[3].replace("D03,38,F,", "D03,38,female,")
    lines[5] = lines[5].replace("secukinumab,IL17,,", "secukinumab,IL17,maybe,")
    lines[8] = lines[8].replace("D08,", "D03,")
    protocol = REGISTRY["dbt-refractory"]()
    with pytest.raises(InputError) as exc:
        read_candidates(protocol, "\n".join(lines).encode(), "candidates.csv")
    assert documented.group(1).splitlines() == [f"error: {p}" for p in exc.value.problems]


def test_the_python_snippet_runs(monkeypatch, capsys):
    (code,) = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    monkeypatch.chdir(ROOT)
    exec(compile(code, "<docs/participants.md>", "exec"), {})  # noqa: S102 - our own documentation, in a test
    assert "D02 ineligible ['I4 not met'] ()" in capsys.readouterr().out


def test_ssc_example_derivations_equal_planner_derive():
    protocol = REGISTRY["ssc-digital-ulcer"]()
    sheet = read_candidates(protocol, (ROOT / "docs/examples/candidates-ssc.json").read_bytes(), "c.json")
    derivations = Derivations(protocol, [c.rule for c in protocol.eligibility if c.rule is not None])
    for p in sheet.participants:
        mine = p.record()
        derivations.apply(mine)
        assert with_derivations(protocol, p.record())["ssc_2013_score"] == mine["ssc_2013_score"]
