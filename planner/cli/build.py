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
import json
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from planner.cli.common import resolve_protocol
from planner.cli.guard import FORCE_HELP, claim

if TYPE_CHECKING:

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


def _documents(protocol: Protocol, report: Report) -> list[tuple[str, str, Callable[[], bytes]]]:
    """``(label, file name, producer)`` of every document of one protocol, in build order."""
    from exports import FORMATS
    from exports.pdf.appendix import finding_rows
    from planner.checks.markdown import report_markdown
    from planner.serialize import dump

    def pdf() -> bytes:
        buffer = io.BytesIO()
        FORMATS["pdf"].load().write(protocol, buffer, findings=finding_rows(report.findings))
        return buffer.getvalue()

    def export(key: str) -> Callable[[], bytes]:
        def produce() -> bytes:
            buffer = io.BytesIO()
            FORMATS[key].load().write(protocol, buffer)
            return buffer.getvalue()
        return produce

    pid = protocol.id
    docs: list[tuple[str, str, Callable[[], bytes]]] = [
        ("check report (JSON)", f"{pid}-check.json",
         lambda: (json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n").encode()),
        ("check report (Markdown)", f"{pid}-check.md", lambda: report_markdown(protocol, report).encode()),
        ("YAML source", f"{pid}.yaml", lambda: dump(protocol, "yaml").encode()),
        ("CRF workbook", FORMATS["xlsx"].filename(pid), export("xlsx")),
        ("PDF protocol", FORMATS["pdf"].filename(pid), pdf),
    ]
    if protocol.pathways:
        docs.append(("pathway DOT", FORMATS["dot"].filename(pid), export("dot")))
    return docs


def cmd_build(args: argparse.Namespace) -> int:
    from pathlib import Path

    from exports import FORMATS
    from planner.checks import Severity, check
    from planner.cli.crf import filled_crf
    from protocols import REGISTRY

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

    documents = [_documents(p, r) for p, r in zip(protocols, reports, strict=True)]
    paths = [out / p.id / name for p, docs in zip(protocols, documents, strict=True) for _, name, _ in docs]
    crfs = {out / p.id / FORMATS["xlsx"].filename(p.id): filled_crf for p in protocols}
    written = 0
    with claim(paths, force=args.force, inspect=crfs) as files:  # every file is checked before any is written
        for i, (protocol, report, docs) in enumerate(zip(protocols, reports, documents, strict=True), 1):
            folder = out / protocol.id
            for label, name, produce in docs:
                progress.step(i, protocol.id, label)
                files.write(folder / name, produce())
                written += 1
            progress.done()
            s = report.summary
            print(f"{protocol.id}: {folder}/ ({s['error']} error(s), {s['warning']} warning(s), {s['info']} info)")
    print(f"built {len(protocols)} protocol(s), {written} files, in {time.perf_counter() - started:.1f} s")
    return 0
