"""The text syntax of rule expressions: a safe parser and a canonical printer.

Parsing uses Python's own :mod:`ast` parser and accepts only a whitelist of
node types; nothing is ever evaluated. The syntax is Python's expression
syntax with three additions: ``true``/``false``, units in brackets after a
number (``9[g/dL]``, ``1.0[10^9/L]``), the functions ``count``,
``count_distinct`` and ``date``, and the closed table of functions in
:data:`planner.expr.nodes.FUNCTIONS` (``sqrt``, ``ln``, ``days_between`` …)::

    age >= 18 and not pregnant
    diagnosis in ("RA", "PsA", "axSpA")
    count_distinct(prior_therapy.mechanism_class, where=prior_therapy.failed) >= 2
    alt > 3 * alt_uln
    days_between(diagnosis_date, screening_date) >= 182

``to_text(parse(s))`` is the canonical form of ``s``, and
``parse(to_text(e)) == e`` for every expression ``e``.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
import math
import re
import tokenize
from collections.abc import Callable

from planner import limits
from planner.expr.nodes import FUNCTIONS, And, Arith, Between, Call, Cmp, Count, Expr, In, Lit, Not, Or, Ref, Scalar


class ExprError(ValueError):
    """A rule text that cannot be parsed; ``column`` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.message = message
        self.column = column


_UNIT = re.compile(r"(?<![\w.])(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*\[([^\[\]\"']+)\]")
_CMP: dict[type, str] = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
_ARITH: dict[type, str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_NAMES: dict[str, bool] = {"true": True, "false": False, "True": True, "False": False}


def parse(text: str) -> Expr:
    """Parse rule text into an expression tree, or raise :class:`ExprError`."""
    if not text.strip():
        raise ExprError("empty rule: write a condition such as 'age >= 18'", 1)
    if len(text) > limits.RULE_CHARS:
        raise ExprError(f"the rule is {len(text)} characters long, more than the limit of {limits.RULE_CHARS}; "
                        "split it into several criteria", limits.RULE_CHARS + 1)
    # A rule may be wrapped over lines in YAML; columns then count as one line.
    # Only \n and \r: the printer escapes those inside string literals.
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    strings = _string_spans(text)
    _check_digits(text, strings)  # before Python's parser, which fails on 4 300 digits as "ends too early"
    quoted, shifts = _quote_units(text, strings)
    try:
        tree = ast.parse(quoted, mode="eval")
    except SyntaxError as exc:
        if not exc.offset:  # Python reports the end of the input as offset 0
            raise ExprError("the rule ends too early: something is missing at the end", len(text.rstrip()) + 1) from None
        col = _original_column(exc.offset - 1, shifts) + 1
        raise ExprError(_syntax_problem(text, col - 1, exc.msg), col) from None
    except (RecursionError, MemoryError):
        raise ExprError("the rule is nested too deeply; split it into simpler criteria", 1) from None
    try:
        return _Builder(shifts, quoted).build(tree.body)
    except RecursionError:
        raise ExprError("the rule is nested too deeply; split it into simpler criteria", 1) from None


_OPERATORS = "==, !=, <, <=, >, >=, +, -, *, /, and, or, in"
_OP_CHARS = "=!<>+-*/%&|^~@:;,"
_MISTYPED = {"=": "'==' to compare", "=>": "'>='", "=<": "'<='", "<>": "'!='", "><": "'!='", "!": "'not'",
             "&&": "'and'", "&": "'and'", "||": "'or'", "|": "'or'"}
_AFTER_OPERAND = re.compile(r"(\w|[)\]\"'])$")
_TOKEN = re.compile(r"\w+|\S")


def _syntax_problem(text: str, col: int, message: str) -> str:
    """What is wrong at ``col`` (0-based) and what the rule expects there.

    Python's own message is kept when it says something (``'(' was never
    closed``); its bare "invalid syntax" becomes the unexpected token and what
    may stand in its place.
    """
    if message != "invalid syntax":
        return f"invalid syntax: {message}"
    start = col
    while start > 0 and text[start - 1] in _OP_CHARS and text[col:col + 1] in _OP_CHARS:
        start -= 1
    if text[start:start + 1] in _OP_CHARS:
        end = start
        while end < len(text) and text[end] in _OP_CHARS:
            end += 1
        found = text[start:end]
    else:
        match = _TOKEN.match(text, start)
        found = match.group() if match else text[start:start + 1]
    if found in _MISTYPED:
        return f"unexpected {found!r}; write {_MISTYPED[found]}"
    if len(found) > 1 and set(found) <= set("=!<>+-*/"):
        return f"unknown operator {found!r}; use one of {_OPERATORS}"
    if _AFTER_OPERAND.search(text[:start].rstrip()) and not re.search(r"\b(and|or|not|in)$", text[:start].rstrip()):
        return f"unexpected {found!r}; expected an operator ({_OPERATORS}) or the end of the rule"
    return f"unexpected {found!r}; expected a value, a name or '(' here"


def _string_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the string literals in ``text`` (empty if it does not tokenize)."""
    spans: list[tuple[int, int]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.STRING:
                spans.append((tok.start[1], tok.end[1]))
    except (tokenize.TokenError, SyntaxError):
        pass  # the parser reports the problem with its column
    return spans


_NUMBER = re.compile(r"(?<![\w.])(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)")


def _check_digits(text: str, strings: list[tuple[int, int]]) -> None:
    """Refuse a number literal (outside string literals) written with more than ``NUMBER_DIGITS`` digits."""
    for m in _NUMBER.finditer(text):
        digits = sum(c.isdigit() for c in m.group())
        if digits > limits.NUMBER_DIGITS and not any(start <= m.start() < end for start, end in strings):
            raise ExprError(f"number too long: {digits} digits, more than the limit of {limits.NUMBER_DIGITS}; "
                            "write it with fewer digits", m.start() + 1)


def _quote_units(text: str, strings: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Turn ``9[g/dL]`` into ``9["g/dL"]`` so Python can parse it; keep the column shifts.

    Brackets inside string literals are left alone (``"Grade 3 [severe]"``).
    """
    out: list[str] = []
    shifts: list[tuple[int, int]] = []  # (position in quoted text, chars added so far)
    last, added = 0, 0
    for m in _UNIT.finditer(text):
        if any(start <= m.start() < end for start, end in strings):
            continue
        out.append(text[last : m.start(2)])
        out.append(json.dumps(m.group(2).strip(), ensure_ascii=False))
        added += len(json.dumps(m.group(2).strip(), ensure_ascii=False)) - len(m.group(2))
        shifts.append((m.start(2) + added, added))
        last = m.end(2)
    out.append(text[last:])
    return "".join(out), shifts


def _original_column(col: int, shifts: list[tuple[int, int]]) -> int:
    delta = 0
    for pos, added in shifts:
        if col >= pos:
            delta = added
    return max(col - delta, 0)


class _Builder:
    def __init__(self, shifts: list[tuple[int, int]], quoted: str) -> None:
        self.shifts = shifts
        self.quoted = quoted

    def fail(self, node: ast.AST, message: str) -> ExprError:
        col = _original_column(getattr(node, "col_offset", 0), self.shifts) + 1
        return ExprError(message, col)

    def number(self, node: ast.Constant) -> None:
        """Refuse a number literal that is not finite (``1e400``) or larger than ``NUMBER_MAGNITUDE``."""
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        written = self.quoted[node.col_offset:node.end_col_offset or node.col_offset][:20]
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(node, f"{written} is not a finite number; write a number")
        if abs(value) > limits.NUMBER_MAGNITUDE:
            raise self.fail(node, f"{written} is too large a number; the limit is {limits.NUMBER_MAGNITUDE:g} in size")

    def build(self, node: ast.expr) -> Expr:
        method: Callable[[ast.expr], Expr] | None = getattr(self, f"_{type(node).__name__}", None)
        if method is None:
            raise self.fail(node, f"{_describe(node)} is not allowed in a rule")
        return method(node)

    def _BoolOp(self, node: ast.BoolOp) -> Expr:  # noqa: N802
        terms = tuple(self.build(v) for v in node.values)
        return And(terms) if isinstance(node.op, ast.And) else Or(terms)

    def _UnaryOp(self, node: ast.UnaryOp) -> Expr:  # noqa: N802
        if isinstance(node.op, ast.Not):
            return Not(self.build(node.operand))
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            inner = self.build(node.operand)
            if isinstance(inner, Lit) and isinstance(inner.value, (int, float)) and not isinstance(inner.value, bool):
                value = -inner.value if isinstance(node.op, ast.USub) else inner.value
                return Lit(value, inner.unit)
            if isinstance(node.op, ast.USub):
                return Arith("-", Lit(0), inner)
            return inner
        raise self.fail(node, "'~' is not allowed: write 'not'")

    def _BinOp(self, node: ast.BinOp) -> Expr:  # noqa: N802
        op = _ARITH.get(type(node.op))
        if op is None:
            raise self.fail(node, f"operator {type(node.op).__name__} is not allowed: use + - * /")
        return Arith(op, self.build(node.left), self.build(node.right))  # type: ignore[arg-type]

    def _Compare(self, node: ast.Compare) -> Expr:  # noqa: N802
        operands = [node.left, *node.comparators]
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
            member = In(self.build(node.left), self._options(node.comparators[0]))
            return Not(member) if isinstance(node.ops[0], ast.NotIn) else member
        ops: list[str] = []
        for op in node.ops:
            if type(op) not in _CMP:
                raise self.fail(node, f"'{type(op).__name__}' is not allowed in a chain: use < <= > >= == !=")
            ops.append(_CMP[type(op)])
        built = [self.build(o) for o in operands]
        if len(ops) == 1:
            return Cmp(ops[0], built[0], built[1])  # type: ignore[arg-type]
        if len(ops) == 2 and all(o in ("<", "<=") for o in ops):
            return Between(built[1], built[0], built[2], ops[0] == "<=", ops[1] == "<=")
        if len(ops) == 2 and all(o in (">", ">=") for o in ops):
            return Between(built[1], built[2], built[0], ops[1] == ">=", ops[0] == ">=")
        return And(tuple(Cmp(op, built[i], built[i + 1]) for i, op in enumerate(ops)))  # type: ignore[arg-type]

    def _options(self, node: ast.expr) -> tuple[Lit, ...]:
        if not isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            raise self.fail(node, "'in' needs a list of values: x in (\"a\", \"b\")")
        out: list[Lit] = []
        for elt in node.elts:
            lit = self.build(elt)
            if not isinstance(lit, Lit):
                raise self.fail(elt, "the values after 'in' must be literals")
            out.append(lit)
        return tuple(out)

    def _Name(self, node: ast.Name) -> Expr:  # noqa: N802
        if node.id in _NAMES:
            return Lit(_NAMES[node.id])
        return Ref(node.id)

    def _Attribute(self, node: ast.Attribute) -> Expr:  # noqa: N802
        if not isinstance(node.value, ast.Name):
            raise self.fail(node, "only 'form.item' is allowed after a dot")
        return Ref(f"{node.value.id}.{node.attr}")

    def _Constant(self, node: ast.Constant) -> Expr:  # noqa: N802
        self.number(node)
        if isinstance(node.value, (bool, int, float, str)):
            try:
                return Lit(node.value)
            except ValueError as exc:
                raise self.fail(node, str(exc)) from None
        raise self.fail(node, f"literal {node.value!r} is not allowed")

    def _Subscript(self, node: ast.Subscript) -> Expr:  # noqa: N802
        value, unit = node.value, node.slice
        if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub):
            inner = self._Subscript(ast.Subscript(value.operand, unit, ast.Load(), col_offset=value.col_offset))
            assert isinstance(inner, Lit) and isinstance(inner.value, (int, float))
            return Lit(-inner.value, inner.unit)
        if not (isinstance(value, ast.Constant) and isinstance(value.value, (int, float)) and not isinstance(value.value, bool)):
            raise self.fail(node, "a unit in brackets must follow a number: 9[g/dL]")
        self.number(value)
        if not (isinstance(unit, ast.Constant) and isinstance(unit.value, str)):
            raise self.fail(node, "write the unit in brackets after the number: 9[g/dL]")
        try:
            return Lit(value.value, unit.value)
        except ValueError as exc:
            raise self.fail(unit, str(exc)) from None

    def _Call(self, node: ast.Call) -> Expr:  # noqa: N802
        if isinstance(node.func, ast.Attribute):
            raise self.fail(node, f"method call '.{node.func.attr}()' is not allowed: call a function, as in sqrt(x)")
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name == "date":
            arg = node.args[0] if len(node.args) == 1 and not node.keywords else None
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                raise self.fail(node, 'date() takes one ISO date string: date("2024-01-31")')
            try:
                return Lit(dt.date.fromisoformat(arg.value))
            except ValueError:
                raise self.fail(arg, f"{arg.value!r} is not an ISO date (YYYY-MM-DD)") from None
        if name in FUNCTIONS:
            if node.keywords:
                raise self.fail(node.keywords[0].value, f"{name}() takes no keyword arguments")
            try:
                return Call(name, tuple(self.build(a) for a in node.args))  # type: ignore[arg-type]
            except ValueError as exc:
                raise self.fail(node, str(exc)) from None
        if name not in ("count", "count_distinct"):
            allowed = ", ".join(("count", "count_distinct", "date", *FUNCTIONS))
            raise self.fail(node, f"function {name or '?'}() is not allowed: use one of {allowed}")
        where: Expr | None = None
        for kw in node.keywords:
            if kw.arg != "where":
                raise self.fail(kw.value, f"{name}() takes only 'where=' as keyword")
            where = self.build(kw.value)
        if len(node.args) != 1:
            raise self.fail(node, f"{name}() takes one argument")
        target = self.build(node.args[0])
        if not isinstance(target, Ref):
            raise self.fail(node.args[0], f"{name}() counts a form (count(ae)) or a form item (count_distinct(ae.term))")
        if name == "count":
            if "." in target.name:
                raise self.fail(node.args[0], "count() takes a form; use count_distinct(form.item) to count distinct values")
            return Count(target.name, where)
        form, _, item = target.name.partition(".")
        if not item:
            raise self.fail(node.args[0], "count_distinct() takes 'form.item'")
        return Count(form, where, item)


def _describe(node: ast.AST) -> str:
    names = {"Lambda": "a lambda", "Call": "a call", "Dict": "a dict", "IfExp": "'x if c else y'",
             "NamedExpr": "':='", "Starred": "'*'", "JoinedStr": "an f-string"}
    return names.get(type(node).__name__, f"'{type(node).__name__}'")


# -- printing -----------------------------------------------------------------

_PREC = {Or: 1, And: 2, Not: 3, Cmp: 4, In: 4, Between: 4}
_ARITH_PREC = {"+": 5, "-": 5, "*": 6, "/": 6}


def _prec(e: Expr) -> int:
    if isinstance(e, Arith):
        return _ARITH_PREC[e.op]
    return _PREC.get(type(e), 9)


def _lit(value: Scalar, unit: str | None) -> str:
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, dt.date):
        text = f'date("{value.isoformat()}")'
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = repr(value)
    return text if unit is None else f"{text}[{unit}]"


def to_text(e: Expr) -> str:
    """The canonical text of an expression."""

    def sub(child: Expr, minimum: int) -> str:
        text = to_text(child)
        return f"({text})" if _prec(child) < minimum else text

    if isinstance(e, Ref):
        return e.name
    if isinstance(e, Lit):
        return _lit(e.value, e.unit)
    if isinstance(e, And):
        return " and ".join(sub(t, 3) for t in e.terms)
    if isinstance(e, Or):
        return " or ".join(sub(t, 2) for t in e.terms)
    if isinstance(e, Not):
        return f"not {sub(e.term, 3)}"
    if isinstance(e, Cmp):
        return f"{sub(e.left, 5)} {e.op} {sub(e.right, 5)}"
    if isinstance(e, In):
        opts = ", ".join(to_text(o) for o in e.options)
        return f"{sub(e.subject, 5)} in ({opts}{',' if len(e.options) == 1 else ''})"
    if isinstance(e, Between):
        lo = "<=" if e.low_inclusive else "<"
        hi = "<=" if e.high_inclusive else "<"
        return f"{sub(e.low, 5)} {lo} {sub(e.subject, 5)} {hi} {sub(e.high, 5)}"
    if isinstance(e, Arith):
        p = _ARITH_PREC[e.op]
        return f"{sub(e.left, p)} {e.op} {sub(e.right, p + 1)}"
    if isinstance(e, Call):
        return f"{e.fn}({', '.join(to_text(a) for a in e.args)})"
    if isinstance(e, Count):
        where = "" if e.where is None else f", where={to_text(e.where)}"
        if e.distinct is None:
            return f"count({e.form}{where})"
        return f"count_distinct({e.form}.{e.distinct}{where})"
    raise TypeError(f"not an expression node: {e!r}")
