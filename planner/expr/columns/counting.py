"""``count(form, where=…)`` and ``count_distinct(form.item, where=…)`` over the records of a log.

Records whose ``where`` is unknown may or may not count, and a missing value
may or may not be a new distinct one: such candidates get a :class:`Span`
from the fewest to the most records that can count (as
:func:`planner.expr.bounds.distinct` says for one record).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from planner.expr.columns.ops import Fn, _defer, _Frame
from planner.expr.columns.values import Array, Mask, Part, Span, Values, _numeric


def _count(f: _Frame, form: str, where: Fn | None, distinct: str | None) -> Values:
    """``count(form, where=…)`` / ``count_distinct(form.item, where=…)`` on every candidate."""
    log = f.logs.get(form)
    if log is None:  # not a log: unknown, or (a value that is not a list) record by record
        v = f.items.get(form)
        return Values(f.shape, defer=None if v is None else _defer(v.known, v.defer))
    rows = log.rows
    defer = log.defer
    matched, maybe = rows, None  # records that count, and records that may (``where`` unknown)
    if where is not None:
        w = where(_Frame(rows.shape, log.items, {}))
        tv, tk = (np.broadcast_to(x, rows.shape) for x in w.truth())
        matched = rows & tv
        if not tk.all():
            maybe = rows & ~tk
            if not maybe.any():
                maybe = None
        if w.defer is not None:
            defer = _defer(defer, _rows_any(rows & w.defer))
    if distinct is None:
        lo = _rows_sum(matched)
        hi = lo if maybe is None else lo + _rows_sum(maybe)
    else:
        lo, hi, odd = _distinct_span(log.items.get(distinct), matched, maybe)
        if odd is not None:
            defer = _defer(defer, odd)
    if hi is lo:
        return Values(f.shape, num=Part(lo, log.present), whole=True, defer=defer)
    ranged = log.present & (lo != hi)
    return Values(f.shape, num=Part(lo, log.present & ~ranged), whole=True, defer=defer,
                  span=Span(lo, hi, ranged, True, covers=True))


def _distinct_span(col: Values | None, matched: Mask, maybe: Mask | None) -> tuple[Array, Array, Mask | None]:
    """``(lo, hi, deferred)``: the fewest and most distinct values among the matched (and maybe) records.

    A missing value may repeat a known one, or be new; the fewest is one when
    records match and no value is known. The most is worked out only for the
    few candidates with a record that may match or a missing value.
    """
    if col is None:  # the item is in no record: every value is missing
        blank_lo = _rows_any(matched)
        return blank_lo.astype(np.float64), _rows_sum(matched if maybe is None else matched | maybe), None
    odd = None
    if col.defer is not None:
        odd = _rows_any((matched if maybe is None else matched | maybe) & col.defer)
    lo = _distinct(col, matched)
    blank_matched = _rows_any(matched & ~col.known)
    idx = np.flatnonzero(blank_matched if maybe is None else blank_matched | _rows_any(maybe))
    if not idx.size:
        return lo, lo, odd
    # Elsewhere no value is missing and no record may match: the count is known.
    lo[idx] += (lo[idx] == 0) & blank_matched[idx]
    hi = lo.copy()
    sub, rows = _candidates(col, idx), matched[idx] if maybe is None else matched[idx] | maybe[idx]
    hi[idx] = _distinct(sub, rows) + _rows_sum(rows & ~sub.known)
    return lo, hi, odd


def _candidates(col: Values, idx: NDArray[np.intp]) -> Values:
    """The records of the candidates ``idx`` (rows of a log's ``(n, m)`` item)."""
    def part(p: Part | None) -> Part | None:
        return None if p is None else Part(np.broadcast_to(p.values, col.shape)[idx],
                                           np.broadcast_to(p.known, col.shape)[idx])

    whole = col.whole if isinstance(col.whole, bool) else np.broadcast_to(col.whole, col.shape)[idx]
    return Values((idx.size, col.shape[1]), num=part(col.num), whole=whole, flag=part(col.flag), text=part(col.text),
                  vocab=col.vocab, date=part(col.date))


def _rows_any(mask: Mask) -> Mask:
    """Per candidate: any record slot set (fast on Fortran-ordered logs)."""
    return np.asarray(mask.any(axis=1), dtype=np.bool_)


def _rows_sum(mask: Mask) -> NDArray[np.float64]:
    """Per candidate: how many record slots are set, as float64 counts."""
    total: Array = np.zeros(mask.shape[0], np.int16 if mask.shape[1] < 2**15 else np.int64)
    for j in range(mask.shape[1]):
        total += mask[:, j]
    return total.astype(np.float64)


def _distinct(col: Values, matched: Mask) -> NDArray[np.float64]:
    """Distinct known values per candidate among the ``matched`` records (Python's set semantics)."""
    parts = []
    num = _numeric(col)
    if num is not None:
        parts.append((num[0], num[1]))
    if col.text is not None:
        parts.append((col.text.values, col.text.known))
    if col.date is not None:
        parts.append((col.date.values, col.date.known))
    total = np.zeros(matched.shape[0])
    for x, known in parts:
        k = matched & known
        m = k.shape[1]
        if m > 16:  # many records: sort along the records, unknown slots last
            s = np.sort(np.where(k, x.astype(np.float64), np.nan), axis=1)
            n_known = k.sum(axis=1)
            changes = (s[:, 1:] != s[:, :-1]) & (np.arange(1, m) < n_known[:, None])
            total += (n_known > 0) + changes.sum(axis=1)
            continue
        # Few records: a slot's value counts where no earlier known slot has it.
        new = np.array(k, order="F")
        for j in range(1, m):
            for i in range(j):
                new[:, j] &= ~(k[:, i] & (x[:, i] == x[:, j]))
        total += _rows_sum(new)
    return total
