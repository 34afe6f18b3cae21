"""Export formats behind one small interface.

Each format is a module with ``write(protocol, stream, **options)`` that
writes bytes to a binary stream and returns nothing (or a small result
object). Modules are imported only when used, so optional heavy libraries
cost nothing at start-up; a missing one names the extra to install.
Registration is explicit: add a line to :data:`FORMATS`.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import NamedTuple


class ExportFormat(NamedTuple):
    """A registered export: its key, the file name suffix, and the module that writes it."""

    key: str
    suffix: str
    module: str
    description: str
    requires: str

    def load(self) -> ModuleType:
        try:
            return importlib.import_module(self.module)
        except ModuleNotFoundError as exc:
            raise RuntimeError(
                f"the {self.key} export needs {self.requires}, which is not installed ({exc.name}); "
                f"reinstall protocol-planner with its dependencies: pip install protocol-planner"
            ) from None

    def filename(self, protocol_id: str) -> str:
        return f"{protocol_id}{self.suffix}"


FORMATS: dict[str, ExportFormat] = {
    "xlsx": ExportFormat("xlsx", "-crf.xlsx", "exports.xlsx", "Excel case-report forms", "openpyxl"),
    "pdf": ExportFormat("pdf", "-protocol.pdf", "exports.pdf", "PDF protocol document", "reportlab"),
    "dot": ExportFormat("dot", "-pathway.dot", "exports.dot", "Graphviz DOT of the decision pathway", "nothing"),
}
