"""``protocol-planner new`` writes a starting protocol that validates and checks with no errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.checks import Severity, check
from planner.cli import main
from planner.model import TBC, StudyKind
from planner.scaffold import KINDS
from planner.serialize import load

KIND = {"clinical": StudyKind.CLINICAL_INTERVENTIONAL, "observational": StudyKind.CLINICAL_OBSERVATIONAL,
        "preclinical": StudyKind.PRECLINICAL}


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_validates_and_checks_with_no_errors(kind: str, tmp_path: Path) -> None:
    out = tmp_path / "study.yaml"
    assert 0 == main(["new", "Drug X in RA", "--kind", kind, "-o", str(out)])
    protocol = load(out)
    assert ("drug-x-in-ra", "Drug X in RA", KIND[kind]) == (protocol.id, protocol.title, protocol.kind)
    report = check(protocol)
    assert [] == [f"{f.code} {f.message}" for f in report.findings if f.severity is Severity.ERROR]
    # What is not known is visible as to be confirmed, never a made-up value.
    assert report.findings and all(f.severity is not Severity.ERROR for f in report.findings)
    assert isinstance(protocol.sample_size.target if protocol.sample_size else None, TBC)


def test_the_starting_trial_names_placebo_and_collects_adverse_events(tmp_path: Path) -> None:
    out = tmp_path / "t.yaml"
    assert 0 == main(["new", "Trial", "-o", str(out)])
    p = load(out)
    assert "placebo comparator" in {a.type.value for a in p.arms}
    assert {"AE", "CM"} <= {f.domain for f in p.dictionary.forms}
    assert p.blinding is not None and isinstance(p.blinding.unblinding, TBC)


def test_a_title_with_yaml_syntax_reads_back_exactly(tmp_path: Path) -> None:
    out = tmp_path / "t.yaml"
    name = 'Drug "X": a #1 trial {phase 2} – 10 mg'
    assert 0 == main(["new", name, "-o", str(out)])
    assert name == load(out).title


def test_an_existing_file_is_never_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "t.yaml"
    assert 0 == main(["new", "Trial", "-o", str(out)])
    before = out.read_bytes()
    assert 1 == main(["new", "Trial", "--kind", "preclinical", "-o", str(out)])
    assert before == out.read_bytes()
    assert "may be a protocol you have started" in capsys.readouterr().err
    assert 0 == main(["new", "Trial", "--kind", "preclinical", "-o", str(out), "--force"])
    assert [p.name for p in tmp_path.iterdir() if ".backup-" in p.name]


def test_a_name_that_gives_no_id_is_refused_with_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert 2 == main(["new", "2026 study"])
    assert "must start with a letter" in capsys.readouterr().err
