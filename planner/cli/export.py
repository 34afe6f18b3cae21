"""Command ``export``: write a protocol in any registered format (:data:`exports.FORMATS`).

The command names no format: it dispatches on ``--to`` through the registry
and asks the format whether it applies, whether it writes one file per
participant and how to tell an existing file holds entered data. It writes
through the overwrite guard (:mod:`planner.cli.guard`): its own output is
replaced, a file a person edited is kept unless ``--force`` (which keeps a
timestamped backup first). Every file is written atomically.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from typing import TYPE_CHECKING, Any

from planner.cli.common import BadInput, Refused, check_input_file, resolve_protocol, unreadable
from planner.cli.guard import FORCE_HELP, claim

if TYPE_CHECKING:
    from pathlib import Path

    from exports import ExportFormat
    from planner.model import Protocol

_PARTICIPANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from exports import FORMATS

    listed = ", ".join(f"{f.key} ({f.description})" for f in FORMATS.values())
    p = sub.add_parser("export", help="write a protocol in an export format (Excel CRF, PDF, DOT …)",
                       description=f"Write a protocol in one export format: {listed}.")
    p.add_argument("protocol", metavar="ID|PATH")
    p.add_argument("--to", required=True, choices=list(FORMATS), help="export format")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="directory to write into")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    per = ", ".join(f.key for f in FORMATS.values() if f.per_participant)
    who = p.add_mutually_exclusive_group()
    who.add_argument("--participants", type=_positive, metavar="N",
                     help=f"{per}: one file per participant, ids 001…N")
    who.add_argument("--participant-ids", metavar="FILE",
                     help=f"{per}: one file per participant id listed in FILE (one per line, # comments)")
    p.set_defaults(handler=cmd_export)


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("give at least 1 participant")
    return n


# -- export -------------------------------------------------------------------------


def participant_ids(args: argparse.Namespace) -> list[str] | None:
    """The participant ids asked for with ``--participants`` or ``--participant-ids``, or ``None``."""
    from pathlib import Path

    if args.participants:
        width = max(3, len(str(args.participants)))
        return [f"{i:0{width}d}" for i in range(1, args.participants + 1)]
    if not args.participant_ids:
        return None
    path = Path(args.participant_ids)
    try:
        check_input_file(path)
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: {unreadable(exc)}") from None
    ids: list[str] = []
    problems: list[str] = []
    for n, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if not _PARTICIPANT.match(text):
            problems.append(f"{path}:{n}: {text!r} is not a usable participant id "
                            "(letters, digits, '.', '_' and '-', at most 64 characters)")
        elif text in ids:
            problems.append(f"{path}:{n}: participant id {text!r} is listed twice")
        else:
            ids.append(text)
    if problems:
        raise BadInput(problems)
    if not ids:
        raise BadInput(f"{path}: no participant ids in the file")
    return ids


def plan_outputs(fmt: ExportFormat, protocol: Protocol, out_dir: Path, ids: list[str] | None
                 ) -> list[tuple[Path, dict[str, Any]]]:
    """``(path, write options)`` of every file an export writes."""
    if ids is None:
        return [(out_dir / name, options) for name, options in fmt.files(protocol)]
    name = fmt.filename(protocol.id)
    stem, dot, suffix = name.rpartition(".")
    return [(out_dir / f"{stem}-{pid}{dot}{suffix}", {"participant_id": pid}) for pid in ids]


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from exports import FORMATS, Unexportable

    fmt = FORMATS[args.to]
    ids = participant_ids(args)
    if ids is not None and not fmt.per_participant:
        per = ", ".join(f"--to {f.key}" for f in FORMATS.values() if f.per_participant)
        raise BadInput(f"--participants and --participant-ids apply to {per} only")
    protocol = resolve_protocol(args.protocol)
    why_not = fmt.applies(protocol)
    if why_not is not None:
        raise Refused(why_not)
    outputs = plan_outputs(fmt, protocol, Path(args.output), ids)
    paths = [path for path, _ in outputs]
    total = len(outputs)
    with claim(paths, force=args.force, inspect=dict.fromkeys(paths, fmt.holds_entered_data)) as files:
        for i, (path, options) in enumerate(outputs, 1):
            buffer = io.BytesIO()
            try:
                fmt.write(protocol, buffer, **options)
            except RuntimeError as exc:  # a missing dependency: what to install
                raise BadInput(str(exc)) from None
            except Unexportable as exc:  # e.g. names the format refuses: every offender, with its path
                raise BadInput(exc.problems) from None
            files.write(path, buffer.getvalue())
            _progress(i, total, path)
    if total == 1:
        print(f"wrote {outputs[0][0]}")
    else:
        print(f"wrote {total} files to {args.output}")
    return 0


def _progress(done: int, total: int, path: Path) -> None:
    if total < 2:
        return
    if sys.stderr.isatty():
        end = "\n" if done == total else ""
        print(f"\r{done}/{total} {path.name}", end=end, file=sys.stderr, flush=True)
    elif done == total or done % max(1, total // 10) == 0:
        print(f"{done}/{total} written", file=sys.stderr)


