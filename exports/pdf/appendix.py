"""What the appendix lists: every "to be confirmed" field and the check findings."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from exports.pdf.blocks import FindingRow, TbcItem
from planner.checks.engine import Finding
from planner.expr.nodes import Expr
from planner.model import TBC, Protocol

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NAMES = ("name", "agent", "label", "key", "id")


def _kind(obj: object) -> str:
    return _CAMEL.sub(" ", type(obj).__name__).lower()


def _describe(obj: object) -> str:
    """``arm 'TOF+IGU'``: the kind of an object and the first name it has."""
    for attr in _NAMES:
        v = getattr(obj, attr, None)
        if isinstance(v, str) and v:
            return f"{_kind(obj)} '{v}'"
    return _kind(obj)


def collect_tbc(protocol: Protocol) -> tuple[TbcItem, ...]:
    """Every field of the protocol in the "to be confirmed" state, in model order.

    The walk is generic over the attrs classes, so a field added to the model
    later is listed without a change here.
    """
    return tuple(_walk(protocol, "$", ()))


def _walk(obj: Any, path: str, where: tuple[str, ...]) -> Iterator[TbcItem]:
    if isinstance(obj, TBC):
        yield TbcItem(path, " › ".join(where) or "protocol", obj.reason)
    elif isinstance(obj, (Expr, enum.Enum, str)):
        return
    elif attrs.has(type(obj)):
        for f in attrs.fields(type(obj)):
            v = getattr(obj, f.name)
            label = f.name.replace("_", " ")
            step = where if isinstance(v, tuple) and v and attrs.has(type(v[0])) else (*where, label)
            yield from _walk(v, f"{path}.{f.name}", step)
    elif isinstance(obj, tuple):
        for i, x in enumerate(obj):
            step = (*where, _describe(x)) if attrs.has(type(x)) else where
            yield from _walk(x, f"{path}[{i}]", step)


def finding_rows(findings: Iterable[Finding]) -> tuple[FindingRow, ...]:
    """Check findings as the document lists them: errors first, registry order within a severity."""
    rank = {"error": 0, "warning": 1, "info": 2}
    rows = [FindingRow(code=f.code, severity=f.severity.value, area=f.area.value, path=f.path,
                       message=f.message, hint=f.hint) for f in findings]
    return tuple(sorted(rows, key=lambda r: rank.get(r.severity, 3)))


def collect_findings(protocol: Protocol) -> tuple[FindingRow, ...]:
    """Run the planner checks and return their findings for Appendix B."""
    from planner.checks import check

    return finding_rows(check(protocol).findings)
