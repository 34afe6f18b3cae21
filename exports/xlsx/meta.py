"""The hidden metadata sheet: which protocol and version a workbook belongs to, and where entries go.

Read-back uses it to refuse a workbook of another protocol or version, and
export uses it to tell a blank CRF (safe to replace) from one with entered
data (never overwritten without ``--force``). The content hash covers every
part of the protocol that decides the workbook's cells and checks — the
schedule, data dictionary, derivations, eligibility and monitoring rules —
so a changed form with an unchanged version number is caught too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any, Final

from attrs import frozen
from openpyxl.utils.cell import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from exports.xlsx.text import put_text
from planner import __version__
from planner.model import Protocol

FORMAT: Final = "protocol-planner-crf"
FORMAT_VERSION: Final = "1"
_HASHED: Final = ("id", "version", "schedule", "dictionary", "derivations", "eligibility", "monitoring")


def content_hash(protocol: Protocol) -> str:
    """SHA-256 of the canonical JSON of the parts of ``protocol`` that shape the CRF."""
    from planner.serialize import unstructure

    data = unstructure(protocol)
    text = json.dumps({k: data.get(k) for k in _HASHED}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # surrogatepass: a lone surrogate (JSON allows "\\ud800") must not stop the export; other text hashes as UTF-8.
    return hashlib.sha256(f"{FORMAT_VERSION}\n{text}".encode("utf-8", "surrogatepass")).hexdigest()


@frozen
class Metadata:
    """What the metadata sheet records."""

    protocol_id: str
    protocol_version: str
    content_hash: str
    participant_id: str | None
    entry_ranges: tuple[str, ...]
    format_version: str = FORMAT_VERSION
    generator: str = f"protocol-planner {__version__}"


def range_ref(title: str, min_row: int, min_col: int, max_row: int, max_col: int) -> str:
    """``'Sheet'!B12:B15`` for a block of cells."""
    a = f"{get_column_letter(min_col)}{min_row}"
    b = f"{get_column_letter(max_col)}{max_row}"
    return f"{quote_sheetname(title)}!{a}" if a == b else f"{quote_sheetname(title)}!{a}:{b}"


def write(ws: Worksheet, meta: Metadata) -> None:
    """Fill the metadata sheet: one ``key | value`` row each, entry ranges last."""
    rows: list[tuple[str, str]] = [
        ("format", FORMAT),
        ("format_version", meta.format_version),
        ("protocol_id", meta.protocol_id),
        ("protocol_version", meta.protocol_version),
        ("content_hash", meta.content_hash),
        ("participant_id", meta.participant_id or ""),
        ("generator", meta.generator),
    ]
    rows += [("entry", ref) for ref in meta.entry_ranges]
    put_text(ws.cell(1, 1), "protocol-planner CRF metadata: do not edit. Read-back uses this sheet.")
    for i, (key, value) in enumerate(rows, start=2):
        ws.cell(i, 1, key)
        put_text(ws.cell(i, 2), value)
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 70


def parse(rows: Iterable[tuple[Any, ...]]) -> Metadata | None:
    """The metadata from the sheet's rows, or ``None`` when it is not a protocol-planner CRF."""
    values: dict[str, str] = {}
    entries: list[str] = []
    for row in rows:
        if len(row) < 2 or not isinstance(row[0], str):
            continue
        value = "" if row[1] is None else str(row[1])
        if row[0] == "entry":
            entries.append(value)
        else:
            values.setdefault(row[0], value)
    if values.get("format") != FORMAT or not values.get("protocol_id"):
        return None
    return Metadata(values["protocol_id"], values.get("protocol_version", ""), values.get("content_hash", ""),
                    values.get("participant_id") or None, tuple(entries),
                    values.get("format_version", ""), values.get("generator", ""))
