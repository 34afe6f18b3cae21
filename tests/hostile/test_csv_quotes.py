"""A stray quote in a candidate CSV never swallows the rows after it: the file is refused, located."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.harness import assert_rejected, run_limited

ROOT = Path(__file__).parents[2]
EXAMPLE = (ROOT / "docs/examples/candidates-dbt.csv").read_text(encoding="utf-8").splitlines()


def _with(edits: dict[int, tuple[str, str]]) -> str:
    lines = list(EXAMPLE)
    for n, (old, new) in edits.items():
        assert old in lines[n - 1]
        lines[n - 1] = lines[n - 1].replace(old, new, 1)
    return "\n".join(lines) + "\n"


CASES = {
    "unterminated in the last column": ({2: ("referred by Dr Li", '"referred by Dr Li')}, 2, "#comment"),
    "unterminated in a middle column": ({4: (",RA,", ',"RA,')}, 4, "diagnosis"),
    "unterminated in the last row": ({9: (",", ',"', )}, 9, None),
    "closed rows later by another stray quote": ({2: ("referred by Dr Li", '"referred by Dr Li'),
                                                 5: (",", ',x"y', )}, 2, None),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_stray_quote_is_refused_at_its_row(tmp_path: Path, case: str) -> None:
    edits, row, column = CASES[case]
    path = tmp_path / "candidates.csv"
    path.write_text(_with(edits), encoding="utf-8")
    out = run_limited(["screen", "dbt-refractory", str(path)], cwd=ROOT)
    assert_rejected(out, f"row {row}", *((f"column '{column}'",) if column else ()))
    assert "ELIGIBLE" not in out.out


def test_a_quoted_cell_with_a_line_break_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "candidates.csv"
    path.write_text(_with({2: ("referred by Dr Li", '"referred by\nDr Li"')}), encoding="utf-8")
    out = run_limited(["screen", "dbt-refractory", str(path)], cwd=ROOT)
    assert out.code == 0, out.err
    assert out.out.count("row ") >= len(EXAMPLE) - 1
