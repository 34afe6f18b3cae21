"""Generated cases for the conformance suite: a typed dictionary, expressions over it, records with gaps.

A :class:`Case` is a data dictionary (a few items of each type, with drawn
names), one expression over it — a *condition* (three-valued truth) or a
*formula tree* (a number: arithmetic, ``sqrt``, ``ln``, ``min``/``max``,
``ifelse``, ``days_between``) — and a seed for its records. Records are made
from the seed with :mod:`random` rather than drawn one by one, so fifty of
them cost little; every item is sometimes missing (absent or ``None``).

Values are chosen so that every backend computes with the same numbers:
decimals are multiples of 0.25 (exact in binary, so no backend's rounding
of input text matters), dates lie in 2019–2026, codes are upper-case (Excel
compares text without regard to case).
"""

from __future__ import annotations

import datetime as dt
import keyword
import random
from collections.abc import Sequence
from typing import Any

from attrs import frozen
from hypothesis import strategies as st

from planner.expr.nodes import (
    FUNCTIONS,
    And,
    Arith,
    Between,
    Call,
    Cmp,
    Expr,
    In,
    Lit,
    Not,
    Or,
    Ref,
)
from planner.model import DataType, Item

CODES = ("A", "B", "C")
_RESERVED = frozenset(keyword.kwlist) | {"true", "false"}
"""Names the model refuses for an item (rule text could not refer to them)."""
FIRST, LAST = dt.date(2019, 1, 1), dt.date(2026, 12, 31)


@frozen
class Case:
    """One generated expression over a typed dictionary, and the seed of its records."""

    items: dict[str, Item]
    expr: Expr
    condition: bool
    seed: int

    def records(self, n: int) -> list[dict[str, Any]]:
        rng = random.Random(self.seed)
        return [_record(rng, self.items) for _ in range(n)]


def _value(rng: random.Random, item: Item) -> Any:
    kind = item.type
    if kind is DataType.INTEGER:
        return rng.choice((0, 1, 2, 3, 5, 10, 28, -1, -4, 40))
    if kind is DataType.DECIMAL:
        return rng.randint(-40, 200) / 4
    if kind is DataType.BOOLEAN:
        return rng.random() < 0.5
    if kind is DataType.CODED:
        return rng.choice(CODES)
    return FIRST + dt.timedelta(days=rng.randint(0, (LAST - FIRST).days))


def _record(rng: random.Random, items: dict[str, Item]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, item in items.items():
        roll = rng.random()
        if roll < 0.12:
            continue  # absent
        out[name] = None if roll < 0.2 else _value(rng, item)
    return out


_KINDS = (DataType.INTEGER, DataType.INTEGER, DataType.DECIMAL, DataType.DECIMAL, DataType.BOOLEAN,
          DataType.BOOLEAN, DataType.CODED, DataType.DATE, DataType.DATE)


@st.composite
def dictionaries(draw: st.DrawFn) -> dict[str, Item]:
    """One item of each kind in :data:`_KINDS`, with distinct drawn names."""
    names = draw(st.lists(st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True), min_size=len(_KINDS),
                          max_size=len(_KINDS), unique=True)
                 .filter(lambda ns: not (_RESERVED & set(ns))))
    return {n: Item(n, n.upper(), k, codelist="C" if k is DataType.CODED else None)
            for n, k in zip(names, _KINDS, strict=True)}


def _number_literal() -> st.SearchStrategy[Expr]:
    return st.one_of(st.integers(-5, 40), st.integers(-20, 80).map(lambda i: i / 4)).map(Lit)


class Grammar:
    """The expression strategies over one dictionary, each built once per depth (they refer to each other)."""

    def __init__(self, items: dict[str, Item]) -> None:
        self.items = items
        self._numbers: dict[int, st.SearchStrategy[Expr]] = {}
        self._conditions: dict[int, st.SearchStrategy[Expr]] = {}

    def of(self, *kinds: DataType) -> st.SearchStrategy[Expr]:
        return st.sampled_from([n for n, it in self.items.items() if it.type in kinds]).map(Ref)

    def dates(self) -> st.SearchStrategy[Expr]:
        refs = self.of(DataType.DATE)
        return st.one_of(refs, refs, st.dates(FIRST, LAST).map(Lit), st.just(Call("today", ())))

    def numbers(self, depth: int) -> st.SearchStrategy[Expr]:
        """Numeric formula trees over the numeric and date items."""
        if depth not in self._numbers:
            refs = self.of(DataType.INTEGER, DataType.DECIMAL)
            dates = self.dates()
            leaf = st.one_of(refs, refs, _number_literal(),
                             st.builds(lambda a, b: Call("days_between", (a, b)), dates, dates))
            if depth <= 0:
                self._numbers[depth] = leaf
            else:
                sub = self.numbers(depth - 1)
                self._numbers[depth] = st.one_of(
                    leaf,
                    st.builds(Arith, st.sampled_from(("+", "-", "*", "/")), sub, sub),
                    st.builds(lambda f, a: Call(f, (a,)), st.sampled_from(("sqrt", "ln", "abs")), sub),
                    st.builds(lambda f, xs: Call(f, tuple(xs)), st.sampled_from(("min", "max")),
                              st.lists(sub, min_size=2, max_size=3)),
                    st.builds(lambda c, a, b: Call("ifelse", (c, a, b)), self.conditions(depth - 1), sub, sub),
                )
        return self._numbers[depth]

    def conditions(self, depth: int) -> st.SearchStrategy[Expr]:
        """Well-typed conditions over the dictionary."""
        if depth not in self._conditions:
            ops = st.sampled_from(("<", "<=", ">", ">=", "==", "!="))
            flags, coded, ints = self.of(DataType.BOOLEAN), self.of(DataType.CODED), self.of(DataType.INTEGER)
            num, lits = self.numbers(max(depth - 1, 0)), _number_literal()
            atom = st.one_of(
                st.builds(Cmp, ops, num, st.one_of(lits, num)),
                st.builds(Cmp, ops, self.dates(), self.dates()),
                st.builds(Cmp, st.sampled_from(("==", "!=")), coded, st.sampled_from(CODES).map(Lit)),
                st.builds(In, coded, st.lists(st.sampled_from(CODES).map(Lit), min_size=1, max_size=3).map(tuple)),
                st.builds(In, ints, st.lists(st.integers(-1, 10).map(Lit), min_size=1, max_size=4).map(tuple)),
                st.builds(Between, num, lits, lits, st.booleans(), st.booleans()),
                flags,
                st.builds(Cmp, st.sampled_from(("==", "!=")), flags, st.booleans().map(Lit)),
            )
            if depth <= 0:
                self._conditions[depth] = atom
            else:
                sub = self.conditions(depth - 1)
                self._conditions[depth] = st.one_of(
                    atom, atom,
                    st.builds(Not, sub),
                    st.builds(lambda ts: And(tuple(ts)), st.lists(sub, min_size=2, max_size=3)),
                    st.builds(lambda ts: Or(tuple(ts)), st.lists(sub, min_size=2, max_size=3)),
                    st.builds(lambda c, a, b: Call("ifelse", (c, a, b)), sub, sub, sub),
                )
        return self._conditions[depth]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A condition (most cases) or a numeric formula tree, over a drawn dictionary."""
    items = draw(dictionaries())
    condition = draw(st.integers(0, 3)) > 0
    grammar = Grammar(items)
    expr = draw(grammar.conditions(3) if condition else grammar.numbers(3))
    return Case(items, expr, condition, draw(st.integers(0, 2**32)))


def functions_used(exprs: Sequence[Expr]) -> set[str]:
    """The functions of :data:`FUNCTIONS` that occur in ``exprs`` (the suite checks it covers them all)."""
    return {n.fn for e in exprs for n in e.walk() if isinstance(n, Call) and n.fn in FUNCTIONS}
