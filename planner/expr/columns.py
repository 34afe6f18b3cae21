"""Column-wise evaluation of rule expressions: one NumPy pass per node over many records.

:func:`planner.expr.compile_rule` answers one record at a time in Python;
screening a million candidates needs the same answers column by column.
This module holds the batch format (:class:`Columns`) and the evaluator
(:func:`compile_columns`, :func:`compile_values`), with the semantics of
:func:`planner.expr.evaluate` on every record — unknowns, Kleene logic,
comparisons across types, units — which a Hypothesis property test checks.
NumPy is an optional dependency: install the ``fast`` extra.

The batch format
----------------
A :class:`Columns` batch of ``n`` records holds, per item, a :class:`Values`
of shape ``(n,)``, and per repeating form a :class:`Log`: a record-present
mask ``rows`` of shape ``(n, m)`` (``m`` the most records any candidate has)
and one ``(n, m)`` :class:`Values` per item of the form's records.

A :class:`Values` splits what a column holds by kind, each kind a
:class:`Part` (an array and its ``known`` mask); a row no part knows is
unknown (``None``):

- ``num``: numbers as ``float64``, with ``whole`` telling which were Python
  ``int`` (exact up to 2**53; larger ints are handled record by record);
- ``flag``: booleans (``bool``; they count as 0 and 1 where Python does);
- ``text``: ``int32`` codes into ``vocab``, a sorted tuple of the strings, so
  order comparisons on codes are order comparisons on strings;
- ``date``: ``int64`` proleptic ordinals (:meth:`datetime.date.toordinal`).

Most columns have one part; records with mixed types give several. Anything
else (other types, NaN read from records, ints beyond 2**53, operations
Python allows but the columns cannot hold, such as ``"a" + "b"``) marks the
row *deferred*: the compiled function answers those rows with
:func:`~planner.expr.compile_rule` on :meth:`Columns.record`, so the answer
is still exact. Readers of CSV or Parquet build columns directly with
:meth:`Values.numbers`, :meth:`Values.flags`, :meth:`Values.texts` and
:meth:`Values.dates`; :meth:`Columns.from_records` converts Python records.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from attrs import evolve, field, frozen

from planner.expr.logic import compile_rule, literal_value
from planner.expr.nodes import And, Arith, Between, Cmp, Count, Expr, In, Lit, Not, Or, Ref

try:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray
except ModuleNotFoundError as exc:  # pragma: no cover - a test hides numpy to check the message
    raise ModuleNotFoundError("column-wise screening needs NumPy: install the 'fast' extra "
                              "(pip install 'protocol-planner[fast]')", name="numpy") from exc

if TYPE_CHECKING:
    from planner.model import Protocol

Mask: TypeAlias = "NDArray[np.bool_]"
Array: TypeAlias = "NDArray[Any]"
Index: TypeAlias = tuple[int, ...]
BIG: Final = 2.0**53
"""Python ints at or beyond this size are not exact in float64: such rows are deferred."""


class _Absent:
    """A key the record does not have (``None`` is a key with no value)."""


_ABSENT: Final = _Absent()
_NONE, _FLAG, _INT, _FLOAT, _TEXT, _DATE, _OTHER, _GONE = range(8)
_KIND: defaultdict[type, int] = defaultdict(lambda: _OTHER, {
    type(None): _NONE, bool: _FLAG, int: _INT, float: _FLOAT, str: _TEXT, dt.date: _DATE, _Absent: _GONE})
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
class Values:
    """What an item, or an expression, holds on every row of a batch, by kind (see the module notes).

    ``defer`` marks rows only record-by-record evaluation can answer, with the
    original value in ``extra`` for a stored column. ``present`` marks the
    rows whose record has the key at all (``None``: every row); it matters
    only for ``form.item`` names, which fall back to ``item`` where absent.
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
        """``(value, known)``: Python's truthiness of each known value; ``value`` is false where unknown."""
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


def _mask(known: ArrayLike | None, shape: tuple[int, ...]) -> Mask:
    if known is None:
        return np.ones(shape, np.bool_)
    return np.broadcast_to(np.asarray(known, dtype=np.bool_), shape)


def _at(array: Array, index: Index, shape: tuple[int, ...]) -> Any:
    return np.broadcast_to(array, shape)[index]


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
    defer |= kinds == _OTHER
    deferred = np.flatnonzero(defer)
    gone = kinds == _GONE
    return Values(shape, num=num, whole=whole, flag=flag, text=text, vocab=vocab, date=date,
                  defer=place(deferred, True, np.bool_) if deferred.size else None,
                  extra={index(i): obj[i] for i in deferred.tolist()},
                  present=place(np.flatnonzero(~gone), True, np.bool_) if gone.any() else None)


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


# -- the evaluator ------------------------------------------------------------------------


class _Frame:
    """The names an expression sees: a batch's items and logs, or (inside ``where=``) a log's records."""

    def __init__(self, shape: tuple[int, ...], items: Mapping[str, Values], logs: Mapping[str, Log]) -> None:
        self.shape, self.items, self.logs = shape, items, logs

    def _get(self, name: str) -> Values | None:
        v = self.items.get(name)
        if v is None and name in self.logs:  # a whole log read as a value: record by record
            log = self.logs[name]
            return Values(self.shape, defer=log.present if log.defer is None else log.present | log.defer)
        return v

    def value(self, name: str) -> Values:
        """``record.get(name)``, or for ``form.item`` the short name where the record lacks the long one."""
        v = self._get(name)
        if "." in name:
            alt = self._get(name.rpartition(".")[2])
            if v is None:
                v = alt
            elif alt is not None and v.present is not None:
                v = _select(v.present, v, alt)
        return Values(self.shape) if v is None else v


Fn = Callable[[_Frame], Values]


def compile_values(expr: Expr, unit_of: Mapping[str, str | None] | None = None) -> Callable[[Columns], Values]:
    """Compile ``expr`` into a function of a batch giving its value on every record (derivations use it).

    Deferred rows are answered record by record and kept, with their exact
    Python value, in the result's ``defer``/``extra``.
    """
    units = unit_of or {}
    fn = _compile(expr, units, None)
    per_record = compile_rule(expr, units)

    def run(columns: Columns) -> Values:
        v = _full(fn(_Frame((columns.size,), columns.items, columns.logs)), (columns.size,))
        if v.defer is None:
            return v
        rows = np.flatnonzero(v.defer).tolist()
        return evolve(v, extra={(i,): per_record(columns.record(i)) for i in rows}) if rows else evolve(v, defer=None)

    return run


def compile_columns(expr: Expr, unit_of: Mapping[str, str | None] | None = None) -> Callable[[Columns], Truth]:
    """Compile a rule into a function of a batch giving its three-valued truth on every record.

    For each record, ``known`` is false where :func:`~planner.expr.evaluate`
    answers ``None``; elsewhere ``value`` is the truthiness of its answer.
    """
    units = unit_of or {}
    fn = _compile(expr, units, None)
    per_record = compile_rule(expr, units)

    def run(columns: Columns) -> Truth:
        shape = (columns.size,)
        v = fn(_Frame(shape, columns.items, columns.logs))
        tv, tk = v.truth()
        value, known = np.array(np.broadcast_to(tv, shape)), np.array(np.broadcast_to(tk, shape))
        if v.defer is not None:
            for i in np.flatnonzero(np.broadcast_to(v.defer, shape)).tolist():
                answer = per_record(columns.record(i))
                known[i], value[i] = answer is not None, bool(answer)
        return Truth(value, known)

    return run


def _compile(e: Expr, units: Mapping[str, str | None], subject: Expr | None) -> Fn:  # noqa: C901 - one branch per node
    if isinstance(e, Ref):
        name = e.name
        return lambda f: f.value(name)
    if isinstance(e, Lit):
        const = _scalar(literal_value(e, units, subject))
        return lambda f: const
    if isinstance(e, Not):
        inner = _compile(e.term, units, None)
        return lambda f: _not(inner(f))
    if isinstance(e, (And, Or)):
        terms, is_or = [_compile(t, units, None) for t in e.terms], isinstance(e, Or)
        return lambda f: _junction(is_or, [t(f) for t in terms])
    if isinstance(e, Cmp):
        left, right, op = _compile(e.left, units, e.right), _compile(e.right, units, e.left), e.op
        return lambda f: _cmp(op, left(f), right(f))
    if isinstance(e, Arith):
        left, right, aop = _compile(e.left, units, e.right), _compile(e.right, units, e.left), e.op
        return lambda f: _arith(aop, left(f), right(f))
    if isinstance(e, In):
        sub = _compile(e.subject, units, None)
        options = [literal_value(o, units, e.subject) for o in e.options]
        return lambda f: _in(sub(f), options)
    if isinstance(e, Between):
        s, lo, hi = (_compile(e.subject, units, None), _compile(e.low, units, e.subject),
                     _compile(e.high, units, e.subject))
        ops = ("<=" if e.low_inclusive else "<", "<=" if e.high_inclusive else "<")
        return lambda f: _between(ops, s(f), lo(f), hi(f))
    if isinstance(e, Count):
        where = None if e.where is None else _compile(e.where, units, None)
        form, distinct = e.form, e.distinct
        return lambda f: _count(f, form, where, distinct)
    raise TypeError(f"cannot compile {e!r} to columns")


def _full(v: Values, shape: tuple[int, ...]) -> Values:
    """``v`` with every array broadcast to ``shape`` (literals are zero-dimensional)."""
    def grow(p: Part | None) -> Part | None:
        return None if p is None else Part(np.broadcast_to(p.values, shape), np.broadcast_to(p.known, shape))

    return evolve(v, shape=shape, num=grow(v.num), flag=grow(v.flag), text=grow(v.text), date=grow(v.date),
                  whole=v.whole if isinstance(v.whole, bool) else np.broadcast_to(v.whole, shape),
                  defer=None if v.defer is None else np.broadcast_to(v.defer, shape))


def _any(masks: Sequence[Mask], shape: tuple[int, ...]) -> Mask:
    """The union of ``masks`` (broadcast), or all false."""
    if not masks:
        return np.zeros(shape, np.bool_)
    out = masks[0]
    for m in masks[1:]:
        out = out | m
    return out


def _defer(*vs: Values | Mask | None) -> Mask | None:
    """Rows deferred by any of ``vs`` (``None`` when none is)."""
    masks = [m for m in (x.defer if isinstance(x, Values) else x for x in vs) if m is not None]
    return _any(masks, ()) if masks else None


def _shape(*vs: Values) -> tuple[int, ...]:
    return tuple(np.broadcast_shapes(*(v.shape for v in vs)))


def _truthy(shape: tuple[int, ...], value: Mask, known: Mask, defer: Mask | None) -> Values:
    return Values(shape, flag=Part(value, known), defer=defer)


def _not(v: Values) -> Values:
    tv, tk = v.truth()
    return _truthy(v.shape, tk & ~tv, tk, v.defer)


def _junction(is_or: bool, vs: list[Values]) -> Values:
    settled: Mask | None = None  # a term with the deciding value (true for or, false for and)
    unknown: Mask | None = None
    for v in vs:
        tv, tk = v.truth()
        hit = tv if is_or else tk & ~tv
        settled = hit if settled is None else settled | hit
        unknown = ~tk if unknown is None else unknown | ~tk
    assert settled is not None and unknown is not None
    known = settled | ~unknown
    return _truthy(_shape(*vs), settled if is_or else known & ~settled, known, _defer(*vs))


def _numeric(v: Values) -> tuple[Array, Mask, Mask | bool] | None:
    """Numbers and booleans together, as Python compares and adds them: ``(values, known, whole)``."""
    if v.flag is None:
        return None if v.num is None else (v.num.values, v.num.known, v.whole)
    if v.num is None:
        return v.flag.values, v.flag.known, True
    fk = v.flag.known
    return np.where(fk, v.flag.values, v.num.values), fk | v.num.known, np.logical_or(v.whole, fk)


def _vocab_codes(a: Values, b: Values) -> tuple[Array, Array]:
    """Text codes of ``a`` and ``b`` in one merged vocabulary, so codes compare as the strings do."""
    assert a.text is not None and b.text is not None
    if a.vocab == b.vocab:
        return a.text.values, b.text.values
    merged = sorted(set(a.vocab) | set(b.vocab))

    def codes(v: Values, p: Part) -> Array:
        if list(v.vocab) == merged:
            return p.values
        return np.searchsorted(merged, v.vocab).astype(np.int32)[p.values]

    return codes(a, a.text), codes(b, b.text)


def _pairs(a: Values, b: Values) -> list[tuple[Array, Array, Mask]]:
    """``(x, y, known)`` for each kind both sides hold and Python can order: numbers, text, dates."""
    out = []
    na, nb = _numeric(a), _numeric(b)
    if na is not None and nb is not None:
        out.append((na[0], nb[0], na[1] & nb[1]))
    if a.text is not None and b.text is not None:
        x, y = _vocab_codes(a, b)
        out.append((x, y, a.text.known & b.text.known))
    if a.date is not None and b.date is not None:
        out.append((a.date.values, b.date.values, a.date.known & b.date.known))
    return out


def _compare(op: str, a: Values, b: Values) -> tuple[Mask, Mask]:
    """``(value, decided)`` of ``a op b``: undecided where a side is unknown or Python raises TypeError."""
    fn, pairs = _CMP[op], _pairs(a, b)
    shape = _shape(a, b)
    hits = [k & fn(x, y) for x, y, k in pairs] if op != "!=" else [k & (x == y) for x, y, k in pairs]
    value = _any(hits, shape)
    if op in ("==", "!="):  # equality across kinds is just false
        both = a.known & b.known
        return (value, both) if op == "==" else (both & ~value, both)
    oks = [k for _, _, k in pairs]
    return value, _any(oks, shape)


def _cmp(op: str, a: Values, b: Values) -> Values:
    value, ok = _compare(op, a, b)
    return _truthy(_shape(a, b), value, ok, _defer(a, b))


def _between(ops: tuple[str, str], s: Values, lo: Values, hi: Values) -> Values:
    """``lo op s and s op hi``, Python's way: the second comparison only where the first holds."""
    first, ok1 = _compare(ops[0], lo, s)
    second, ok2 = _compare(ops[1], s, hi)
    known = s.known & lo.known & hi.known & ok1 & (~first | ok2)
    return _truthy(_shape(s, lo, hi), known & first & second, known, _defer(s, lo, hi))


def _in(s: Values, options: list[object]) -> Values:
    """Membership in a list of literals: equality with any (``1 in (True,)`` holds, as in Python)."""
    hits: list[Mask] = []
    defer = s.defer
    strings = {o for o in options if type(o) is str}
    if strings and s.text is not None:
        lut = np.fromiter((w in strings for w in s.vocab), np.bool_, len(s.vocab))
        hits.append(s.text.known & lut[s.text.values])
    for o in options:
        if type(o) is str:
            continue
        opt = _scalar(o)
        if opt.defer is not None:
            defer = _defer(defer, s.known)
        hits.append(_compare("==", s, opt)[0])
    return _truthy(s.shape, _any(hits, s.shape), s.known, defer)


def _arith(op: str, a: Values, b: Values) -> Values:
    """Arithmetic on numbers (booleans as 0/1); division by zero and type errors are unknown."""
    shape, defer = _shape(a, b), _defer(a, b)
    na, nb = _numeric(a), _numeric(b)
    num: Part | None = None
    whole: Mask | bool = False
    if na is not None and nb is not None:
        (x, kx, wx), (y, ky, wy) = na, nb
        with np.errstate(all="ignore"):
            r = np.asarray(_ARITH[op](x.astype(np.float64, copy=False), y.astype(np.float64, copy=False)))
        k = kx & ky
        if op == "/":
            k = k & (y != 0)
        else:
            whole = np.logical_and(wx, wy) if not (isinstance(wx, bool) and isinstance(wy, bool)) else wx and wy
            if whole is not False:
                inexact = k & whole & ~(np.abs(r) < BIG)  # an int result float64 cannot hold exactly
                if inexact.any():
                    defer = _defer(defer, inexact)
                np.add(r, 0.0, out=r, where=np.broadcast_to(whole, r.shape))  # int 0 has no sign: no -0.0
        num = Part(r, k)
    odd = _python_only(op, a, b)
    return Values(shape, num=num, whole=whole, defer=defer if odd is None else _defer(defer, odd))


def _python_only(op: str, a: Values, b: Values) -> Mask | None:
    """Rows where Python computes something the columns cannot hold: ``str + str``, ``str * int``, ``date - date``."""
    def ints(v: Values) -> Mask | None:
        masks = [m for m in ((v.num.known & v.whole) if v.num is not None else None,
                             v.flag.known if v.flag is not None else None) if m is not None]
        return _any(masks, v.shape) if masks else None

    if op == "+" and a.text is not None and b.text is not None:
        return a.text.known & b.text.known
    if op == "-" and a.date is not None and b.date is not None:
        return a.date.known & b.date.known
    if op == "*":
        ia, ib = ints(a), ints(b)
        odd = [m for m in ((a.text.known & ib) if a.text is not None and ib is not None else None,
                           (ia & b.text.known) if ia is not None and b.text is not None else None) if m is not None]
        return _any(odd, _shape(a, b)) if odd else None
    return None


def _select(mask: Mask, a: Values, b: Values) -> Values:
    """``a`` where ``mask``, else ``b`` (for ``form.item`` falling back to ``item`` row by row)."""
    def pick(pa: Part | None, pb: Part | None, xa: Array | None = None, xb: Array | None = None) -> Part | None:
        if pa is None and pb is None:
            return None
        va = (pa.values if xa is None else xa) if pa is not None else 0
        vb = (pb.values if xb is None else xb) if pb is not None else 0
        return Part(np.where(mask, va, vb), np.where(mask, pa.known if pa else False, pb.known if pb else False))

    vocab, ta, tb = a.vocab, None, None
    if a.text is not None and b.text is not None:
        ta, tb = _vocab_codes(a, b)
        vocab = tuple(sorted(set(a.vocab) | set(b.vocab)))
    elif b.text is not None:
        vocab = b.vocab
    defer = None
    if a.defer is not None or b.defer is not None:
        defer = np.where(mask, False if a.defer is None else a.defer, False if b.defer is None else b.defer)
    return Values(a.shape, num=pick(a.num, b.num), whole=np.where(mask, a.whole, b.whole), flag=pick(a.flag, b.flag),
                  text=pick(a.text, b.text, ta, tb), vocab=vocab, date=pick(a.date, b.date), defer=defer)


def _count(f: _Frame, form: str, where: Fn | None, distinct: str | None) -> Values:
    """``count(form, where=…)`` / ``count_distinct(form.item, where=…)`` on every candidate."""
    log = f.logs.get(form)
    if log is None:  # not a log: unknown, or (a value that is not a list) record by record
        v = f.items.get(form)
        return Values(f.shape, defer=None if v is None else _defer(v.known, v.defer))
    rows = log.rows
    defer, unknown = log.defer, None
    matched = rows
    if where is not None:
        w = where(_Frame(rows.shape, log.items, {}))
        tv, tk = (np.broadcast_to(x, rows.shape) for x in w.truth())
        unknown = _rows_any(rows & ~tk)
        matched = rows & tv
        if w.defer is not None:
            defer = _defer(defer, _rows_any(rows & w.defer))
    if distinct is None:
        counts = _rows_sum(matched)
    else:
        col = log.items.get(distinct)
        if col is None:
            counts = np.zeros(f.shape)
            missing = _rows_any(matched)
        else:
            counts = _distinct(col, matched)
            missing = _rows_any(matched & ~col.known)
            if col.defer is not None:
                defer = _defer(defer, _rows_any(matched & col.defer))
        unknown = missing if unknown is None else unknown | missing
    known = log.present if unknown is None else log.present & ~unknown
    return Values(f.shape, num=Part(counts, known), whole=True, defer=defer)


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
