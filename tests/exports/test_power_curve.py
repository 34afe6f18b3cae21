"""The power curve: its data, the SVG and PNG the command writes, and its place in the PDF protocol."""

from __future__ import annotations

import io
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import attrs
import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth

from exports import power_curve
from exports.pdf import export_pdf
from exports.pdf.blocks import Figure, Para, PowerCurveFigure, plain_text
from exports.pdf.content import build
from exports.pdf.typeface import FONT_BOLD
from planner.cli import main
from planner.model import TBC, PowerTest, Protocol
from planner.power import power_at
from planner.serialize import load
from planner.sizing import curve, for_protocol
from protocols import REGISTRY

BASE = Path(__file__).parent.parent / "checks" / "base_clinical.yaml"


def base() -> Protocol:
    return load(BASE)


def test_a_stated_effect_gives_one_planned_line_through_the_planned_point() -> None:
    s = for_protocol(base())
    c = curve(s)
    assert [("d = 0.8 (planned)", True)] == [(line.label, line.planned) for line in c.by_n]
    assert (26.0, True) == (c.n_planned, c.per_group)
    on_line = dict(c.by_n[0].points)
    assert c.power_planned == pytest.approx(on_line[26.0], abs=1e-12)  # the dot lies on the drawn line
    assert 0.8 < c.power_planned < 0.81  # 26 per group, rounded up, has a little more than the target
    assert ["Effect size d = 0.8, no source cited: to be confirmed."] == list(c.notes)
    powers = [p for _, p in c.by_n[0].points]
    assert powers == sorted(powers) and 0.05 < powers[0] < 0.2 and powers[-1] > 0.95


def test_an_effect_from_a_source_cites_it() -> None:
    p = base()
    assert p.sample_size is not None
    p = attrs.evolve(p, sample_size=attrs.evolve(p.sample_size, effect_source="ref1"))
    s = for_protocol(p)
    assert ["Effect size d = 0.8 from Example reference for check tests. [ref1]."] == list(curve(s).notes)
    assert s.stated() and s.confirmed()


def test_an_effect_to_be_confirmed_shows_cohens_range_and_says_so() -> None:
    s = for_protocol(REGISTRY["cia-tnf-tof-igu"]())
    c = curve(s)
    assert ["f = 0.1 (Cohen's small)", "f = 0.25 (Cohen's medium)", "f = 0.4 (Cohen's large)",
            "f = 0.58 (detectable)"] == [line.label for line in c.by_n]
    assert c.notes[0].startswith("Effect size to be confirmed (effect size not found in the abstract")
    assert "Also to be confirmed: test, alpha, power, attrition." == c.notes[1]
    assert (8.0, 0.8) == (c.n_planned, pytest.approx(c.power_planned, abs=1e-9))
    # the right panel: power against f at the 40 animals, through the detectable effect
    e, pw = c.by_effect.points[20]
    assert power_at(s.calculation.design, e, 0.05, (8,) * 5) == pytest.approx(pw)


def test_the_command_writes_a_labelled_svg(capsys, tmp_path) -> None:
    out = tmp_path / "curve.svg"
    assert 0 == main(["sample-size", "cia-tnf-tof-igu", "--curve", str(out)])
    assert f"wrote the power curve to {out}" in capsys.readouterr().out
    texts = {"".join(e.itertext()) for e in ET.parse(out).iter("{http://www.w3.org/2000/svg}text")}
    assert {"Power curve: TOF + IGU in rat CIA + TNF-α", "Animals analysed per group (after attrition)",
            "Effect size, Cohen's f (standardised, no unit)", "Power (probability, 0–1)", "target power 0.8",
            "planned 8 per group", "f = 0.58"} <= texts


def test_png_is_an_image_of_the_figure(tmp_path) -> None:
    pytest.importorskip("rlPyCairo", reason="PNG needs the 'png' extra (rlPyCairo and the cairo library)")
    out = tmp_path / "curve.png"
    assert 0 == main(["sample-size", str(BASE), "--curve", str(out), "--json"])
    data = out.read_bytes()
    assert b"\x89PNG\r\n\x1a\n" == data[:8]
    width, height = struct.unpack(">II", data[16:24])
    assert width == round(power_curve.WIDTH * 200 / 72)  # 200 dpi
    assert 0.4 < height / width < 0.8


def test_without_the_bitmap_renderer_png_is_refused_with_what_to_install(capsys, tmp_path, monkeypatch) -> None:
    from reportlab.graphics import renderPM
    from reportlab.graphics.utils import RenderPMError

    def missing(*args: object, **kwargs: object) -> bytes:
        raise RenderPMError("cannot import desired renderPM backend rlPyCairo")

    monkeypatch.setattr(renderPM, "drawToString", missing)
    out = tmp_path / "curve.png"
    assert 2 == main(["sample-size", str(BASE), "--curve", str(out)])
    err = capsys.readouterr().err
    assert err.startswith(f"error: --curve {out}: writing PNG needs rlPyCairo") and "[png]" in err
    assert not out.exists()


def test_protocol_text_is_escaped_and_a_long_title_is_shortened_to_fit() -> None:
    p = base()
    p = attrs.evolve(p, short_title="<script>alert(1)</script> & " + "a long title " * 20)
    svg = power_curve.svg(for_protocol(p)).decode("utf-8")
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in svg
    (title,) = [t for t in ("".join(e.itertext()) for e in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text"))
                if t.startswith("Power curve:")]
    assert title.endswith("…") and stringWidth(title, FONT_BOLD, 10.5) <= power_curve.WIDTH


def test_curve_file_names_and_the_overwrite_guard(capsys, tmp_path) -> None:
    assert 2 == main(["sample-size", str(BASE), "--curve", str(tmp_path / "curve.pdf")])
    assert "name a file ending in .svg or .png" in capsys.readouterr().err
    mine = tmp_path / "mine.svg"
    mine.write_text("a person's drawing")
    assert 1 == main(["sample-size", str(BASE), "--curve", str(mine)])
    assert "a person's drawing" == mine.read_text()
    assert 0 == main(["sample-size", str(BASE), "--curve", str(mine), "--force"])
    assert mine.read_text().startswith("<?xml")
    again = tmp_path / "again.svg"
    assert 0 == main(["sample-size", str(BASE), "--curve", str(again)])
    assert 0 == main(["sample-size", str(BASE), "--curve", str(again)])  # its own output is replaced


def test_the_pdf_has_the_calculation_and_curve_when_every_input_is_stated() -> None:
    doc = build(base(), run_checks=False)
    section = doc.section("sample_size")
    assert section is not None
    figures = [b for b in section.blocks if isinstance(b, Figure)]
    assert 1 == len(figures) and isinstance(figures[0].figure, PowerCurveFigure)
    calc = next(plain_text(b.text) for b in section.blocks if isinstance(b, Para))
    assert calc.startswith("Calculation: statsmodels TTestIndPower (per group), two-sample t-test, d = 0.80")
    assert "26 per group analysed (52 in all, power 0.807); 29 per group enrolled (58 in all) for an attrition of 0.1" in calc
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(export_pdf(base()))).pages)
    assert "Power against the number, one line per effect size" in text
    assert "Participants analysed per group (after attrition)" in text


@pytest.mark.parametrize("pid", sorted(REGISTRY))
def test_shipped_studies_state_too_little_for_a_curve_and_the_pdf_says_so(pid: str) -> None:
    doc = build(REGISTRY[pid](), run_checks=False)
    section = doc.section("sample_size")
    assert section is not None
    assert not any(isinstance(b, Figure) for b in section.blocks)
    notes = [plain_text(b.text) for b in section.blocks if isinstance(b, Para)]
    assert any(n.startswith("No power curve: the protocol does not state every input") for n in notes)


def _variant(test: PowerTest, k: int, effect: float, ratios: tuple[int, ...] | None = None,
             factors: tuple[int, ...] = ()) -> Protocol:
    p = base()
    arm = p.arms[0]
    arms = tuple(attrs.evolve(arm, id=f"g{i}", name=f"Group {i}", planned_size=None,
                              allocation_ratio=(ratios or (1,) * k)[i]) for i in range(k))
    assert p.sample_size is not None
    return attrs.evolve(p, arms=arms, sample_size=attrs.evolve(p.sample_size, test=test, effect_size=effect,
                                                               factors=factors, target=TBC("to be calculated")))


@pytest.mark.parametrize(("p", "per_group"), [
    (_variant(PowerTest.TWO_SAMPLE_T, 2, 0.8, (2, 1)), False),
    (_variant(PowerTest.TWO_PROPORTIONS, 2, 0.5), True),
    (_variant(PowerTest.ONE_WAY_ANOVA, 4, 0.25), True),
    (_variant(PowerTest.FACTORIAL_INTERACTION, 4, 0.25, factors=(2, 2)), True),
], ids=["t-2:1", "proportions", "anova", "interaction"])
def test_every_test_draws_a_rising_curve_through_its_planned_point(p: Protocol, per_group: bool) -> None:
    s = for_protocol(p)
    c = curve(s)
    assert per_group == c.per_group
    (line,) = c.by_n
    powers = [pw for _, pw in line.points]
    assert powers == sorted(powers)
    assert c.power_planned == pytest.approx(dict(line.points)[c.n_planned], abs=1e-12)
    assert c.power_planned >= 0.8
    assert power_curve.svg(s).startswith(b"<?xml")
