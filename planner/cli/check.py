"""``protocol-planner check ID|PATH [--json] [--strict]``: run the planner checks.

Exit codes: 0 without errors; 1 with errors (with ``--strict``, also with
warnings); 2 for bad input (unknown id, unreadable or invalid file).
"""

from __future__ import annotations

import argparse

from planner.cli.common import print_json, resolve_protocol


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("check", help="check a protocol's eligibility, endpoints, monitoring and design",
                       description="Run every planner check (see docs/checks.md) and list the findings.")
    p.add_argument("protocol", metavar="ID|PATH", help="a shipped protocol id or a YAML/JSON protocol file")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    p.set_defaults(handler=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    from planner.checks import Severity, check

    protocol = resolve_protocol(args.protocol, names=False)
    report = check(protocol)
    if args.json:
        print_json(report.as_dict())
    else:
        for f in report.findings:
            print(f"{f.severity.value.upper():<7} {f.code} {f.path}")
            print(f"        {f.message}")
            print(f"        hint: {f.hint}")
        s = report.summary
        print(f"{protocol.id} v{protocol.version}: {s['error']} error(s), {s['warning']} warning(s), "
              f"{s['info']} info")
    failing = report.count(Severity.ERROR) + (report.count(Severity.WARNING) if args.strict else 0)
    return 1 if failing else 0
