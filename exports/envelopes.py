"""Printable sealed-envelope pages (PDF): one A4 page per sequence number.

The upper half is the **outside** of the envelope: study, sequence number (or
animal code), stratum or cage, and lines to record who opened it, when, and
for whom. The lower half is the **slip** that goes inside: the same
identification and the allocated arm. The page says how to fold and seal.

As for the protocol PDF, the content is built first as plain data
(:func:`envelopes`, which tests read) and then drawn (:func:`write`) in
reportlab's invariant mode with the embedded DejaVu fonts; every text passes
through :mod:`exports.pdf.text` (cleaned, escaped, fitted to its line).
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Final

from attrs import frozen

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

    from planner.allocation import Allocation

TEXT_CHARS: Final = 120
"""Most characters of the study's short title or an arm name on an envelope (the rest ends with a marker).

With the arm name set smaller when it is long, the worst case (120 wide letters) still fits its half page.
"""

LARGE_ARM: Final = 40
"""An arm name up to this many characters is set in 20 points; a longer one in 14."""

FOLD: Final = ("Cut along the dashed line. Fold the slip twice with the allocation inside, wrap it in foil or "
               "carbon paper so it cannot be read through the envelope, seal it in an opaque envelope and "
               "write or stick the upper half on the outside.")
OPEN_RULE: Final = ("Open only after the {who} has been enrolled and identified, and in sequence-number order. "
                    "Record on this envelope:")


@frozen
class Envelope:
    """What one envelope and its slip say (plain data)."""

    study: str
    protocol: str
    number: str
    where: tuple[tuple[str, str], ...]
    """``(label, value)`` printed under the number on both halves: animal, stratum, cage."""
    arm: str
    arm_id: str
    key: str
    """The first characters of the key's content SHA-256, to match a slip to its key."""


def envelopes(allocation: Allocation) -> list[Envelope]:
    """One :class:`Envelope` per sequence number, in order."""
    p = allocation.plan
    key = allocation.digest()[:16]
    out: list[Envelope] = []
    for a in allocation.assignments:
        where: list[tuple[str, str]] = []
        if p.preclinical:
            where.append(("Animal", a.code))
        if p.factors:
            where.append(("Stratum", a.stratum.label))
        if p.blocking_factor:
            where.append((p.blocking_factor.capitalize(), str(a.block)))
        out.append(Envelope(p.study, f"{p.protocol_id}, version {p.protocol_version}", f"{a.sequence:03d}",
                            tuple(where), a.share.arm_name, a.share.arm_id, key))
    return out


def write(allocation: Allocation, stream: IO[bytes]) -> None:
    """Draw the envelope pages of ``allocation`` into ``stream`` (byte-identical for the same list)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from exports.pdf.typeface import register_fonts

    register_fonts()
    canvas = Canvas(stream, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(f"Sealed allocation envelopes: {allocation.plan.protocol_id}")
    canvas.setAuthor("protocol-planner")
    who = "animal" if allocation.plan.preclinical else "participant"
    for envelope in envelopes(allocation):
        _page(canvas, envelope, who, A4)
        canvas.showPage()
    canvas.save()


def _page(canvas: Canvas, e: Envelope, who: str, size: tuple[float, float]) -> None:
    from reportlab.lib.units import mm

    from exports.pdf.typeface import FONT, FONT_BOLD

    width, height = size
    left, right = 20 * mm, width - 20 * mm
    column = right - left
    middle = height / 2

    def line(text: str, y: float, font: str = FONT, points: float = 11) -> None:
        from exports.pdf.text import fit_line

        canvas.setFont(font, points)
        canvas.drawString(left, y, fit_line(text, font, points, column))

    def paragraph(text: str, y: float, points: float, bold: bool = False, limit: int = TEXT_CHARS) -> float:
        """Draw wrapped text whose top is at ``y``; return the y under it."""
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Paragraph

        from exports.pdf.text import plain

        style = ParagraphStyle("envelope", fontName=FONT_BOLD if bold else FONT, fontSize=points,
                               leading=points * 1.25)
        para = Paragraph(plain(text, limit), style)
        _, h = para.wrap(column, middle)
        para.drawOn(canvas, left, y - h)
        return y - h

    # outside of the envelope
    y = height - 22 * mm
    line("SEALED ALLOCATION ENVELOPE — OUTSIDE", y, FONT_BOLD, 12)
    y = paragraph(e.study, y - 6 * mm, 11)
    line(f"Protocol {e.protocol}", y - 6 * mm, points=10)
    line(f"Sequence number {e.number}", y - 20 * mm, FONT_BOLD, 26)
    y -= 30 * mm
    for label, value in e.where:
        line(f"{label}: {value}", y, points=13)
        y -= 7 * mm
    y = paragraph(OPEN_RULE.format(who=who), y - 2 * mm, 9)
    fields = (f"{who.capitalize()} identifier", "Opened on (date, time)", "Opened by (name, signature)")
    for label in fields:
        y -= 9 * mm
        line(f"{label}: ", y, points=10)
        canvas.line(left + 62 * mm, y - 1, right, y - 1)

    # the cut line
    canvas.setDash(4, 3)
    canvas.line(10 * mm, middle, width - 10 * mm, middle)
    canvas.setDash()
    canvas.setFont(FONT, 7)
    canvas.drawString(left, middle + 2 * mm, "✂ cut here")

    # the slip inside
    y = middle - 14 * mm
    line("ALLOCATION SLIP — INSIDE THE ENVELOPE", y, FONT_BOLD, 12)
    y = paragraph(e.study, y - 6 * mm, 10)
    line(f"Protocol {e.protocol} · sequence number {e.number}", y - 6 * mm, points=10)
    y -= 13 * mm
    for label, value in e.where:
        line(f"{label}: {value}", y, points=11)
        y -= 6 * mm
    line("Allocated to:", y - 6 * mm, points=11)
    y = paragraph(e.arm, y - 9 * mm, 20 if len(e.arm) <= LARGE_ARM else 14, bold=True)
    line(f"arm id {e.arm_id}", y - 6 * mm, points=10)
    line(f"Allocation key SHA-256 {e.key}…", y - 13 * mm, points=8)
    paragraph(FOLD, 24 * mm, 8, limit=len(FOLD))
