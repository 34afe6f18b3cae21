"""Command ``new``: write a starting protocol that validates and checks with no errors."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from planner.cli.common import BadInput
from planner.cli.guard import FORCE_HELP, claim

_KEEP = "it may be a protocol you have started"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from planner.scaffold import KINDS

    p = sub.add_parser(
        "new", help="write a starting protocol (YAML) to fill in",
        description="Write a starting protocol of the given kind as commented YAML. Every value not known yet is "
                    "'to be confirmed' with a reason, so it validates and checks with no errors, and the check "
                    "report lists what is left to decide. An existing file is never replaced.")
    p.add_argument("name", metavar="NAME", help="the study's name; its id is made from it (lower case, '-')")
    p.add_argument("--kind", choices=KINDS, default="clinical",
                   help="clinical trial, observational cohort or animal experiment (default: clinical)")
    p.add_argument("-o", "--output", metavar="FILE", help="the file to write (default: ID.yaml here)")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.set_defaults(handler=cmd_new)


def cmd_new(args: argparse.Namespace) -> int:
    from planner.scaffold import ScaffoldError, protocol_id, starting_protocol

    try:
        text = starting_protocol(args.kind, args.name, dt.date.today())
        path = Path(args.output) if args.output else Path(f"{protocol_id(args.name)}.yaml")
    except ScaffoldError as exc:
        raise BadInput(str(exc)) from None
    outputs = claim([path], force=args.force, keep=_KEEP)
    outputs.write(path, text.encode())
    outputs.close()
    print(f"wrote {path}: check it with `protocol-planner check {path}`")
    return 0
