"""Rule expressions: typed AST, safe text syntax, three-valued evaluation.

Names are loaded on first use (PEP 562), so building a protocol imports only
the AST nodes; the parser and the evaluators load when a command needs them.
That keeps ``protocol-planner list`` fast (see benchmarks/bench_startup.py).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planner.expr.logic import Outcome, compile_rule, evaluate
    from planner.expr.nodes import (
        And,
        Arith,
        Between,
        Call,
        Cmp,
        Count,
        Expr,
        In,
        Lit,
        Not,
        Or,
        Ref,
        call,
        count,
        count_distinct,
        days_between,
        ifelse,
        item,
        ln,
        q,
        sqrt,
        today,
    )
    from planner.expr.text import ExprError, parse, to_text

_WHERE = {
    **dict.fromkeys(("Outcome", "compile_rule", "evaluate"), "planner.expr.logic"),
    **dict.fromkeys(("And", "Arith", "Between", "Call", "Cmp", "Count", "Expr", "In", "Lit", "Not", "Or", "Ref",
                     "call", "count", "count_distinct", "days_between", "ifelse", "item", "ln", "q", "sqrt",
                     "today"), "planner.expr.nodes"),
    **dict.fromkeys(("ExprError", "parse", "to_text"), "planner.expr.text"),
}

__all__ = [
    "And", "Arith", "Between", "Call", "Cmp", "Count", "Expr", "ExprError", "In", "Lit", "Not", "Or",
    "Outcome", "Ref", "call", "compile_rule", "count", "count_distinct", "days_between", "evaluate",
    "ifelse", "item", "ln", "parse", "q", "sqrt", "to_text", "today",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'planner.expr' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
