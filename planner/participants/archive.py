"""Open an .xlsx package (a zip of XML parts) only when it is safe to read, whoever reads it next.

Every workbook that comes in from outside — a candidate or observation file,
a filled CRF — passes :func:`open_archive` before openpyxl or the fast CRF
reader sees it. It refuses, with one line per problem naming the part:

- more parts than :data:`~planner.limits.ARCHIVE_MEMBERS`;
- a part whose declared uncompressed size passes
  :data:`~planner.limits.ARCHIVE_MEMBER_BYTES`, all parts together past
  :data:`~planner.limits.ARCHIVE_TOTAL_BYTES`, or a part that expands more
  than :data:`~planner.limits.ARCHIVE_RATIO` times its compressed size (the
  zip bomb); small parts (under :data:`RATIO_FLOOR`) are exempt from the
  ratio, since a few kilobytes of repetitive XML compress well and cannot
  hurt;
- an XML part that declares a document type (``<!DOCTYPE``): the door to
  external entities and entity expansion ("billion laughs"). SpreadsheetML
  never has one. A DTD can only stand before the root element, so reading
  each part's prolog with expat (stopping at the first element) is enough:
  the parsers that read the part later can meet neither a DTD nor an
  entity other than the five predefined ones.

Declared sizes are not trusted alone: :func:`read_part` and :class:`BoundedPart`
read a part through a stream that stops at the smaller of its declared size
and the limit (and :mod:`zipfile` itself never returns more than the declared
size: a part that holds more fails its checksum).
"""

from __future__ import annotations

import io
import zipfile
from typing import IO, Final
from xml.parsers import expat

from planner import limits

__all__ = ["RATIO_FLOOR", "ArchiveError", "BoundedPart", "Prolog", "check", "check_prolog", "open_archive", "read_part"]

RATIO_FLOOR: Final = 1024 * 1024
"""Parts smaller than this (uncompressed) are not held to the expansion ratio."""
_CHUNK: Final = 4096
_MB: Final = 1024 * 1024


class ArchiveError(ValueError):
    """A workbook package refused before it is parsed; ``problems`` says why, one line per part."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems))


def _mb(size: int) -> str:
    return f"{size / _MB:.0f} MB" if size >= _MB else f"{size} bytes"


def _limit(info: zipfile.ZipInfo) -> int:
    return min(info.file_size, limits.ARCHIVE_MEMBER_BYTES)


class BoundedPart(io.RawIOBase):
    """A part of the package, read at most up to its declared size and the per-part limit."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        super().__init__()
        self._stream: IO[bytes] = archive.open(info)
        self._name = info.filename
        self._left = _limit(info)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._stream.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise ArchiveError([f"the workbook part {self._name} holds more than it declares or than "
                                f"{_mb(limits.ARCHIVE_MEMBER_BYTES)}: a damaged or tampered file; re-save it from "
                                "Excel"])
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


def read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    """The whole of a (small) part, through a :class:`BoundedPart`; ``KeyError`` when it is missing."""
    with BoundedPart(archive, archive.getinfo(name)) as stream:
        return stream.read()


class _Done(Exception):
    """The prolog ended: the first element began."""


class _Doctype(Exception):
    """The part declares a document type."""


def _refuse(*_: object) -> None:
    raise _Doctype


def _stop(*_: object) -> None:
    raise _Done


class Prolog:
    """Watches the first bytes of one XML part for a document type declaration, chunk by chunk.

    :meth:`feed` raises :class:`ArchiveError` on a DTD; once the first element
    has begun (or the bytes are not XML, which the part's own reader reports)
    :attr:`done` is true and later chunks are not looked at.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.done = False
        self._parser = expat.ParserCreate()
        self._parser.StartDoctypeDeclHandler = _refuse
        self._parser.EntityDeclHandler = _refuse
        self._parser.StartElementHandler = _stop

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if self.done:
            return
        try:
            self._parser.Parse(chunk, final)
        except _Doctype:
            self.done = True
            raise ArchiveError([f"the workbook part {self.name} declares a DTD; workbooks never do; re-save it "
                                "from Excel"]) from None
        except (_Done, expat.ExpatError):
            self.done = True
        else:
            self.done = final


def check_prolog(name: str, data: bytes) -> None:
    """Raise :class:`ArchiveError` when the part ``data`` (bytes already read) declares a DTD."""
    prolog = Prolog(name)
    for start in range(0, len(data), _CHUNK):
        prolog.feed(data[start: start + _CHUNK])
        if prolog.done:
            return
    prolog.feed(b"", True)


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    prolog = Prolog(info.filename)
    with BoundedPart(archive, info) as stream:
        while not prolog.done and (chunk := stream.read(_CHUNK)):
            prolog.feed(chunk)
    prolog.feed(b"", True)


def check(archive: zipfile.ZipFile, *, prologs: bool = True) -> None:
    """Raise :class:`ArchiveError` listing every part past a limit or (with ``prologs``) declaring a DTD.

    A reader that parses only some parts, and checks each one's prolog as
    it reads it (:class:`Prolog`), passes ``prologs=False``.
    """
    infos = archive.infolist()
    if len(infos) > limits.ARCHIVE_MEMBERS:
        raise ArchiveError([f"the workbook has {len(infos)} parts; at most {limits.ARCHIVE_MEMBERS} are read: it is "
                            "not a workbook saved by a spreadsheet program; re-save it from Excel"])
    problems: list[str] = []
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.ARCHIVE_MEMBER_BYTES:
            problems.append(f"the workbook part {info.filename} expands to {_mb(info.file_size)}; at most "
                            f"{_mb(limits.ARCHIVE_MEMBER_BYTES)} per part is read: split the workbook")
        elif info.file_size >= RATIO_FLOOR and info.file_size > limits.ARCHIVE_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            problems.append(f"the workbook part {info.filename} expands {ratio} times its compressed size (at most "
                            f"{limits.ARCHIVE_RATIO}): a zip bomb, or a damaged file; re-save it from Excel")
    if total > limits.ARCHIVE_TOTAL_BYTES:
        problems.append(f"the workbook's parts expand to {_mb(total)} in all; at most "
                        f"{_mb(limits.ARCHIVE_TOTAL_BYTES)} is read: split the workbook")
    if problems:
        raise ArchiveError(problems)
    for info in infos if prologs else ():
        if not info.is_dir():
            try:
                _check_member(archive, info)
            except ArchiveError as exc:
                problems.extend(exc.problems)
    if problems:
        raise ArchiveError(problems)


def open_archive(source: bytes | IO[bytes], *, prologs: bool = True) -> zipfile.ZipFile:
    """The package, checked (:func:`check`); raises :class:`ArchiveError`, or what :mod:`zipfile` raises."""
    if isinstance(source, bytes):
        size = len(source)
        stream: IO[bytes] = io.BytesIO(source)
    else:
        stream = source
        size = stream.seek(0, io.SEEK_END)
        stream.seek(0)
    if size > limits.DATA_BYTES:
        raise ArchiveError([f"the workbook is {_mb(size)}; at most {_mb(limits.DATA_BYTES)} is read: split it"])
    archive = zipfile.ZipFile(stream)
    try:
        check(archive, prologs=prologs)
    except BaseException:
        archive.close()
        raise
    return archive
