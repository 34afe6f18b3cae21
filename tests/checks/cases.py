"""Small protocol cases for the checks: a clean base document plus overrides.

A case file in ``cases/`` starts with comment lines::

    # expect: ELG006, ELG008     (the exact set of codes it must produce; empty = none)
    # base: preclinical          (optional; default clinical)
    # Why the case fails or passes, in a sentence.

and its YAML body is merged into the base: mappings merge key by key, a list
replaces the base list, ``key+`` appends to the base list, ``key[i]`` merges
into the i-th element, and ``null`` removes the key.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

from planner.model import Protocol
from planner.serialize import structure

HERE = Path(__file__).parent
CASES = HERE / "cases"
_INDEXED = re.compile(r"^(\w+)\[(\d+)\]$")


def merge(base: Any, overrides: dict[str, Any]) -> Any:
    """``base`` with ``overrides`` applied (a new object; ``base`` is not changed)."""
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        indexed = _INDEXED.match(key)
        if indexed:
            name, index = indexed.group(1), int(indexed.group(2))
            out[name][index] = merge(out[name][index], value)
        elif key.endswith("+"):
            out[key[:-1]] = [*out.get(key[:-1], []), *value]
        elif value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def header(path: Path) -> dict[str, str]:
    """The ``# name: value`` lines at the top of a case file."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        name, sep, value = line[1:].partition(":")
        if sep and name.strip() in ("expect", "base"):
            out[name.strip()] = value.strip()
    return out


def expected(path: Path) -> frozenset[str]:
    return frozenset(c.strip() for c in header(path).get("expect", "").split(",") if c.strip())


def base_data(kind: str = "clinical") -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((HERE / f"base_{kind}.yaml").read_text(encoding="utf-8"))
    return data


def load_case(path: Path) -> Protocol:
    overrides = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return structure(merge(base_data(header(path).get("base", "clinical")), overrides))


def case_files() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))
