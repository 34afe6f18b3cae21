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

Besides the kinds, ``span`` (a :class:`Span`) holds rows known only between
two ends — a count over records some of which may or may not match, a score
with inputs missing — as :class:`~planner.expr.bounds.Bounds` for one record.

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

try:
    import numpy  # noqa: F401 - checked first, so a missing NumPy names the extra to install
except ModuleNotFoundError as exc:  # pragma: no cover - a test hides numpy to check the message
    raise ModuleNotFoundError("column-wise screening needs NumPy: install the 'fast' extra "
                              "(pip install 'protocol-planner[fast]')", name="numpy") from exc

from planner.expr.columns.batch import Columns, Log
from planner.expr.columns.compiler import compile_columns, compile_values
from planner.expr.columns.values import BIG, Part, Span, Truth, Values

__all__ = ["BIG", "Columns", "Log", "Part", "Span", "Truth", "Values", "compile_columns", "compile_values"]
