"""The document as plain data: sections, paragraphs, tables, lists and figures.

:mod:`exports.pdf.content` turns a protocol into a :class:`Document` made of
these frozen classes; :mod:`exports.pdf.render` draws it. Nothing here knows
about reportlab, so tests can read what will be laid out (every criterion,
every "to be confirmed" item, the section order) without drawing a page.

Text is a tuple of :class:`Span` objects: plain strings tagged with a kind
(``tbc`` for "to be confirmed", ``cite`` for a reference number, ``rule`` for
a machine rule, ...). The renderer escapes every span before it builds
reportlab markup, so protocol text never *is* markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal, TypeAlias

from attrs import field, frozen

if TYPE_CHECKING:
    from planner.sizing import Curve

SpanKind = Literal["plain", "strong", "muted", "tbc", "cite", "rule", "warn"]


@frozen
class Span:
    """A run of text of one kind.

    ``target`` makes it a link to an anchor in the document (``ref-3``);
    ``anchor`` makes it the place such a link lands.
    """

    text: str
    kind: SpanKind = "plain"
    target: str | None = None
    anchor: str | None = None


Text: TypeAlias = tuple[Span, ...]


def plain_text(text: Text) -> str:
    """The characters of a text, without kinds (what a reader sees)."""
    return "".join(s.text for s in text)


@frozen
class Para:
    """A paragraph; ``style`` is a paragraph style of :mod:`exports.pdf.styles`."""

    text: Text
    style: Literal["body", "small", "note", "tbc_note"] = "body"


@frozen
class Bullets:
    """An unnumbered list."""

    items: tuple[Text, ...]


@frozen
class Entry:
    """One entry of a numbered list: its label (``I1``), text, and small-type detail."""

    label: str
    text: Text
    detail: Text = ()
    anchor: str | None = None


@frozen
class Numbered:
    """A numbered list (eligibility criteria, references)."""

    kind: str
    entries: tuple[Entry, ...]


@frozen
class Table:
    """A table whose cells are texts.

    ``header`` holds one or more header rows, repeated on every page the table
    runs over; ``widths`` are relative column weights; ``spans`` merge cells as
    ``(first column, first row, last column, last row)`` counted over header
    and body rows together; ``small`` sets the table in a smaller type.
    """

    kind: str
    caption: str
    header: tuple[tuple[Text, ...], ...]
    rows: tuple[tuple[Text, ...], ...]
    widths: tuple[float, ...]
    spans: tuple[tuple[int, int, int, int], ...] = ()
    small: bool = False
    centre_from: int | None = None

    def __attrs_post_init__(self) -> None:
        n = len(self.widths)
        for row in (*self.header, *self.rows):
            if len(row) != n:
                raise ValueError(f"table {self.kind!r}: a row has {len(row)} cells, expected {n}")


# -- figures ------------------------------------------------------------------


@frozen
class SchemaCell:
    """What one arm does in one epoch of the schema figure."""

    lines: tuple[str, ...]


@frozen
class SchemaEpoch:
    """An epoch column of the schema; ``shared`` epochs span every arm with ``lines``."""

    name: str
    days: str
    shared: bool
    lines: tuple[str, ...] = ()


@frozen
class SchemaArm:
    """An arm row of the schema: its label and one cell per non-shared epoch."""

    name: str
    size: str
    cells: tuple[SchemaCell, ...]


@frozen
class SchemaFigure:
    """Arms through epochs, with an "R" where allocation is randomised."""

    epochs: tuple[SchemaEpoch, ...]
    arms: tuple[SchemaArm, ...]
    randomised_before: int | None


@frozen
class PathwayNodeBox:
    """A node of a decision-pathway figure."""

    id: str
    label: str
    kind: str


@frozen
class PathwayArrow:
    """An edge of a decision-pathway figure."""

    source: str
    target: str
    label: str | None


@frozen
class PathwayFigure:
    """A decision pathway, laid out with a layered (Sugiyama) layout when drawn."""

    title: str
    nodes: tuple[PathwayNodeBox, ...]
    edges: tuple[PathwayArrow, ...]


@frozen
class PowerCurveFigure:
    """The power curve of the protocol's sample-size calculation (:func:`planner.sizing.curve`)."""

    curve: Curve


@frozen
class Figure:
    """A numbered figure with its caption."""

    caption: str
    figure: SchemaFigure | PathwayFigure | PowerCurveFigure


Block: TypeAlias = Para | Bullets | Numbered | Table | Figure


# -- the document ---------------------------------------------------------------


@frozen
class Section:
    """A numbered section; ``landscape`` sets it on landscape pages."""

    key: str
    number: str
    title: str
    blocks: tuple[Block, ...] = ()
    children: tuple[Section, ...] = ()
    landscape: bool = False

    @property
    def heading(self) -> str:
        return f"{self.number}  {self.title}" if self.number else self.title

    def walk(self) -> Iterator[tuple[int, Section]]:
        """``(depth, section)`` for this section and every section below it."""
        yield 0, self
        for child in self.children:
            for depth, s in child.walk():
                yield depth + 1, s


@frozen
class TbcItem:
    """A value not yet confirmed: where it is and what is missing (``verify``: what to check)."""

    path: str
    where: str
    reason: str
    verify: bool = False


@frozen
class FindingRow:
    """One finding of the protocol checks, as the document lists it."""

    code: str
    severity: str
    area: str
    path: str
    message: str
    hint: str


@frozen
class Document:
    """Everything the PDF shows, in order, before any drawing."""

    protocol_id: str
    title: str
    short_title: str
    version: str
    date: dt.date
    status: str
    structure: str
    title_rows: tuple[tuple[str, Text], ...]
    sections: tuple[Section, ...]
    tbc: tuple[TbcItem, ...]
    findings: tuple[FindingRow, ...] | None
    author: str
    subject: str
    keywords: tuple[str, ...] = field(factory=tuple)

    def walk(self) -> Iterator[tuple[int, Section]]:
        """Every section with its depth (0 for top level), in document order."""
        for s in self.sections:
            yield from s.walk()

    def section(self, key: str) -> Section | None:
        return next((s for _, s in self.walk() if s.key == key), None)

    def blocks(self) -> Iterator[Block]:
        """Every block of every section, in document order."""
        for _, s in self.walk():
            yield from s.blocks
