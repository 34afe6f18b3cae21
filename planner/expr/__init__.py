"""Rule expressions: typed AST, safe text syntax, three-valued evaluation."""

from planner.expr.evaluate import Outcome, compile_rule, evaluate
from planner.expr.nodes import (
    And,
    Arith,
    Between,
    Cmp,
    Count,
    Expr,
    In,
    Lit,
    Not,
    Or,
    Ref,
    count,
    count_distinct,
    item,
    q,
)
from planner.expr.text import ExprError, parse, to_text

__all__ = [
    "And", "Arith", "Between", "Cmp", "Count", "Expr", "ExprError", "In", "Lit", "Not", "Or", "Outcome",
    "Ref", "compile_rule", "count", "count_distinct", "evaluate", "item", "parse", "q", "to_text",
]
