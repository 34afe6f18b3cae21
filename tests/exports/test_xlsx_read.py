"""Read-back of filled CRFs (``crf-check``): nothing on a correct workbook, every planted error found.

Workbooks are exported, filled programmatically (exports.xlsx.fill), and read
back; the expected findings are listed beside the errors planted for them.
Each read-back test runs with both readers of the cells — the fast reader
alone (no falling back to openpyxl) and openpyxl's read-only reader — and
expects the same; test_xlsx_read_fast.py compares the two directly.
At the end, LibreOffice (when installed) opens each study's filled CRF and
must compute the same derived values as planner.scores: the filled workbooks
are converted with ``soffice --headless --convert-to xlsx``, which calculates
every formula and saves the results. Those tests are skipped, saying why,
when LibreOffice is not installed.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
from functools import cache

import attrs
import pytest
from openpyxl import load_workbook

from exports.xlsx import plan, write
from exports.xlsx.fill import DATE, Filling, fill, plausible_filling
from exports.xlsx.read import CrfReader, Engine, NotACrf, Unreadable, WrongProtocol, entered_cells, read_crf
from planner import cli
from planner.cli import crf
from planner.model import Protocol
from planner.review import CODES, CrfReport
from protocols import REGISTRY

IDS = list(REGISTRY)
DAY0 = dt.date(2026, 1, 5)
NORMAL_LABS = dict(anc=3000.0, lymphocytes=1500.0, hb=13.0, hb_baseline=13.0, alt=20.0, alt_uln=40.0, ast=22.0,
                   ast_uln=40.0, bilirubin=10.0, bilirubin_uln=20.0, alp=80.0, alp_uln=120.0)
CORRECT = {  # what makes each study's plausible filling an eligible participant with no safety signal
    "dbt-refractory": dict(NORMAL_LABS, ra_joints=5, ra_serology=3, ra_acute_phase=1, ra_duration=1, esr=28.0,
                           crp=12.0, tjc28=6, sjc28=4, gh=55),
    "ssc-digital-ulcer": dict(NORMAL_LABS, skin_thickening_proximal_to_mcp="Yes", du_history="Yes",
                              vasoactive_therapy="Yes"),
    "cia-tnf-tof-igu": {},
}
PRIOR_FAILURES = [{"agent": "adalimumab", "mechanism_class": "TNF", "failed": "Yes"},
                  {"agent": "secukinumab", "mechanism_class": "IL17", "failed": "Yes"}]


@cache
def blank(pid: str) -> bytes:
    buffer = io.BytesIO()
    write(REGISTRY[pid](), buffer)
    return buffer.getvalue()


def correct_filling(pid: str) -> Filling:
    protocol = REGISTRY[pid]()
    filling = plausible_filling(protocol, plan(protocol), day0=DAY0, overrides=CORRECT[pid])
    if pid == "dbt-refractory":
        filling = attrs.evolve(filling, logs=dict(filling.logs, prior_therapy=PRIOR_FAILURES))
    return filling


@cache
def filled_correctly(pid: str) -> bytes:
    protocol = REGISTRY[pid]()
    return fill(blank(pid), plan(protocol), correct_filling(pid))


def read(protocol: Protocol, data: bytes, engine: Engine) -> CrfReport:
    """Review ``data`` reading the cells with ``engine`` only (the fast reader must not fall back here)."""
    return CrfReader(protocol, engine=engine).read(data)


def with_changes(filling: Filling, form: str, visit: str, **values: object) -> Filling:
    forms = {f: {v: dict(vals) for v, vals in by.items()} for f, by in filling.forms.items()}
    forms[form][visit].update(values)
    return attrs.evolve(filling, forms=forms)


# -- correct workbooks ---------------------------------------------------------------------


@pytest.mark.parametrize("pid", IDS)
def test_a_correctly_filled_crf_has_no_findings(pid, engine):
    report = read(REGISTRY[pid](), filled_correctly(pid), engine)
    assert [] == [f"{f.code} {f.where} {f.message}" for f in report.findings]
    assert "P001" == report.participant_id
    assert report.eligible is (True if REGISTRY[pid]().eligibility else None)


def test_derived_values_are_recomputed_in_python_from_the_entries(engine):
    from planner.scores import das28_esr, mrss_total, ssc_2013_score

    report = read(REGISTRY["dbt-refractory"](), filled_correctly("dbt-refractory"), engine)
    values = {(d.id, d.visit): d.value for d in report.derived}
    assert das28_esr(6, 4, 28.0, 55) == pytest.approx(values[("das28_esr", "baseline")])
    assert 10 == values[("ra_2010_score", "screening")]
    ssc = read(REGISTRY["ssc-digital-ulcer"](), filled_correctly("ssc-digital-ulcer"), engine)
    values = {(d.id, d.visit): d.value for d in ssc.derived}
    assert mrss_total({s: 1 for s in __import__("planner.scores").scores.MRSS_SITES}) == values[
        ("mrss_total", "baseline")]
    assert ssc_2013_score(skin_thickening_proximal_to_mcp=True) == values[("ssc_2013_score", "baseline")]
    assert 0 == values[("new_du_count", "study")]


def test_cached_formula_results_are_never_trusted(engine):
    """A workbook saved with a wrong cached score still reports the value computed from the entries."""
    from openpyxl import load_workbook

    protocol = REGISTRY["ssc-digital-ulcer"]()
    layout = plan(protocol)
    wb = load_workbook(io.BytesIO(filled_correctly("ssc-digital-ulcer")))
    assert layout.derived is not None
    placed = next(c for c in layout.derived.cells if c.derivation.id == "mrss_total" and c.visit == "baseline")
    wb[layout.derived.title].cell(placed.row, placed.col).value = 51  # a typed-over "score"
    out = io.BytesIO()
    wb.save(out)
    report = read(protocol, out.getvalue(), engine)
    assert 17 == next(d.value for d in report.derived if d.id == "mrss_total" and d.visit == "baseline")


# -- planted errors --------------------------------------------------------------------------


def planted_dbt() -> tuple[Protocol, bytes]:
    protocol = REGISTRY["dbt-refractory"]()
    f = correct_filling("dbt-refractory")
    f = with_changes(f, "das28", "baseline", tjc28="many", gh=150)           # CRF-TYPE, CRF-RANGE
    f = with_changes(f, "das28", "month3", esr=0.0)                          # CRF-DERIVED (log of 0)
    f = with_changes(f, "dm", "screening", sex="X")                          # CRF-CODE
    f = with_changes(f, "dx", "screening", diagnosis="Rheumatoid arthritis")  # CRF-CODE, hint 'RA'
    f = with_changes(f, "lb", "week4_8", **{DATE: DAY0 + dt.timedelta(days=10)})  # CRF-WINDOW (days 28–56)
    f = with_changes(f, "lb", "month3", anc=800.0)                           # CRF-MONITOR ×2 (JAK arm + any)
    forms = {k: {v: dict(x) for v, x in by.items()} for k, by in f.forms.items()}
    del forms["lb"]["baseline"]["alt"]                                       # CRF-MISSING
    logs = dict(f.logs,
                prior_therapy=PRIOR_FAILURES[:1],                            # CRF-ELIGIBILITY (I4 by the data)
                ae=[{"term": "pneumonia", "start": DAY0, "serious": "Yes", "infection": "Yes", "grade": 3},
                    {"term": "rash", "start": DAY0, "serious": "No", "infection": "No"}])  # CRF-MONITOR, CRF-MISSING
    f = attrs.evolve(f, forms=forms, logs=logs, arm="biologic_jak")
    return protocol, fill(blank("dbt-refractory"), plan(protocol), f)


def test_every_planted_error_is_found_with_its_place(engine):
    protocol, data = planted_dbt()
    report = read(protocol, data, engine)
    found = {(f.code, f.place.get("sheet"), f.place.get("cell")) for f in report.findings}
    messages = [f"{f.code} {f.where} {f.message}" for f in report.findings]
    layout = plan(protocol)
    das28 = layout.sheet_of("das28")
    assert das28 is not None
    expected = {
        ("CRF-TYPE", das28.title, "G8"),            # tjc28 = "many" at baseline
        ("CRF-RANGE", das28.title, "G12"),          # gh = 150 at baseline
        ("CRF-CODE", "Demographics", "G9"),         # sex = "X"
        ("CRF-CODE", "Diagnosis and classification", "G8"),
        ("CRF-MISSING", "Safety laboratory", "H12"),  # ALT at baseline
        ("CRF-WINDOW", "Safety laboratory", "I7"),    # weeks 4–8 date on day 10
        ("CRF-MISSING", "Adverse events", "F11"),     # grade of the second AE
    }
    assert expected <= found, "\n".join(messages)
    codes = [f.code for f in report.findings]
    assert 1 == codes.count("CRF-DERIVED")
    assert any("did you mean 'RA'" in m for m in messages)
    assert any(m.startswith("CRF-ELIGIBILITY") and "I4" in m for m in messages)
    monitor = [m for m in messages if m.startswith("CRF-MONITOR")]
    assert any("ANC 500–1000" in m and "Month 3" in m for m in monitor)
    assert any("ANC below 1000/mm³ on any combination" in m for m in monitor)
    assert any("Signs of serious infection" in m for m in monitor)
    assert report.eligible is False
    assert set(codes) == set(CODES)  # every kind of finding was exercised


def test_rules_for_other_arms_do_not_fire(engine):
    protocol = REGISTRY["dbt-refractory"]()
    f = with_changes(correct_filling("dbt-refractory"), "lb", "month3", anc=800.0)
    f = attrs.evolve(f, arm="tnf_il17_23")
    report = read(protocol, fill(blank("dbt-refractory"), plan(protocol), f), engine)
    monitor = [f.message for f in report.findings if f.code == "CRF-MONITOR"]
    assert 1 == len(monitor) and "on any combination" in monitor[0]


def test_checklist_answers_that_contradict_the_entered_data_are_reported(engine):
    protocol = REGISTRY["ssc-digital-ulcer"]()
    f = correct_filling("ssc-digital-ulcer")
    f = attrs.evolve(f, answers=dict(f.answers, I2="No", E1="Maybe"))
    report = read(protocol, fill(blank("ssc-digital-ulcer"), plan(protocol), f), engine)
    messages = [f"{x.code} {x.message}" for x in report.findings]
    assert any("criterion I2: the checklist says 'No' but the entered data say Yes" in m for m in messages)
    assert any(m.startswith("CRF-CODE criterion E1") for m in messages)
    assert report.eligible is False


def test_a_form_not_started_is_listed_not_reported_as_missing_values(engine):
    protocol = REGISTRY["cia-tnf-tof-igu"]()
    f = correct_filling("cia-tnf-tof-igu")
    forms = {k: v for k, v in f.forms.items() if k != "microct"}
    report = read(protocol, fill(blank("cia-tnf-tof-igu"), plan(protocol), attrs.evolve(f, forms=forms)), engine)
    assert report.clean
    assert any(s.startswith("Knee micro-CT at") for s in report.not_started)


# -- refusals and damaged files ----------------------------------------------------------------


def test_a_workbook_of_another_protocol_is_refused_naming_it(engine):
    with pytest.raises(WrongProtocol, match="protocol 'ssc-digital-ulcer' version 0.1, not of 'dbt-refractory'"):
        read(REGISTRY["dbt-refractory"](), blank("ssc-digital-ulcer"), engine)


def test_a_workbook_of_another_version_or_edition_is_refused(engine):
    protocol = REGISTRY["cia-tnf-tof-igu"]()
    with pytest.raises(WrongProtocol, match="version 0.1, not of 'cia-tnf-tof-igu' version 0.2"):
        read(attrs.evolve(protocol, version="0.2"), blank("cia-tnf-tof-igu"), engine)
    form = protocol.dictionary.forms[0]
    edited = attrs.evolve(protocol, dictionary=attrs.evolve(
        protocol.dictionary, forms=(attrs.evolve(form, name="Renamed"), *protocol.dictionary.forms[1:])))
    with pytest.raises(WrongProtocol, match="different edition"):
        read(edited, blank("cia-tnf-tof-igu"), engine)


def test_truncated_and_non_xlsx_files_are_unreadable_and_a_foreign_workbook_is_not_a_crf(engine):
    data = blank("cia-tnf-tof-igu")
    with pytest.raises(Unreadable, match="not an .xlsx workbook, or a damaged one"):
        read(REGISTRY["cia-tnf-tof-igu"](), data[: len(data) // 2], engine)
    with pytest.raises(Unreadable):
        read(REGISTRY["cia-tnf-tof-igu"](), b"name,value\nanc,3\n", engine)
    from openpyxl import Workbook

    other = io.BytesIO()
    Workbook().save(other)
    with pytest.raises(NotACrf, match="not a CRF exported by protocol-planner"):
        read(REGISTRY["cia-tnf-tof-igu"](), other.getvalue(), engine)


def test_entered_cells_ignores_a_blank_crf_and_the_prefilled_participant_id():
    protocol = REGISTRY["cia-tnf-tof-igu"]()
    assert () == entered_cells(blank("cia-tnf-tof-igu"))
    buffer = io.BytesIO()
    write(protocol, buffer, participant_id="R-12")
    assert () == entered_cells(buffer.getvalue())
    one = fill(buffer.getvalue(), plan(protocol), Filling(forms={"animal": {"start": {"body_weight": 180.5}}}))
    assert ("'Animal record'!H8",) == entered_cells(one)


# -- the crf-check command --------------------------------------------------------------------


def run(argv: list[str]) -> int:
    """``protocol-planner`` with this module's commands registered (until the lead wires them)."""
    if crf.register not in cli.COMMANDS:
        cli.COMMANDS = (*cli.COMMANDS, crf.register)  # type: ignore[misc]
    return cli.main(argv)


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "good.xlsx"
    good.write_bytes(filled_correctly("dbt-refractory"))
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(planted_dbt()[1])
    other = tmp_path / "other.xlsx"
    other.write_bytes(blank("ssc-digital-ulcer"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(blank("dbt-refractory")[:5000])
    return good, bad, other, broken


def test_crf_check_exit_codes_clean_findings_bad_input(files, capsys, monkeypatch):
    monkeypatch.setattr(cli, "COMMANDS", cli.COMMANDS)
    good, bad, other, broken = files
    assert 0 == run(["crf-check", "dbt-refractory", str(good)])
    assert "1 clean" in capsys.readouterr().out
    assert 1 == run(["crf-check", "dbt-refractory", str(good), str(bad)])
    out = capsys.readouterr().out
    assert "CRF-WINDOW" in out and "Safety laboratory!I7" in out
    assert 2 == run(["crf-check", "dbt-refractory", str(bad), str(other), str(broken)])
    captured = capsys.readouterr()
    assert f"refused: {other}: this is the CRF of protocol 'ssc-digital-ulcer'" in captured.err
    assert f"error: {broken}: " in captured.err
    assert "CRF-TYPE" in captured.out  # the readable file was still reviewed


def test_crf_check_json(files, capsys, monkeypatch):
    monkeypatch.setattr(cli, "COMMANDS", cli.COMMANDS)
    good, bad, _, broken = files
    assert 2 == run(["crf-check", "dbt-refractory", str(good), str(bad), str(broken), "--json"])
    data = json.loads(capsys.readouterr().out)
    assert ["clean", "findings", "error"] == [f["status"] for f in data["files"]]
    assert 2 == data["exit"]
    first = data["files"][1]["findings"][0]
    assert {"code", "message", "visit", "sheet", "cell", "item"} == set(first)


# -- LibreOffice computes the same values ------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: cannot check "
                                   "that a spreadsheet program computes the CRF formulas")


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """Each study's correctly filled CRF, and the same workbook after LibreOffice calculated it."""
    src, out = tmp_path_factory.mktemp("filled"), tmp_path_factory.mktemp("calculated")
    for pid in IDS:
        (src / f"{pid}.xlsx").write_bytes(filled_correctly(pid))
    profile = tmp_path_factory.mktemp("profile")
    assert SOFFICE is not None
    proc = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless", "--calc", "--convert-to", "xlsx",
         "--outdir", str(out), *(str(src / f"{pid}.xlsx") for pid in IDS)],
        capture_output=True, text=True, timeout=240)
    assert 0 == proc.returncode, proc.stderr
    return {pid: ((src / f"{pid}.xlsx").read_bytes(), (out / f"{pid}.xlsx").read_bytes()) for pid in IDS}


@needs_soffice
@pytest.mark.parametrize("pid", IDS)
def test_libreoffice_computes_the_derived_values_of_planner_scores(converted, pid):
    protocol = REGISTRY[pid]()
    original, calculated = converted[pid]
    python = {(d.id, d.visit): d.value for d in read_crf(protocol, original).derived}
    layout = plan(protocol)
    assert layout.derived is not None
    ws = load_workbook(io.BytesIO(calculated), data_only=True)[layout.derived.title]
    compared = 0
    for placed in layout.derived.cells:
        computed = ws.cell(placed.row, placed.col).value
        expected = python.get((placed.derivation.id, placed.visit))
        if expected is None:
            assert computed in (None, "", "—"), (placed.derivation.id, placed.visit, computed)
            continue
        assert expected == pytest.approx(computed, rel=1e-9), (placed.derivation.id, placed.visit)
        compared += 1
    assert compared >= 3


@needs_soffice
@pytest.mark.parametrize("pid", ["dbt-refractory", "ssc-digital-ulcer"])
def test_libreoffice_shows_the_participant_eligible_and_keeps_validations(converted, pid):
    protocol = REGISTRY[pid]()
    layout = plan(protocol)
    assert layout.eligibility is not None
    wb = load_workbook(io.BytesIO(converted[pid][1]), data_only=True)
    assert "ELIGIBLE" == wb[layout.eligibility.title].cell(layout.eligibility.result_row, 5).value
    labs = layout.sheet_of("lb")
    assert labs is not None
    assert len(wb[labs.title].data_validations.dataValidation) >= 3
    assert wb[labs.title].protection.sheet
