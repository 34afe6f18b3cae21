"""Characters and sheet titles every file we write can hold: one rule set, shared by every writer.

Protocol text and participant data may hold characters no output format can
carry. This module states once what is done with them, so the CRF workbook
(:mod:`exports.xlsx.text`), the results workbook
(:mod:`planner.participants.spreadsheet`) and the DOT graph
(:mod:`exports.dot`) follow the same rules. It is plain Python with no
dependency, so both ``planner`` and ``exports`` import it without ``planner``
ever importing an exporter.

* :func:`encodable` — a lone UTF-16 surrogate (JSON's ``"\\ud800"``) cannot
  be written as UTF-8 at all; it becomes U+FFFD, a pair its one character.
* :func:`xml_chars` — XML 1.0 allows neither the C0 control characters other
  than tab, line feed and carriage return, nor lone UTF-16 surrogates, nor
  U+FFFE and U+FFFF. Each such character becomes U+FFFD (the replacement
  character, ``�``) rather than vanishing, so a reader sees that something
  was there and two words around a stray control character are not joined.
  A surrogate pair (possible in text decoded from JSON or YAML escapes) is
  joined into the one character it stands for.
* :func:`clip` — Excel counts lengths in UTF-16 code units; text past a limit
  is cut and ends with ``…``, never silently.
* :func:`clean_title` and :class:`TitleBook` — Excel's sheet titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

REPLACEMENT: Final = "\ufffd"
"""What a character no XML 1.0 document may hold becomes."""

_NOT_XML: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_ASTRAL: Final = re.compile("[\U00010000-\U0010ffff]")
_TITLE_FORBIDDEN: Final = re.compile(r"[\\*?:/\[\]]")

ELLIPSIS: Final = "…"
"""The marker at the end of text cut to a limit."""
TITLE_MAX: Final = 31
"""Most characters in an Excel sheet title."""
RESERVED_TITLE: Final = "history"
"""The sheet title Excel reserves for itself (compared ignoring case)."""


def encodable(text: str) -> str:
    """``text`` as UTF-8 can hold it: a surrogate pair joined into its character, a lone surrogate U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    # UTF-16 round trip: a high+low pair becomes its character, a lone half becomes U+FFFD.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def xml_chars(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD (surrogate pairs joined)."""
    if not _NOT_XML.search(text):
        return text
    return _NOT_XML.sub(REPLACEMENT, encodable(text))


def units(text: str) -> int:
    """The length of ``text`` as Excel counts it: UTF-16 code units (a character past U+FFFF counts 2)."""
    return len(text) + len(_ASTRAL.findall(text))


def fits(text: str, limit: int) -> bool:
    """Whether ``text`` is at most ``limit`` UTF-16 code units long (quick for short text)."""
    return len(text) <= limit and (2 * len(text) <= limit or units(text) <= limit)


def prefix(text: str, limit: int) -> str:
    """The longest start of ``text`` within ``limit`` UTF-16 code units."""
    if fits(text, limit):
        return text
    used = n = 0
    for ch in text:
        used += 2 if ch > "\uffff" else 1
        if used > limit:
            break
        n += 1
    return text[:n]


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 code units, ending with ``…`` when cut."""
    return text if fits(text, limit) else prefix(text, limit - 1).rstrip() + ELLIPSIS


def clean_title(text: str) -> str:
    """A legal Excel sheet title for ``text`` (not yet made unique; see :class:`TitleBook`).

    Excel's rules: 1–31 characters, none of ``\\ * ? : / [ ]``, no apostrophe
    at either end, not ``History``. Forbidden characters become spaces, runs of
    white space (line breaks included) one space, and characters XML cannot
    hold ``�``.
    """
    title = xml_chars(_TITLE_FORBIDDEN.sub(" ", text))
    title = " ".join(title.split()).strip("'").strip()
    title = prefix(title, TITLE_MAX).rstrip().strip("'")
    if not title or title.lower() == RESERVED_TITLE:
        title = prefix(f"Sheet {title}".strip(), TITLE_MAX)
    return title


class TitleBook:
    """Hands out clean sheet titles that are unique within one workbook (ignoring case)."""

    def __init__(self, taken: Iterable[str] = ()) -> None:
        self._taken = {t.lower() for t in taken}

    def take(self, text: str) -> str:
        """A clean, unused title for ``text``; repeats get `` (2)``, `` (3)`` … within 31 characters."""
        base = clean_title(text)
        title, n = base, 1
        while title.lower() in self._taken:
            n += 1
            suffix = f" ({n})"
            title = prefix(base, TITLE_MAX - len(suffix)).rstrip() + suffix
        self._taken.add(title.lower())
        return title
