"""Commands about participants: ``screen`` candidates and ``monitor`` observations.

Both read a CSV, XLSX or JSON file (see ``docs/participants.md``), print a
readable table, or JSON with ``--json``, or write a CSV/XLSX/JSON file with
``-o`` (atomically, never over a file a person edited unless ``--force``:
:mod:`planner.cli.guard`). A run that worked exits 0 whatever the answers are
(ineligible candidates and fired rules are results, not errors); a file that
cannot be used exits 2 with one line per problem: file, row and column.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from planner.cli.common import BadInput, check_input_file, print_json, resolve_protocol, unreadable
from planner.cli.guard import FORCE_HELP, claim

if TYPE_CHECKING:
    from pathlib import Path

    from planner.model import Protocol
    from planner.participants import MonitoringReport, ScreeningReport, Sheet
    from planner.participants.duck import Table
    from planner.participants.records import Kind

OUTPUT_SUFFIXES = (".xlsx", ".csv", ".json")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``screen`` and ``monitor`` to the command line."""
    p = sub.add_parser("screen", help="screen candidates against a protocol's eligibility criteria",
                       description="Give each candidate eligible, ineligible or incomplete, with the deciding "
                                   "criteria and the missing items. CANDIDATES is a .csv, .xlsx, .json, .jsonl "
                                   "(one object per line) or .parquet file (see docs/participants.md).")
    p.add_argument("protocol", metavar="PROTOCOL", help="a shipped protocol id or a protocol YAML/JSON file")
    p.add_argument("candidates", metavar="CANDIDATES", nargs="?",
                   help="candidate file: one row per candidate (optional with --sql)")
    p.add_argument("--engine", choices=("duckdb", "python"), default="duckdb",
                   help="duckdb (the default) reads CSV, JSON lines and Parquet itself and screens in one query; "
                        "python is the reference path, record by record")
    p.add_argument("--sql", metavar="DIALECT",
                   help="print the screening query in DIALECT (duckdb, postgres, spark, bigquery, snowflake, tsql, "
                        "…) instead of screening: for the columns of CANDIDATES when given, else for every item "
                        "with --records records of each repeating form")
    p.add_argument("--records", metavar="N", type=int, default=3,
                   help="with --sql and no CANDIDATES: records of each repeating form the table has (default 3)")
    _outputs(p)
    p.set_defaults(handler=cmd_screen)

    p = sub.add_parser("monitor", help="list the safety rules that fire on observations per participant and visit",
                       description="Evaluate a protocol's monitoring rules on each observation row and list the "
                                   "rules that fire (action, CTCAE grade, source) and those not evaluable. "
                                   "OBSERVATIONS is a .csv, .xlsx or .json file (see docs/participants.md).")
    p.add_argument("protocol", metavar="PROTOCOL", help="a shipped protocol id or a protocol YAML/JSON file")
    p.add_argument("observations", metavar="OBSERVATIONS", help="observation file: one row per participant and visit")
    _outputs(p)
    p.set_defaults(handler=cmd_monitor)


def _outputs(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("-o", "--output", metavar="FILE", help="write the results to FILE.xlsx, FILE.csv or FILE.json "
                                                          "(atomically) instead of printing a table")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)


def cmd_screen(args: argparse.Namespace) -> int:
    """``screen PROTOCOL CANDIDATES``."""
    from planner.participants import Sheet, report, screen

    if getattr(args, "sql", None) is not None:
        return _print_sql(args)
    if args.candidates is None:
        raise BadInput("screen: give the CANDIDATES file (it may be left out only with --sql)")
    output = _output_path(args.output)
    protocol = resolve_protocol(args.protocol)
    if getattr(args, "engine", "python") == "duckdb":
        result = _screen_duckdb(protocol, args.candidates)
    elif args.candidates.lower().endswith(".parquet"):  # the reference screens what DuckDB read
        from planner.participants.duck import participants

        table = _duck_table(protocol, args.candidates)
        s = table.sheet
        result = screen(protocol, Sheet(s.source, s.kind, participants(table), s.items, s.notes, s.unit))
    else:
        result = screen(protocol, _read(protocol, args.candidates, "candidates"))
    if output is not None:
        _write_screening(result, output, args.force)
        counts = ", ".join(f"{v} {k}" for k, v in result.summary().items())
        _say(f"wrote {output}: {len(result.results)} candidates ({counts})", quiet=args.json)
    if args.json:
        print_json(report.screening_data(result))
    elif output is None:
        print(report.screening_text(result), end="")
    return 0


def cmd_monitor(args: argparse.Namespace) -> int:
    """``monitor PROTOCOL OBSERVATIONS``."""
    from planner.participants import monitor, report

    output = _output_path(args.output)
    protocol = resolve_protocol(args.protocol)
    sheet = _read(protocol, args.observations, "observations")
    result = monitor(protocol, sheet)
    if output is not None:
        _write_monitoring(result, output, args.force)
        s = result.summary()
        _say(f"wrote {output}: {s['rows']} rows, {s['fired']} rule firing(s), {s['not_evaluable']} not evaluable",
             quiet=args.json)
    if args.json:
        print_json(report.monitoring_data(result))
    elif output is None:
        print(report.monitoring_text(result), end="")
    return 0


def sql_dialects() -> tuple[str, ...]:
    """The dialects sqlglot writes, by name."""
    import sqlglot

    return tuple(sorted(d.value for d in sqlglot.Dialects if d.value))


def _print_sql(args: argparse.Namespace) -> int:
    """``screen PROTOCOL [CANDIDATES] --sql DIALECT``: the screening query, for the file's columns or every item."""
    from planner.expr.sql import Unexpressible
    from planner.participants.sqlscreen import layout_columns, printed, screening_query

    dialect = args.sql.strip().lower()
    valid = sql_dialects()
    if dialect not in valid:
        raise BadInput(f"--sql: unknown dialect {args.sql!r}; use one of {', '.join(valid)}")
    if args.output is not None or args.json:
        raise BadInput("--sql prints the query on stdout; leave out -o and --json")
    if args.records < 0:
        raise BadInput(f"--records: {args.records} records; give a whole number from 0")
    protocol = resolve_protocol(args.protocol)
    if args.candidates is not None:
        table = _duck_table(protocol, args.candidates)
        columns, logs = dict(table.columns), dict(table.logs)
    else:
        columns, logs = layout_columns(protocol, args.records)
    query = screening_query(protocol, columns, logs)
    try:
        text = printed(query, dialect)
    except Unexpressible as err:
        raise BadInput(f"--sql {dialect}: {err}") from None
    for cid, why in query.gaps:
        print(f"note: criterion {cid} is not in the query (counted as unknown there): {why}", file=sys.stderr)
    sys.stdout.write(text)
    return 0


def _say(line: str, *, quiet: bool) -> None:
    """A summary line on stdout, or on stderr when stdout carries JSON."""
    print(line, file=sys.stderr if quiet else sys.stdout)


def _output_path(value: str | None) -> Path | None:
    """The ``-o`` path, refused early when its extension names no format we write."""
    from pathlib import Path

    if value is None:
        return None
    path = Path(value)
    if path.suffix.lower() not in OUTPUT_SUFFIXES:
        raise BadInput(f"{value}: -o writes {', '.join(OUTPUT_SUFFIXES)} files; give one of those extensions")
    if path.is_dir():
        raise BadInput(f"{value}: is a folder; give a file name")
    return path


def _read(protocol: Protocol, name: str, kind: Kind) -> Sheet:
    """Read and type one participant file, or raise :class:`BadInput` with one line per problem."""
    from pathlib import Path

    from planner.participants import InputError, read

    path = Path(name)
    check_input_file(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"{name}: {unreadable(exc)}") from None
    try:
        return read(protocol, data, name, kind)
    except InputError as exc:
        raise BadInput([str(p) for p in exc.problems]) from None


def _duck_table(protocol: Protocol, name: str) -> Table:
    """The candidates of file ``name`` as DuckDB's typed table, or :class:`BadInput` with one line per problem."""
    from pathlib import Path

    from planner.participants import InputError
    from planner.participants.duck import load_path

    path = Path(name)
    check_input_file(path)
    try:
        return load_path(protocol, str(path), name)
    except OSError as exc:
        raise BadInput(f"{name}: {unreadable(exc)}") from None
    except InputError as exc:
        raise BadInput([str(p) for p in exc.problems]) from None


def _screen_duckdb(protocol: Protocol, name: str) -> ScreeningReport:
    """Screen the candidates of file ``name`` on DuckDB, or raise :class:`BadInput` with one line per problem."""
    from planner.participants.duck import DuckScreener

    return DuckScreener(protocol).screen(_duck_table(protocol, name))


def _write_screening(result: ScreeningReport, path: Path, force: bool) -> None:
    from planner.participants import report
    from planner.participants.spreadsheet import csv_bytes, xlsx_bytes

    suffix = path.suffix.lower()
    if suffix == ".json":
        data = (json.dumps(report.screening_data(result), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    elif suffix == ".csv":
        data = csv_bytes(report.screening_table(result))
    else:
        data = xlsx_bytes([("Screening", report.screening_table(result)), ("Criteria", report.criteria_table(result))])
    _save(path, data, force)


def _write_monitoring(result: MonitoringReport, path: Path, force: bool) -> None:
    from planner.participants import report
    from planner.participants.spreadsheet import csv_bytes, xlsx_bytes

    suffix = path.suffix.lower()
    if suffix == ".json":
        data = (json.dumps(report.monitoring_data(result), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    elif suffix == ".csv":
        data = csv_bytes(report.monitoring_table(result))
    else:
        data = xlsx_bytes([("Monitoring", report.monitoring_table(result)),
                           ("Rules not applied", report.not_applied_table(result))])
    _save(path, data, force)


def _save(path: Path, data: bytes, force: bool) -> None:
    """Write one results file through the overwrite guard."""
    with claim([path], force=force) as out:
        out.write(path, data)
