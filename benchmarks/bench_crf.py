"""Benchmark: writing Excel CRFs against raw openpyxl, and reading filled CRFs back.

Export: a synthetic protocol (default 40 forms × 150 items, 6 visits; see
``benchmarks/synth.py``) is written with :func:`exports.xlsx.write`, and, in
the same run, raw openpyxl writes the same cells (values and formulas) and
the same data validations into a bare workbook, entry cells unlocked (the
least that makes them entry cells, and what makes openpyxl write an empty
cell at all) — no fonts, fills, borders, conditional formats, page set-up
or layout logic. Runs alternate between the
two so that machine load hits both alike. Target: ours ≤ 1.2 × raw.

Read-back: for the synthetic CRF and each shipped study, a few distinct
participant workbooks (every entry cell of every visit filled with a
plausible value, each participant with its own id and dates) are reviewed
with one :class:`exports.xlsx.read.CrfReader`, as ``crf-check`` does. The
per-protocol setup (layout, content hash, cells to read, rules, screener and
monitor) is timed on its own; the first workbook also reads the package
structure that later workbooks of the same export share; then the figure is
milliseconds per workbook, the reads cycling through the workbooks, with the
reader that read them (``fast``, or ``openpyxl`` when the fast reader fell
back). The setup is also shown amortised over a batch (``--batch``, 40
workbooks). In the same run, the same workbooks are read back as before the
fast reader (openpyxl's read-only reader, everything prepared again for each
workbook), and the reports of the two are compared. Target: ≤ 5 ms per
workbook.

Each figure is the median over the runs with the spread (minimum–maximum);
the export ratio is given of the medians and of the best runs (on a shared,
busy machine the best runs are the least disturbed).
Run: ``python benchmarks/bench_crf.py [--forms 40] [--items 150] [--runs 5] [--reads 20] [--workbooks 3]
[--batch 40] [--baseline-reads 3] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Protection  # noqa: E402
from openpyxl.worksheet.datavalidation import DataValidation  # noqa: E402
from synth import synthetic_protocol  # noqa: E402

from exports.xlsx import build_workbook, plan, write  # noqa: E402
from exports.xlsx.fill import fill, plausible_filling  # noqa: E402
from exports.xlsx.read import CrfReader  # noqa: E402
from planner.model import Protocol  # noqa: E402
from planner.review import CrfReport  # noqa: E402
from protocols import REGISTRY  # noqa: E402

Sheet = tuple[str, list[tuple[int, int, Any, bool]], list[dict[str, Any]]]


def snapshot(protocol: Protocol) -> list[Sheet]:
    """Every cell (value or formula, and whether it is an unlocked entry cell) and data validation
    our export writes, per sheet (not timed)."""
    wb = build_workbook(protocol)
    out: list[Sheet] = []
    for ws in wb.worksheets:
        cells = [(r, c, cell.value, cell.protection.locked is False) for (r, c), cell in ws._cells.items()]
        dvs = [dict(type=dv.type, operator=dv.operator, formula1=dv.formula1, formula2=dv.formula2,
                    sqref=str(dv.sqref), error=dv.error, prompt=dv.prompt)
               for dv in ws.data_validations.dataValidation]
        out.append((ws.title, cells, dvs))
    return out


def raw_write(sheets: list[Sheet]) -> bytes:
    """The same cells and validations written with plain openpyxl calls.

    Entry cells are empty, and openpyxl writes an empty cell only when it has
    a style: so, as the least a CRF needs, entry cells are unlocked (one shared
    ``Protection``); no fonts, fills, borders, widths or print set-up.
    """
    unlocked = Protection(locked=False)
    wb = Workbook()
    first = wb.active
    assert first is not None
    for i, (title, cells, dvs) in enumerate(sheets):
        ws = first if i == 0 else wb.create_sheet()
        ws.title = title
        for r, c, value, entry in cells:
            cell = ws.cell(r, c, value)
            if entry:
                cell.protection = unlocked
        for spec in dvs:
            ws.add_data_validation(DataValidation(allow_blank=True, showErrorMessage=True, **spec))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def ours(protocol: Protocol) -> bytes:
    buffer = io.BytesIO()
    write(protocol, buffer)
    return buffer.getvalue()


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def spread(values: list[float], scale: float = 1.0, unit: str = "s", digits: int = 2) -> str:
    med, lo, hi = statistics.median(values) * scale, min(values) * scale, max(values) * scale
    return f"{med:.{digits}f} {unit} ({lo:.{digits}f}–{hi:.{digits}f})"


def bench_export(protocol: Protocol, runs: int) -> dict[str, Any]:
    sheets = snapshot(protocol)
    ours(protocol), raw_write(sheets)  # warm up imports and caches
    mine: list[float] = []
    raw: list[float] = []
    for _ in range(runs):
        mine.append(timed(lambda: ours(protocol)))
        raw.append(timed(lambda: raw_write(sheets)))
    ratios = [m / r for m, r in zip(mine, raw, strict=True)]
    best = min(mine) / min(raw)
    cells = sum(len(c) for _, c, _ in sheets)
    validations = sum(len(d) for _, _, d in sheets)
    return {"ours_s": mine, "raw_s": raw, "ratio": statistics.median(mine) / statistics.median(raw),
            "ratio_best": best, "ratio_per_run": ratios, "cells": cells, "validations": validations}


def filled_workbooks(protocol: Protocol, n: int) -> list[bytes]:
    """``n`` distinct participant workbooks, every entry cell filled (not timed)."""
    layout = plan(protocol)
    blank = ours(protocol)
    day0 = dt.date(2026, 1, 5)
    return [fill(blank, layout, plausible_filling(protocol, layout, participant=f"P{i + 1:03d}",
                                                  day0=day0 + dt.timedelta(days=7 * i), log_records=3))
            for i in range(n)]


def bench_read(protocol: Protocol, reads: int, workbooks: int, baseline_reads: int) -> dict[str, Any]:
    books = filled_workbooks(protocol, workbooks)
    CrfReader(protocol)  # warm up imports and caches
    setup = [timed(lambda: CrfReader(protocol)) for _ in range(3)]
    reader = CrfReader(protocol)
    gc.collect()  # start each series from a collected heap (earlier protocols' garbage is not this one's cost)
    first = timed(partial(reader.read, books[0]))
    times = [timed(partial(reader.read, books[i % len(books)])) for i in range(reads)]
    layout = plan(protocol)

    def as_before(book: bytes) -> CrfReport:
        """The read-back before the fast reader: openpyxl, and the review prepared again for each workbook."""
        return CrfReader(protocol, layout=layout, engine="openpyxl").read(book)

    as_before(books[0])  # warm up
    gc.collect()
    before = [timed(partial(as_before, books[i % len(books)])) for i in range(baseline_reads)]
    reports = [reader.read(book) for book in books]
    same = reports == [as_before(book) for book in books]
    return {"setup_ms": [t * 1000 for t in setup], "first_ms": first * 1000, "ms": [t * 1000 for t in times],
            "openpyxl_ms": [t * 1000 for t in before], "same_reports": same, "used": dict(reader.used),
            "bytes": len(books[0]), "findings": len(reports[0].findings)}


def ms(values: list[float]) -> str:
    return spread([v / 1000 for v in values], 1000, "ms", 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forms", type=int, default=40)
    ap.add_argument("--items", type=int, default=150)
    ap.add_argument("--visits", type=int, default=6)
    ap.add_argument("--runs", type=int, default=5, help="export runs of each writer")
    ap.add_argument("--reads", type=int, default=20, help="read-backs per protocol (fast reader)")
    ap.add_argument("--workbooks", type=int, default=3, help="distinct filled workbooks per protocol")
    ap.add_argument("--batch", type=int, default=40, help="workbooks the setup is amortised over")
    ap.add_argument("--baseline-reads", type=int, default=3, help="read-backs with openpyxl's reader")
    ap.add_argument("--json", metavar="FILE", help="also write the raw timings as JSON")
    args = ap.parse_args(argv)

    protocol = synthetic_protocol(args.forms, args.items, args.visits)
    n_items = sum(len(f.items) for f in protocol.dictionary.forms)
    print(f"synthetic CRF: {args.forms} forms × {args.items} items ({n_items} items), {args.visits} visits")
    export = bench_export(protocol, args.runs)
    print(f"export, {export['cells']} cells and {export['validations']} validations, {args.runs} runs each:")
    print(f"  ours           {spread(export['ours_s'])}")
    print(f"  raw openpyxl   {spread(export['raw_s'])}")
    print(f"  ratio          {export['ratio']:.2f} × of the medians (best runs {export['ratio_best']:.2f} ×; "
          f"per run {min(export['ratio_per_run']):.2f}–{max(export['ratio_per_run']):.2f}); target ≤ 1.2")
    results: dict[str, Any] = {"export": export, "read": {}}
    print(f"read-back with one CrfReader per protocol, {args.reads} reads of {args.workbooks} distinct workbooks "
          f"(openpyxl: {args.baseline_reads}); target ≤ 5 ms per workbook:")
    for name, p in [("synthetic", protocol)] + [(pid, build()) for pid, build in REGISTRY.items()]:
        read = bench_read(p, args.reads, args.workbooks, args.baseline_reads)
        results["read"][name] = read
        setup = statistics.median(read["setup_ms"])
        amortised = setup / args.batch + statistics.median(read["ms"])
        used = ", ".join(f"{engine} {n}" for engine, n in sorted(read["used"].items())) + f" of {sum(read['used'].values())}"
        print(f"  {name} [{read['bytes'] // 1024} KiB, {read['findings']} findings]")
        print(f"    setup once per protocol   {ms(read['setup_ms'])}")
        print(f"    first workbook            {read['first_ms']:.1f} ms (also reads the shared package structure)")
        print(f"    per workbook              {ms(read['ms'])}   read by: {used}")
        print(f"    amortised over {args.batch:<3}        {amortised:.1f} ms per workbook (setup / {args.batch} + median)")
        print(f"    before: openpyxl, review prepared per workbook  {ms(read['openpyxl_ms'])}   same reports: "
              f"{'yes' if read['same_reports'] else 'NO'}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
