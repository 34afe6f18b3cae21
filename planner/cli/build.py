"""``protocol-planner build [ID|PATH …] -o DIR``: check each protocol and write all its documents.

For every protocol, ``DIR/<id>/`` receives the check report (JSON and
Markdown), the canonical YAML source, the Excel CRF, the PDF protocol and,
when the protocol has a decision pathway, its Graphviz DOT file. Protocols
with check errors stop the build (exit 1) before any document is written,
unless ``--allow-errors``. Building again into the same DIR replaces the
build's own files; a file a person edited since (or a CRF that holds entered
data) stops the build before anything is written, unless ``--force``, which
keeps a backup first (:mod:`planner.cli.guard`).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from typing import TYPE_CHECKING, Any

from planner.cli.common import BadInput, resolve_protocol
from planner.cli.guard import FORCE_HELP, claim

if TYPE_CHECKING:
    from exports import ExportFormat
    from planner.checks.engine import Report
    from planner.model import Protocol


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("build", help="check protocols and write all their documents into DIR/<id>/",
                       description="Check each protocol and write its CRF workbook, PDF protocol, check report "
                                   "(JSON and Markdown), YAML source and pathway DOT. With no ids, build the "
                                   "shipped studies. Building again replaces the build's own files; a file edited "
                                   "since stops the build before anything is written, unless --force.")
    p.add_argument("protocols", nargs="*", metavar="ID|PATH", help="shipped ids or YAML/JSON files")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output directory")
    p.add_argument("--allow-errors", action="store_true", help="write documents even when checks find errors")
    p.add_argument("--force", action="store_true", help=FORCE_HELP)
    p.add_argument("--formats", metavar="KEY,…", help="write only these formats (default: every registered "
                   "format that applies; see `export --to`)")
    p.set_defaults(handler=cmd_build)


class _Progress:
    """One updating status line on a terminal; plain lines otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.tty = sys.stderr.isatty()

    def step(self, index: int, pid: str, what: str) -> None:
        text = f"[{index}/{self.total}] {pid}: {what}"
        if self.tty:
            print(f"\r\x1b[K{text}", end="", file=sys.stderr, flush=True)
        else:
            print(text, file=sys.stderr)

    def done(self) -> None:
        if self.tty:
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)


def _formats(text: str | None) -> list[str]:
    """The format keys ``--formats`` asks for (all registered ones by default), or :class:`BadInput`."""
    from exports import FORMATS

    if text is None:
        return list(FORMATS)
    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in FORMATS]
    if unknown or not keys:
        raise BadInput(f"--formats: unknown format {', '.join(map(repr, unknown)) or '(none given)'}; "
                       f"choose from {', '.join(FORMATS)}")
    return [k for k in FORMATS if k in keys]


def _documents(protocol: Protocol, report: Report, keys: list[str]
               ) -> list[tuple[ExportFormat, str, dict[str, Any]]]:
    """``(format, file name, write options)`` of every document of one protocol, in registry order, for the formats
    that apply (a format with parts writes several files)."""
    from exports import FORMATS

    return [(FORMATS[k], name, options) for k in keys if FORMATS[k].applies(protocol) is None
            for name, options in FORMATS[k].files(protocol)]


def cmd_build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from exports import Unexportable
    from planner.checks import Severity, check
    from protocols import REGISTRY

    keys = _formats(args.formats)
    refs = args.protocols or list(REGISTRY)
    protocols = [resolve_protocol(ref) for ref in refs]  # all bad input is reported before any work
    out = Path(args.output)
    progress = _Progress(len(protocols))
    started = time.perf_counter()

    reports = []
    for i, protocol in enumerate(protocols, 1):
        progress.step(i, protocol.id, "checking")
        reports.append(check(protocol))
    progress.done()
    failing = [(p, r) for p, r in zip(protocols, reports, strict=True) if r.count(Severity.ERROR)]
    if failing and not args.allow_errors:
        for p, r in failing:
            for f in r.errors:
                print(f"{p.id}: {f.code} {f.path}: {f.message}", file=sys.stderr)
        names = ", ".join(p.id for p, _ in failing)
        print(f"build stopped: check errors in {names}; fix them, or pass --allow-errors to build anyway",
              file=sys.stderr)
        return 1

    documents = [_documents(p, r, keys) for p, r in zip(protocols, reports, strict=True)]
    tests = {out / p.id / name: fmt.holds_entered_data
             for p, docs in zip(protocols, documents, strict=True) for fmt, name, _ in docs}
    written = 0
    with claim(list(tests), force=args.force, inspect=tests) as files:  # every file checked before any is written
        for i, (protocol, report, docs) in enumerate(zip(protocols, reports, documents, strict=True), 1):
            folder = out / protocol.id
            for fmt, name, options in docs:
                progress.step(i, protocol.id, fmt.label)
                buffer = io.BytesIO()
                try:
                    fmt.write(protocol, buffer, report=report, **options)
                except RuntimeError as exc:  # a missing dependency: what to install
                    raise BadInput(str(exc)) from None
                except Unexportable as exc:  # e.g. names the format refuses: every offender, with its path
                    raise BadInput(exc.problems) from None
                files.write(folder / name, buffer.getvalue())
                written += 1
            progress.done()
            s = report.summary
            print(f"{protocol.id}: {folder}/ ({s['error']} error(s), {s['warning']} warning(s), {s['info']} info)")
    print(f"built {len(protocols)} protocol(s), {written} files, in {time.perf_counter() - started:.1f} s")
    return 0
