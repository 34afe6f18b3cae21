"""Export formats behind one typed interface, :class:`Exporter`, registered in :data:`FORMATS`.

An exporter says what it is (``key``, file ``suffix``, ``label``), whether it
applies to a protocol (and why not), whether it writes one file per
participant, how to tell that an existing file at its target holds entered or
edited data (for the overwrite guard), and writes with
``write(protocol, stream, *, report=None, **options)``; ``report`` is the
protocol's check report when the caller already has one. The writing code is
imported only when used (:mod:`exports.writers`), so optional heavy
libraries cost nothing at start-up, and a missing one names what to install.

Adding a format is its own module, one line in :data:`FORMATS` and its test;
``build`` writes every registered format that applies, and ``export --to``
offers every key.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from pathlib import Path

    from planner.checks.engine import Report
    from planner.model import Protocol as StudyProtocol


class Exporter(Protocol):
    """What ``build``, ``export`` and the overwrite guard need to know of an export format."""

    key: str
    suffix: str
    label: str
    per_participant: bool

    def filename(self, protocol_id: str) -> str: ...

    def files(self, protocol: StudyProtocol) -> list[tuple[str, dict[str, Any]]]:
        """``(file name, write options)`` of every file written for ``protocol`` (one, unless the format has parts)."""

    def applies(self, protocol: StudyProtocol) -> str | None:
        """``None`` when the format applies to ``protocol``, else why not."""

    def holds_entered_data(self, path: Path) -> str | None:
        """Why the existing file at ``path`` must not be replaced, or ``None`` (``None`` also when untestable)."""

    def write(self, protocol: StudyProtocol, stream: IO[bytes], *, report: Report | None = None,
              **options: Any) -> None: ...


def _always(protocol: StudyProtocol) -> str | None:
    return None


def _has_pathway(protocol: StudyProtocol) -> str | None:
    return None if protocol.pathways else f"{protocol.id} has no decision pathway, so there is no DOT file to write"


def _redcap_names(protocol: StudyProtocol) -> str | None:
    from exports.redcap import project_of
    from exports.redcap.names import NameProblems

    try:
        project_of(protocol)
    except NameProblems as exc:
        return "REDCap cannot take these names of " + protocol.id + ":\n" + "\n".join(exc.problems)
    return None


def _redcap_parts(protocol: StudyProtocol) -> tuple[str, ...]:
    from exports.redcap import parts

    return parts(protocol)
class Unexportable(ValueError):
    """A protocol this format cannot carry as it is (e.g. names the format refuses): one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ExportFormat:
    """A registered export format: an :class:`Exporter` whose code lives in :mod:`exports.writers`."""

    key: str
    suffix: str
    label: str
    description: str
    writer: str
    requires: str = "nothing beyond protocol-planner"
    per_participant: bool = False
    guard: str | None = None
    """``module:function`` telling whether an existing file holds entered or edited data."""
    condition: Callable[[StudyProtocol], str | None] = _always
    parts: Callable[[StudyProtocol], tuple[str, ...]] | None = None
    """For a format written as several files: the suffix of each for a protocol, written with ``part=suffix``."""

    def filename(self, protocol_id: str) -> str:
        return f"{protocol_id}{self.suffix}"

    def files(self, protocol: StudyProtocol) -> list[tuple[str, dict[str, Any]]]:
        if self.parts is None:
            return [(self.filename(protocol.id), {})]
        return [(f"{protocol.id}{suffix}", {"part": suffix}) for suffix in self.parts(protocol)]

    def applies(self, protocol: StudyProtocol) -> str | None:
        return self.condition(protocol)

    def holds_entered_data(self, path: Path) -> str | None:
        if self.guard is None:
            return None
        module, _, name = self.guard.partition(":")
        check: Callable[[Path], str | None] = getattr(importlib.import_module(module), name)
        return check(path)

    def write(self, protocol: StudyProtocol, stream: IO[bytes], *, report: Report | None = None,
              **options: Any) -> None:
        from exports import writers

        try:
            fn = getattr(writers, self.writer)
            fn(protocol, stream, report=report, **options)
        except ModuleNotFoundError as exc:
            raise RuntimeError(
                f"the {self.key} export needs {self.requires}, which is not installed ({exc.name}); "
                f"reinstall protocol-planner with its dependencies: pip install protocol-planner") from None

    def load(self) -> Any:
        """The module that writes this format (for callers that need more than :meth:`write`)."""
        return importlib.import_module(f"exports.{self.key}")


FORMATS: dict[str, ExportFormat] = {f.key: f for f in (
    ExportFormat("check-json", "-check.json", "check report (JSON)", "the check report as JSON", "check_json"),
    ExportFormat("check-md", "-check.md", "check report (Markdown)", "the check report as Markdown", "check_md"),
    ExportFormat("yaml", ".yaml", "YAML source", "the canonical YAML source", "yaml"),
    ExportFormat("xlsx", "-crf.xlsx", "CRF workbook", "Excel case-report forms", "xlsx", "openpyxl",
                 per_participant=True, guard="exports.xlsx.guard:changed"),
    ExportFormat("pdf", "-protocol.pdf", "PDF protocol", "PDF protocol document", "pdf", "reportlab"),
    ExportFormat("odm", "-odm.xml", "CDISC ODM 1.3.2", "study metadata as CDISC ODM 1.3.2 XML (EDC set-up)", "odm",
                 "odmlib"),
    ExportFormat("usdm", "-usdm.json", "CDISC USDM 4.0", "the study as CDISC USDM 4.0 JSON (digital protocol)", "usdm"),
    ExportFormat("redcap", "-redcap-dictionary.csv", "REDCap", "REDCap data dictionary, events and data-quality "
                 "rules as CSV (EDC set-up)", "redcap", condition=_redcap_names, parts=_redcap_parts),
    ExportFormat("xlsform", "-xlsform.xlsx", "XLSForm", "the study as an XLSForm (ODK Central, KoboToolbox)", "xlsform",
                 "openpyxl"),
    ExportFormat("dot", "-pathway.dot", "pathway DOT", "Graphviz DOT of the decision pathway", "dot",
                 condition=_has_pathway),
)}
"""Every export format, in the order ``build`` writes them: one line per format."""
