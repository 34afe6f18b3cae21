"""The overwrite guard's test of an existing CRF workbook: was it changed since protocol-planner wrote it?"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def changed(path: Path) -> str | None:
    """Why an existing workbook must be kept, or None to replace it.

    Decided from the file against what protocol-planner wrote into it — the
    SHA-256 of every part, sealed in at write time (:mod:`exports.xlsx.seal`)
    — never from what the file says about itself: a note in an unused cell, a
    sheet of one's own or a damaged metadata sheet all keep the file. Only a
    CRF whose every part is exactly as written is replaced without ``--force``.
    Entered data, when the file can still be read as a CRF, is named too.
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
