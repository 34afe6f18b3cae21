"""Protocol text made safe for the PDF: one place for characters, escaping, length and line fitting.

Everything a person wrote reaches reportlab through this module:

* :func:`clean` — the characters the PDF sets. Line breaks of every kind
  (``\\r\\n``, ``\\r``, vertical tab, form feed, NEL, U+2028, U+2029) become
  ``\\n``, a tab becomes a space, and every other control character (C0, DEL,
  C1), a lone surrogate, and a character outside the Basic Multilingual Plane
  (emoji and other "astral" characters) becomes U+FFFD "�", so the reader sees
  that something was there. Astral characters are replaced because reportlab
  writes them into the font's ToUnicode map as five hex digits, which PDF
  readers reject (the text can then be neither copied nor searched); the
  embedded font has no emoji anyway. Combining marks, zero-width characters
  and bidirectional marks are kept: they are ordinary text to the layout.
* :func:`markup` / :func:`plain` — reportlab paragraph markup, the only way a
  :class:`~reportlab.platypus.Paragraph` is built from protocol text:
  cleaned, with ``&``, ``<`` and ``>`` escaped (and ``"`` in attributes), so text such as
  ``<font color=red>`` or ``<a href=…>`` prints as written and never *is*
  markup. A text longer than :data:`PARA_CHARS` is cut and ends with
  :data:`TRUNCATED`; shorter text that is still taller than a page is split
  across pages by the tables (:class:`~exports.pdf.story.ProtocolTable`).
* :func:`fit_line` — one line clipped to a width with "…", in
  ``O(n log n)`` (page headers).
"""

from __future__ import annotations

import re
from typing import Final
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfmetrics import stringWidth

from exports.pdf.blocks import Span, Text
from exports.pdf.styles import LINK, MUTED, RULE, TBC_BG, TBC_FG, WARN

PARA_CHARS: Final = 10_000
"""Most characters of one text (a paragraph, a table cell) the PDF sets; about two pages of body text.

Longer text is cut at a word break near the limit and ends with :data:`TRUNCATED`. The protocol
source keeps every character; the limit only bounds the time and pages one value can take.
"""

CELL_CHARS: Final = 1_000
"""Most characters of one table cell: half a page in a narrow column (split across pages if need be).

Tables are laid out again at every page they run over, so a long cell costs time on each; text
longer than this belongs in a paragraph.
"""

SHORT_CHARS: Final = 200
"""Most characters of a heading, a caption, a label or a table header cell.

Such text cannot be split across pages: header rows repeat on every page, and a heading or caption
keeps with what follows it.
"""

TITLE_CHARS: Final = 1_000
"""Most characters of the title and short title on the title page (set in large type)."""

TRUNCATED: Final = " … [truncated, see the protocol source]"
"""The visible marker that ends a text cut at :data:`PARA_CHARS` (or a caller's limit)."""

ELLIPSIS: Final = "…"
REPLACEMENT: Final = "\ufffd"

_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_UNSAFE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\U00010000-\U0010ffff]")
_ANY = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\U00010000-\U0010ffff]")
_ENTITIES: Final = {'"': "&quot;"}


def clean(text: str) -> str:
    """The characters of ``text`` the PDF sets (see the module docstring); ordinary text is returned as is."""
    if _ANY.search(text) is None:
        return text
    text = _BREAKS.sub("\n", text).replace("\t", " ")
    return _UNSAFE.sub(REPLACEMENT, text)


def esc(text: str) -> str:
    """``text`` cleaned and escaped for reportlab markup: ``&``, ``<`` and ``>``."""
    return escape(clean(text))


def esc_attr(text: str) -> str:
    """``text`` cleaned and escaped for a double-quoted attribute of reportlab markup (also ``"``)."""
    return escape(clean(text), _ENTITIES)


def _cut(text: str, limit: int) -> str:
    """The first ``limit`` characters, ending at a space when one is near the end."""
    head = text[:limit]
    space = head.rfind(" ", max(0, limit - 200))
    return head[:space] if space > 0 else head


def truncate(text: Text, limit: int = PARA_CHARS) -> Text:
    """``text`` itself when it has at most ``limit`` characters, else its start and :data:`TRUNCATED`."""
    if sum(len(s.text) for s in text) <= limit:
        return text
    out: list[Span] = []
    room = limit
    for span in text:
        if len(span.text) < room:
            out.append(span)
            room -= len(span.text)
            continue
        out.append(Span(_cut(span.text, room), span.kind, span.target, span.anchor))
        break
    out.append(Span(TRUNCATED, "warn"))
    return tuple(out)


def markup(text: Text, limit: int = PARA_CHARS) -> str:
    """Reportlab paragraph markup for a text: every span cleaned and escaped, cut at ``limit`` characters."""
    out: list[str] = []
    for span in truncate(text, limit):
        body = esc(span.text).replace("\n", "<br/>")
        if span.kind == "strong":
            body = f"<b>{body}</b>"
        elif span.kind == "muted":
            body = f'<font color="{MUTED.hexval()}">{body}</font>'
        elif span.kind == "tbc":
            body = f'<font color="{TBC_FG.hexval()}" backColor="{TBC_BG.hexval()}"><b>{body}</b></font>'
        elif span.kind == "rule":
            body = f'<font color="{RULE.hexval()}">{body}</font>'
        elif span.kind == "warn":
            body = f'<font color="{WARN.hexval()}"><b>{body}</b></font>'
        elif span.kind == "cite":
            body = f'<font color="{LINK.hexval()}">{body}</font>'
        if span.target:
            body = f'<a href="#{esc_attr(span.target)}">{body}</a>'
        if span.anchor:
            body = f'<a name="{esc_attr(span.anchor)}"/>{body}'
        out.append(body)
    return "".join(out)


def plain(text: str, limit: int = PARA_CHARS) -> str:
    """Markup for a plain string (a caption, a heading, a label): cleaned, escaped, cut at ``limit``."""
    return markup((Span(text),), limit)


def widest_prefix(text: str, start: int, font: str, size: float, width: float) -> int:
    """The largest ``k >= 1`` with ``text[start:start + k]`` at most ``width`` points wide.

    Galloping then bisecting: ``O(k log k)`` work for a prefix of ``k``
    characters, however long the rest of ``text`` is (a character-by-character
    search from the end is quadratic, and a 10 000-character name never ends).
    """
    n = len(text) - start
    if n <= 1:
        return max(n, 0)
    good = 1
    step = 2
    while step < n and stringWidth(text[start:start + step], font, size) <= width:
        good, step = step, step * 2
    bad = min(step, n)
    if bad == n and stringWidth(text[start:start + n], font, size) <= width:
        return n
    while bad - good > 1:  # text[:good] fits (or good == 1), text[:bad] does not
        mid = (good + bad) // 2
        if stringWidth(text[start:start + mid], font, size) <= width:
            good = mid
        else:
            bad = mid
    return good


def fit_line(text: str, font: str, size: float, width: float) -> str:
    """``text`` on one line of ``width`` points: itself if it fits, else its start and "…"."""
    text = clean(text).replace("\n", " ")
    if stringWidth(text, font, size) <= width:
        return text
    room = width - stringWidth(ELLIPSIS, font, size)
    if room <= 0 or not text:
        return ELLIPSIS
    k = widest_prefix(text, 0, font, size, room)
    if stringWidth(text[:k], font, size) > room:
        k = 0
    return text[:k] + ELLIPSIS
