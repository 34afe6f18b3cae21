"""Lay a :class:`~exports.pdf.blocks.Document` out as PDF pages with platypus.

The renderer's hooks, in the order reportlab uses them:

* :func:`~exports.pdf.styles.make_styles` — the stylesheet;
* :class:`~exports.pdf.story.Renderer` — the story (flowables) from the content;
* :class:`ProtocolDocTemplate` — portrait and landscape page templates with a
  header (protocol id, version, short title) and a footer (date, status),
  and the table of contents and PDF outline fed from the headings;
* :class:`NumberedCanvas` — draws "Page X of Y" once the page count is known.

``invariant=True`` (the default) makes reportlab leave out the creation time
and random document id, so the same protocol gives byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from exports.pdf.blocks import Document
from exports.pdf.story import Heading, KeepWithFollower, Renderer
from exports.pdf.styles import ACCENT, GRID, MUTED, Styles, make_styles
from exports.pdf.text import TITLE_CHARS, clean, fit_line
from exports.pdf.typeface import FONT, FONT_BOLD

MARGIN_X = 18 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm


class NumberedCanvas(Canvas):
    """A canvas that holds every page back until the end, then adds "Page X of Y".

    ``showPage`` keeps the page's state instead of emitting it; ``save`` replays
    each state, draws the page number with the total now known, and emits it.
    Each saved state keeps its own page size, so landscape pages number right.
    """

    _pagesize: tuple[float, float]
    _pageNumber: int  # noqa: N815 - reportlab's name

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not kwargs.get("initialFontName"):  # no stray Helvetica in the page resources
            kwargs["initialFontName"] = FONT
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._held.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's private page reset

    def save(self) -> None:
        total = len(self._held)
        for state in self._held:
            self.__dict__.update(state)
            self._draw_page_number(total)
            super().showPage()
        super().save()

    def _draw_page_number(self, total: int) -> None:
        width = float(self._pagesize[0])
        self.saveState()
        self.setFont(FONT, 8)
        self.setFillColor(MUTED)
        self.drawRightString(width - MARGIN_X, MARGIN_BOTTOM - 10 * mm, f"Page {self._pageNumber} of {total}")
        self.restoreState()


class ProtocolDocTemplate(BaseDocTemplate):
    """Portrait and landscape A4 templates; headings feed the TOC and the PDF outline."""

    def __init__(self, stream: IO[bytes], doc: Document, **kwargs: Any) -> None:
        super().__init__(stream, pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
                         bottomMargin=MARGIN_BOTTOM, keepTogetherClass=KeepWithFollower, **kwargs)
        self.content = doc
        self.addPageTemplates(page_templates(self._decorate))

    def _decorate(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        """Header (id, version, short title) and footer (date, status) on every page."""
        w, h = self.pageTemplate.pagesize
        d = self.content
        canvas.saveState()
        canvas.setStrokeColor(GRID)
        canvas.setLineWidth(0.5)
        top = h - MARGIN_TOP + 6 * mm
        canvas.line(MARGIN_X, top - 2.5 * mm, w - MARGIN_X, top - 2.5 * mm)
        canvas.setFont(FONT_BOLD, 8)
        canvas.setFillColor(ACCENT)
        canvas.drawString(MARGIN_X, top, fit_line(f"{d.protocol_id} · version {d.version}", FONT_BOLD, 8, w / 2 - 12))
        canvas.setFont(FONT, 8)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(w - MARGIN_X, top, fit_line(d.short_title, FONT, 8, w / 2))
        bottom = MARGIN_BOTTOM - 10 * mm
        canvas.line(MARGIN_X, bottom + 4 * mm, w - MARGIN_X, bottom + 4 * mm)
        canvas.drawString(MARGIN_X, bottom, fit_line(f"{d.protocol_id} · version {d.version} · {d.date.isoformat()} · {d.status}",
                                                     FONT, 8, w - 2 * MARGIN_X - 70))
        canvas.restoreState()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - reportlab's name
        if isinstance(flowable, Heading) and flowable.in_toc:
            key = f"sec-{flowable.toc_key}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.toc_text, key, level=flowable.toc_level, closed=flowable.toc_level > 0)
            self.notify("TOCEntry", (flowable.toc_level, flowable.toc_markup, self.page, key))


def page_templates(on_page: Callable[[Canvas, BaseDocTemplate], None] | None = None) -> list[PageTemplate]:
    """The "portrait" and "landscape" A4 templates, one frame each, calling ``on_page`` for every page."""
    out: list[PageTemplate] = []
    for name, size in (("portrait", A4), ("landscape", landscape(A4))):
        w, h = size
        frame = Frame(MARGIN_X, MARGIN_BOTTOM, w - 2 * MARGIN_X, h - MARGIN_TOP - MARGIN_BOTTOM, id=name,
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        if on_page is None:
            out.append(PageTemplate(id=name, frames=[frame], pagesize=size))
        else:
            out.append(PageTemplate(id=name, frames=[frame], onPage=on_page, pagesize=size))
    return out


def frame_sizes() -> tuple[float, float, float]:
    """Frame widths (portrait, landscape) and the portrait frame height, in points."""
    pw, ph = A4
    return pw - 2 * MARGIN_X, ph - 2 * MARGIN_X, ph - MARGIN_TOP - MARGIN_BOTTOM


def make_story(doc: Document, styles: Styles | None = None) -> list[Flowable]:
    """The flowables for a document (a fresh list each call: platypus consumes them)."""
    portrait_w, landscape_w, frame_h = frame_sizes()
    return Renderer(styles or make_styles(), portrait_w, landscape_w, frame_h).story(doc)


def _info(text: str) -> str:
    """A document-information value (title, author, ...): cleaned, and cut with "…" past TITLE_CHARS."""
    text = clean(text)
    return text if len(text) <= TITLE_CHARS else text[:TITLE_CHARS] + "…"


def render(doc: Document, stream: IO[bytes], *, invariant: bool = True, base_size: float = 9.5) -> int:
    """Write the PDF of ``doc`` to a binary stream; returns the number of pages."""
    template = ProtocolDocTemplate(
        stream, doc,
        title=_info(doc.title),
        author=_info(doc.author),
        subject=_info(doc.subject),
        keywords=[_info(k) for k in doc.keywords],
        creator="protocol-planner",
        invariant=1 if invariant else 0,
        lang="en",
    )
    story = make_story(doc, make_styles(base_size))
    template.multiBuild(story, canvasmaker=NumberedCanvas)
    return int(template.page)
