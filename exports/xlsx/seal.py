"""A record, inside each CRF workbook, of what protocol-planner wrote: the SHA-256 of every part.

The overwrite guard must tell "a blank CRF we wrote" from "a CRF someone
touched" even when the folder's manifest does not vouch for the file (it was
copied, or the manifest deleted). It must not believe what the file says
about itself — a note typed into an unused cell, a sheet of one's own or a
damaged metadata sheet leave the declared entry ranges blank. So at write
time :func:`seal` adds one part, ``docProps/protocol-planner-seal.xml``,
listing every other part of the package with the SHA-256 of its bytes;
:func:`changes` re-hashes the file and names what differs. Any edit in Excel
rewrites the parts it saves, so it shows; a part added or removed shows; a
forged seal can only vouch for parts whose bytes are exactly ours.

The seal is an unreferenced XML part (covered by the package's default
``xml`` content type), which Excel and LibreOffice ignore and drop when
they save — and a missing seal means "keep the file".
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Final
from xml.sax.saxutils import quoteattr

SEAL_PART: Final = "docProps/protocol-planner-seal.xml"
_NS: Final = "https://protocol-planner.invalid/seal/1"
_MAX_PARTS: Final = 10_000
_MAX_BYTES: Final = 256 * 1024 * 1024
"""A sealed CRF is far smaller; a larger package is not ours, and is kept without reading it all."""


def seal(package: bytes) -> bytes:
    """``package`` (an .xlsx) with the seal part added: every part's name and SHA-256.

    The seal is appended to the package; the other parts are not recompressed.
    A package already sealed is sealed afresh (its old seal is not listed).
    """
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        infos = source.infolist()
        if any(i.filename == SEAL_PART for i in infos):
            return seal(_without_seal(source))
        lines = [f'  <part name={quoteattr(i.filename)} sha256="{hashlib.sha256(source.read(i)).hexdigest()}"/>'
                 for i in infos]
    body = "\n".join([f'<?xml version="1.0" encoding="UTF-8"?>\n<seal xmlns="{_NS}">', *lines, "</seal>\n"])
    stamp = zipfile.ZipInfo(SEAL_PART, date_time=infos[0].date_time if infos else (1980, 1, 1, 0, 0, 0))
    stamp.compress_type = zipfile.ZIP_DEFLATED
    out = io.BytesIO(package)
    with zipfile.ZipFile(out, "a") as target:
        target.writestr(stamp, body.encode("utf-8"))
    return out.getvalue()


def _without_seal(source: zipfile.ZipFile) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != SEAL_PART:
                target.writestr(info, source.read(info), compress_type=info.compress_type)
    return out.getvalue()


def changes(package: bytes) -> str | None:
    """What differs between ``package`` and what protocol-planner sealed into it, or ``None`` if nothing does."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(package))
        infos = zf.infolist()
        if len(infos) > _MAX_PARTS or sum(i.file_size for i in infos) > _MAX_BYTES:
            return "it is larger than any workbook protocol-planner writes"
        names = {i.filename for i in infos}
        if SEAL_PART not in names:
            return "it holds no protocol-planner seal (another program saved it, or protocol-planner did not write it)"
        recorded = _read_seal(zf.read(SEAL_PART))
        if recorded is None:
            return "its protocol-planner seal is damaged"
        present = names - {SEAL_PART}
        added, removed = sorted(present - set(recorded)), sorted(set(recorded) - present)
        if added:
            return f"part {added[0]} was added since protocol-planner wrote it"
        if removed:
            return f"part {removed[0]} was removed since protocol-planner wrote it"
        for info in infos:
            if info.filename == SEAL_PART:
                continue
            if hashlib.sha256(_bounded(zf, info)).hexdigest() != recorded[info.filename]:
                return f"part {info.filename} changed since protocol-planner wrote it"
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
        return f"it is not a readable .xlsx workbook ({type(exc).__name__})"
    return None


def _bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A part's bytes, refusing to inflate past its declared size (a zip bomb lies about it)."""
    with zf.open(info) as fh:
        data = fh.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise ValueError(f"{info.filename} inflates past its declared size")
    return data


def _read_seal(data: bytes) -> dict[str, str] | None:
    import xml.parsers.expat

    found: dict[str, str] = {}
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")

    def refuse(*_: object) -> None:
        raise ValueError("a DTD in the seal")

    def start(name: str, attrs: dict[str, str]) -> None:
        if name == f"{_NS} part" and "name" in attrs and "sha256" in attrs:
            found[attrs["name"]] = attrs["sha256"]

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except (xml.parsers.expat.ExpatError, ValueError):
        return None
    return found
