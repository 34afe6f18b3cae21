"""Read-back of a hostile CRF workbook: zip bombs and DTDs are refused before any XML is parsed."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from tests.hostile.harness import assert_rejected, run_limited

ROOT = Path(__file__).parents[2]
PID = "ssc-digital-ulcer"
DTD = (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
       b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n')


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("crf")
    assert run_limited(["export", PID, "--to", "xlsx", "-o", str(out)], cwd=ROOT, seconds=30).code == 0
    return (out / f"{PID}-crf.xlsx").read_bytes()


def _rewrite(data: bytes, change: dict[str, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change.get(info.filename, src.read(info)))
        for name, body in change.items():
            if name not in src.namelist():
                dst.writestr(name, body)
    return out.getvalue()


def _sheets(data: bytes) -> list[str]:
    return sorted(n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("xl/worksheets/sheet"))


def _with_dtd(body: bytes) -> bytes:
    return DTD + body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else DTD + body


@pytest.mark.parametrize("where", ["xl/workbook.xml", "last sheet (the hidden metadata)", "first sheet"])
def test_a_dtd_in_any_part_is_refused(tmp_path: Path, blank: bytes, where: str) -> None:
    sheets = _sheets(blank)
    part = {"last sheet (the hidden metadata)": sheets[-1], "first sheet": sheets[0]}.get(where, where)
    body = zipfile.ZipFile(io.BytesIO(blank)).read(part)
    path = tmp_path / "filled.xlsx"
    path.write_bytes(_rewrite(blank, {part: _with_dtd(body)}))
    assert_rejected(run_limited(["crf-check", PID, str(path)], cwd=ROOT), "DTD")


@pytest.mark.parametrize("megabytes", [60, 400])
def test_a_zip_bomb_part_is_refused_in_bounded_time_and_memory(tmp_path: Path, blank: bytes, megabytes: int) -> None:
    sheets = _sheets(blank)
    bomb = b"<x>" + b" " * (megabytes * 1024 * 1024) + b"</x>"
    path = tmp_path / "filled.xlsx"
    path.write_bytes(_rewrite(blank, {sheets[-1]: bomb}))
    out = run_limited(["crf-check", PID, str(path)], cwd=ROOT)
    assert out.code == 2 and not out.timed_out, out.err
    assert "Traceback" not in out.err
