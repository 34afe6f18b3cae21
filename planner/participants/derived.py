"""Explanations of rule answers for many records: the values a rule read, naming items.

The derivations themselves are computed by :class:`planner.derive.Derivations`
(re-exported here), the one derivation engine.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from planner.derive import Derivations
from planner.expr import Count, Expr, Ref, compile_rule

__all__ = ["Derivations", "facts", "show_value"]


def facts(rule: Expr, record: Mapping[str, Any], unit_of: Mapping[str, str | None] | None = None) -> tuple[str, ...]:
    """The known values a rule reads, as ``name = value`` (counts of log records included)."""
    out: list[str] = []

    def visit(e: Expr) -> None:
        if isinstance(e, Ref):
            value = record.get(e.name)
            if value is not None:
                out.append(f"{e.name} = {show_value(value)}")
        elif isinstance(e, Count):
            n = compile_rule(e, unit_of)(record)
            if n is not None:
                out.append(f"{e} = {n}")
        else:
            for child in e.children():
                visit(child)

    visit(rule)
    return tuple(dict.fromkeys(out))


def show_value(value: object) -> str:
    """A value as rule text writes it: ``"RA"``, ``true``, ``1200``, ``2024-05-01``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
