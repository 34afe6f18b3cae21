"""Every published score in SQL gives the reference engine's value: inputs valid, refused or missing.

For each score of :data:`planner.scores.DERIVATIONS` a derivation binds its
parameters to items; generated records hold accepted values, refused ones
(out of range, not among the published points) and blanks. The reference
(:class:`planner.participants.derived.Derivations`) derives the value and a
rule on it is evaluated; the query over the same records on DuckDB must give
the same truth — for a score known only between two ends too.
"""

from __future__ import annotations

import random
import zlib
from typing import Any

import pytest

from planner.expr import evaluate, parse
from planner.expr.sql import DuckDB, SqlCompiler
from planner.expr.sql.query import render
from planner.model import DataType, Derivation, Item
from planner.scores import DERIVATIONS


def _items(name: str) -> dict[str, Item]:
    out = {}
    for p in DERIVATIONS[name].params:
        kind = {"flag": DataType.BOOLEAN, "real": DataType.DECIMAL}.get(p.kind, DataType.INTEGER)
        out[f"x_{p.name}"] = Item(f"x_{p.name}", p.name, kind)
    return out


def _value(p: Any, rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.15:
        return None
    if p.kind == "flag":
        return rng.random() < 0.5
    if p.kind == "points":
        return rng.choice([*p.allowed, 4, -1]) if r < 0.25 else rng.choice(p.allowed)
    high = p.high if p.high is not None else 120
    if r < 0.22:  # refused: out of range
        return (p.low - 1) if rng.random() < 0.5 else high + 1
    if p.kind == "whole":
        return rng.randint(int(p.low), int(high))
    return round(rng.uniform(p.low, high), 1) or 0.5


def _thresholds(records: list[dict[str, Any]], derivation: Derivation) -> list[float]:
    from planner.expr.bounds import Bounds

    values = []
    for r in records:
        v = _reference_value(derivation, r)
        if isinstance(v, Bounds):
            values += [v.lo, v.hi]
        elif v is not None:
            values.append(v)
    values.sort()
    return [values[len(values) // 4], values[len(values) // 2], values[3 * len(values) // 4]] if values else [1]


def _reference_value(derivation: Derivation, record: dict[str, Any]) -> Any:
    engine = _ENGINES.get(derivation.method or "")
    if engine is None:
        engine = _ENGINES[derivation.method or ""] = _engine(derivation)
    r = dict(record)
    engine.apply(r)
    return r.get(derivation.id)


_ENGINES: dict[str, Any] = {}


def _engine(derivation: Derivation) -> Any:
    import attrs

    from planner.participants.derived import Derivations
    from protocols import REGISTRY

    protocol = attrs.evolve(REGISTRY["cia-tnf-tof-igu"](), derivations=(derivation,))
    return Derivations(protocol, [parse(f"{derivation.id} > 0")])


@pytest.mark.parametrize("name", sorted(DERIVATIONS))
def test_a_published_score_in_sql_gives_the_reference_answer(name: str) -> None:
    score = DERIVATIONS[name]
    items = _items(name)
    derivation = Derivation("d", score.label, method=name, inputs=tuple(f"{p.name}=x_{p.name}" for p in score.params))
    rng = random.Random(zlib.crc32(name.encode()))
    records = [{f"x_{p.name}": _value(p, rng) for p in score.params} for _ in range(400)]
    records.append(dict.fromkeys(items))  # nothing given
    for t in _thresholds(records, derivation):
        for op in (">=", "<", "=="):
            rule = parse(f"d {op} {t!r}" if op != "==" or float(t).is_integer() else f"d >= {t!r}")
            if op == "==" and not score.whole:
                continue
            want = []
            for r in records:
                v = _reference_value(derivation, r)
                want.append(evaluate(rule, {"d": v}).value)
            compiler = SqlCompiler(items, derivations={"d": derivation})
            db = DuckDB()
            db.load(items, records)
            got = [row[0] for row in db.connection.execute(
                f"SELECT {render(compiler.condition(rule))} FROM records ORDER BY __record").fetchall()]
            assert want == got, (name, str(rule))
    assert any(v is None for v in want) and any(v is not None for v in want)
