"""Positions for the decision-pathway figure, from grandalf's Sugiyama layout.

Why a layout library: a pathway is a graph the protocol author edits, so box
positions must follow from its structure, not from coordinates someone typed.
grandalf's :class:`~grandalf.layouts.SugiyamaLayout` is the layered method
Graphviz ``dot`` uses (rank the nodes, order each layer to cut edge
crossings, route long edges through dummy points). It is pure Python, so the
PDF needs no Graphviz binary, and it is deterministic for a given input
order, so the PDF stays byte-identical.

Edge labels are laid out as small nodes of their own, between the two ends
of their edge, so the layout keeps them clear of boxes and of each other
(the trick Graphviz uses for labels internally).

Coordinates here run top-down (y grows downward), in points.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from grandalf.graphs import Edge, Graph, Vertex
from grandalf.layouts import SugiyamaLayout
from reportlab.pdfbase.pdfmetrics import stringWidth

from exports.pdf.blocks import PathwayFigure
from exports.pdf.text import ELLIPSIS, clean, fit_line, widest_prefix
from exports.pdf.typeface import FONT, FONT_BOLD

NODE_SIZE, NODE_LEAD, NODE_TEXT_WIDTH = 8.0, 10.0, 118.0
LABEL_SIZE, LABEL_LEAD, LABEL_TEXT_WIDTH = 7.0, 8.5, 96.0
X_SPACE, Y_SPACE, COMPONENT_GAP = 18.0, 16.0, 30.0
NODE_LINES, LABEL_LINES = 8, 4
"""The most lines of text in a node box and an edge label; longer text ends with "…"."""

Point = tuple[float, float]


def _lines(text: str, font: str, size: float, width: float) -> Iterator[str]:
    """Greedy word wrap, lazily, one line at a time.

    Each word's width is measured once and a line's width is kept as a
    running sum (reportlab's widths of the embedded fonts are sums of glyph
    widths, without kerning); only a sum within 0.01 pt of ``width`` is
    measured again whole, so the breaks are exactly those of measuring every
    trial line. A word wider than a line is hard-broken at the widest prefix
    that fits (:func:`~exports.pdf.text.widest_prefix`). The work is near
    linear in the text, where measuring ever-shorter prefixes of the word was
    cubic: a 3 000-character name took 47 s and 10 000 never finished.
    """
    space = stringWidth(" ", font, size)
    for para in text.split("\n"):
        line, line_w = "", 0.0
        for word in para.split():
            word_w = stringWidth(word, font, size)
            trial_w = line_w + space + word_w if line else word_w
            if abs(trial_w - width) < 0.01:
                trial_w = stringWidth(f"{line} {word}" if line else word, font, size)
            if trial_w <= width:
                line, line_w = (f"{line} {word}" if line else word), trial_w
                continue
            if line:
                yield line
            start = 0
            while word_w > width and len(word) - start > 1:
                k = widest_prefix(word, start, font, size, width)
                yield word[start:start + k]
                word_w -= stringWidth(word[start:start + k], font, size)
                start += k
                if len(word) - start < 4096:  # short enough to measure exactly again
                    word_w = stringWidth(word[start:], font, size)
            line = word[start:]
            line_w = stringWidth(line, font, size)
        yield line


def wrap(text: str, font: str, size: float, width: float, max_lines: int | None = None) -> list[str]:
    """Greedy word wrap to ``width`` points; a word longer than a line is broken.

    The text is cleaned first (:func:`~exports.pdf.text.clean`). With
    ``max_lines``, at most that many lines are made, and when the text needs
    more the last one ends with "…" (a figure's boxes have a fixed size).
    """
    lines = list(islice(_lines(clean(text), font, size, width), None if max_lines is None else max_lines + 1))
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = fit_line(lines[-1] + ELLIPSIS, font, size, width)
    return lines


@dataclass(frozen=True)
class Box:
    """A node (or an edge label, ``kind == "label"``) with its centre and size."""

    id: str
    kind: str
    lines: tuple[str, ...]
    cx: float
    cy: float
    w: float
    h: float

    def overlaps(self, other: Box, gap: float = 0.0) -> bool:
        return (abs(self.cx - other.cx) * 2 < self.w + other.w + gap
                and abs(self.cy - other.cy) * 2 < self.h + other.h + gap)


@dataclass(frozen=True)
class Route:
    """A drawn line; ``arrow`` when it ends at the edge's target (not at its label)."""

    points: tuple[Point, ...]
    arrow: bool


@dataclass(frozen=True)
class PathwayLayout:
    boxes: tuple[Box, ...]
    routes: tuple[Route, ...]
    width: float
    height: float

    def box(self, box_id: str) -> Box | None:
        return next((b for b in self.boxes if b.id == box_id), None)


class _View:
    """What grandalf needs of a vertex: its size, and afterwards its centre."""

    def __init__(self, w: float, h: float) -> None:
        self.w = w
        self.h = h
        self.xy: Point = (0.0, 0.0)


class _EdgeView:
    def __init__(self) -> None:
        self.points: list[Point] = []

    def setpath(self, pts: list[Point]) -> None:
        self.points = list(pts)


def _clip(centre: Point, w: float, h: float, toward: Point) -> Point:
    """Where the segment from a box's centre toward a point leaves the box."""
    dx, dy = toward[0] - centre[0], toward[1] - centre[1]
    if abs(dx) < 1e-9 and abs(dy) < 1e-9:
        return centre
    k = min(w / 2 / abs(dx) if dx else float("inf"), h / 2 / abs(dy) if dy else float("inf"))
    return centre[0] + dx * k, centre[1] + dy * k


def _vertex(key: str, lines: list[str], font: str, size: float, lead: float, pad_x: float, pad_y: float) -> Vertex:
    v = Vertex(key)
    v.view = _View(max(stringWidth(x, font, size) for x in lines) + pad_x, len(lines) * lead + pad_y)
    return v


def layout_pathway(fig: PathwayFigure) -> PathwayLayout:
    """Boxes and routed lines for a pathway figure (edges to unknown nodes are left out)."""
    lines: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    vertices: dict[str, Vertex] = {}
    for n in fig.nodes:
        lines[n.id] = wrap(n.label, FONT_BOLD if n.kind == "start" else FONT, NODE_SIZE, NODE_TEXT_WIDTH, NODE_LINES)
        vertices[n.id] = _vertex(n.id, lines[n.id], FONT_BOLD, NODE_SIZE, NODE_LEAD,
                                 16 + (14 if n.kind == "decision" else 0), 10)
        kinds[n.id] = n.kind
    chains: list[list[Edge]] = []
    for i, e in enumerate(fig.edges):
        src, dst = vertices.get(e.source), vertices.get(e.target)
        if src is None or dst is None:
            continue
        if e.label:
            key = f"label {i}"
            lines[key] = wrap(e.label, FONT, LABEL_SIZE, LABEL_TEXT_WIDTH, LABEL_LINES)
            vertices[key] = lv = _vertex(key, lines[key], FONT, LABEL_SIZE, LABEL_LEAD, 8, 4)
            kinds[key] = "label"
            parts = [Edge(src, lv), Edge(lv, dst)]
        else:
            parts = [Edge(src, dst)]
        for p in parts:
            p.view = _EdgeView()
        chains.append(parts)
    graph = Graph(list(vertices.values()), [p for c in chains for p in c])
    x_off = 0.0
    for comp in graph.C:  # connected components side by side
        sug = SugiyamaLayout(comp)
        sug.xspace, sug.yspace = X_SPACE, Y_SPACE
        sug.init_all()
        sug.draw()
        left = min(v.view.xy[0] - v.view.w / 2 for v in comp.sV)
        for v in comp.sV:
            v.view.xy = (v.view.xy[0] - left + x_off, v.view.xy[1])
        for e in comp.sE:
            e.view.points = [(x - left + x_off, y) for x, y in e.view.points]
        x_off = max(v.view.xy[0] + v.view.w / 2 for v in comp.sV) + COMPONENT_GAP
    routes: list[Route] = []
    for parts in chains:
        for k, part in enumerate(parts):
            a, b = part.v[0].view, part.v[1].view
            pts: list[Point] = list(part.view.points) or [a.xy, b.xy]
            pts[0] = _clip(a.xy, a.w, a.h, pts[1])
            pts[-1] = _clip(b.xy, b.w, b.h, pts[-2])
            routes.append(Route(tuple(pts), arrow=k == len(parts) - 1))
    boxes = tuple(Box(key, kinds[key], tuple(lines[key]), v.view.xy[0], v.view.xy[1], v.view.w, v.view.h)
                  for key, v in vertices.items())
    width = max((b.cx + b.w / 2 for b in boxes), default=10.0)
    height = max((b.cy + b.h / 2 for b in boxes), default=10.0)
    return PathwayLayout(boxes, tuple(routes), width, height)
