"""A batch of records as columns: :class:`Columns`, and :class:`Log` for a repeating form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np
from attrs import evolve, field, frozen

from planner.expr.columns.values import _ABSENT, _GONE, _KIND, _NONE, Mask, Values, _Absent, _column

if TYPE_CHECKING:
    from planner.model import Protocol


@frozen(eq=False)
class Log:
    """A repeating form over a batch: which candidates have it, their records, and the records' items.

    ``present`` (shape ``(n,)``) is where the form is recorded at all — an
    empty list counts zero, a missing form is unknown; ``rows`` (``(n, m)``)
    marks the record slots in use. ``defer``/``extra`` keep values that are
    not lists of mappings, for record-by-record evaluation.
    """

    present: Mask
    rows: Mask
    items: Mapping[str, Values] = field(factory=dict)
    defer: Mask | None = None
    extra: Mapping[int, object] = field(factory=dict)


@frozen(eq=False)
class Columns:
    """A batch of ``size`` records, column by column (see the module notes for the layout)."""

    size: int
    items: Mapping[str, Values] = field(factory=dict)
    logs: Mapping[str, Log] = field(factory=dict)

    def __attrs_post_init__(self) -> None:
        for name, v in self.items.items():
            if v.shape != (self.size,):
                raise ValueError(f"column {name!r} has shape {v.shape}, expected ({self.size},)")
        for form, log in self.logs.items():
            if log.present.shape != (self.size,) or log.rows.ndim != 2 or log.rows.shape[0] != self.size:
                raise ValueError(f"form {form!r}: 'present' must be ({self.size},) and 'rows' ({self.size}, m)")
            for name, v in log.items.items():
                if v.shape != log.rows.shape:
                    raise ValueError(f"item {name!r} of form {form!r} has shape {v.shape}, expected "
                                     f"{log.rows.shape}")

    def __len__(self) -> int:
        return self.size

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]],
                     protocol_or_item_types: Protocol | Mapping[str, str] | None = None) -> Columns:
        """Convert Python records (as :func:`~planner.expr.evaluate` reads them) to columns.

        ``protocol_or_item_types`` names the repeating forms — a protocol's
        dictionary, or item names to types with ``form.item`` for the items of
        a log (``{"age": "integer", "ae.serious": "boolean"}``) — and declared
        items the records never mention still get an (unknown) column. A key
        whose values are lists is a log too. Kinds come from the values.
        """
        rows = list(records)
        forms, declared = _declared(protocol_or_item_types)
        seen = dict.fromkeys(chain.from_iterable(rows))
        n = len(rows)
        items: dict[str, Values] = {}
        logs: dict[str, Log] = {}
        for key in seen:
            values = [r.get(key, _ABSENT) for r in rows]
            if key in forms or list in set(map(type, values)):
                logs[key] = _log(values, [k.partition(".")[2] for k in declared if k.startswith(key + ".")])
            else:
                items[key] = _column(values, (n,))
        for key in declared:  # declared but in no record: unknown everywhere
            form = key.partition(".")[0] if "." in key else None
            if form in forms and form not in logs:
                names = [k.partition(".")[2] for k in declared if k.startswith(form + ".")]
                logs[form] = Log(np.zeros(n, np.bool_), np.zeros((n, 0), np.bool_, order="F"),
                                 {k: Values((n, 0)) for k in names})
            elif form not in forms and key not in items and key not in logs:
                items[key] = Values((n,), present=np.zeros(n, np.bool_))
        return cls(len(rows), items, logs)

    def with_items(self, items: Mapping[str, Values]) -> Columns:
        """A batch with ``items`` added (or replacing columns of the same name)."""
        return evolve(self, items={**self.items, **items})

    def record(self, i: int) -> dict[str, Any]:
        """Record ``i`` rebuilt as a Python mapping, as :meth:`from_records` read it."""
        out: dict[str, Any] = {}
        for name, v in self.items.items():
            if v.present is None or v.present[i]:
                out[name] = v.item((i,))
        for form, log in self.logs.items():
            if i in log.extra:
                out[form] = log.extra[i]
            elif log.present[i]:
                out[form] = [{k: v.item((i, j)) for k, v in log.items.items() if v.present is None or v.present[i, j]}
                             for j in np.flatnonzero(log.rows[i]).tolist()]
        return out


# -- building columns from Python values ------------------------------------------------


def _declared(spec: Protocol | Mapping[str, str] | None) -> tuple[set[str], list[str]]:
    if spec is None:
        return set(), []
    if isinstance(spec, Mapping):
        names = list(spec)
    else:
        names = list(spec.dictionary.items())
    return {n.partition(".")[0] for n in names if "." in n}, names


def _log(values: list[object], declared: Sequence[str]) -> Log:
    """A repeating form from each record's value under the form's key (a list of mappings, or not)."""
    n = len(values)
    extra: dict[int, object] = {}
    lists: list[Sequence[Any]] = [v if type(v) is list else () for v in values]
    if not set(map(type, values)) <= {list, type(None), _Absent}:
        extra.update((i, v) for i, v in enumerate(values) if type(v) not in (list, type(None), _Absent))
    flat: list[Any] = list(chain.from_iterable(lists))
    if not set(map(type, flat)) <= {dict}:  # a record that is not a mapping: keep the candidate's list as it is
        for i, v in enumerate(lists):
            if any(type(row) is not dict for row in v):
                extra[i], lists[i] = v, ()
        flat = list(chain.from_iterable(lists))
    lengths = np.fromiter(map(len, lists), np.intp, n)
    m = int(lengths.max(initial=0))
    candidate = np.repeat(np.arange(n), lengths)
    slot = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    rows = np.zeros((n, m), np.bool_, order="F")
    rows[candidate, slot] = True
    keys = dict.fromkeys(declared)
    keys.update(dict.fromkeys(chain.from_iterable(flat)))
    items = {k: _column([row.get(k, _ABSENT) for row in flat], (n, m), (candidate, slot)) for k in keys}
    kinds = np.fromiter(map(_KIND.__getitem__, map(type, values)), np.int8, n)
    present = (kinds != _NONE) & (kinds != _GONE)
    defer = None
    if extra:
        defer = np.zeros(n, np.bool_)
        defer[list(extra)] = True
    return Log(present, rows, items, defer, extra)
