"""The export registry: every format behind one interface, ``build --formats``, ``export`` naming no format."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from exports import FORMATS, Exporter
from planner import cli
from planner.checks import check
from protocols import REGISTRY


def _as_exporter(e: Exporter) -> Exporter:  # mypy checks that every registered format is an Exporter
    return e


@pytest.mark.parametrize("pid", list(REGISTRY))
@pytest.mark.parametrize("key", list(FORMATS))
def test_every_format_writes_every_study_it_applies_to(pid: str, key: str) -> None:
    fmt, protocol = _as_exporter(FORMATS[key]), REGISTRY[pid]()
    why = fmt.applies(protocol)
    if why is not None:
        assert protocol.id in why
        return
    with_report, without = io.BytesIO(), io.BytesIO()
    fmt.write(protocol, with_report, report=check(protocol))
    fmt.write(protocol, without)
    assert with_report.getvalue()
    if key not in ("pdf", "xlsx", "xlsform"):  # text formats (workbooks and PDFs carry their time of writing)
        assert with_report.getvalue() == without.getvalue()


def test_build_writes_only_the_formats_asked_for(tmp_path: Path) -> None:
    assert 0 == cli.main(["build", "ssc-digital-ulcer", "-o", str(tmp_path), "--formats", "yaml,check-json"])
    names = sorted(p.name for p in (tmp_path / "ssc-digital-ulcer").iterdir() if not p.name.startswith("."))
    assert ["ssc-digital-ulcer-check.json", "ssc-digital-ulcer.yaml"] == names


def test_an_unknown_format_is_refused_naming_the_known_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert 2 == cli.main(["build", "-o", str(tmp_path), "--formats", "xlsx,docx"])
    err = capsys.readouterr().err
    assert "'docx'" in err and all(k in err for k in FORMATS)
    assert not any(tmp_path.iterdir())


def test_export_asks_the_format_whether_it_applies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = next(pid for pid in REGISTRY if not REGISTRY[pid]().pathways)
    assert 1 == cli.main(["export", plain, "--to", "dot", "-o", str(tmp_path)])
    assert "no decision pathway" in capsys.readouterr().err


def test_per_participant_options_only_for_formats_that_write_one_file_each(tmp_path: Path,
                                                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert 2 == cli.main(["export", "dbt-refractory", "--to", "pdf", "-o", str(tmp_path), "--participants", "2"])
    assert "--to xlsx" in capsys.readouterr().err
