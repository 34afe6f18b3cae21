"""Typed participant records read from candidate and observation files, and input problems.

A :class:`Participant` is one row of a candidate file (one candidate) or of an
observation file (one participant at one visit). Its values are already
converted to the types of the protocol's data dictionary; repeated records
(prior therapies, adverse events) are tuples of records under their form id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal, TypeAlias

from attrs import field, frozen

Value: TypeAlias = bool | int | float | str | dt.date
"""A converted cell: the Python type of the item's :class:`~planner.model.DataType`."""

LogRecord: TypeAlias = Mapping[str, Value | None]
"""One record of a repeating form: item name → value (``None`` when left blank)."""

Kind = Literal["candidates", "observations"]
"""What a file holds: screening candidates, or observations per participant and visit."""


@frozen
class InputProblem:
    """Something wrong in an input file, with where it is.

    ``row`` is the spreadsheet row (the header is row 1) for CSV and XLSX, or
    the 1-based record number for JSON (``unit`` says which); ``column`` is
    the column header or the key path (``prior_therapy[2].failed``). Either
    is ``None`` when the problem is about the whole file or a whole row.
    """

    source: str
    row: int | None
    column: str | None
    message: str
    unit: Literal["row", "record"] = "row"

    def __str__(self) -> str:
        where = [self.source]
        if self.row is not None:
            where.append(f"{self.unit} {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}" if self.unit == "row" else f"key {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class InputError(ValueError):
    """An input file that cannot be used as it is; ``problems`` lists every problem found."""

    def __init__(self, problems: list[InputProblem] | tuple[InputProblem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _frozen_logs(value: Mapping[str, Any]) -> dict[str, tuple[LogRecord, ...] | None]:
    return {k: (None if v is None else tuple(v)) for k, v in value.items()}


@frozen
class Participant:
    """One candidate, or one participant's observations at one visit.

    ``values`` holds the items of non-repeating forms given in the file
    (``None`` for a blank cell); ``logs`` holds, for each repeating form the
    file gives, its records, ``()`` when the file says there are none, or
    ``None`` when the form was not recorded for this row.
    """

    id: str
    row: int
    values: Mapping[str, Value | None] = field(factory=dict)
    logs: Mapping[str, tuple[LogRecord, ...] | None] = field(factory=dict, converter=_frozen_logs)
    visit: str | None = None
    arm: str | None = None

    def record(self) -> dict[str, Any]:
        """The record rule expressions read: item values, and each log form as a list of dicts."""
        out: dict[str, Any] = dict(self.values)
        for form_id, records in self.logs.items():
            out[form_id] = None if records is None else [dict(r) for r in records]
        return out


@frozen
class Sheet:
    """The participants read from one file, in file order.

    ``items`` names what the file can supply, as rules name it (``age``,
    ``prior_therapy`` and ``prior_therapy.failed``); ``notes`` lists what was
    read but deliberately not used (note columns whose header starts with
    ``#``), so that nothing is left out unsaid. ``unit`` says whether
    :attr:`Participant.row` is a spreadsheet row or a JSON record number.
    """

    source: str
    kind: Kind
    participants: tuple[Participant, ...]
    items: frozenset[str] = frozenset()
    notes: tuple[str, ...] = ()
    unit: Literal["row", "record"] = "row"
