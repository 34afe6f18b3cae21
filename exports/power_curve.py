"""The power curve as a figure: power against the number analysed, and against the effect size.

:func:`drawing` draws a :class:`planner.sizing.Curve` as a reportlab
``Drawing``: the PDF protocol places it as vector graphics, :func:`svg`
writes it with reportlab's SVG renderer and :func:`png` with its bitmap
renderer (``renderPM``, whose backend is rlPyCairo: the ``png`` extra). The
left panel has one line per effect (the protocol's, or Cohen's range when the
effect is to be confirmed) with the planned number marked; the right panel is
power against effect size at the planned number, with the planned (or
detectable) effect marked. A dashed line shows the target power.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth

from exports.pdf.layout import wrap
from exports.pdf.text import fit_line
from exports.pdf.typeface import FONT, FONT_BOLD, register_fonts
from planner.sizing import Curve, Series, Sizing, curve

INK = colors.HexColor("#202124")
GREY = colors.HexColor("#5F6368")
GRID = colors.HexColor("#E0E0E0")
PLANNED = colors.HexColor("#1A56DB")
TARGET = colors.HexColor("#C5221F")
RANGE = (colors.HexColor("#9AA0A6"), colors.HexColor("#188038"), colors.HexColor("#E37400"))
RANGE_DASH = ((1, 2), (5, 2), (8, 2, 2, 2))

WIDTH, HEIGHT = 500.0, 330.0


class NoRenderer(RuntimeError):
    """The bitmap renderer is not installed."""


def _rect(x: float, y: float, w: float, h: float, fill: Color | None, stroke: Color | None) -> Rect:
    r = Rect(x, y, w, h)
    r.fillColor = fill
    r.strokeColor = stroke
    r.strokeWidth = 0.6
    return r


def ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values from ``low`` to ``high`` (about ``count`` of them)."""
    span = max(high - low, 1e-9)
    raw = span / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(low / step - 1e-9) * step
    out: list[float] = []
    v = first
    while v <= high + 1e-9:
        out.append(round(v, 10))
        v += step
    return out


def _label(v: float) -> str:
    return f"{v:g}" if abs(v - round(v)) > 1e-9 else str(round(v))


class _Panel:
    """One plot area: data ranges mapped onto a rectangle."""

    def __init__(self, g: Group, x: float, y: float, w: float, h: float, xmax: float) -> None:
        self.g, self.x0, self.y0, self.w, self.h = g, x, y, w, h
        self.xticks = ticks(0.0, xmax)
        self.xmax = max(self.xticks[-1], xmax)

    def at(self, x: float, y: float) -> tuple[float, float]:
        return self.x0 + self.w * x / self.xmax, self.y0 + self.h * y

    def frame(self, xlabel: str, ylabel: str) -> None:
        g = self.g
        g.add(_rect(self.x0, self.y0, self.w, self.h, None, GREY))
        for v in ticks(0.0, 1.0):
            px, py = self.at(0, v)
            g.add(Line(self.x0, py, self.x0 + self.w, py, strokeColor=GRID, strokeWidth=0.4))
            g.add(Line(self.x0 - 3, py, self.x0, py, strokeColor=GREY, strokeWidth=0.6))
            g.add(String(self.x0 - 5, py - 2.5, _label(v), fontName=FONT, fontSize=7, fillColor=INK,
                         textAnchor="end"))
        for v in self.xticks:
            px, _ = self.at(v, 0)
            g.add(Line(px, self.y0, px, self.y0 - 3, strokeColor=GREY, strokeWidth=0.6))
            g.add(String(px, self.y0 - 11, _label(v), fontName=FONT, fontSize=7, fillColor=INK, textAnchor="middle"))
        g.add(String(self.x0 + self.w / 2, self.y0 - 23, xlabel, fontName=FONT, fontSize=7.5, fillColor=INK,
                     textAnchor="middle"))
        label = String(0, 0, ylabel, fontName=FONT, fontSize=7.5, fillColor=INK, textAnchor="middle")
        turned = Group(label)
        turned.translate(self.x0 - 24, self.y0 + self.h / 2)
        turned.rotate(90)
        g.add(turned)

    def line(self, points: Sequence[tuple[float, float]], colour: Color, width: float,
             dash: tuple[float, ...] | None = None) -> None:
        pts = [c for x, y in points if 0 <= x <= self.xmax for c in self.at(x, y)]
        if len(pts) >= 4:
            poly = PolyLine(pts, strokeColor=colour, strokeWidth=width)
            if dash:
                poly.strokeDashArray = list(dash)
            self.g.add(poly)

    def target(self, power: float) -> None:
        _, py = self.at(0, power)
        self.g.add(Line(self.x0, py, self.x0 + self.w, py, strokeColor=TARGET, strokeWidth=0.7,
                        strokeDashArray=(3, 2)))
        self.g.add(String(self.x0 + self.w - 3, py + 3, f"target power {power:g}", fontName=FONT, fontSize=6.5,
                          fillColor=TARGET, textAnchor="end"))

    def mark(self, x: float, y: float, lines: Sequence[str]) -> None:
        """A dot at (x, y) on a dotted drop line, labelled inside the panel on a white ground."""
        px, py = self.at(x, y)
        self.g.add(Line(px, self.y0, px, py, strokeColor=PLANNED, strokeWidth=0.5, strokeDashArray=(1, 1.5)))
        self.g.add(Circle(px, py, 3.2, fillColor=PLANNED, strokeColor=colors.white, strokeWidth=0.8))
        size, lead = 6.5, 8.0
        w = max(stringWidth(t, FONT_BOLD, size) for t in lines) + 4
        h = lead * len(lines) + 2
        lx = px + 6 if px + 6 + w <= self.x0 + self.w - 2 else max(self.x0 + 2, px - 6 - w)
        top = py - 6
        self.g.add(_rect(lx, top - h, w, h, colors.white, None))
        for i, text in enumerate(lines):
            self.g.add(String(lx + 2, top - (i + 1) * lead + 1, text, fontName=FONT_BOLD, fontSize=size,
                              fillColor=PLANNED))


def _style(i: int, s: Series) -> tuple[Color, float, tuple[float, ...] | None]:
    if s.planned:
        return PLANNED, 1.6, None
    return RANGE[i % len(RANGE)], 1.0, RANGE_DASH[i % len(RANGE_DASH)]


def drawing(c: Curve, width: float = WIDTH) -> Drawing:
    """The two panels with title, legend and notes, ``width`` points wide (the height follows)."""
    register_fonts()
    scale = width / WIDTH
    g = Group()
    top = HEIGHT - 4
    g.add(String(0, top - 11, fit_line(c.title, FONT_BOLD, 10.5, WIDTH), fontName=FONT_BOLD, fontSize=10.5,
                 fillColor=INK))
    g.add(String(0, top - 24, fit_line(c.subtitle, FONT, 7.5, WIDTH), fontName=FONT, fontSize=7.5, fillColor=GREY))
    ph, pw, gap, left = 150.0, 200.0, 62.0, 36.0
    y0 = top - 40 - ph
    n_max = max(x for s in c.by_n for x, _ in s.points) if any(s.points for s in c.by_n) else 10.0
    a = _Panel(g, left, y0, pw, ph, n_max)
    who = f"{c.unit.capitalize()} analysed " + ("per group" if c.per_group else "in all groups")
    a.frame(f"{who} (after attrition)", "Power (probability, 0–1)")
    a.target(c.target_power)
    for i, s in enumerate(c.by_n):
        colour, w, dash = _style(i, s)
        a.line(s.points, colour, w, dash)
    a.mark(c.n_planned, c.power_planned,
           (f"planned {_label(c.n_planned)}{' per group' if c.per_group else ' in all'}", f"power {c.power_planned:.2f}"))
    b = _Panel(g, left + pw + gap, y0, pw, ph, max(x for x, _ in c.by_effect.points))
    b.frame(f"Effect size, {c.effect_name} (standardised, no unit)", "Power (probability, 0–1)")
    b.target(c.target_power)
    b.line(c.by_effect.points, PLANNED, 1.6)
    b.mark(c.effect_planned, c.power_planned, (f"{c.index} = {c.effect_planned:.2f}", f"power {c.power_planned:.2f}"))
    g.add(String(left, y0 + ph + 4, "Power against the number, one line per effect size",
                 fontName=FONT_BOLD, fontSize=7.5, fillColor=INK))
    g.add(String(left + pw + gap, y0 + ph + 4, f"Power against effect size ({c.by_effect.label} {c.unit})",
                 fontName=FONT_BOLD, fontSize=7.5, fillColor=INK))
    # legend under the panels
    y = y0 - 40
    x = left
    for i, s in enumerate(c.by_n):
        colour, w, dash = _style(i, s)
        key = Line(x, y + 3, x + 18, y + 3, strokeColor=colour, strokeWidth=w)
        if dash:
            key.strokeDashArray = list(dash)
        g.add(key)
        g.add(String(x + 22, y, s.label, fontName=FONT, fontSize=7, fillColor=INK))
        x += 22 + stringWidth(s.label, FONT, 7) + 16
        if x > WIDTH - 130:
            x, y = left, y - 11
    y -= 14
    for note in c.notes:
        for text in wrap(note, FONT, 7, WIDTH - left, 4):
            g.add(String(0, y, text, fontName=FONT, fontSize=7, fillColor=GREY))
            y -= 9
    height = HEIGHT - y + 2
    g.scale(scale, scale)
    g.translate(0, -y + 2)
    d = Drawing(width, height * scale, initialFontName=FONT, initialFontSize=7)
    d.add(g)
    return d


def svg(s: Sizing) -> bytes:
    """The power curve of ``s`` as an SVG document."""
    from reportlab.graphics import renderSVG

    text = renderSVG.drawToString(drawing(curve(s)))
    return text.encode("utf-8") if isinstance(text, str) else bytes(text)


def png(s: Sizing, dpi: int = 200) -> bytes:
    """The power curve of ``s`` as a PNG image (needs rlPyCairo: the ``png`` extra)."""
    from reportlab.graphics import renderPM
    from reportlab.graphics.utils import RenderPMError

    d = drawing(curve(s))
    try:
        data: object = renderPM.drawToString(d, fmt="PNG", dpi=dpi)
    except RenderPMError as exc:
        raise NoRenderer("writing PNG needs rlPyCairo and the cairo library (pip install 'protocol-planner[png]'); "
                         "or name an .svg file") from exc
    assert isinstance(data, bytes)  # the stubs say str; renderPM returns the image's bytes
    return data
