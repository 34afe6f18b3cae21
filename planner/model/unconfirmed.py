"""Every value of a protocol that is not yet confirmed, in document order.

Two kinds of value are not yet confirmed: a field in the ``TBC`` state (the
sources do not give it), and a quantity marked ``verify`` (taken from a
secondary source; it should be checked against the primary one). The checks,
the PDF appendix and the CRF cover sheet all list :func:`unconfirmed`, so they
list the same values under the same paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import cast

import attrs
from attrs import frozen

from planner.expr.nodes import Expr
from planner.model.design import Arm
from planner.model.values import TBC, Quantity

_KIND_LABEL = {
    "Arm": "arm", "Intervention": "intervention", "Visit": "visit", "Epoch": "epoch", "Item": "item",
    "Form": "form", "Codelist": "codelist", "Objective": "objective", "Endpoint": "endpoint",
    "Criterion": "criterion", "MonitoringRule": "monitoring rule", "Derivation": "derivation",
    "Procedure": "procedure", "Reference": "reference", "Pathway": "pathway",
}
_ROOT_LABEL = {
    "schedule": "schedule", "dictionary": "data dictionary", "population": "population",
    "animals": "animals", "sample_size": "sample size", "randomisation": "randomisation",
    "blinding": "blinding", "statistics": "statistics",
}
#: ``where`` of a field of the protocol itself.
TOP = "protocol"


def crumb(*parts: str) -> str:
    """Join breadcrumb parts: ``arm 'TOF+IGU' › intervention 'tofacitinib'``."""
    return " › ".join(p for p in parts if p)


def label(obj: object) -> str:
    """``kind 'id'`` for a model object (``arm 'TOF+IGU'``, ``criterion 'inc1'``)."""
    kind = _KIND_LABEL.get(type(obj).__name__, type(obj).__name__.lower())
    if isinstance(obj, Arm):
        return f"{kind} {obj.name!r}"
    for attr in ("id", "agent", "name", "key"):
        value = getattr(obj, attr, None)
        if isinstance(value, str):
            return f"{kind} {value!r}"
    return kind


def walk(obj: object, path: str = "$", where: str = "") -> Iterator[tuple[str, str, str, object]]:
    """``(path, breadcrumb, field, value)`` for every field value below ``obj``, in field order.

    Model objects are entered (rule expressions are not); ``TBC`` values and
    quantities are leaves; tuples yield each element with its index.
    """
    out: list[tuple[str, str, str, object]] = []
    _visit(obj, path, where, lambda *leaf: out.append(leaf))
    return iter(out)


_Leaf = Callable[[str, str, str, object], None]


def _visit(obj: object, path: str, where: str, leaf: _Leaf) -> None:
    """Call ``leaf(path, breadcrumb, field, value)`` for every field value below ``obj`` (see :func:`walk`)."""
    for name in _fields(type(obj)) or ():
        value = getattr(obj, name)
        here = where or _ROOT_LABEL.get(name, "")
        if isinstance(value, tuple):
            for i, el in enumerate(value):
                if _fields(type(el)) is not None:
                    _visit(el, f"{path}.{name}[{i}]", crumb(here, label(el)), leaf)
                else:
                    leaf(f"{path}.{name}[{i}]", here or TOP, name, el)
        elif _fields(type(value)) is not None:
            _visit(value, f"{path}.{name}", here, leaf)
        else:
            leaf(f"{path}.{name}", here or TOP, name, value)


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _fields(cls: type) -> tuple[str, ...] | None:
    """The field names of a model class that :func:`walk` enters, or ``None`` for a leaf (cached per class)."""
    try:
        return _FIELDS[cls]
    except KeyError:
        entered = attrs.has(cls) and not issubclass(cls, (Expr, TBC, Quantity))
        names = tuple(a.name for a in attrs.fields(cast("type[attrs.AttrsInstance]", cls))) if entered else None
        _FIELDS[cls] = names
        return names


@frozen
class Unconfirmed:
    """A value not yet confirmed: its path, the objects it belongs to, its field and why.

    ``verify`` is true for a quantity taken from a secondary source, false for
    a ``TBC`` field.
    """

    path: str
    where: str
    field: str
    reason: str
    verify: bool = False

    @property
    def place(self) -> str:
        """Where it is, for documents: ``arm 'TOF+IGU' › intervention 'tofacitinib' › dose``."""
        name = self.field.replace("_", " ")
        return name if self.where == TOP else crumb(self.where, name)

    @property
    def description(self) -> str:
        """What is missing, or what to check."""
        return f"{self.reason}; verify it against the primary source" if self.verify else self.reason


def unconfirmed(obj: object) -> tuple[Unconfirmed, ...]:
    """Every ``TBC`` field and every quantity marked ``verify`` below ``obj`` (a protocol), in order.

    The same values, paths and places as filtering :func:`walk`, checked
    as each leaf is visited: a CRF export lists them once per workbook, and a
    large protocol has tens of thousands of fields.
    """
    out: list[Unconfirmed] = []

    def found(path: str, where: str, name: str, value: object) -> None:
        if isinstance(value, TBC):
            out.append(Unconfirmed(path, where, name, value.reason))
        elif isinstance(value, Quantity) and value.verify:
            out.append(Unconfirmed(path, where, name, f"{value} comes from a secondary source", True))

    _visit(obj, "$", "", found)
    return tuple(out)
