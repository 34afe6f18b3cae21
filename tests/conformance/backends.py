"""The executable backends of rule expressions and formula trees, as the conformance suite runs them.

Each backend turns one expression into a function of a batch of records that
gives one answer per record, in a shape all backends share:

* for a condition, its three-valued truth: ``True``, ``False`` or ``None``;
* for a formula tree (a score, a derived number), its value or ``None``.

:data:`BACKENDS` lists them; the reference is :func:`planner.expr.evaluate`
(the explaining tree walk). :data:`GAPS` declares, in one place, the
constructs a backend cannot express: the suite checks that such a backend
*refuses* them with a typed error rather than answering differently.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from exports.xlsx import formula as xf
from exports.xlsx.translate import Translator, Untranslatable, expression_formula
from planner.expr import Expr, compile_rule, evaluate
from planner.expr.formal import Unexpressible as FormalUnexpressible
from planner.expr.logic import truth
from planner.expr.redcap import Unexpressible as RedcapUnexpressible
from planner.expr.sql import Unexpressible
from planner.model import DataType, Item

Record = Mapping[str, Any]
Run = Callable[[Sequence[Record]], list[Any]]
Compile = Callable[[Expr, Mapping[str, Item], bool], Run]

EXCEL_EPOCH = dt.date(1899, 12, 30)


def _answer(value: Any, condition: bool) -> Any:
    if condition:
        return truth(value)
    return value


def reference(expr: Expr, items: Mapping[str, Item], condition: bool) -> Run:
    return lambda records: [_answer(evaluate(expr, r).value, condition) for r in records]


def compiled(expr: Expr, items: Mapping[str, Item], condition: bool) -> Run:
    fn = compile_rule(expr)
    return lambda records: [_answer(fn(r), condition) for r in records]


def columns(expr: Expr, items: Mapping[str, Item], condition: bool) -> Run:
    from planner.expr.columns import Columns, compile_columns, compile_values

    types = {name: it.type.value for name, it in items.items()}
    if condition:
        fn = compile_columns(expr)

        def run_truth(records: Sequence[Record]) -> list[Any]:
            t = fn(Columns.from_records(records, types))
            return [bool(v) if k else None for v, k in zip(t.value.tolist(), t.known.tolist(), strict=True)]

        return run_truth
    values = compile_values(expr)

    def run_values(records: Sequence[Record]) -> list[Any]:
        v = values(Columns.from_records(records, types))
        return [v.item((i,)) for i in range(len(records))]

    return run_values


# -- Excel -------------------------------------------------------------------------------------


def cells(items: Mapping[str, Item]) -> dict[str, str]:
    """One cell per item, ``A1``, ``B1`` …, in the order of ``items``."""
    return {name: f"{chr(ord('A') + i)}1" for i, name in enumerate(items)}


def cell_value(value: Any, item: Item) -> Any:
    """What a person enters in the item's cell: ``None`` blank, Yes/No, a date's serial, else the value."""
    if value is None:
        return None
    if item.type is DataType.BOOLEAN:
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return (value - EXCEL_EPOCH).days
    return value


def excel_formula(expr: Expr, items: Mapping[str, Item], condition: bool) -> xf.F:
    """The Excel formula of a condition (``1`` true, ``2`` false, ``0`` unknown) or of a value (``""`` unknown)."""
    where = cells(items)
    tr = Translator(items, lambda name: xf.Ref(where[name]) if name in where else None)
    if condition:
        true, false = tr.truth(expr)
        return xf.add([true, xf.Bin("*", xf.Num(2), false)])
    return expression_formula(tr, expr)


def _excel_answer(result: Any, condition: bool) -> Any:
    if condition:
        code = float(result)
        assert code in (0.0, 1.0, 2.0), f"a truth formula gave {result!r}"
        return None if code == 0 else code == 1
    if isinstance(result, str):
        assert result == "", f"a value formula gave {result!r}"
        return None
    return float(result)


def excel_tree(expr: Expr, items: Mapping[str, Item], condition: bool) -> Run:
    """The formula tree evaluated by :meth:`exports.xlsx.formula.F.value` (our model of Excel)."""
    f = excel_formula(expr, items, condition)
    where = cells(items)

    def run(records: Sequence[Record]) -> list[Any]:
        out = []
        for r in records:
            env = {where[n]: cell_value(r.get(n), it) for n, it in items.items()}
            out.append(_excel_answer(f.value(env), condition))
        return out

    return run


_PARSER: list[Any] = []


def excel_engine(expr: Expr, items: Mapping[str, Item], condition: bool) -> Run:
    """The rendered formula text computed by the ``formulas`` package, an Excel engine from PyPI."""
    import formulas
    import schedula

    if not _PARSER:
        _PARSER.append(formulas.Parser())
    text = "=" + excel_formula(expr, items, condition).excel()
    fn = _PARSER[0].ast(text)[1].compile()
    where = cells(items)
    by_cell = {c: n for n, c in where.items()}
    order = [by_cell[str(i).upper()] for i in fn.inputs]

    def one(args: tuple[Any, ...]) -> Any:
        result = fn(*(schedula.EMPTY if a is None else a for a in args))
        if hasattr(result, "tolist"):
            result = result.tolist()
            while isinstance(result, list):
                result = result[0]
        return _excel_answer(result, condition)

    def run(records: Sequence[Record]) -> list[Any]:
        seen: dict[tuple[Any, ...], Any] = {}  # the engine is slow (≈1 ms a call): equal inputs computed once
        out = []
        for r in records:
            args = tuple(cell_value(r.get(n), items[n]) for n in order)
            key = (*args, *map(type, args))
            if key not in seen:
                seen[key] = one(args)
            out.append(seen[key])
        return out

    return run


# -- SQL ---------------------------------------------------------------------------------------

_DUCKDB: list[Any] = []  # one embedded DuckDB connection for the session


def sql_duckdb(expr: Expr, items: Mapping[str, Item], condition: bool) -> Run:
    """The SQL backend's query, run on DuckDB over the whole batch at once (one statement per batch)."""
    from planner.expr.functions import evaluation_date
    from planner.expr.sql import DuckDB, Output  # imported here like the other engines' packages

    if not _DUCKDB:
        _DUCKDB.append(DuckDB())
    db: DuckDB = _DUCKDB[0]
    query = db.select([Output("answer", expr, condition)], items, evaluation_date())
    return lambda records: [row[0] for row in db.run(query, items, records)]


# -- ODM FormalExpression (XPath 3.1 over ClinicalData) -------------------------------------


def odm_value(value: Any) -> str:
    """An ItemData ``Value`` as ODM 1.3.2 writes it (xs:boolean, ISO date, number, text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def clinical_data(records: Sequence[Record], items: Mapping[str, Item]) -> list[Any]:
    """One odm:StudyEventData per record, in one ClinicalData document; an unknown value has no ItemData."""
    import xml.etree.ElementTree as ET

    from planner.expr.formal import ODM_NS

    def tag(name: str) -> str:
        return f"{{{ODM_NS}}}{name}"

    root = ET.Element(tag("ODM"))
    clinical = ET.SubElement(root, tag("ClinicalData"), StudyOID="S", MetaDataVersionOID="MDV")
    events = []
    for i, r in enumerate(records):
        subject = ET.SubElement(clinical, tag("SubjectData"), SubjectKey=str(i + 1))
        event = ET.SubElement(subject, tag("StudyEventData"), StudyEventOID="SE.V")
        group = ET.SubElement(ET.SubElement(event, tag("FormData"), FormOID="F"), tag("ItemGroupData"),
                              ItemGroupOID="IG")
        for name in items:
            if r.get(name) is not None:
                ET.SubElement(group, tag("ItemData"), ItemOID=f"IT.{name}", Value=odm_value(r[name]))
        events.append(event)
    return [root, *events]


def _xpath_answer(result: Any, condition: bool) -> Any:
    seq = result if isinstance(result, list) else [result]
    assert len(seq) <= 1, f"an expression gave a sequence {seq!r}"
    if not seq:
        return None
    value = seq[0]
    if condition:
        assert isinstance(value, bool), f"a condition gave {value!r}"
        return value
    assert not isinstance(value, bool), f"a formula gave {value!r}"
    return float(value)


def odm_xpath(expr: Expr, items: Mapping[str, Item], condition: bool) -> Run:
    """The FormalExpression (:mod:`planner.expr.formal`) run by ``elementpath`` on generated ClinicalData."""
    from elementpath import XPathContext
    from elementpath.xpath31 import XPath31Parser

    from planner.expr import formal
    from planner.expr.functions import evaluation_date

    def locate(name: str) -> tuple[str, Item | None] | None:
        return (f"IT.{name}", items[name]) if name in items else None

    text = formal.condition(expr, locate) if condition else formal.formula(expr, locate)
    token = XPath31Parser(namespaces=formal.NAMESPACES).parse(text)
    now = dt.datetime.combine(evaluation_date(), dt.time(12))

    def run(records: Sequence[Record]) -> list[Any]:
        root, *events = clinical_data(records, items)
        return [_xpath_answer(token.get_results(XPathContext(root, item=e, current_dt=now)), condition)
                for e in events]

    return run


# -- REDCap logic (written, not executed) -------------------------------------------------------


def redcap_logic(expr: Expr, items: Mapping[str, Item], condition: bool) -> str:
    """The REDCap logic of a condition or formula tree (:mod:`planner.expr.redcap`).

    Not in :data:`BACKENDS`: no evaluator of REDCap logic exists outside
    REDCap (none on PyPI), so its answers cannot be compared here;
    ``tests/exports/test_redcap.py`` checks what can be checked without one.
    """
    from planner.expr import redcap

    def locate(name: str) -> redcap.Var | None:
        return redcap.Var(name.lower(), items[name]) if name in items else None

    return (redcap.truth_field(expr, locate) if condition else redcap.formula(expr, locate)).text


WRITERS: dict[str, Callable[[Expr, Mapping[str, Item], bool], object]] = {"redcap-logic": redcap_logic}
"""Backends that write a target this suite cannot run (no evaluator): their gaps are still checked."""


# -- ODK XPath (XLSForm calculations), run by rxeval -----------------------------------------


def odk_value(value: Any) -> str:
    """A field's text in an ODK submission: ``yes``/``no``, an ISO date, a number, a code; blank when unknown."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def submission(record: Record, items: Mapping[str, Item]) -> str:
    """One ODK submission (``<data>`` with one element per item, empty while unknown), as XML text."""
    from xml.sax.saxutils import escape

    return "<data>" + "".join(f"<{n}>{escape(odk_value(record.get(n)))}</{n}>" for n in items) + "</data>"


def _odk_answer(result: str, condition: bool) -> Any:
    if result == "":
        return None
    if condition:
        assert result in ("yes", "no"), f"a condition calculated {result!r}"
        return result == "yes"
    value = float(result)
    assert math.isfinite(value), f"a formula calculated {result!r}"
    return value


def odk_xpath(expr: Expr, items: Mapping[str, Item], condition: bool) -> Run:
    """The XLSForm calculation (:mod:`exports.xlsform.xpath`) over ``/data/<name>``, run by ``rxeval``."""
    import rxeval

    from exports.xlsform import xpath
    from planner.expr.functions import evaluation_date

    def locate(name: str) -> tuple[str, Item | None] | None:
        return (f"/data/{name}", items[name]) if name in items else None

    text = xpath.condition(expr, locate) if condition else xpath.formula(expr, locate)
    today = evaluation_date().isoformat()

    def run(records: Sequence[Record]) -> list[Any]:
        return [_odk_answer(rxeval.eval_expression(text, submission(r, items), today=today), condition)
                for r in records]

    return run


BACKENDS: dict[str, Compile] = {
    "compiled": compiled,
    "columns": columns,
    "excel-tree": excel_tree,
    "excel-formulas": excel_engine,
    "sql-duckdb": sql_duckdb,
    "odm-xpath": odm_xpath,
    "odk-xpath": odk_xpath,
}
"""Every executable backend but the reference, by name."""

GAPS: dict[str, tuple[type[Exception], str]] = {
    "excel-tree": (Untranslatable, "count_distinct, and counts outside a log form of the workbook"),
    "excel-formulas": (Untranslatable, "count_distinct, and counts outside a log form of the workbook"),
    "sql-duckdb": (Unexpressible, "count and count_distinct: the records of a repeating form need their own table"),
    "odm-xpath": (FormalUnexpressible, "count and count_distinct: the reference may know a count only between two ends"),
    "redcap-logic": (RedcapUnexpressible, "count and count_distinct: one logic expression does not see the instances "
                     "of a repeating instrument; also ordering of text, comparisons across kinds, text holding both "
                     "quotes, square brackets or control characters"),
    "odk-xpath": (FormalUnexpressible, "count and count_distinct over a repeat; order comparisons of texts; "
                                       "arithmetic on dates; comparisons across kinds"),
}
"""Constructs a backend cannot express, and the typed error it raises for them (the suite generates none)."""


def same(a: Any, b: Any) -> bool:
    """Equal answers: the same truth, or numbers equal to 12 significant digits (Excel's LN may round differently)."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b or (a == b and type(a) is type(b))
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)
