"""The input-limits policy: one table of how much any input may hold, applied where bytes enter.

Every reader of outside bytes — protocol documents (YAML, JSON), rule text,
candidate and observation files (CSV, JSON, XLSX) and filled CRF workbooks —
takes its ceilings from here, so the limits are stated once, documented once
(``docs/input-safety.md``) and tested once per class. A document past a limit
is refused with one located line saying which limit and what to do; nothing is
truncated silently.

The figures are far above anything a real protocol or study file needs (the
largest shipped protocol is about 60 KB of YAML, 12 levels deep) and low
enough that no accepted input can take more than a few seconds or a few
hundred megabytes on a 2-core machine.
"""

from __future__ import annotations

from typing import Final

PROTOCOL_BYTES: Final = 8 * 1024 * 1024
"""Largest protocol document (YAML or JSON) read, in bytes."""

DEPTH: Final = 64
"""Deepest nesting of mappings and lists in a protocol document."""

NODES: Final = 1_000_000
"""Most YAML nodes (scalars, mappings, lists) a document may expand to, counting every alias use."""

EXPANDED_TEXT: Final = 16 * 1024 * 1024
"""Most characters of text a document may expand to once YAML aliases are followed."""

TEXT_CHARS: Final = 100_000
"""Longest single text value (a title, a criterion's text, a rule) in a protocol document."""

NUMBER_DIGITS: Final = 30
"""Most digits in a number literal, in a document or in rule text (beyond float precision many times over)."""

NUMBER_MAGNITUDE: Final = 1e15
"""Largest absolute value of a number in a protocol (doses, bounds, thresholds); NaN and infinities are refused."""

RULE_CHARS: Final = 20_000
"""Longest rule text; a rule past it should be split into criteria."""

DATA_BYTES: Final = 512 * 1024 * 1024
"""Largest candidate or observation file (CSV, JSON, XLSX) read, in bytes."""

DATA_CELL_CHARS: Final = 32_767
"""Longest value of one cell of a data file (Excel's own cell limit)."""

ARCHIVE_MEMBER_BYTES: Final = 256 * 1024 * 1024
"""Largest uncompressed size of one part of a workbook (a zip member)."""

ARCHIVE_TOTAL_BYTES: Final = 1024 * 1024 * 1024
"""Largest uncompressed size of all parts of a workbook together."""

ARCHIVE_RATIO: Final = 200
"""Largest expansion ratio (uncompressed / compressed) of a workbook part; zip bombs reach thousands."""

ARCHIVE_MEMBERS: Final = 10_000
"""Most parts in a workbook."""
