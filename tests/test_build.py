"""``protocol-planner build``: every document of every protocol, stopping on check errors."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pypdf import PdfReader

from exports import redcap
from planner.cli import main
from planner.cli.guard import MANIFEST
from planner.serialize import load
from protocols import REGISTRY

ROOT = Path(__file__).parents[1]


def two_tnf_protocol(tmp_path: Path) -> Path:
    """The dbt study with both agents of its first arm forced to be TNF inhibitors (a check error)."""
    data = yaml.safe_load((ROOT / "protocols/yaml/dbt-refractory.yaml").read_text(encoding="utf-8"))
    data["arms"][0]["interventions"][1]["mechanisms"] = ["TNF inhibitor"]
    path = tmp_path / "two-tnf.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_build_with_no_ids_writes_every_document_of_the_shipped_studies(tmp_path, capsys):
    assert 0 == main(["build", "-o", str(tmp_path)])
    for pid in REGISTRY:
        folder = tmp_path / pid
        names = {p.name for p in folder.iterdir()}
        expected = {f"{pid}-check.json", f"{pid}-check.md", f"{pid}.yaml", f"{pid}-crf.xlsx", f"{pid}-protocol.pdf",
                    MANIFEST}
        if REGISTRY[pid]().pathways:
            expected.add(f"{pid}-pathway.dot")
        expected.add(f"{pid}-odm.xml")  # CDISC ODM 1.3.2
        expected.add(f"{pid}-usdm.json")  # CDISC USDM 4.0
        expected.add(f"{pid}-xlsform.xlsx")  # XLSForm (ODK)
        expected |= {f"{pid}{suffix}" for suffix in redcap.parts(REGISTRY[pid]())}  # REDCap's CSV files
        assert expected == names
        report = json.loads((folder / f"{pid}-check.json").read_text(encoding="utf-8"))
        assert (pid, 0) == (report["protocol"], report["summary"]["error"])
        assert REGISTRY[pid]() == load(folder / f"{pid}.yaml")
        assert len(PdfReader(folder / f"{pid}-protocol.pdf").pages) > 5
        assert f"# Check report: {pid}" in (folder / f"{pid}-check.md").read_text(encoding="utf-8")
    assert "built 3 protocol(s)" in capsys.readouterr().out


def test_check_errors_stop_the_build_before_any_document(tmp_path, capsys):
    source = two_tnf_protocol(tmp_path)
    out = tmp_path / "out"
    assert 1 == main(["build", str(source), "-o", str(out)])
    err = capsys.readouterr().err
    assert "MON001" in err and "--allow-errors" in err
    assert not out.exists()
    assert 0 == main(["build", str(source), "-o", str(out), "--allow-errors"])
    assert (out / "dbt-refractory" / "dbt-refractory-protocol.pdf").exists()


def test_bad_input_is_reported_before_any_work(tmp_path, capsys):
    assert 2 == main(["build", "dbt-refractory", "no-such-study", "-o", str(tmp_path / "out")])
    assert "no-such-study" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_filled_crf_is_never_replaced_without_force(tmp_path, capsys):
    from exports.xlsx.fill import fill, plausible_filling
    from exports.xlsx.layout import plan

    out = tmp_path / "out"
    assert 0 == main(["build", "ssc-digital-ulcer", "-o", str(out)])
    crf = out / "ssc-digital-ulcer" / "ssc-digital-ulcer-crf.xlsx"
    protocol = REGISTRY["ssc-digital-ulcer"]()
    layout = plan(protocol)
    crf.write_bytes(fill(crf.read_bytes(), layout, plausible_filling(protocol, layout)))
    filled = crf.read_bytes()
    capsys.readouterr()
    assert 1 == main(["build", "ssc-digital-ulcer", "-o", str(out)])
    assert "entered data" in capsys.readouterr().err
    assert filled == crf.read_bytes()
    assert 0 == main(["build", "ssc-digital-ulcer", "-o", str(out), "--force"])
    backups = list(crf.parent.glob("ssc-digital-ulcer-crf.backup-*.xlsx"))
    assert 1 == len(backups) and filled == backups[0].read_bytes()
    assert filled != crf.read_bytes()
