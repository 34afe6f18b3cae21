"""Command ``crf-check``: read back filled Excel CRFs and report problems.

The ``export`` command, which writes every format including the CRF, is
:mod:`planner.cli.export`.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from planner.cli.common import print_json, resolve_protocol

if TYPE_CHECKING:
    from planner.review import CrfReport


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("crf-check", help="read back filled Excel CRFs and report problems")
    p.add_argument("protocol", metavar="ID|PATH")
    p.add_argument("files", nargs="+", metavar="FILLED.xlsx")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(handler=cmd_crf_check)


# -- crf-check ----------------------------------------------------------------------------


def cmd_crf_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from exports.xlsx.read import CrfError, CrfReader, WrongProtocol

    protocol = resolve_protocol(args.protocol)
    reader = CrfReader(protocol)  # layout, rules, screener and monitor prepared once for every file
    results: list[dict[str, Any]] = []
    reports: list[tuple[str, CrfReport]] = []
    bad = 0
    for name in args.files:
        try:
            report = reader.read(Path(name).read_bytes())
        except OSError as exc:
            bad += 1
            results.append({"file": name, "status": "error", "error": f"cannot read: {exc.strerror or exc}"})
            continue
        except CrfError as exc:
            bad += 1
            status = "refused" if isinstance(exc, WrongProtocol) else "error"
            results.append({"file": name, "status": status, "error": str(exc)})
            continue
        reports.append((name, report))
        results.append({"file": name, "status": "clean" if report.clean else "findings", **report.to_dict()})
    code = 2 if bad else (1 if any(not r.clean for _, r in reports) else 0)
    if args.json:
        print_json({"protocol": protocol.id, "version": protocol.version, "exit": code, "files": results})
        return code
    for result in results:
        if "error" in result:
            print(f"{result['status']}: {result['file']}: {result['error']}", file=sys.stderr)
    for name, report in reports:
        _print_report(name, report)
    findings = sum(len(r.findings) for _, r in reports)
    print(f"{len(args.files)} file(s): {sum(r.clean for _, r in reports)} clean, "
          f"{sum(not r.clean for _, r in reports)} with findings ({findings} in all), {bad} not read")
    return code


def _print_report(name: str, report: CrfReport) -> None:
    eligible = {True: "eligible", False: "NOT eligible", None: "eligibility incomplete"}[report.eligible]
    who = report.participant_id or "participant id missing"
    print(f"{name}: {who}: {len(report.findings)} finding(s); {eligible}")
    for f in report.findings:
        where = " ".join(x for x in (f.where, f"[{f.visit}]" if f.visit else "") if x)
        print(f"  {f.code:<16} {where}: {f.message}" if where else f"  {f.code:<16} {f.message}")
    shown = [d for d in report.derived if d.value is not None]
    if shown:
        values = "; ".join(f"{d.label} at {d.visit} = {d.value:.4g}" for d in shown)
        print(f"  derived: {values}")
