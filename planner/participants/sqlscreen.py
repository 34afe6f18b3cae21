"""The screening query: a protocol's criteria, each one's status and the verdict, as one sqlglot ``SELECT``.

One candidate per row of a table whose columns are the candidate file's
columns, typed (``age BIGINT``, ``prior_therapy_2_failed BOOLEAN``). Each
criterion is compiled once by the SQL backend
(:class:`planner.expr.sql.SqlCompiler`) into a status code — 0 passed,
1 failed (deciding), 2 unknown — and the verdict is computed from the codes
as the reference computes it (:meth:`planner.participants.screening.Screener.screen`):
ineligible when a criterion failed, else incomplete when one is unknown,
else eligible. DuckDB screening runs the same status expressions
(:class:`planner.participants.duck.DuckScreener`); ``screen --sql DIALECT``
prints the whole query for a warehouse (:func:`screening_query`).

Derived values (published scores, expression derivations) are compiled
too (:mod:`planner.expr.sql.derived`). A criterion the backend cannot write
is a *gap*: the query gives it status ``not in this query`` and counts it as
unknown, so the query never calls a candidate eligible or ineligible where
the reference would not — it says incomplete instead — and the gaps are
named in the query's leading comment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from attrs import frozen
from sqlglot import exp

from planner.expr.sql.compile import LogColumns, SqlCompiler, Unexpressible, sql_type
from planner.expr.sql.engine import COLUMN_TYPES
from planner.model import Category, Criterion, DataType, Item, Protocol
from planner.participants.layout import Layout

RECORD = "__record"
"""As :data:`planner.participants.duck.RECORD`."""

PASSED, FAILED, UNKNOWN, GAP, ASSESSED = 0, 1, 2, 3, 4
"""Status codes in the query (the first three as :data:`planner.participants.duck._STATUS`)."""

_WORDS = {PASSED: "passed", FAILED: "failed", UNKNOWN: "unknown", GAP: "not in this query",
          ASSESSED: "to be assessed"}
ELIGIBLE, INELIGIBLE, INCOMPLETE = 0, 1, 2
"""Verdict codes in the query."""


def criterion_code(c: Criterion, compiler: SqlCompiler) -> exp.Expr:
    """The criterion's status code: 0 passed, 1 failed, 2 unknown; :class:`Unexpressible` where SQL cannot say it."""
    if c.rule is None or c.assessed_by_investigator:
        return exp.Literal.number(ASSESSED)
    holds = compiler.condition(c.rule)
    fail = exp.Paren(this=holds) if c.category is Category.EXCLUSION else exp.Not(this=exp.Paren(this=holds))
    return exp.Case(ifs=[exp.If(this=fail, true=exp.Literal.number(FAILED)),
                         exp.If(this=exp.Not(this=fail.copy()), true=exp.Literal.number(PASSED))],
                    default=exp.Literal.number(UNKNOWN))


def verdict_code(codes: Sequence[exp.Expr]) -> exp.Expr:
    """0 eligible, 1 ineligible (a criterion failed), 2 incomplete (one unknown or not in the query)."""
    def any_of(wanted: Sequence[int]) -> exp.Expr:
        terms: list[exp.Expr] = [exp.In(this=c.copy(), expressions=[exp.Literal.number(w) for w in wanted])
                                 for c in codes]
        if not terms:
            return exp.Boolean(this=False)
        out = terms[0]
        for t in terms[1:]:
            out = exp.Or(this=out, expression=t)
        return out

    return exp.Case(ifs=[exp.If(this=any_of([FAILED]), true=exp.Literal.number(INELIGIBLE)),
                         exp.If(this=any_of([UNKNOWN, GAP]), true=exp.Literal.number(INCOMPLETE))],
                    default=exp.Literal.number(ELIGIBLE))


def log_columns(columns: Mapping[str, Item], logs: Mapping[str, Sequence[int]], layout: Layout,
                names: Mapping[str, str] | None = None) -> dict[str, LogColumns]:
    """The repeating forms of a typed table (:class:`planner.participants.duck.Table`) as the compiler reads them."""
    out: dict[str, LogColumns] = {}
    for form_id, indexes in logs.items():
        form = layout.logs[form_id]
        records = []
        for k in indexes:
            cols = {it.name: f"{form_id}[{k}].{it.name}" for it in form.items if f"{form_id}[{k}].{it.name}" in columns}
            if f"{form_id}[{k}].{RECORD}" in columns:  # a record given with no values (JSON): there all the same
                cols[RECORD] = f"{form_id}[{k}].{RECORD}"
            if cols:
                records.append({n: (names or {}).get(c, c) for n, c in cols.items()})
        none = form_id if form_id in columns else None
        out[form_id] = LogColumns({it.name: it for it in form.items}, tuple(records),
                                  None if none is None else (names or {}).get(none, none))
    return out


def plain_columns(columns: Mapping[str, Item], logs: Mapping[str, object]) -> dict[str, Item]:
    """The columns a rule reads directly: the items of non-repeating forms."""
    return {n: it for n, it in columns.items() if "[" not in n and n not in logs}


def sql_name(column: str) -> str:
    """A column's name in a warehouse: ``prior_therapy[2].failed`` as ``prior_therapy_2_failed``."""
    return "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in column).replace("__", "_").strip("_")


@frozen
class Query:
    """The screening query, what it expects, and the criteria it could not write."""

    select: exp.Select
    columns: tuple[tuple[str, str], ...]  # (column, SQL type) the table must have, after the key
    gaps: tuple[tuple[str, str], ...]  # (criterion id, why)


def layout_columns(protocol: Protocol, records: int) -> tuple[dict[str, Item], dict[str, tuple[int, ...]]]:
    """Every column a candidate file may have for ``protocol``, with ``records`` records of each repeating form."""
    layout = Layout(protocol, "candidates")
    columns: dict[str, Item] = {n: it for n, (_, it) in layout.items.items()}
    logs: dict[str, tuple[int, ...]] = {}
    for form_id, form in layout.logs.items():
        columns[form_id] = Item(form_id, form_id, DataType.BOOLEAN)
        for k in range(1, records + 1):
            for it in form.items:
                columns[f"{form_id}[{k}].{it.name}"] = it
        logs[form_id] = tuple(range(1, records + 1))
    return columns, logs


def screening_query(protocol: Protocol, columns: Mapping[str, Item], logs: Mapping[str, Sequence[int]],
                    table: str = "candidates", key: str = "participant", today: dt.date | None = None) -> Query:
    """``SELECT key, <criterion status>…, verdict FROM table ORDER BY key`` for a table of ``columns``.

    ``columns`` and ``logs`` are a typed table's (:class:`planner.participants.duck.Table`)
    or :func:`layout_columns`; the query names them by :func:`sql_name`.
    """
    from planner.participants.screening import Screener

    layout = Layout(protocol, "candidates")
    names = {c: sql_name(c) for c in columns}
    if len(set(names.values())) != len(names) or key in names.values():
        names = {c: c for c in columns}  # two headers that read alike once cleaned: keep them as written
    plain = plain_columns(columns, logs)
    reference = Screener(protocol)
    compiler = SqlCompiler({names[n]: it for n, it in plain.items()}, today,
                           {**reference.unit_of, **{names[n]: reference.unit_of.get(n) for n in plain}},
                           log_columns(columns, logs, layout, names), None,
                           {d.id: d for d in protocol.derivations})
    inner: list[exp.Expr] = [exp.column(key, quoted=True)]
    outer: list[exp.Expr] = [exp.column(key, quoted=True)]
    codes: list[exp.Expr] = []
    gaps: list[tuple[str, str]] = []
    for c in protocol.eligibility:
        try:
            code = criterion_code(c, compiler)
        except Unexpressible as err:
            gaps.append((c.id, str(err)))
            code = exp.Literal.number(GAP)
        inner.append(exp.alias_(code, c.id, quoted=True))
        column = exp.column(c.id, quoted=True)
        outer.append(exp.alias_(exp.Case(this=column, ifs=[
            exp.If(this=exp.Literal.number(k), true=exp.Literal.string(w)) for k, w in _WORDS.items()]),
            c.id, quoted=True))
        if code != exp.Literal.number(ASSESSED):
            codes.append(column.copy())
    verdict_words = exp.Case(this=verdict_code(codes), ifs=[
        exp.If(this=exp.Literal.number(k), true=exp.Literal.string(w))
        for k, w in ((ELIGIBLE, "eligible"), (INELIGIBLE, "ineligible"), (INCOMPLETE, "incomplete"))])
    outer.append(exp.alias_(verdict_words, "verdict", quoted=True))
    statuses = exp.select(*inner).from_(exp.Table(this=exp.to_identifier(table, quoted=True)))
    query = (exp.select(*outer).from_(exp.Subquery(this=statuses, alias=exp.TableAlias(
        this=exp.to_identifier("statuses", quoted=True)))).order_by(exp.column(key, quoted=True)))
    expected = tuple((names[n], COLUMN_TYPES[it.type]) for n, it in columns.items())
    return Query(query, expected, tuple(gaps))


def printed(query: Query, dialect: str, table: str = "candidates", key: str = "participant") -> str:
    """The query's text in ``dialect``, led by a comment naming the table and columns it expects, and its gaps."""
    from planner.expr.sql.query import render

    def typed(t: str) -> str:
        return sql_type(t).sql(dialect=dialect)

    lines = [f"screening query: one row per candidate of table {table}, key {key} (text); columns, typed:",
             *(f"  {n} {typed(t)}" for n, t in query.columns)]
    if query.gaps:
        lines.append("criteria not in this query (status 'not in this query', counted as unknown):")
        lines += [f"  {cid}: {why}" for cid, why in query.gaps]
    select = query.select.copy()
    select.add_comments([" " + "\n".join(line.replace("*/", "* /") for line in lines) + "\n"])
    return render(select, dialect, pretty=True) + "\n"


__all__ = ["Query", "criterion_code", "layout_columns", "log_columns", "printed", "screening_query", "sql_name",
           "verdict_code"]
