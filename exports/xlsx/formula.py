"""A small tree of spreadsheet formulas: rendered as Excel text, and evaluable in Python.

Derived-score formulas, conditional-formatting conditions and the eligibility
result are built as trees of these nodes, so the Excel text is generated in
one place (quoting, precedence) and tests can evaluate the very same tree in
Python and compare it with :mod:`planner.scores` without a spreadsheet
program. :meth:`F.value` follows Excel's rules where they matter here: a blank
cell is ``0`` in arithmetic and ``""`` in a text comparison, text compares
without regard to case, ``TRUE`` is ``1`` in arithmetic, and ``SUMPRODUCT``
ignores (does not count) ``TRUE``/``FALSE`` unless arithmetic turned them
into numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from attrs import frozen

from exports.xlsx.text import formula_string
from planner.expr.functions import evaluation_date

Env = Mapping[str, Any]
"""Values of cells and ranges by reference: a scalar (``None`` = blank) or a list for a range."""


class FormulaError(ValueError):
    """An Excel error value (``#NUM!``, ``#DIV/0!``, ``#VALUE!``) during evaluation."""


class F:
    """Base of every formula node."""

    __slots__ = ()
    precedence = 9

    def excel(self) -> str:
        """The formula text, without the leading ``=``."""
        raise NotImplementedError

    def value(self, env: Env) -> Any:
        """The value Excel would compute from the cells in ``env``."""
        raise NotImplementedError


@frozen
class Num(F):
    """A number literal."""

    number: float | int

    def excel(self) -> str:
        if isinstance(self.number, float) and self.number.is_integer():
            return str(int(self.number))
        return repr(self.number)

    def value(self, env: Env) -> Any:
        return self.number


@frozen
class Str(F):
    """A text literal."""

    text: str

    def excel(self) -> str:
        return formula_string(self.text)

    def value(self, env: Env) -> Any:
        return self.text


@frozen
class Ref(F):
    """A cell or a range (``'Labs'!$G$8``, ``'AE'!$C$10:$C$34``); its value comes from ``env``."""

    ref: str

    def excel(self) -> str:
        return self.ref

    def value(self, env: Env) -> Any:
        return env.get(self.ref)


_CMP = {"=": operator.eq, "<>": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt,
        ">=": operator.ge}
_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "^": operator.pow}
_PRECEDENCE = {"=": 1, "<>": 1, "<": 1, "<=": 1, ">": 1, ">=": 1, "&": 2, "+": 3, "-": 3, "*": 4, "/": 4, "^": 5}


@frozen
class Bin(F):
    """A binary operation: arithmetic, comparison or ``&`` (text join)."""

    op: str
    left: F
    right: F

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return _PRECEDENCE[self.op]

    def excel(self) -> str:
        p = self.precedence
        left = self.left.excel() if self.left.precedence >= p else f"({self.left.excel()})"
        right = self.right.excel() if self.right.precedence > p else f"({self.right.excel()})"
        return f"{left}{self.op}{right}"

    def value(self, env: Env) -> Any:
        return _broadcast(self.op, self.left.value(env), self.right.value(env))


@frozen
class Call(F):
    """A function call: ``IF``, ``IFERROR``, ``OR``, ``AND``, ``SQRT``, ``LN``, ``SUM``, ``VALUE`` …"""

    name: str
    args: tuple[F, ...]

    def excel(self) -> str:
        return f"{self.name}({','.join(a.excel() for a in self.args)})"

    def value(self, env: Env) -> Any:
        if self.name == "IF":
            return self.args[1].value(env) if _truth(self.args[0].value(env)) else self.args[2].value(env)
        if self.name == "IFERROR":
            try:
                return _scalar_check(self.args[0].value(env))
            except (FormulaError, ZeroDivisionError, OverflowError):
                return self.args[1].value(env)
        values = [a.value(env) for a in self.args]
        return _FUNCTIONS[self.name](values)


def _blank_as(value: Any, other: Any) -> Any:
    if value is not None:
        return value
    if isinstance(other, bool):
        return False
    return "" if isinstance(other, str) else 0


def _rank(value: Any) -> int:
    """Excel orders values of different kinds as numbers < text < logicals (so ``TRUE=1`` is FALSE)."""
    return 2 if isinstance(value, bool) else 1 if isinstance(value, str) else 0


def _scalar(op: str, a: Any, b: Any) -> Any:
    a, b = _blank_as(a, b), _blank_as(b, a)
    if op == "&":
        return f"{_text(a)}{_text(b)}"
    if op in _CMP:
        if isinstance(a, str) and isinstance(b, str):
            return _CMP[op](a.casefold(), b.casefold())
        if _rank(a) != _rank(b):
            return op == "<>" if op in ("=", "<>") else (op in (">", ">=")) == (_rank(a) > _rank(b))
        return _CMP[op](a, b)
    x, y = _number(a), _number(b)
    if op == "/" and y == 0:
        raise FormulaError("#DIV/0!")
    return _ARITH[op](x, y)


def _broadcast(op: str, a: Any, b: Any) -> Any:
    if isinstance(a, list) or isinstance(b, list):
        n = len(a) if isinstance(a, list) else len(b)
        aa = a if isinstance(a, list) else [a] * n
        bb = b if isinstance(b, list) else [b] * n
        return [_scalar(op, x, y) for x, y in zip(aa, bb, strict=True)]
    return _scalar(op, a, b)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip())
    except ValueError:
        raise FormulaError(f"#VALUE! ({value!r} is not a number)") from None


def _truth(value: Any) -> bool:
    if isinstance(value, str):
        raise FormulaError(f"#VALUE! ({value!r} is not TRUE or FALSE)")
    return bool(_number(value))


def _scalar_check(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise FormulaError("#NUM!")
    return value


def _sqrt(v: list[Any]) -> float:
    x = _number(v[0])
    if x < 0:
        raise FormulaError("#NUM!")
    return math.sqrt(x)


def _ln(v: list[Any]) -> float:
    x = _number(v[0])
    if x <= 0:
        raise FormulaError("#NUM!")
    return math.log(x)


def _sumproduct(v: list[Any]) -> float:
    arrays = [a if isinstance(a, list) else [a] for a in v]
    total = 0.0
    for row in zip(*arrays, strict=True):
        product = 1.0
        for x in row:
            # SUMPRODUCT treats anything that is not a number (text, TRUE/FALSE) as 0
            product *= float(x) if isinstance(x, int | float) and not isinstance(x, bool) else 0.0
        total += product
    return total


def _value(v: list[Any]) -> float:
    if v[0] is None or v[0] == "":
        raise FormulaError("#VALUE! (empty)")
    return _number(v[0])


def _countif(v: list[Any]) -> int:
    cells = v[0] if isinstance(v[0], list) else [v[0]]
    return sum(1 for x in cells if x is not None and _text(x).casefold() == _text(v[1]).casefold())


def _each(value: Any, fn: Callable[[Any], Any]) -> Any:
    """``fn`` of a scalar, or of each element of a range (array evaluation)."""
    return [fn(x) for x in value] if isinstance(value, list) else fn(value)


_FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "OR": lambda v: any(_truth(x) for x in v),
    "AND": lambda v: all(_truth(x) for x in v),
    "NOT": lambda v: not _truth(v[0]),
    "ISNUMBER": lambda v: _each(v[0], lambda x: isinstance(x, int | float) and not isinstance(x, bool)),
    "COUNTIF": _countif,
    "SQRT": _sqrt,
    "LN": _ln,
    "SUM": lambda v: sum(_number(x) for x in v if not isinstance(x, str)),
    "VALUE": _value,
    "SUMPRODUCT": _sumproduct,
    "LEN": lambda v: _each(v[0], lambda x: len(_text(x))),
    "ABS": lambda v: abs(_number(v[0])),
    "MIN": lambda v: min(_number(x) for x in v),
    "MAX": lambda v: max(_number(x) for x in v),
    "TODAY": lambda v: _serial(evaluation_date()),
    "DATE": lambda v: _serial(dt.date(int(_number(v[0])), int(_number(v[1])), int(_number(v[2])))),
}


def _serial(day: dt.date) -> int:
    """A date as Excel stores it: days since 1899-12-30."""
    return (day - dt.date(1899, 12, 30)).days


# -- builders -------------------------------------------------------------------------


def call(name: str, *args: F) -> Call:
    """A function call node."""
    return Call(name, args)


def add(terms: Sequence[F]) -> F:
    """``a+b+…`` (``0`` for no terms)."""
    if not terms:
        return Num(0)
    out = terms[0]
    for t in terms[1:]:
        out = Bin("+", out, t)
    return out


def mul(terms: Sequence[F]) -> F:
    """``a*b*…`` (``1`` for no terms)."""
    if not terms:
        return Num(1)
    out = terms[0]
    for t in terms[1:]:
        out = Bin("*", out, t)
    return out


def blank(ref: F) -> F:
    """``ref=""``: true for an empty cell."""
    return Bin("=", ref, Str(""))


def filled(ref: F) -> F:
    """``ref<>""``: true for a cell with a value."""
    return Bin("<>", ref, Str(""))
