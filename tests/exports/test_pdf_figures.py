"""Figure layout: the pathway's Sugiyama layout and the schema drawing."""

from __future__ import annotations

import pytest
from test_pdf_sample import sample_protocol

from exports.pdf.blocks import PathwayArrow, PathwayFigure, PathwayNodeBox
from exports.pdf.content import pathway_figure, schema_figure
from exports.pdf.figures import pathway_drawing, schema_drawing
from exports.pdf.layout import layout_pathway, wrap
from exports.pdf.typeface import FONT, register_fonts


@pytest.fixture(scope="module", autouse=True)
def fonts() -> None:
    register_fonts()


def _figure() -> PathwayFigure:
    return pathway_figure(sample_protocol().pathways[0])


def test_wrap_respects_the_width() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = "Pathway-targeted combinations (e.g. apremilast + biologics) Supercalifragilisticexpialidocious"
    lines = wrap(text, FONT, 8, 60)
    assert all(stringWidth(line, FONT, 8) <= 60 for line in lines)
    assert text.replace(" ", "") == "".join(lines).replace(" ", "")  # nothing lost, long words broken


def test_boxes_do_not_overlap_and_edges_point_down() -> None:
    lay = layout_pathway(_figure())
    boxes = list(lay.boxes)
    assert 5 + 3 == len(boxes)  # nodes and the three edge labels
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), (a.id, b.id)
    start, which, done = lay.box("start"), lay.box("which"), lay.box("done")
    assert start is not None and which is not None and done is not None
    assert start.cy < which.cy < done.cy


def test_routes_end_on_box_borders() -> None:
    lay = layout_pathway(_figure())
    arrows = [r for r in lay.routes if r.arrow]
    assert 5 == len(arrows)
    targets = {b.id: b for b in lay.boxes}
    for route in arrows:
        x, y = route.points[-1]
        assert any(abs(abs(y - b.cy) - b.h / 2) < 0.01 or abs(abs(x - b.cx) - b.w / 2) < 0.01
                   for b in targets.values())


def test_layout_is_deterministic() -> None:
    assert layout_pathway(_figure()) == layout_pathway(_figure())


def test_disconnected_parts_sit_side_by_side() -> None:
    fig = PathwayFigure("two parts", (
        PathwayNodeBox("a", "A", "start"), PathwayNodeBox("b", "B", "outcome"),
        PathwayNodeBox("c", "C", "start"), PathwayNodeBox("d", "D", "outcome"),
    ), (PathwayArrow("a", "b", None), PathwayArrow("c", "d", None), PathwayArrow("c", "missing", "x")))
    lay = layout_pathway(fig)
    a, c = lay.box("a"), lay.box("c")
    assert a is not None and c is not None
    assert a.cx + a.w / 2 < c.cx - c.w / 2
    assert 2 == len(lay.routes)


def test_drawings_fit_the_space_given() -> None:
    p = sample_protocol()
    d = pathway_drawing(_figure(), 200, 150)
    assert d.width <= 200.01 and d.height <= 150.01
    s = schema_drawing(schema_figure(p), 480, 600)
    assert s.width <= 480.01 and s.height <= 600.01
