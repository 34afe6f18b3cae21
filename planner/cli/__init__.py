"""The ``protocol-planner`` command line: the only place with paths, printing and exit codes.

Each command group lives in its own module with a ``register(subparsers)``
function, listed explicitly in :data:`COMMANDS`. Heavy libraries (openpyxl,
reportlab) are imported inside the commands that need them, so ``list`` starts
fast.

Exit codes: 0 ok, 1 findings (check errors, CRF problems, refusals), 2 bad
input or usage. Bad input is reported as one line per problem on stderr,
never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from planner import __version__
from planner.cli import build, catalog, check, crf, export, participants, randomise, sample_size, scaffold
from planner.cli.common import BadInput, Refused

COMMANDS: tuple[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None], ...] = (
    catalog.register,
    scaffold.register,
    check.register,
    participants.register,
    export.register,
    crf.register,
    build.register,
    randomise.register,
    sample_size.register,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="protocol-planner",
        description="Plan, check and export study protocols (clinical and preclinical).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in COMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        return int(exc.code or 0)
    try:
        code: int = args.handler(args)
        return code
    except BadInput as exc:
        for line in exc.lines:
            print(f"error: {line}", file=sys.stderr)
        return 2
    except Refused as exc:
        for line in exc.lines:
            print(f"refused: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except Exception as exc:  # noqa: BLE001 - a bug: say so briefly, trace on request
        if os.environ.get("PROTOCOL_PLANNER_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("this is a bug in protocol-planner; set PROTOCOL_PLANNER_DEBUG=1 for the traceback", file=sys.stderr)
        return 3
