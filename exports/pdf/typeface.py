"""The embedded fonts: DejaVu Sans and DejaVu Sans Bold.

The 14 standard PDF fonts have no glyphs for β, α, ≥, ≤, µ or ³ outside
Latin-1, so protocol text such as "IL-1β" or "≥ 3 × ULN" would come out as
black boxes. DejaVu Sans covers them; the two TTF files and their licence
(Bitstream Vera licence, DejaVu changes in the public domain) ship in
``exports/pdf/fonts/`` as package data, so the export works on a machine
without the fonts installed. reportlab embeds only the glyphs a document
uses (a subset), with a ToUnicode map, so text extraction gives the
characters back.
"""

from __future__ import annotations

from importlib import resources

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}


def register_fonts() -> None:
    """Register both fonts and their family with reportlab (once per process).

    The family maps italic to the upright faces: only the two faces are
    shipped, and the document never asks for italics.
    """
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = resources.files("exports.pdf").joinpath("fonts")
    for name, filename in _FILES.items():
        with resources.as_file(folder.joinpath(filename)) as path:
            pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT)
    addMapping(FONT, 1, 1, FONT_BOLD)
