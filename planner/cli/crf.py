"""Commands ``export`` (any format of :data:`exports.FORMATS`) and ``crf-check`` (read back filled CRFs).

``export`` dispatches on ``--to`` through :data:`exports.FORMATS`; a format
that needs care before replacing a file registers a guard in
:data:`OVERWRITE_GUARDS`. The Excel CRF's guard never overwrites a workbook
with entered data unless ``--force`` is given, and then keeps a timestamped
backup first. Every file is written atomically.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from planner.cli.common import BadInput, Refused, print_json, resolve_protocol, write_atomic

if TYPE_CHECKING:
    from pathlib import Path

    from exports import ExportFormat
    from exports.xlsx.results import CrfReport
    from planner.model import Protocol

_PARTICIPANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

Guard = Callable[[Sequence["Path"], bool], list[tuple["Path", "Path"]]]
"""Checks the files an export will replace; returns ``(file, backup)`` pairs it backed up, or raises Refused."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from exports import FORMATS

    p = sub.add_parser("export", help="write a protocol in an export format (Excel CRF, PDF, DOT)")
    p.add_argument("protocol", metavar="ID|PATH")
    p.add_argument("--to", required=True, choices=sorted(FORMATS), help="export format")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="directory to write into")
    p.add_argument("--force", action="store_true",
                   help="replace files that hold entered data (a timestamped backup is kept first)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--participants", type=_positive, metavar="N",
                     help="xlsx: one workbook per participant, ids 001…N")
    who.add_argument("--participant-ids", metavar="FILE",
                     help="xlsx: one workbook per participant id listed in FILE (one per line, # comments)")
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("crf-check", help="read back filled Excel CRFs and report problems")
    p.add_argument("protocol", metavar="ID|PATH")
    p.add_argument("files", nargs="+", metavar="FILLED.xlsx")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(handler=cmd_crf_check)


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
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: cannot read: {exc}") from None
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
    name = fmt.filename(protocol.id)
    if ids is None:
        return [(out_dir / name, {})]
    stem, dot, suffix = name.rpartition(".")
    return [(out_dir / f"{stem}-{pid}{dot}{suffix}", {"participant_id": pid}) for pid in ids]


def guard_filled_crfs(paths: Sequence[Path], force: bool) -> list[tuple[Path, Path]]:
    """Refuse to replace a workbook that holds entered data; with ``force``, back each one up first.

    A blank CRF exported by protocol-planner is replaced silently. Anything
    else at a target path (entered data, an unreadable file, another
    workbook) is kept unless ``force`` is given, and then copied to
    ``<name>.backup-<timestamp>.xlsx`` before it is replaced.
    """
    from exports.xlsx.read import CrfError, entered_cells

    kept: list[tuple[Path, str]] = []
    for path in paths:
        if not path.exists():
            continue
        try:
            cells = entered_cells(path.read_bytes())
        except CrfError as exc:
            kept.append((path, f"it is not a blank protocol-planner CRF ({exc})"))
            continue
        except OSError as exc:
            raise BadInput(f"{path}: cannot read: {exc}") from None
        if cells:
            kept.append((path, f"it holds entered data ({len(cells)} cells, first {cells[0]})"))
    if not kept:
        return []
    if not force:
        lines = [f"{path}: not overwritten: {why}" for path, why in kept]
        raise Refused("\n".join(lines) + "\nnothing was written; use --force to replace them after a backup")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    backups: list[tuple[Path, Path]] = []
    for path, _ in kept:
        backup = path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")
        n = 1
        while backup.exists():
            n += 1
            backup = path.with_name(f"{path.stem}.backup-{stamp}-{n}{path.suffix}")
        write_atomic(backup, path.read_bytes())
        backups.append((path, backup))
    return backups


OVERWRITE_GUARDS: dict[str, Guard] = {"xlsx": guard_filled_crfs}
"""Per export format, the check run before files are replaced (formats not listed are simply overwritten)."""


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from exports import FORMATS

    fmt = FORMATS[args.to]
    ids = participant_ids(args)
    if ids is not None and fmt.key != "xlsx":
        raise BadInput("--participants and --participant-ids apply to --to xlsx only")
    protocol = resolve_protocol(args.protocol)
    outputs = plan_outputs(fmt, protocol, Path(args.output), ids)
    try:
        module = fmt.load()
    except RuntimeError as exc:
        raise BadInput(str(exc)) from None
    guard = OVERWRITE_GUARDS.get(fmt.key)
    backups = guard([path for path, _ in outputs], args.force) if guard is not None else []
    for original, backup in backups:
        print(f"kept a backup of {original} as {backup}", file=sys.stderr)
    total = len(outputs)
    if fmt.key == "dot" and not protocol.pathways:
        raise Refused(f"{protocol.id} has no decision pathway, so there is no DOT file to write")
    for i, (path, options) in enumerate(outputs, 1):
        buffer = io.BytesIO()
        module.write(protocol, buffer, **options)
        write_atomic(path, buffer.getvalue())
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
