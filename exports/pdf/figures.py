"""Vector figures: the schema (arms through epochs) and the decision pathway.

Both are reportlab ``Drawing`` objects, so they stay sharp at any zoom and
their text is real, searchable text in the embedded font.

The pathway's positions come from :mod:`exports.pdf.layout` (grandalf's
Sugiyama layout); this module only draws them.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.pdfbase.pdfmetrics import stringWidth

from exports.pdf.blocks import PathwayFigure, SchemaFigure
from exports.pdf.layout import LABEL_LEAD, LABEL_SIZE, NODE_LEAD, NODE_SIZE, Box, layout_pathway, wrap
from exports.pdf.text import ELLIPSIS, fit_line
from exports.pdf.typeface import FONT, FONT_BOLD

INK = colors.HexColor("#202124")
GREY = colors.HexColor("#5F6368")
WHITE = colors.HexColor("#FFFFFF")

#: The most lines of text in a schema box (an epoch's name, an arm's name, a cell); more end with "…".
HEAD_LINES, NAME_LINES, CELL_LINES = 4, 8, 24

#: Node colours by kind: (fill, text). The same palette as the DOT export.
NODE_COLOURS: dict[str, tuple[str, str]] = {
    "start": ("#202124", "#FFFFFF"),
    "decision": ("#FBBC05", "#202124"),
    "strategy": ("#1A73E8", "#FFFFFF"),
    "outcome": ("#188038", "#FFFFFF"),
}


def _text(g: Group, lines: Sequence[str], cx: float, top: float, font: str, size: float, leading: float,
          colour: Color) -> None:
    """Centred lines of text, the first baseline just under ``top``."""
    for i, line in enumerate(lines):
        g.add(String(cx, top - size - i * leading, line, fontName=font, fontSize=size, fillColor=colour,
                     textAnchor="middle"))


def _arrow(g: Group, x1: float, y1: float, x2: float, y2: float, colour: Color = GREY) -> None:
    g.add(Line(x1, y1, x2, y2, strokeColor=colour, strokeWidth=0.9))
    _head(g, (x1, y1), (x2, y2), colour)


def _head(g: Group, p1: tuple[float, float], p2: tuple[float, float], colour: Color) -> None:
    dx, dy = p2[0] - p1[0], p2[1] - p1[1]
    n = max((dx * dx + dy * dy) ** 0.5, 1e-6)
    ux, uy = dx / n, dy / n
    size, half = 6.0, 3.0
    bx, by = p2[0] - ux * size, p2[1] - uy * size
    g.add(Polygon([p2[0], p2[1], bx - uy * half, by + ux * half, bx + uy * half, by - ux * half],
                  fillColor=colour, strokeColor=colour, strokeWidth=0.5))


def _rect(x: float, y: float, w: float, h: float, fill: Color | None, stroke: Color | None = None,
          width: float = 0.6, radius: float = 0.0) -> Rect:
    """A rectangle (attributes set after construction: the Rect stub lacks keyword types)."""
    r = Rect(x, y, w, h, rx=radius, ry=radius)
    r.fillColor = fill
    r.strokeColor = stroke
    r.strokeWidth = width
    return r


def _wrap_all(lines: Sequence[str], font: str, size: float, width: float, max_lines: int) -> list[str]:
    """Each line wrapped, at most ``max_lines`` in all, the last ending with "…" when some are left out."""
    out: list[str] = []
    for line in lines:
        out += wrap(line, font, size, width, max_lines + 1 - len(out))
        if len(out) > max_lines:
            out = out[:max_lines]
            out[-1] = fit_line(out[-1] + ELLIPSIS, font, size, width)
            break
    return out


def _fit(g: Group, width: float, height: float, max_width: float, max_height: float) -> Drawing:
    scale = min(1.0, max_width / width, max_height / height)
    g.scale(scale, scale)
    d = Drawing(width * scale, height * scale, initialFontName=FONT, initialFontSize=8)
    d.add(g)
    return d


# -- schema -------------------------------------------------------------------------------


def schema_drawing(fig: SchemaFigure, max_width: float, max_height: float) -> Drawing:
    """Epoch columns, arm rows, arrows from left to right, "R" at randomisation."""
    size, lead, pad = 7.5, 9.2, 5.0
    n = max(len(fig.epochs), 1)
    label_w = min(120.0, max_width * 0.2)
    gap, r_gap = 14.0, (30.0 if fig.randomised_before is not None else 0.0)
    col_w = max((max_width - label_w - gap * n - r_gap) / n, 40.0)
    xs: list[float] = []
    x = label_w
    for i in range(n):
        x += gap + (r_gap if i == fig.randomised_before else 0.0)
        xs.append(x)
        x += col_w
    width = x + 2
    inner = col_w - 2 * pad
    heads = [wrap(e.name, FONT_BOLD, size, inner, HEAD_LINES) + ([fit_line(e.days, FONT, size, inner)] if e.days else [])
             for e in fig.epochs]
    head_h = max((len(h) for h in heads), default=1) * lead + 2 * pad
    arms = fig.arms or ()
    names = [wrap(arm.name, FONT_BOLD, size, label_w - 8, NAME_LINES) for arm in arms]
    cells = [[_wrap_all(c.lines, FONT, size, inner, CELL_LINES) for c in arm.cells] for arm in arms]
    row_lines = [max([len(name) + 1, *(len(c) for c in row)]) for name, row in zip(names, cells, strict=True)]
    if not row_lines:
        row_lines = [2]
    rows_h = [k * lead + 2 * pad for k in row_lines]
    row_gap = 8.0
    body_h = sum(rows_h) + row_gap * (len(rows_h) - 1)
    height = head_h + 10 + body_h + 2
    g = Group()
    top = height - 1

    def y_top(row: int) -> float:
        return top - head_h - 10 - sum(rows_h[:row]) - row_gap * row

    for i, (ep, lines) in enumerate(zip(fig.epochs, heads, strict=True)):
        g.add(_rect(xs[i], top - head_h, col_w, head_h, colors.HexColor("#1A3C6E")))
        _text(g, lines[:1] if not ep.days else lines[:-1], xs[i] + col_w / 2, top - pad, FONT_BOLD, size, lead, WHITE)
        if ep.days:
            _text(g, [ep.days], xs[i] + col_w / 2, top - pad - (len(lines) - 1) * lead, FONT, size, lead, WHITE)
    arm_col = 0
    for i, ep in enumerate(fig.epochs):
        if ep.shared or not arms:
            y0 = top - head_h - 10
            g.add(_rect(xs[i], y0 - body_h, col_w, body_h, colors.HexColor("#F1F3F4"), GREY, radius=4))
            lines = _wrap_all(ep.lines, FONT, size, inner, CELL_LINES)
            _text(g, lines, xs[i] + col_w / 2, y0 - body_h / 2 + len(lines) * lead / 2, FONT, size, lead, INK)
            continue
        for r in range(len(arms)):
            yt = y_top(r)
            g.add(_rect(xs[i], yt - rows_h[r], col_w, rows_h[r], colors.HexColor("#E8F0FE"),
                        colors.HexColor("#1A73E8"), radius=3))
            lines = cells[r][arm_col] if arm_col < len(cells[r]) else []
            _text(g, lines, xs[i] + col_w / 2, yt - pad, FONT, size, lead, INK)
        arm_col += 1
    for r, arm in enumerate(arms):
        yt = y_top(r)
        name = names[r]
        for k, line in enumerate([*name, fit_line(arm.size, FONT, size, label_w - 2)]):
            g.add(String(2, yt - pad - size - k * lead, line, fontName=FONT_BOLD if k < len(name) else FONT,
                         fontSize=size, fillColor=INK))
    # arrows between consecutive columns, one per arm row (or one in the middle of shared boxes)
    mid = top - head_h - 10 - body_h / 2
    centres = [y_top(r) - rows_h[r] / 2 for r in range(len(arms))] or [mid]
    for i in range(1, n):
        a, b = fig.epochs[i - 1], fig.epochs[i]
        x1, x2 = xs[i - 1] + col_w, xs[i]
        if i == fig.randomised_before:
            cx = x1 + (x2 - x1) / 2
            g.add(Line(x1, mid, cx - 8, mid, strokeColor=GREY, strokeWidth=0.9))
            g.add(Circle(cx, mid, 8, fillColor=colors.HexColor("#FBBC05"), strokeColor=None))
            g.add(String(cx, mid - 3, "R", fontName=FONT_BOLD, fontSize=8, fillColor=INK, textAnchor="middle"))
            for c in centres:
                _arrow(g, cx + 6, mid + (c - mid) * 0.3, x2, c)
            continue
        if (a.shared or not arms) and (b.shared or not arms):
            _arrow(g, x1, mid, x2, mid)
        else:
            for c in centres:
                _arrow(g, x1, c if not a.shared else mid + (c - mid) * 0.5, x2, c if not b.shared else mid + (c - mid) * 0.5)
    return _fit(g, width, height, max_width, max_height)


# -- decision pathway ------------------------------------------------------------------------


def pathway_drawing(fig: PathwayFigure, max_width: float, max_height: float) -> Drawing:
    """The pathway as boxes and arrows, at the positions :func:`layout_pathway` gives."""
    lay = layout_pathway(fig)
    g = Group()

    def flip(p: tuple[float, float]) -> tuple[float, float]:
        return p[0] + 2, lay.height - p[1] + 2

    for route in lay.routes:
        pts = [flip(p) for p in route.points]
        g.add(PolyLine([c for p in pts for c in p], strokeColor=GREY, strokeWidth=0.9))
        if route.arrow:
            _head(g, pts[-2], pts[-1], GREY)
    for box in lay.boxes:
        _draw_node(g, box, flip((box.cx, box.cy)))
    return _fit(g, lay.width + 4, lay.height + 4, max_width, max_height)


def _draw_node(g: Group, box: Box, centre: tuple[float, float]) -> None:
    cx, cy = centre
    kind, lines, w, h = box.kind, list(box.lines), box.w, box.h
    x0, y0 = cx - w / 2, cy - h / 2
    if kind == "label":
        g.add(_rect(x0, y0, w, h, WHITE))
        _text(g, lines, cx, y0 + h - 2, FONT, LABEL_SIZE, LABEL_LEAD, INK)
        return
    fill, ink = (colors.HexColor(c) for c in NODE_COLOURS.get(kind, ("#F1F3F4", "#202124")))
    if kind == "decision":
        k = 7.0
        g.add(Polygon([x0, cy, x0 + k, y0, x0 + w - k, y0, x0 + w, cy, x0 + w - k, y0 + h, x0 + k, y0 + h],
                      fillColor=fill, strokeColor=None))
    else:
        g.add(_rect(x0, y0, w, h, fill, radius=5))
    font = FONT_BOLD if kind == "start" else FONT
    _text(g, lines, cx, y0 + h - 5 + (NODE_LEAD - NODE_SIZE) / 2, font, NODE_SIZE, NODE_LEAD, ink)


def legend_drawing(kinds: Sequence[str], max_width: float) -> Drawing:
    """A one-line key of the node colours used in a pathway figure."""
    g = Group()
    x = 0.0
    for kind in kinds:
        fill, _ = NODE_COLOURS.get(kind, ("#F1F3F4", "#202124"))
        g.add(_rect(x, 2, 10, 8, colors.HexColor(fill), radius=2))
        g.add(String(x + 14, 3, kind, fontName=FONT, fontSize=7, fillColor=GREY))
        x += 14 + stringWidth(kind, FONT, 7) + 14
    d = Drawing(min(x, max_width), 12, initialFontName=FONT, initialFontSize=7)
    d.add(g)
    return d


def used_kinds(fig: PathwayFigure) -> list[str]:
    """Node kinds present in a figure, in a fixed order (for the legend)."""
    present = {n.kind for n in fig.nodes}
    return [k for k in NODE_COLOURS if k in present]
