"""Never overwrite a file a person has edited: the one guard every command that writes files goes through.

A command first *claims* all the paths it is going to write, before it
writes any of them. For each path that already exists:

- a file protocol-planner wrote there and that nobody changed since (its
  SHA-256 equals the one recorded in the folder's :data:`MANIFEST`) is
  replaced silently, so a re-run over the tool's own output just works;
- a file the manifest records but whose content differs is kept, whatever
  it holds;
- a file the manifest does not record is judged by its kind's own test when
  it has one: the Excel CRF carries the SHA-256 of each of its parts, sealed
  in when it was written, and is replaced only if every part is unchanged;
- anything else — a file edited since, a file the tool never wrote — is
  refused: exit 1, one line per file, and nothing at all is written. With
  ``--force`` each such file is first copied to
  ``<stem>.backup-<timestamp><suffix>`` (never over an existing backup).

Writing goes through :class:`Outputs`, which writes each file atomically and
records its SHA-256 in the manifest of its folder as soon as the file lands,
so a run killed half-way (even by ``kill -9``) still knows every file it
finished. Writing to stdout never
comes here. Why a manifest and not a fingerprint inside each file:
``docs/decisions.md``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Final

from planner.cli.common import BadInput, Refused, write_atomic

if TYPE_CHECKING:
    from pathlib import Path
    from types import TracebackType

MANIFEST: Final = ".protocol-planner-manifest.json"
"""The file, in every folder protocol-planner writes into, recording the SHA-256 of each file it wrote there."""

FORCE_HELP: Final = ("replace files a person has edited or filled in, or that protocol-planner did not write, "
                     "after copying each to STEM.backup-TIMESTAMP.SUFFIX beside it")
"""The help text of ``--force``, the same for every command that writes files."""

_FORMAT: Final = "protocol-planner-manifest"
_VERSION: Final = 1
_ABOUT: Final = ("Files protocol-planner wrote in this folder, with the SHA-256 of what it wrote. A file whose "
                 "content still matches is replaced on the next run; any other file is kept unless --force is "
                 "given. Deleting this file makes every file here count as not written by protocol-planner.")

Inspect = Callable[["Path"], "str | None"]
"""A kind of file's own test: why an existing file must be kept (e.g. it holds entered data), or None to replace it."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(folder: Path) -> dict[str, str]:
    """File name → SHA-256 of what protocol-planner last wrote there; empty when there is no usable manifest.

    An unreadable or foreign manifest vouches for nothing, so every existing
    file is then kept: the guard fails safe.
    """
    try:
        data = json.loads((folder / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != _FORMAT or not isinstance(data.get("files"), dict):
        return {}
    return {name: digest for name, digest in data["files"].items() if isinstance(digest, str)}


def _save_manifest(folder: Path, written: Mapping[str, str]) -> None:
    """Record ``written`` (name → SHA-256) in ``folder``'s manifest, dropping entries of files gone since."""
    files = {name: digest for name, digest in read_manifest(folder).items() if (folder / name).is_file()}
    files.update(written)
    data = {"format": _FORMAT, "version": _VERSION, "about": _ABOUT, "files": dict(sorted(files.items()))}
    write_atomic(folder / MANIFEST, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def keep_reason(path: Path, manifest: Mapping[str, str], inspect: Inspect | None = None) -> str | None:
    """Why the existing file at ``path`` must not be replaced, or None when it is safe to replace."""
    recorded = manifest.get(path.name)
    if recorded is not None:  # the manifest knows what we wrote: it alone decides
        if recorded == sha256(path.read_bytes()):
            return None
        detail = inspect(path) if inspect is not None else None  # only to say more about the change
        return detail or "it was changed after protocol-planner wrote it"
    if inspect is not None:  # a kind of file that records what we wrote inside itself
        return inspect(path)
    return f"protocol-planner did not write it (no record in {path.parent / MANIFEST})"


def back_up(path: Path) -> Path:
    """Copy ``path`` to ``<stem>.backup-<timestamp><suffix>`` beside it, never over an existing file."""
    data = path.read_bytes()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    n = 1
    while True:
        tag = stamp if n == 1 else f"{stamp}-{n}"
        backup = path.with_name(f"{path.stem}.backup-{tag}{path.suffix}")
        try:
            fh = open(backup, "xb")  # noqa: SIM115 - closed below; "x" refuses an existing file
        except FileExistsError:
            n += 1
            continue
        try:
            with fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(backup, path.stat().st_mode & 0o777)
        except BaseException:
            backup.unlink(missing_ok=True)
            raise
        return backup


def claim(paths: Iterable[Path], *, force: bool, inspect: Mapping[Path, Inspect] | None = None,
          keep: str | None = None) -> Outputs:
    """Check every path a run is going to write, before it writes any; return the :class:`Outputs` to write them.

    ``inspect`` gives some paths a test of their own (see :data:`Inspect`).
    ``keep``, when given, is why *every* existing file is kept, even the
    tool's own untouched output (an allocation list may already be in use).
    Raises :class:`Refused` (one line per kept file) unless ``force``; with
    ``force``, backs each kept file up first and says so on stderr. Raises
    :class:`BadInput` for a path that is a folder, is named like the
    manifest, or cannot be read.
    """
    targets = list(dict.fromkeys(paths))
    tests = inspect or {}
    manifests: dict[Path, dict[str, str]] = {}
    kept: list[tuple[Path, str]] = []
    for path in targets:
        if path.name == MANIFEST:
            raise BadInput(f"{path}: {MANIFEST} is protocol-planner's record of the files it wrote; "
                           "choose another name")
        if path.is_dir():
            raise BadInput(f"{path}: is a folder; give a file name")
        if not path.exists():
            continue
        if path.parent not in manifests:
            manifests[path.parent] = read_manifest(path.parent)
        try:
            why = keep if keep is not None else keep_reason(path, manifests[path.parent], tests.get(path))
        except OSError as exc:
            raise BadInput(f"{path}: cannot read: {exc.strerror or exc}") from None
        if why is not None:
            kept.append((path, why))
    if kept and not force:
        lines = [f"{path}: not overwritten: {why}; use --force to replace it after a backup" for path, why in kept]
        raise Refused([*lines, "nothing was written"])
    backups = [(path, back_up(path)) for path, _ in kept]
    for original, backup in backups:
        print(f"kept a backup of {original} as {backup}", file=sys.stderr)
    return Outputs(targets, backups)


class Outputs:
    """The files one run claimed with :func:`claim`: write each with :meth:`write` inside a ``with`` block.

    Leaving the block records what was written in each folder's manifest.
    """

    def __init__(self, paths: Iterable[Path], backups: list[tuple[Path, Path]]) -> None:
        self.paths = frozenset(paths)
        self.backups = backups
        """``(original, backup)`` of every file kept aside by ``--force``."""
        self._written: dict[Path, dict[str, str]] = {}

    def write(self, path: Path, data: bytes) -> None:
        """Write ``data`` to a claimed ``path`` atomically."""
        if path not in self.paths:
            raise ValueError(f"{path} was not claimed before writing")
        try:
            write_atomic(path, data)
        except OSError as exc:
            raise BadInput(f"{path}: cannot write: {exc.strerror or exc}") from None
        digest = sha256(data)
        self._written.setdefault(path.parent, {})[path.name] = digest
        try:  # recorded as the file lands: a run killed later still knows every file it finished
            _save_manifest(path.parent, {path.name: digest})
        except OSError as exc:
            raise BadInput(f"{path.parent / MANIFEST}: cannot write: {exc.strerror or exc}") from None

    def close(self) -> None:
        """Record the files written so far in their folders' manifests."""
        written, self._written = self._written, {}
        for folder, files in written.items():
            try:
                _save_manifest(folder, files)
            except OSError as exc:
                raise BadInput(f"{folder / MANIFEST}: cannot write: {exc.strerror or exc}") from None

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
