"""The values of a batch: :class:`Values` (a column, by kind), :class:`Part`, :class:`Truth`.

Also :class:`Span`, the rows known only between two ends (a count over
records partly unknown, see :mod:`planner.expr.bounds`), the conversion of
Python values to columns (:func:`_column`, :func:`_scalar`) and the small mask
helpers the other modules share. See :mod:`planner.expr.columns` for the layout.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, TypeAlias

import numpy as np
from attrs import evolve, field, frozen
from numpy.typing import ArrayLike, NDArray

from planner.expr.bounds import Bounds

Mask: TypeAlias = "NDArray[np.bool_]"
Array: TypeAlias = "NDArray[Any]"
Index: TypeAlias = tuple[int, ...]
BIG: Final = 2.0**53
"""Python ints at or beyond this size are not exact in float64: such rows are deferred."""


class _Absent:
    """A key the record does not have (``None`` is a key with no value)."""


_ABSENT: Final = _Absent()
_NONE, _FLAG, _INT, _FLOAT, _TEXT, _DATE, _OTHER, _GONE, _SPAN = range(9)
_KIND: defaultdict[type, int] = defaultdict(lambda: _OTHER, {
    type(None): _NONE, bool: _FLAG, int: _INT, float: _FLOAT, str: _TEXT, dt.date: _DATE, _Absent: _GONE,
    Bounds: _SPAN})
_CMP: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne}
_ARITH: Final[dict[str, Callable[[Any, Any], Any]]] = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide}


@frozen(eq=False)
class Part:
    """Values of one kind and the rows where they are known (the values elsewhere mean nothing)."""

    values: Array
    known: Mask


@frozen(eq=False)
class Span:
    """Numbers known only between ``lo`` and ``hi`` (a :class:`~planner.expr.bounds.Bounds` per row where ``known``).

    ``whole`` marks rows whose number is an integer (a count). A row with a
    span has no other part known: it is neither a value nor unknown.
    ``covers``: ``lo`` and ``hi`` also hold the number on every row where the
    ``num`` part is known (so comparisons need not merge the two).
    """

    lo: Array
    hi: Array
    known: Mask
    whole: Mask | bool = False
    covers: bool = False


@frozen(eq=False)
class Values:
    """What an item, or an expression, holds on every row of a batch, by kind (see the module notes).

    ``defer`` marks rows only record-by-record evaluation can answer, with the
    original value in ``extra`` for a stored column. ``present`` marks the
    rows whose record has the key at all (``None``: every row); it matters
    only for ``form.item`` names, which fall back to ``item`` where absent.
    ``span`` holds the rows known only between two ends.
    """

    shape: tuple[int, ...]
    num: Part | None = None
    whole: Mask | bool = False
    flag: Part | None = None
    text: Part | None = None
    vocab: tuple[str, ...] = ()
    date: Part | None = None
    defer: Mask | None = None
    extra: Mapping[Index, object] = field(factory=dict)
    present: Mask | None = None
    span: Span | None = None

    @classmethod
    def numbers(cls, values: ArrayLike, known: ArrayLike | None = None, *, whole: bool = False) -> Values:
        """Numbers (``float64``); unknown where ``known`` is false, by default where NaN.

        ``whole=True`` says the numbers are integers (as Python ``int``: the
        score derivations accept them; they must be below 2**53).
        """
        x = np.asarray(values, dtype=np.float64)
        k = ~np.isnan(x) if known is None else np.broadcast_to(np.asarray(known, dtype=np.bool_), x.shape)
        return cls(x.shape, num=Part(x, k), whole=whole)

    @classmethod
    def flags(cls, values: ArrayLike, known: ArrayLike | None = None) -> Values:
        """Booleans; unknown where ``known`` is false (by default all known)."""
        x = np.asarray(values, dtype=np.bool_)
        return cls(x.shape, flag=Part(x, _mask(known, x.shape)))

    @classmethod
    def texts(cls, values: Sequence[str | None] | Array) -> Values:
        """Strings, coded against their sorted vocabulary; ``None`` is unknown."""
        array = np.asarray(values, dtype=object)
        seq, shape = array.ravel().tolist(), array.shape
        vocab = tuple(sorted({s for s in seq if s is not None}))
        code = {s: i for i, s in enumerate(vocab)}
        codes = np.fromiter((code.get(s, 0) for s in seq), np.int32, len(seq)).reshape(shape)
        known = np.fromiter((s is not None for s in seq), np.bool_, len(seq)).reshape(shape)
        return cls(shape, text=Part(codes, known), vocab=vocab)

    @classmethod
    def coded(cls, codes: ArrayLike, vocab: Sequence[str], known: ArrayLike | None = None) -> Values:
        """Strings given as integer codes into ``vocab``, which must be sorted and unique."""
        words = tuple(vocab)
        if list(words) != sorted(set(words)):
            raise ValueError("the vocabulary of coded text must be sorted and without repeats")
        c = np.asarray(codes, dtype=np.int32)
        return cls(c.shape, text=Part(c, _mask(known, c.shape)), vocab=words)

    @classmethod
    def dates(cls, values: ArrayLike, known: ArrayLike | None = None) -> Values:
        """Dates as ``datetime64`` (NaT unknown) or as proleptic ordinals."""
        x = np.asarray(values)
        if np.issubdtype(x.dtype, np.datetime64):
            days = x.astype("datetime64[D]")
            k = ~np.isnat(days) if known is None else _mask(known, x.shape)
            ordinals = days.astype(np.int64) + dt.date(1970, 1, 1).toordinal()
            return cls(x.shape, date=Part(ordinals, k))
        return cls(x.shape, date=Part(x.astype(np.int64), _mask(known, x.shape)))

    @classmethod
    def from_list(cls, values: Sequence[object], shape: tuple[int, ...] | None = None) -> Values:
        """Python values of any types (``None`` unknown), as :meth:`Columns.from_records` converts them."""
        return _column(list(values), (len(values),) if shape is None else shape)

    @property
    def known(self) -> Mask:
        """Rows with a value of some kind (deferred rows aside)."""
        return _any([p.known for p in (self.num, self.flag, self.text, self.date) if p is not None], self.shape)

    def truth(self) -> tuple[Mask, Mask]:
        """``(value, known)``: Python's truthiness of each known value; ``value`` is false where unknown.

        A span is true where zero is not between its ends, else unknown.
        """
        if self.span is not None:
            s = self.span
            nonzero = s.known & ((s.lo > 0) | (s.hi < 0))
            value, known = evolve(self, span=None).truth()
            return value | nonzero, known | nonzero
        if self.flag is not None and self.num is None and self.text is None and self.date is None:
            return self.flag.values & self.flag.known, self.flag.known
        hits: list[Mask] = []
        if self.num is not None:
            hits.append(self.num.known & (self.num.values != 0))  # NaN is true, as in Python
        if self.flag is not None:
            hits.append(self.flag.known & self.flag.values)
        if self.text is not None:
            empty = self.vocab.index("") if "" in self.vocab else -1
            hits.append(self.text.known & (self.text.values != empty))
        if self.date is not None:
            hits.append(self.date.known)
        return _any(hits, self.shape), self.known

    def item(self, index: Index) -> object:
        """The Python value at ``index`` (``None`` if unknown), as the record held it."""
        if index in self.extra:
            return self.extra[index]
        if self.defer is not None and _at(self.defer, index, self.shape):
            raise LookupError(f"row {index} is deferred and has no stored value")
        if self.flag is not None and _at(self.flag.known, index, self.shape):
            return bool(_at(self.flag.values, index, self.shape))
        if self.num is not None and _at(self.num.known, index, self.shape):
            x = float(_at(self.num.values, index, self.shape))
            return int(x) if _at(np.asarray(self.whole), index, self.shape) else x
        if self.text is not None and _at(self.text.known, index, self.shape):
            return self.vocab[int(_at(self.text.values, index, self.shape))]
        if self.date is not None and _at(self.date.known, index, self.shape):
            return dt.date.fromordinal(int(_at(self.date.values, index, self.shape)))
        if self.span is not None and _at(self.span.known, index, self.shape):
            lo, hi = float(_at(self.span.lo, index, self.shape)), float(_at(self.span.hi, index, self.shape))
            if _at(np.asarray(self.span.whole), index, self.shape):
                return Bounds(int(lo), int(hi), True)
            return Bounds(lo, hi)
        return None

    def to_list(self) -> list[object]:
        """Every row's Python value, for a one-dimensional batch."""
        return [self.item((i,)) for i in range(self.shape[0])]


@frozen(eq=False)
class Truth:
    """A three-valued answer per record: ``value`` (false where unknown) and ``known``."""

    value: Mask
    known: Mask

    def to_list(self) -> list[bool | None]:
        """``True``, ``False`` or ``None`` per record, as :func:`~planner.expr.compile_rule` answers."""
        return [bool(v) if k else None for v, k in zip(self.value.tolist(), self.known.tolist(), strict=True)]


def _mask(known: ArrayLike | None, shape: tuple[int, ...]) -> Mask:
    if known is None:
        return np.ones(shape, np.bool_)
    return np.broadcast_to(np.asarray(known, dtype=np.bool_), shape)


def _at(array: Array, index: Index, shape: tuple[int, ...]) -> Any:
    return np.broadcast_to(array, shape)[index]


def _any(masks: Sequence[Mask], shape: tuple[int, ...]) -> Mask:
    """The union of ``masks`` (broadcast), or all false."""
    if not masks:
        return np.zeros(shape, np.bool_)
    out = masks[0]
    for m in masks[1:]:
        out = out | m
    return out


def _shape(*vs: Values) -> tuple[int, ...]:
    return tuple(np.broadcast_shapes(*(v.shape for v in vs)))


def _numeric(v: Values) -> tuple[Array, Mask, Mask | bool] | None:
    """Numbers and booleans together, as Python compares and adds them: ``(values, known, whole)``."""
    if v.flag is None:
        return None if v.num is None else (v.num.values, v.num.known, v.whole)
    if v.num is None:
        return v.flag.values, v.flag.known, True
    fk = v.flag.known
    return np.where(fk, v.flag.values, v.num.values), fk | v.num.known, np.logical_or(v.whole, fk)


def _column(values: list[object], shape: tuple[int, ...],  # noqa: C901 - one branch per kind
            at: tuple[NDArray[np.intp], NDArray[np.intp]] | None = None) -> Values:
    """Python values (``_ABSENT`` for a missing key) as a :class:`Values` of ``shape``.

    One-dimensional, the values are the rows in order; for a log, ``at``
    gives each value's ``(candidate, record slot)`` in the ``(n, m)`` arrays,
    which are in Fortran order: a record slot's values are contiguous.
    """
    size = len(values)
    kinds = np.fromiter(map(_KIND.__getitem__, map(type, values)), np.int8, size)
    obj = np.fromiter(values, dtype=object, count=size)
    defer = np.zeros(size, np.bool_)
    whole: Mask | bool = False
    num = flag = text = date = None
    span: Span | None = None
    vocab: tuple[str, ...] = ()

    def place(idx: NDArray[np.intp], x: Array | bool, dtype: type) -> Array:
        full: Array = np.zeros(shape, dtype, order="F")
        if at is None:
            full[idx] = x
        else:
            full[at[0][idx], at[1][idx]] = x
        return full

    def part(idx: NDArray[np.intp], x: Array, dtype: type) -> Part:
        return Part(place(idx, x, dtype), place(idx, True, np.bool_))

    def index(i: int) -> Index:
        return (i,) if at is None else (int(at[0][i]), int(at[1][i]))

    idx = np.flatnonzero((kinds == _INT) | (kinds == _FLOAT))
    if idx.size:
        try:
            x = obj[idx].astype(np.float64)
        except OverflowError:  # an int beyond float range: defer it
            x = np.array([v if isinstance(v, float) or abs(v) < BIG else np.inf for v in obj[idx]], np.float64)
        ints = kinds[idx] == _INT
        odd = (ints & ~(np.abs(x) < BIG)) | np.isnan(x)
        defer[idx[odd]] = True
        num = part(idx[~odd], x[~odd], np.float64)
        whole = True if ints.all() else False if not ints.any() else place(idx[ints], True, np.bool_)
    idx = np.flatnonzero(kinds == _FLAG)
    if idx.size:
        flag = part(idx, obj[idx].astype(np.bool_), np.bool_)
    idx = np.flatnonzero(kinds == _TEXT)
    if idx.size:
        strings = obj[idx].tolist()
        vocab = tuple(sorted(set(strings)))
        code = {s: i for i, s in enumerate(vocab)}
        text = part(idx, np.fromiter(map(code.__getitem__, strings), np.int32, idx.size), np.int32)
    idx = np.flatnonzero(kinds == _DATE)
    if idx.size:
        date = part(idx, np.fromiter((d.toordinal() for d in obj[idx]), np.int64, idx.size), np.int64)
    idx = np.flatnonzero(kinds == _SPAN)
    if idx.size:  # derived values known between two ends; in a log's records they are left to Python
        ends = np.array([(b.lo, b.hi) for b in obj[idx]], np.float64).reshape(-1, 2)
        odd = ~(np.abs(ends) < BIG).all(axis=1) | (at is not None)
        defer[idx[odd]] = True
        idx = idx[~odd]
        span = Span(place(idx, ends[~odd, 0], np.float64), place(idx, ends[~odd, 1], np.float64),
                    place(idx, True, np.bool_), place(idx[[b.whole for b in obj[idx]]], True, np.bool_))
    defer |= kinds == _OTHER
    deferred = np.flatnonzero(defer)
    gone = kinds == _GONE
    return Values(shape, num=num, whole=whole, flag=flag, text=text, vocab=vocab, date=date,
                  defer=place(deferred, True, np.bool_) if deferred.size else None,
                  extra={index(i): obj[i] for i in deferred.tolist()},
                  present=place(np.flatnonzero(~gone), True, np.bool_) if gone.any() else None, span=span)


def _scalar(value: object) -> Values:
    """A literal as a zero-dimensional :class:`Values` (deferred everywhere if the columns cannot hold it)."""
    kind = _KIND[type(value)]
    true = np.ones((), np.bool_)
    if kind == _FLAG:
        return Values((), flag=Part(np.asarray(value, np.bool_), true))
    if kind in (_INT, _FLOAT) and (kind == _FLOAT or abs(value) < BIG):  # type: ignore[arg-type]
        return Values((), num=Part(np.asarray(value, np.float64), true), whole=kind == _INT)
    if kind == _TEXT:
        return Values((), text=Part(np.zeros((), np.int32), true), vocab=(str(value),))
    if kind == _DATE:
        assert isinstance(value, dt.date)
        return Values((), date=Part(np.asarray(value.toordinal(), np.int64), true))
    return Values((), defer=true)
