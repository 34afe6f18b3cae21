"""Reading candidate and observation files: CSV, XLSX, JSON or JSON-lines bytes → typed participants.

Library functions take bytes and a name for messages, and return a
:class:`~planner.participants.records.Sheet` or raise
:class:`~planner.participants.records.InputError` listing every problem
(unknown columns, unparsable values, duplicate participants), each with its
row and column. Only the command line opens files.
"""

from __future__ import annotations

from typing import Literal

from planner.model import Protocol
from planner.participants.build import from_json, from_table
from planner.participants.layout import Layout
from planner.participants.records import InputError, InputProblem, Kind, Sheet
from planner.participants.sources import csv_table, json_records, xlsx_table

Format = Literal["csv", "xlsx", "json", "jsonl"]
FORMATS: dict[str, Format] = {"csv": "csv", "xlsx": "xlsx", "json": "json", "jsonl": "jsonl", "ndjson": "jsonl"}


def detect_format(name: str, data: bytes | None = None) -> Format | None:
    """The format of a file from its extension, or from its first bytes when the extension says nothing."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in FORMATS:
        return FORMATS[suffix]
    if data is None:
        return None
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        return "json"
    return None


def read(protocol: Protocol, data: bytes, source: str, kind: Kind, fmt: Format | None = None) -> Sheet:
    """Participants of ``kind`` read from ``data`` for ``protocol``.

    ``source`` names the file in messages; ``fmt`` defaults to the format
    :func:`detect_format` finds from ``source`` and ``data``.
    """
    fmt = fmt or detect_format(source, data)
    if fmt is None:
        raise InputError([InputProblem(source, None, None, "unknown file format: use a .csv, .xlsx, .json or .jsonl "
                                                           "file (or .parquet with the DuckDB engine)")])
    layout = Layout(protocol, kind)
    if fmt == "jsonl":  # one object per line (planner.participants.jsonlines)
        from planner.participants.jsonlines import read_json_lines

        return read_json_lines(layout, data, source)
    if fmt == "json":
        return from_json(layout, source, json_records(data, source))
    table = xlsx_table(data, source, kind) if fmt == "xlsx" else csv_table(data, source)
    return from_table(layout, source, table)


def read_candidates(protocol: Protocol, data: bytes, source: str = "<candidates>", fmt: Format | None = None) -> Sheet:
    """Screening candidates, one per row (or JSON record)."""
    return read(protocol, data, source, "candidates", fmt)


def read_observations(protocol: Protocol, data: bytes, source: str = "<observations>",
                      fmt: Format | None = None) -> Sheet:
    """Observations, one row (or JSON record) per participant and visit."""
    return read(protocol, data, source, "observations", fmt)
