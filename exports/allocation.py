"""An allocation list as tables, CSV and XLSX: the unblinded key, the blinded list, the balance report.

Every table is plain data first (:data:`~planner.participants.report.Table`),
so tests read them without a file; the bytes are written by the project's
result-table writers, which make every cell safe
(:func:`planner.participants.spreadsheet.csv_cell` for CSV — a leading
``= + - @``, tab or CR gets a ``'`` — and, for XLSX, text cleaned as
:func:`exports.xlsx.text.clean` does and never stored as a formula).

The **key** names every arm and carries the settings — method, seed, random
stream, protocol version — and the SHA-256 of its content
(:meth:`~planner.allocation.Allocation.digest`). The **blinded list** has
sequence numbers (or animal codes, cages and working orders) only: no arm, no
block size or block boundary, and not the content hash either, since for a
short list the hash of a few possible lists could be matched by trying them.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from planner.allocation import STREAM, STREAM_TEXT, balance
from planner.participants.spreadsheet import csv_bytes, csv_cell, xlsx_bytes

if TYPE_CHECKING:
    from collections.abc import Callable

    from planner.allocation import Allocation
    from planner.allocation.generate import Assignment
    from planner.participants.report import Table


def _origin(allocation: Allocation, name: str) -> str:
    return "given on the command line" if name in allocation.plan.given else "the protocol"


def settings_table(allocation: Allocation) -> Table:
    """Setting, value and where the value comes from."""
    p = allocation.plan
    sizes = ", ".join(map(str, p.block_sizes))
    if len(p.block_sizes) > 1:
        sizes += " (each block's size drawn at random)"
    rows: list[tuple[object, ...]] = [
        ("study", p.study, "the protocol"),
        ("protocol", p.protocol_id, "the protocol"),
        ("protocol version", p.protocol_version, "the protocol"),
        ("method", p.method.value, _origin(allocation, "method")),
        ("allocation ratio", f"{p.ratio_text} ({', '.join(s.arm_id for s in p.shares)})", "the protocol"),
    ]
    if p.block_sizes:
        rows.append(("block size", sizes, _origin(allocation, "block size")))
    if p.blocking_factor:
        rows.append(("blocking factor", p.blocking_factor, _origin(allocation, "blocking factor")))
    if p.factors:
        rows.append(("strata", "; ".join(f"{f.item} ({', '.join(c for c, _ in f.levels)})" for f in p.factors),
                     "the protocol"))
    per = " per stratum" if p.factors else ""
    rows += [
        ("number requested", f"{p.n}{per}", _origin(allocation, "number") if "number" in p.given
         else "the protocol's sample size"),
        ("sequence numbers in the list", len(allocation.assignments), "complete blocks"),
        ("seed", str(p.seed), _origin(allocation, "seed")),
        ("random stream", f"{STREAM}: {STREAM_TEXT}", "protocol-planner"),
        ("content SHA-256", allocation.digest(), "protocol-planner"),
    ]
    return ("setting", "value", "from"), rows


def key_table(allocation: Allocation) -> Table:
    """The unblinded allocation: one row per sequence number or animal."""
    return _table(allocation, unblinded=True)


def blinded_table(allocation: Allocation) -> Table:
    """What the investigators see: sequence numbers, strata, and for animals codes, cages and working orders."""
    return _table(allocation, unblinded=False)


def _table(allocation: Allocation, *, unblinded: bool) -> Table:
    """The list's columns, defined once: the blinded list is the key without the arm and the block sizes."""
    p = allocation.plan
    ranks = _ranks(allocation)
    columns: list[tuple[tuple[str, ...], Callable[[Assignment], tuple[object, ...]]]] = [
        (("sequence number",), lambda a: (a.sequence,))]
    if p.preclinical:
        columns.append((("animal",), lambda a: (a.code,)))
    if p.factors:
        columns.append((("stratum",), lambda a: (a.stratum.label,)))
    if unblinded and p.block_sizes:
        columns.append(((p.blocking_factor or "block", "block size"),
                        lambda a: (allocation.block_label(a), a.block_size)))
    elif not unblinded and p.blocking_factor:
        columns.append(((p.blocking_factor,), lambda a: (allocation.block_label(a),)))
    if unblinded:
        columns.append((("arm id", "arm"), lambda a: (a.share.arm_id, a.share.arm_name)))
    if ranks:
        columns.append((("processing order", "assessment order"), lambda a: tuple(ranks[a.code])))
    header = tuple(name for names, _ in columns for name in names)
    rows = [tuple(v for _, cells in columns for v in cells(a)) for a in allocation.assignments]
    return header, rows


def balance_table(allocation: Allocation) -> Table:
    """Counts per arm in every stratum and every block, and whether each is exactly in the ratio."""
    p = allocation.plan
    header = ("stratum", "block", "size", *(f"n {s.arm_id}" for s in p.shares), f"in ratio {p.ratio_text}")
    rows: list[tuple[object, ...]] = [(r.stratum, r.block, r.size, *r.counts, "yes" if r.balanced else "no")
                                      for r in balance(allocation)]
    return header, rows


def _ranks(allocation: Allocation) -> dict[str, tuple[int, int]]:
    if not allocation.processing_order:
        return {}
    processing = {code: i for i, code in enumerate(allocation.processing_order, 1)}
    assessment = {code: i for i, code in enumerate(allocation.assessment_order, 1)}
    return {code: (processing[code], assessment[code]) for code in processing}


def key_csv(allocation: Allocation) -> bytes:
    """The key as CSV: ``#``-rows with the settings, a blank row, then the table (cells by ``csv_cell``)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    _, settings = settings_table(allocation)
    writer.writerow(["# allocation key: unblinded, for the person who holds it"])
    for name, value, origin in settings:
        writer.writerow([f"# {name}", csv_cell(value), csv_cell(origin)])
    writer.writerow([])
    header, rows = key_table(allocation)
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def key_xlsx(allocation: Allocation) -> bytes:
    """The key as a workbook: the list, its settings and its balance."""
    sheets = [("Allocation key", key_table(allocation)), ("Settings", settings_table(allocation)),
              ("Balance", balance_table(allocation))]
    return xlsx_bytes(sheets)


def blinded_csv(allocation: Allocation) -> bytes:
    return csv_bytes(blinded_table(allocation))


BLINDED_NOTE = ("Blinded list for the investigators: sequence numbers (or animal codes, the blocking unit and the "
                "working orders) only. It names no arm and no block size; the allocation key is with its holder.")


def blinded_xlsx(allocation: Allocation) -> bytes:
    """The blinded list as a workbook: the list, and a sheet saying what it is (no seed, no hash, no arm)."""
    p = allocation.plan
    about: Table = (("about", "value"), [
        ("study", p.study), ("protocol", p.protocol_id), ("protocol version", p.protocol_version),
        ("sequence numbers in the list", len(allocation.assignments)), ("what this is", BLINDED_NOTE)])
    return xlsx_bytes([("Blinded list", blinded_table(allocation)), ("About", about)])


def balance_csv(allocation: Allocation) -> bytes:
    return csv_bytes(balance_table(allocation))
