"""The platypus story: document blocks turned into flowables.

Every :class:`~reportlab.platypus.Paragraph` here is built from
:func:`~exports.pdf.text.markup` or :func:`~exports.pdf.text.plain`, which
clean, escape (``<``, ``>``, ``&``, ``"``) and cut protocol text before
wrapping it in reportlab's paragraph markup. Unescaped, a criterion such as
``x<y and y>z`` would lose words (reportlab reads ``<y and y>`` as an unknown
tag), and ``<a href=…>`` in a title would become a link. Tables whose rows
may be taller than a page are :class:`ProtocolTable`, which splits inside a
row rather than fail.
"""

from __future__ import annotations

from typing import Any

from reportlab.graphics.shapes import Drawing
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    Paragraph,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable
from reportlab.platypus.doctemplate import FrameBreak
from reportlab.platypus.tableofcontents import TableOfContents

from exports.pdf import figures
from exports.pdf.blocks import (
    Block,
    Bullets,
    Document,
    Figure,
    Numbered,
    Para,
    PathwayFigure,
    PowerCurveFigure,
    Section,
    Span,
    Table,
)
from exports.pdf.styles import GRID, HEAD_BG, TBC_FG, ZEBRA, Styles
from exports.pdf.text import CELL_CHARS, SHORT_CHARS, TITLE_CHARS, clean, markup, plain
from exports.pdf.typeface import FONT


class Heading(Paragraph):
    """A section heading that reports itself to the table of contents and the outline."""

    def __init__(self, text: str, style: ParagraphStyle, level: int, key: str, in_toc: bool = True) -> None:
        super().__init__(plain(text, SHORT_CHARS), style)
        self.toc_text = clean(text)  # the PDF outline takes plain text
        self.toc_markup = plain(text, SHORT_CHARS)  # the table of contents takes paragraph markup
        self.toc_level = level
        self.toc_key = key
        self.in_toc = in_toc


class KeepWithFollower(KeepTogether):
    """Platypus's keep-with-next group, made to split where a reader expects.

    A heading (or caption) and what follows it go to the next page together
    only when the heading would otherwise end a page. When what follows is
    long (a table over several pages), the heading stays where it is with the
    first part of it, instead of leaving the rest of the page empty as the
    stock :class:`KeepTogether` does.
    """

    _content: list[Flowable]

    def split(self, aW: float, aH: float) -> list[Flowable]:  # noqa: N803 - reportlab's names
        content = list(self._content)
        height = sum(f.wrapOn(self.canv, aW, aH)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in content)
        if height <= aH:
            return content
        frame = getattr(self, "_frame", None)
        if frame is not None and getattr(frame, "_atTop", False):
            return content
        heads, last = content[:-1], content[-1]
        head_h = sum(f.wrapOn(self.canv, aW, aH)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in heads)
        room = aH - head_h - last.getSpaceBefore()
        if room > 24:
            last.wrapOn(self.canv, aW, room)
            parts = last.splitOn(self.canv, aW, room)
            if len(parts) > 1:
                return [*heads, *parts]
        return [FrameBreak(), *content]


class ProtocolTable(RLTable):
    """A table that splits between rows, and inside a row only when it must.

    Splitting inside a row cuts a cell's sentence in two across pages, so it
    is used only for a row that cannot fit on an empty page (a very long
    criterion, say), where the alternative is a layout error.
    """

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803 - reportlab's names
        parts: list[Flowable] = super().split(availWidth, availHeight)
        frame = getattr(self, "_frame", None)
        if parts or frame is None or not getattr(frame, "_atTop", False):
            return parts
        self.splitInRow = 24
        try:
            parts = super().split(availWidth, availHeight)
        finally:
            self.splitInRow = 0
        for part in parts:
            if isinstance(part, RLTable):
                part.splitInRow = 0
        return parts


class Graphic(Flowable):
    """A drawing as a plain flowable (drawings refuse the attributes platypus sets)."""

    def __init__(self, drawing: Drawing) -> None:
        super().__init__()
        self.drawing = drawing
        self.width = float(drawing.width)
        self.height = float(drawing.height)
        self.keepWithNext = 1
        self.hAlign = "CENTER"

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:  # noqa: N803 - reportlab's names
        return self.width, self.height

    def draw(self) -> None:
        self.drawing.drawOn(self.canv, 0, 0)


class Renderer:
    """Turns a :class:`Document` into a list of flowables for the given frame sizes."""

    def __init__(self, styles: Styles, portrait_width: float, landscape_width: float, frame_height: float) -> None:
        self.st = styles
        self.portrait_width = portrait_width
        self.landscape_width = landscape_width
        self.frame_height = frame_height
        self.width = portrait_width
        self._figure = 0
        self._table = 0

    # -- the whole story -----------------------------------------------------------------

    def story(self, doc: Document) -> list[Flowable]:
        out: list[Flowable] = self.title_page(doc)
        out += [Paragraph("Table of contents", self.st.toc_title), self.toc(), PageBreak()]
        for section in doc.sections:
            out += self.section(section, 0)
        return out

    def title_page(self, doc: Document) -> list[Flowable]:
        rows = [[Paragraph(plain(k, SHORT_CHARS), self.st.label), Paragraph(markup(v, CELL_CHARS), self.st.body)]
                for k, v in doc.title_rows]
        table = ProtocolTable(rows, colWidths=[self.width * 0.3, self.width * 0.7], hAlign="LEFT")
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ]))
        return [
            Spacer(1, 30 * mm),
            Paragraph(plain(doc.title, TITLE_CHARS), self.st.title),
            Paragraph(plain(doc.short_title, TITLE_CHARS), self.st.subtitle),
            table,
            Spacer(1, 12 * mm),
            Paragraph(plain(f"Structured after the {doc.structure}. Values the sources do not give are marked "
                             "“TO BE CONFIRMED” where they appear and listed in Appendix A."), self.st.note),
            PageBreak(),
        ]

    def toc(self) -> TableOfContents:
        toc = TableOfContents()
        toc.levelStyles = list(self.st.toc)
        toc.dotsMinLevel = 0
        toc.tableStyle = TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ])
        return toc

    def section(self, s: Section, depth: int) -> list[Flowable]:
        out: list[Flowable] = []
        if s.landscape:
            out += [NextPageTemplate("landscape"), PageBreak()]
            self.width = self.landscape_width
        elif depth == 0:
            out.append(CondPageBreak(self.frame_height * 0.12))
        out.append(Heading(s.heading, self.st.heading(depth), depth, s.key))
        for block in s.blocks:
            out += self.block(block)
        for child in s.children:
            out += self.section(child, depth + 1)
        if s.landscape:
            out += [NextPageTemplate("portrait"), PageBreak()]
            self.width = self.portrait_width
        return out

    # -- blocks ----------------------------------------------------------------------------

    def block(self, b: Block) -> list[Flowable]:
        if isinstance(b, Para):
            return [Paragraph(markup(b.text), getattr(self.st, b.style))]
        if isinstance(b, Bullets):
            return [Paragraph(markup(x), self.st.bullet, bulletText="•") for x in b.items]
        if isinstance(b, Numbered):
            return self.numbered(b)
        if isinstance(b, Table):
            return self.table(b)
        return self.figure(b)

    def numbered(self, b: Numbered) -> list[Flowable]:
        label_w = 34.0 if b.kind == "references" else 26.0
        out: list[Flowable] = []
        if not b.entries:
            return [Paragraph(plain(f"No {b.kind} criteria are given."), self.st.note)]
        for e in b.entries:
            cells: list[Flowable] = [Paragraph(markup(e.text), self.st.entry)]
            if e.detail:
                cells.append(Paragraph(markup(e.detail), self.st.entry_detail))
            label = Paragraph(markup((Span(e.label, anchor=e.anchor),), SHORT_CHARS), self.st.label)
            row = ProtocolTable([[label, cells]],
                          colWidths=[label_w, self.width - label_w], hAlign="LEFT")
            row.setStyle(TableStyle([
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]))
            out.append(row)
        return out

    def table(self, b: Table) -> list[Flowable]:
        if not b.rows:  # a header with nothing under it reads as a layout error
            return [Paragraph(plain(f"{b.caption}: none given.", SHORT_CHARS), self.st.note)]
        self._table += 1
        cell, head = (self.st.cell_small, self.st.head_small) if b.small else (self.st.cell, self.st.head)
        centre = self.st.centre_small if b.small else self.st.centre
        total = sum(b.widths)
        widths = [self.width * w / total for w in b.widths]
        data: list[list[Flowable | str]] = []
        for row in b.header:
            data.append([Paragraph(markup(c, SHORT_CHARS), head) if c else "" for c in row])
        for row in b.rows:
            data.append([
                Paragraph(markup(c, CELL_CHARS), centre if b.centre_from is not None and j >= b.centre_from else cell)
                if c else ""
                for j, c in enumerate(row)
            ])
        n_head = len(b.header)
        style: list[Any] = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("GRID", (0, 0), (-1, -1), 0.4, GRID),
            ("BACKGROUND", (0, 0), (-1, n_head - 1), HEAD_BG),
            ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        for r in range(n_head + 1, len(data), 2):
            style.append(("BACKGROUND", (0, r), (-1, r), ZEBRA))
        for c0, r0, c1, r1 in b.spans:
            style.append(("SPAN", (c0, r0), (c1, r1)))
        if b.kind == "tbc":
            style.append(("TEXTCOLOR", (0, n_head), (-1, -1), TBC_FG))
        table = ProtocolTable(data, colWidths=widths, repeatRows=n_head, hAlign="LEFT")
        table.setStyle(TableStyle(style))
        caption = Paragraph(plain(f"Table {self._table}. {b.caption}", SHORT_CHARS), self.st.caption)
        return [caption, table, Spacer(1, 6)]

    def figure(self, f: Figure) -> list[Flowable]:
        self._figure += 1
        max_h = self.frame_height * 0.72
        # drawing, legend and caption keep together (and with the heading above them)
        items: list[Flowable] = []
        if isinstance(f.figure, PathwayFigure):
            items.append(Graphic(figures.pathway_drawing(f.figure, self.width, max_h)))
            items.append(Graphic(figures.legend_drawing(figures.used_kinds(f.figure), self.width)))
        elif isinstance(f.figure, PowerCurveFigure):
            from exports import power_curve

            items.append(Graphic(power_curve.drawing(f.figure.curve, min(self.width, power_curve.WIDTH))))
        else:
            items.append(Graphic(figures.schema_drawing(f.figure, self.width, max_h)))
        items[0].spaceBefore = 6
        items[-1].spaceBefore = 4 if len(items) > 1 else 6
        return [*items, Paragraph(plain(f"Figure {self._figure}. {f.caption}", SHORT_CHARS),
                                  self.st.figure_caption)]
