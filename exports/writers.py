"""The writing function of each format of :data:`exports.FORMATS`, with the one signature they share.

``writer(protocol, stream, *, report=None, **options)``: ``report`` is the
protocol's check report when the caller has one (the check-report formats
and the PDF's findings appendix use it; the others ignore it). Each imports
its own libraries only when called.
"""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

if TYPE_CHECKING:
    from planner.checks.engine import Report
    from planner.model import Protocol


def _report(protocol: Protocol, report: Report | None) -> Report:
    if report is not None:
        return report
    from planner.checks import check

    return check(protocol)


def check_json(protocol: Protocol, stream: IO[bytes], *, report: Report | None = None) -> None:
    data = _report(protocol, report).as_dict()
    stream.write((json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode())


def check_md(protocol: Protocol, stream: IO[bytes], *, report: Report | None = None) -> None:
    from planner.checks.markdown import report_markdown

    stream.write(report_markdown(protocol, _report(protocol, report)).encode())


def yaml(protocol: Protocol, stream: IO[bytes], *, report: Report | None = None) -> None:
    from planner.serialize import dump

    stream.write(dump(protocol, "yaml").encode())


def xlsx(protocol: Protocol, stream: IO[bytes], *, report: Report | None = None, **options: Any) -> None:
    from exports.xlsx import write

    write(protocol, cast("BinaryIO", stream), **options)


def pdf(protocol: Protocol, stream: IO[bytes], *, report: Report | None = None, **options: Any) -> None:
    from exports.pdf import write

    if report is not None:
        from exports.pdf.appendix import finding_rows

        options.setdefault("findings", finding_rows(report.findings))
    write(protocol, stream, **options)


def dot(protocol: Protocol, stream: IO[bytes], *, report: Report | None = None, **options: Any) -> None:
    from exports.dot import write

    write(protocol, stream, **options)


def odm(protocol: Protocol, stream: IO[bytes], *, report: Report | None = None, **options: Any) -> None:
    from exports.odm import write

    write(protocol, stream, **options)


def redcap(protocol: Protocol, stream: IO[bytes], *, report: Report | None = None, **options: Any) -> None:
    from exports.redcap import write

    write(protocol, stream, **options)


def xlsform(protocol: Protocol, stream: IO[bytes], *, report: Report | None = None, **options: Any) -> None:
    from exports.xlsform import write

    write(protocol, stream, **options)


def usdm(protocol: Protocol, stream: IO[bytes], *, report: Report | None = None, **options: Any) -> None:
    from exports.usdm import write

    write(protocol, stream, **options)
