"""PDF protocol documents (reportlab platypus).

``write(protocol, stream, **options)`` is the export interface of
:mod:`exports`; :func:`export_pdf` returns the bytes. The work is split the
way the house style asks of a renderer with hooks:

* :mod:`exports.pdf.content` builds the document as plain data
  (:mod:`exports.pdf.blocks`) that tests inspect before anything is drawn;
* :mod:`exports.pdf.styles` and :mod:`exports.pdf.typeface` hold the look;
* :mod:`exports.pdf.story` turns blocks into flowables (escaping all text);
* :mod:`exports.pdf.figures` draws the schema and the decision pathway, placed by
  :mod:`exports.pdf.layout` (grandalf's Sugiyama layout);
* :mod:`exports.pdf.render` lays the story out on numbered pages.
"""

from __future__ import annotations

import io
from typing import IO

from attrs import frozen

from exports.pdf.blocks import Document, FindingRow
from exports.pdf.content import build
from exports.pdf.render import render
from planner.model import Protocol

__all__ = ["PdfResult", "build", "export_pdf", "render", "write"]


@frozen
class PdfResult:
    """What :func:`write` produced: the page count and the open items it listed."""

    pages: int
    tbc_items: int
    findings: int | None


def write(
    protocol: Protocol,
    stream: IO[bytes],
    *,
    findings: tuple[FindingRow, ...] | None = None,
    run_checks: bool = True,
    invariant: bool = True,
    base_size: float = 9.5,
) -> PdfResult:
    """Write the protocol document as PDF to a binary stream.

    ``findings`` lists given check findings in Appendix B; otherwise the
    checks run (``run_checks``) when :mod:`planner.checks` is installed.
    ``invariant`` (default on) makes the output byte-identical for the same
    protocol; ``base_size`` is the body type size in points.
    """
    doc: Document = build(protocol, findings, run_checks=run_checks)
    pages = render(doc, stream, invariant=invariant, base_size=base_size)
    return PdfResult(pages, len(doc.tbc), None if doc.findings is None else len(doc.findings))


def export_pdf(protocol: Protocol) -> bytes:
    """The PDF protocol document as bytes (checks run, invariant output)."""
    buf = io.BytesIO()
    write(protocol, buf)
    return buf.getvalue()
