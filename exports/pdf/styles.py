"""Colours and paragraph styles of the protocol document (one place to restyle it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle

from exports.pdf.typeface import FONT, FONT_BOLD, register_fonts

INK = colors.HexColor("#202124")
MUTED = colors.HexColor("#5F6368")
ACCENT = colors.HexColor("#1A3C6E")
HEAD_BG = colors.HexColor("#E8EEF7")
ZEBRA = colors.HexColor("#F7F9FC")
GRID = colors.HexColor("#B7C3D0")
TBC_FG = colors.HexColor("#8A3B00")
TBC_BG = colors.HexColor("#FFF1D6")
WARN = colors.HexColor("#B3261E")
RULE = colors.HexColor("#37474F")
LINK = colors.HexColor("#1A57A8")


@dataclass(frozen=True)
class Styles:
    """Every paragraph style the renderer uses, by role."""

    title: ParagraphStyle
    subtitle: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    body: ParagraphStyle
    note: ParagraphStyle
    tbc_note: ParagraphStyle
    small: ParagraphStyle
    caption: ParagraphStyle
    figure_caption: ParagraphStyle
    bullet: ParagraphStyle
    cell: ParagraphStyle
    cell_small: ParagraphStyle
    head: ParagraphStyle
    head_small: ParagraphStyle
    centre: ParagraphStyle
    centre_small: ParagraphStyle
    entry: ParagraphStyle
    entry_detail: ParagraphStyle
    label: ParagraphStyle
    toc: tuple[ParagraphStyle, ...]
    toc_title: ParagraphStyle

    def heading(self, depth: int) -> ParagraphStyle:
        return (self.h1, self.h2, self.h3)[min(depth, 2)]


def make_styles(base_size: float = 9.5) -> Styles:
    """The stylesheet; ``base_size`` scales the body text (headings follow)."""
    register_fonts()
    s = base_size
    body = ParagraphStyle("body", fontName=FONT, fontSize=s, leading=s * 1.32, textColor=INK, spaceAfter=s * 0.6,
                          bulletFontName=FONT)

    def derive(name: str, parent: ParagraphStyle = body, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=parent, **kw)

    cell = derive("cell", fontSize=s * 0.86, leading=s * 1.1, spaceAfter=0)
    cell_small = derive("cell_small", fontSize=s * 0.76, leading=s * 0.96, spaceAfter=0)
    heading: dict[str, Any] = {"fontName": FONT_BOLD, "textColor": ACCENT, "keepWithNext": 1}
    return Styles(
        title=derive("title", fontName=FONT_BOLD, fontSize=s * 2.1, leading=s * 2.6, textColor=ACCENT,
                     spaceAfter=s * 1.2),
        subtitle=derive("subtitle", fontSize=s * 1.3, leading=s * 1.7, textColor=MUTED, spaceAfter=s * 2),
        h1=derive("h1", fontSize=s * 1.5, leading=s * 1.9, spaceBefore=s * 1.4, spaceAfter=s * 0.7, **heading),
        h2=derive("h2", fontSize=s * 1.2, leading=s * 1.55, spaceBefore=s * 1.1, spaceAfter=s * 0.5, **heading),
        h3=derive("h3", fontSize=s * 1.05, leading=s * 1.35, spaceBefore=s * 0.9, spaceAfter=s * 0.4, **heading),
        body=body,
        note=derive("note", fontSize=s * 0.86, leading=s * 1.12, textColor=MUTED),
        tbc_note=derive("tbc_note", textColor=TBC_FG, backColor=TBC_BG, borderPadding=3, spaceBefore=2,
                        spaceAfter=s),
        small=derive("small", fontSize=s * 0.8, leading=s * 1.0, textColor=MUTED),
        caption=derive("caption", fontName=FONT_BOLD, fontSize=s * 0.9, leading=s * 1.15, textColor=ACCENT,
                       spaceBefore=s * 0.4, spaceAfter=s * 0.35, keepWithNext=1),
        figure_caption=derive("figure_caption", fontName=FONT_BOLD, fontSize=s * 0.9, leading=s * 1.15,
                              textColor=ACCENT, spaceBefore=s * 0.3, spaceAfter=s * 0.9),
        bullet=derive("bullet", leftIndent=s * 1.4, bulletIndent=s * 0.3, spaceAfter=s * 0.4),
        cell=cell,
        cell_small=cell_small,
        head=derive("head", parent=cell, fontName=FONT_BOLD, textColor=ACCENT),
        head_small=derive("head_small", parent=cell_small, fontName=FONT_BOLD, textColor=ACCENT),
        centre=derive("centre", parent=cell, alignment=TA_CENTER),
        centre_small=derive("centre_small", parent=cell_small, alignment=TA_CENTER),
        entry=derive("entry", spaceAfter=s * 0.15),
        entry_detail=derive("entry_detail", fontSize=s * 0.78, leading=s * 1.0, textColor=RULE,
                            spaceAfter=s * 0.55),
        label=derive("label", fontName=FONT_BOLD, alignment=TA_LEFT, textColor=ACCENT),
        toc=(
            derive("toc0", fontName=FONT_BOLD, fontSize=s, leading=s * 1.45, leftIndent=0, firstLineIndent=0),
            derive("toc1", fontSize=s * 0.93, leading=s * 1.3, leftIndent=s * 1.8, firstLineIndent=0),
            derive("toc2", fontSize=s * 0.88, leading=s * 1.2, leftIndent=s * 3.6, firstLineIndent=0),
        ),
        toc_title=derive("toc_title", fontName=FONT_BOLD, fontSize=s * 1.5, leading=s * 1.9, textColor=ACCENT,
                         spaceAfter=s),
    )
