"""Shared pieces of the command line: resolving protocols, errors, safe writing."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from planner.model import Protocol


class Problems(Exception):
    """An error reported as one line per problem."""

    def __init__(self, lines: list[str] | str) -> None:
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__("\n".join(self.lines))


class BadInput(Problems):
    """Bad input or usage: printed one line per problem, exit code 2."""


class Refused(Problems):
    """An action refused to protect data (e.g. overwriting an edited file): one line per file, exit 1."""


def resolve_protocol(ref: str, *, names: bool = True) -> Protocol:
    """A shipped protocol by id, or a protocol file by path.

    A file whose rules read names it does not define forms a protocol, but
    screening, monitoring or exporting it would treat the typo as a value
    never entered; unless ``names`` is false (``check``, ``show``, ``dump``),
    it is refused with the findings ``check`` gives for it, code and words.
    """
    from pathlib import Path

    from protocols import REGISTRY

    if ref in REGISTRY:
        return REGISTRY[ref]()
    path = Path(ref)
    if not path.exists():
        known = ", ".join(sorted(REGISTRY))
        raise BadInput(f"{ref}: no such protocol id or file (shipped ids: {known})")
    check_input_file(path)
    from planner.serialize import LoadError, load

    try:
        protocol = load(path)
    except LoadError as exc:
        raise BadInput([f"{path}: {p}" for p in exc.problems]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: {unreadable(exc)}") from None
    if names:
        refuse_undefined_names(protocol, str(path))
    return protocol


def refuse_undefined_names(protocol: Protocol, source: str) -> None:
    """Raise :class:`BadInput` with one line per finding of the name checks (ELG001, MON016, END013)."""
    from planner.checks import NAME_CHECKS, check

    report = check(protocol, registry=NAME_CHECKS)
    if report.findings:
        raise BadInput([f"{source}: {f.path}: {f.code} {f.message}" for f in report.findings])


def check_input_file(path: Path) -> None:
    """Raise :class:`BadInput` unless ``path`` is an existing file (a folder is said to be one)."""
    if path.is_dir():
        raise BadInput(f"{path}: is a folder, not a file; give the path of a file in it")
    if not path.is_file():
        raise BadInput(f"{path}: no such file")


def unreadable(exc: OSError | UnicodeDecodeError) -> str:
    """Why a file could not be read, and what to do, in one line."""
    if isinstance(exc, UnicodeDecodeError):
        return (f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position {exc.start}); "
                "save it as UTF-8 text")
    return f"cannot read: {exc.strerror or exc}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    An interrupted write leaves either the old file or the new one, never a
    half-written file.
    """
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def emit(text: str, output: str | None, *, force: bool = False) -> None:
    """Print ``text``, or write it atomically to ``output`` through the overwrite guard (``planner.cli.guard``)."""
    from pathlib import Path

    from planner.cli.guard import claim

    if output is None or output == "-":
        sys.stdout.write(text)
        return
    path = Path(output)
    with claim([path], force=force) as out:
        out.write(path, text.encode("utf-8"))


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
