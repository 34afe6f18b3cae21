"""Rule expressions and published scores as spreadsheet formulas.

Two translations, both into :mod:`exports.xlsx.formula` trees:

* :func:`method_formula` writes a derivation of :data:`planner.scores.DERIVATIONS`
  (DAS28, mRSS total, SSc 2013 score …) over its input cells: the score's own
  formula tree, translated as below, so there is no second copy of a score;
* :class:`Translator` writes a rule expression (:mod:`planner.expr`) over the
  cells where its items are entered. Rules use three-valued logic, so a truth
  is translated as two 0/1 formulas, *known and true* and *known and false*
  (Kleene: ``and`` is false when any term is false, ``or`` is true when any
  term is true, ``not`` swaps the two). A blank cell is unknown, never ``0``.

What cannot be written as a formula (``count_distinct``, a score without a
formula here) raises :class:`Untranslatable`; ``crf-check`` still computes
it in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from exports.xlsx.formula import Bin, F, Num, Str, add, blank, call, filled, mul
from planner.expr import And, Arith, Between, Call, Cmp, Count, Expr, In, Lit, Not, Or, Ref
from planner.expr.logic import literal_value
from planner.model import DataType, Item
from planner.scores import DERIVATIONS

YES, NO = "Yes", "No"
INVALID = "invalid input"

_INVERSE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "<>", "<>": "="}
_EXCEL_OP = {"==": "=", "!=": "<>"}


class Untranslatable(ValueError):
    """An expression or score with no spreadsheet formula here."""


# -- published scores ---------------------------------------------------------------


def method_formula(method: str, inputs: Mapping[str, tuple[F, Item]]) -> F:
    """The cell formula of a published score: blank until every input is entered, then the score.

    The score's own formula tree (:attr:`planner.scores.Derivation.formula`)
    is translated like any rule expression; ``inputs`` maps each parameter of
    the score to its input cell and item. A value the score rejects (the log
    of 0, …) shows ``invalid input``.
    """
    score = DERIVATIONS.get(method)
    if score is None:
        raise Untranslatable(f"no spreadsheet formula for the score {method!r}")
    absent = [p for p in score.inputs if p not in inputs]
    if absent:
        raise Untranslatable(f"score {method!r} needs an input {absent[0]!r}")
    cells = {name: cell for name, (cell, _) in inputs.items()}
    translator = Translator({name: item for name, (_, item) in inputs.items()}, cells.get, coded_numbers=True)
    body, _ = translator.value(score.formula)
    missing = [blank(cell) for cell in cells.values()]
    return call("IF", call("OR", *missing), Str(""), call("IFERROR", body, Str(INVALID)))


# -- rule expressions -----------------------------------------------------------------

Locate = Callable[[str], F | None]


class Translator:
    """Translate rule expressions over the cells ``locate`` gives for item and derived names.

    ``locate(name)`` returns the cell of a name at the visit being written (or
    ``None``). ``log(form_id)`` returns a locator for the items of a log form:
    whole columns for a count over the records, or one record's cells for a
    per-row highlight. ``items`` gives the item behind each name (for its type
    and unit).
    """

    def __init__(self, items: Mapping[str, Item], locate: Locate,
                 log: Callable[[str], tuple[Locate, F] | None] | None = None,
                 units: Mapping[str, str | None] | None = None, *, coded_numbers: bool = False) -> None:
        self.items = items
        self.coded_numbers = coded_numbers
        self.locate = locate
        self.log = log
        self.units = units if units is not None else {
            name: (it.unit if isinstance(it.unit, str) else None) for name, it in items.items()}

    # value and "known" -------------------------------------------------------------

    def value(self, e: Expr) -> tuple[F, list[F]]:
        """The value of ``e`` and the conditions (each 0/1) under which it is known."""
        if isinstance(e, Ref):
            cell = self._cell(e.name)
            item = self.items.get(e.name)
            numeric = item is None or item.type in (DataType.INTEGER, DataType.DECIMAL, DataType.DATE)
            if self.coded_numbers and item is not None and item.type is DataType.CODED:
                return call("VALUE", cell), [filled(cell)]  # a score's points entered as a numeric code
            return cell, [Bin("*", Num(1), call("ISNUMBER", cell)) if numeric else filled(cell)]
        if isinstance(e, Lit):
            return self._literal(e, None), []
        if isinstance(e, Arith):
            left, kl = self.value(e.left)
            right, kr = self.value(e.right)
            if e.op == "/" and _partial(e):
                return Bin("/", left, right), _also(kl + kr, Bin("<>", right, Num(0)))
            return Bin(e.op, left, right), kl + kr
        if isinstance(e, Count):
            return self._count(e)
        if isinstance(e, Call):
            return self._call(e)
        raise Untranslatable(f"{e} has no spreadsheet value")

    def _call(self, e: Call) -> tuple[F, list[F]]:
        """A function of the rule language: its Excel function, known where the reference is known.

        Excel evaluates ``IF`` lazily, so a domain condition (``x >= 0`` for
        ``sqrt``) guards the value and no error value ever reaches a cell.
        """
        if e.fn == "today":
            return call("TODAY"), []
        if e.fn == "ifelse":
            true, false = self.truth(e.args[0])
            then, kt = self.value(e.args[1])
            otherwise, ko = self.value(e.args[2])
            chosen = Bin(">", add([mul([true, *kt]), mul([false, *ko])]), Num(0))
            return call("IF", Bin("=", true, Num(1)), then, otherwise), [Bin("*", Num(1), chosen)]
        args = [self.value(a) for a in e.args]
        known = [k for _, ks in args for k in ks]
        values = [v for v, _ in args]
        if e.fn == "days_between":
            return Bin("-", values[1], values[0]), known
        excel = _EXCEL_FUNCTION[e.fn]
        domain = _DOMAIN.get(e.fn)
        if domain is not None:
            return call(excel, *values), _also(known, Bin(domain[0], values[0], Num(domain[1])))
        return call(excel, *values), known

    def _cell(self, name: str) -> F:
        cell = self.locate(name)
        if cell is None:
            raise Untranslatable(f"{name} is not entered on this sheet and visit")
        return cell

    def _literal(self, lit: Lit, subject: Expr | None) -> F:
        value = literal_value(lit, self.units, subject)
        if isinstance(value, bool):
            return Str(YES if value else NO)
        if isinstance(value, int | float):
            return Num(value)
        if isinstance(value, str):
            return Str(value)
        if isinstance(value, dt.date):  # a date cell holds its serial number; DATE() gives the same
            return call("DATE", Num(value.year), Num(value.month), Num(value.day))
        raise Untranslatable(f"literal {lit} has no spreadsheet form")

    def _operand(self, e: Expr, other: Expr) -> tuple[F, list[F]]:
        if isinstance(e, Lit):
            return self._literal(e, other), []
        return self.value(e)

    def _count(self, e: Count) -> tuple[F, list[F]]:
        if e.distinct is not None or self.log is None:
            raise Untranslatable(f"{e} has no spreadsheet formula")
        found = self.log(e.form)
        if found is None:
            raise Untranslatable(f"{e.form} is not a log form of this workbook")
        locate, has_data = found
        inner = Translator(self.items, locate, None, self.units)
        records = call("SUMPRODUCT", Bin("*", Num(1), has_data))
        recorded = Bin(">", records, Num(0))  # an empty log is "not recorded": the count is unknown
        if e.where is None:
            return records, [recorded]
        true, false = inner.truth(e.where)
        unknown = mul([has_data, Bin("-", Bin("-", Num(1), true), false)])
        return call("SUMPRODUCT", Bin("*", Num(1), mul([has_data, true]))), [
            recorded, Bin("=", call("SUMPRODUCT", Bin("*", Num(1), unknown)), Num(0))]

    # truth ----------------------------------------------------------------------------

    def truth(self, e: Expr) -> tuple[F, F]:
        """``(known and true, known and false)`` of a rule, each a 0/1 formula."""
        if isinstance(e, Lit) and isinstance(e.value, bool):
            return (Num(1), Num(0)) if e.value else (Num(0), Num(1))
        if isinstance(e, Ref):
            return self._flag(e.name)
        if isinstance(e, Not):
            true, false = self.truth(e.term)
            return false, true
        if isinstance(e, And | Or):
            parts = [self.truth(t) for t in e.terms]
            trues, falses = [p[0] for p in parts], [p[1] for p in parts]
            if isinstance(e, And):
                return mul(trues), Bin("*", Num(1), Bin(">", add(falses), Num(0)))
            return Bin("*", Num(1), Bin(">", add(trues), Num(0))), mul(falses)
        if isinstance(e, Cmp):
            return self._compare(e)
        if isinstance(e, Call) and e.fn == "ifelse":  # a choice between two conditions
            t, f = self.truth(e.args[0])
            (tt, tf), (ot, of) = self.truth(e.args[1]), self.truth(e.args[2])
            return add([mul([t, tt]), mul([f, ot])]), add([mul([t, tf]), mul([f, of])])
        if isinstance(e, In):
            subject, known = self.value(e.subject)
            hits = add([Bin("*", Num(1), Bin("=", subject, self._literal(o, e.subject))) for o in e.options])
            if _partial(e):
                return _guard(known, Bin("*", Num(1), Bin(">", hits, Num(0))), Bin("*", Num(1), Bin("=", hits, Num(0))))
            return _number([*known, Bin(">", hits, Num(0))]), _number([*known, Bin("=", hits, Num(0))])
        if isinstance(e, Between):
            subject, known = self.value(e.subject)
            low, kl = self._operand(e.low, e.subject)
            high, kh = self._operand(e.high, e.subject)
            lo_op, hi_op = ("<=" if e.low_inclusive else "<"), ("<=" if e.high_inclusive else "<")
            inside = Bin("*", Bin(lo_op, low, subject), Bin(hi_op, subject, high))
            known_all = [*known, *kl, *kh]
            if _partial(e):
                return _guard(known_all, inside, Bin("-", Num(1), inside))
            return mul([*known_all, inside]), mul([*known_all, Bin("-", Num(1), inside)])
        raise Untranslatable(f"{e} is not a condition")

    def _flag(self, name: str) -> tuple[F, F]:
        item = self.items.get(name) or self.items.get(name.rpartition(".")[2])
        if item is None or item.type is not DataType.BOOLEAN:
            raise Untranslatable(f"{name} is not a yes/no item")
        cell = self._cell(name)
        return Bin("*", Num(1), Bin("=", cell, Str(YES))), Bin("*", Num(1), Bin("=", cell, Str(NO)))

    def _compare(self, e: Cmp) -> tuple[F, F]:
        for subject, other in ((e.left, e.right), (e.right, e.left)):
            if isinstance(subject, Ref) and isinstance(other, Lit) and isinstance(other.value, bool) \
                    and e.op in ("==", "!="):
                true, false = self._flag(subject.name)
                same = (e.op == "==") == other.value
                return (true, false) if same else (false, true)
        left, kl = self._operand(e.left, e.right)
        right, kr = self._operand(e.right, e.left)
        op = _EXCEL_OP.get(e.op, e.op)
        known = [*kl, *kr]
        if _partial(e):
            return _guard(known, Bin("*", Num(1), Bin(op, left, right)), Bin("*", Num(1), Bin(_INVERSE[op], left, right)))
        return _number([*known, Bin(op, left, right)]), _number([*known, Bin(_INVERSE[op], left, right)])


_EXCEL_FUNCTION = {"sqrt": "SQRT", "ln": "LN", "abs": "ABS", "min": "MIN", "max": "MAX"}
_DOMAIN = {"sqrt": (">=", 0), "ln": (">", 0)}


def _partial(e: Expr) -> bool:
    """Whether ``e`` can be unknown on known inputs (a function's domain, a division): its truth is then guarded."""
    return any(isinstance(n, Call) or isinstance(n, Arith) and n.op == "/" for n in e.walk())


def _number(terms: list[F]) -> F:
    """The product of 0/1 terms as a number: a lone comparison is TRUE/FALSE, and Excel's ``TRUE=1`` is false."""
    return mul(terms) if len(terms) > 1 else Bin("*", Num(1), terms[0])


def _also(known: list[F], condition: F) -> list[F]:
    """``known`` and then ``condition``, evaluated only once ``known`` holds (so it never errors)."""
    if not known:
        return [Bin("*", Num(1), condition)]
    return [call("IF", mul(known), Bin("*", Num(1), condition), Num(0))]


def _guard(known: list[F], true: F, false: F) -> tuple[F, F]:
    """``(known and true, known and false)``, the comparisons read only where the operands are known."""
    if not known:
        return true, false
    return call("IF", mul(known), true, Num(0)), call("IF", mul(known), false, Num(0))


def expression_formula(translator: Translator, expr: Expr) -> F:
    """The cell formula of a derived value computed by a rule expression: blank while unknown."""
    value, known = translator.value(expr)
    if not known:
        return call("IFERROR", value, Str(INVALID))
    return call("IF", mul(known), call("IFERROR", value, Str(INVALID)), Str(""))


def row_has_data(cells: list[F]) -> F:
    """1 when any of a record's cells (or, over ranges, each record) has a value."""
    joined = cells[0]
    for c in cells[1:]:
        joined = Bin("&", joined, c)
    return Bin(">", call("LEN", joined), Num(0))
