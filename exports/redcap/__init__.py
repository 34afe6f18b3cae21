"""REDCap: the study as the CSV files a REDCap project is set up from.

:class:`exports.redcap.project.Project` builds the tables; this module
writes each as a CSV file (UTF-8, a header row, every cell quoted where
CSV needs it). The files of one protocol (:func:`parts`):

* ``-redcap-dictionary.csv`` — the data dictionary (Project Setup › Data Dictionary upload);
* for a longitudinal study (two visits or more) ``-redcap-arms.csv``, ``-redcap-events.csv`` and
  ``-redcap-mapping.csv`` (Define My Events › upload arms, events, instrument designations);
* ``-redcap-repeating.csv`` when a form is a log (repeating instruments);
* ``-redcap-dq-rules.csv`` when the protocol has monitoring rules (Data Quality › upload rules).

:mod:`exports.redcap.validate` checks them with the ``linkml-redcap`` schema
and with what REDCap refuses on import that the schema does not say.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from exports.redcap.project import Project
    from planner.model import Protocol

DICTIONARY = "-redcap-dictionary.csv"
ARMS = "-redcap-arms.csv"
EVENTS = "-redcap-events.csv"
MAPPING = "-redcap-mapping.csv"
REPEATING = "-redcap-repeating.csv"
RULES = "-redcap-dq-rules.csv"

_LAST: list[tuple[Protocol, Project]] = []


def project_of(protocol: Protocol) -> Project:
    """The REDCap project of ``protocol`` (the last one is kept: ``build`` writes its files one after another)."""
    from exports.redcap.project import Project

    if _LAST and _LAST[0][0] is protocol:
        return _LAST[0][1]
    built = Project(protocol)
    _LAST[:] = [(protocol, built)]
    return built


def parts(protocol: Protocol) -> tuple[str, ...]:
    """The suffixes of the files written for ``protocol``."""
    out = [DICTIONARY]
    p = project_of(protocol)
    if p.longitudinal:
        out += [ARMS, EVENTS, MAPPING]
    if any(f.repeating and f.items for f in protocol.dictionary.forms):
        out.append(REPEATING)
    if protocol.monitoring:
        out.append(RULES)
    return tuple(out)


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def tables(protocol: Protocol) -> dict[str, bytes]:
    """Every file of ``protocol``'s REDCap export, by suffix."""
    import exports.redcap.project as pr

    p = project_of(protocol)
    longitudinal = p.longitudinal
    out = {DICTIONARY: csv_bytes(pr.COLUMNS, [f.row() for f in p.fields])}
    if longitudinal:
        out[ARMS] = csv_bytes(pr.ARMS_COLUMNS, p.arms())
        out[EVENTS] = csv_bytes(pr.EVENTS_COLUMNS, p.events())
        out[MAPPING] = csv_bytes(pr.MAPPING_COLUMNS, p.mapping())
    if REPEATING in parts(protocol):
        header = pr.REPEATING_COLUMNS if longitudinal else pr.REPEATING_COLUMNS[1:]
        rows = p.repeating() if longitudinal else [r[1:] for r in p.repeating()]
        out[REPEATING] = csv_bytes(header, rows)
    if protocol.monitoring:
        out[RULES] = csv_bytes(pr.RULES_COLUMNS, p.rules)
    return out


def write(protocol: Protocol, stream: IO[bytes], *, part: str = DICTIONARY) -> None:
    """Write the file ``part`` (a suffix of :func:`parts`) of ``protocol``'s export."""
    stream.write(tables(protocol)[part])
