"""Commands ``export`` (any format of :data:`exports.FORMATS`) and ``crf-check`` (read back filled CRFs).

``export`` dispatches on ``--to`` through :data:`exports.FORMATS` and writes
through the overwrite guard (:mod:`planner.cli.guard`): its own output is
replaced, a file a person edited is kept unless ``--force`` (which keeps a
timestamped backup first). A format whose files have a test of their own
registers it in :data:`CONTENT_CHECKS`: an Excel CRF is replaced when it holds
no entered data. Every file is written atomically.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from typing import TYPE_CHECKING, Any

from planner.cli.common import BadInput, Refused, check_input_file, print_json, resolve_protocol, unreadable
from planner.cli.guard import FORCE_HELP, Inspect, claim

if TYPE_CHECKING:
    from pathlib import Path

    from exports import ExportFormat
    from exports.xlsx.results import CrfReport
    from planner.model import Protocol

_PARTICIPANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from exports import FORMATS

    p = sub.add_parser("export", help="write a protocol in an export format (Excel CRF, PDF, DOT)")
    p.add_argument("protocol", metavar="ID|PATH")
    p.add_argument("--to", required=True, choices=sorted(FORMATS), help="export format")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="directory to write into")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
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
    name = fmt.filename(protocol.id)
    if ids is None:
        return [(out_dir / name, {})]
    stem, dot, suffix = name.rpartition(".")
    return [(out_dir / f"{stem}-{pid}{dot}{suffix}", {"participant_id": pid}) for pid in ids]


def filled_crf(path: Path) -> str | None:
    """Why an existing workbook the manifest does not vouch for must be kept, or None to replace it.

    Decided from the file against what protocol-planner wrote into it — the
    SHA-256 of every part, sealed in at write time (:mod:`exports.xlsx.seal`)
    — never from what the file says about itself: a note in an unused cell, a
    sheet of one's own or a damaged metadata sheet all keep the file. Only a
    CRF whose every part is exactly as written is replaced without ``--force``.
    """
    from exports.xlsx.read import CrfError, entered_cells
    from exports.xlsx.seal import changes

    data = path.read_bytes()
    why = changes(data)
    if why is None:
        return None
    try:
        cells = entered_cells(data)
    except CrfError:
        return why
    return f"it holds entered data ({len(cells)} cells, first {cells[0]}); {why}" if cells else why


CONTENT_CHECKS: dict[str, Inspect] = {"xlsx": filled_crf}
"""Per export format, its own test of an existing file (formats not listed rely on the guard's manifest alone)."""


def cmd_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from exports import FORMATS

    fmt = FORMATS[args.to]
    ids = participant_ids(args)
    if ids is not None and fmt.key != "xlsx":
        raise BadInput("--participants and --participant-ids apply to --to xlsx only")
    protocol = resolve_protocol(args.protocol)
    if fmt.key == "dot" and not protocol.pathways:
        raise Refused(f"{protocol.id} has no decision pathway, so there is no DOT file to write")
    outputs = plan_outputs(fmt, protocol, Path(args.output), ids)
    try:
        module = fmt.load()
    except RuntimeError as exc:
        raise BadInput(str(exc)) from None
    paths = [path for path, _ in outputs]
    check = CONTENT_CHECKS.get(fmt.key)
    total = len(outputs)
    with claim(paths, force=args.force, inspect={p: check for p in paths} if check else None) as files:
        for i, (path, options) in enumerate(outputs, 1):
            buffer = io.BytesIO()
            module.write(protocol, buffer, **options)
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
