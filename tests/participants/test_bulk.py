"""Column-wise screening gives the verdicts of :class:`Screener` on the shipped protocols.

Candidates are drawn from each protocol's own data dictionary — the items
its criteria read, through the derivations — with values of the item's
type most of the time, and blanks, missing keys, out-of-range numbers,
integral floats, booleans for numbers and the like the rest of the time.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("numpy")

from planner.expr import item  # noqa: E402
from planner.expr.columns import Columns  # noqa: E402
from planner.model import Category, Criterion, DataType, Item, Protocol, Range  # noqa: E402
from planner.participants import Participant, Screener  # noqa: E402
from planner.participants.bulk import VERDICTS, BulkScreener, screen_columns, summary  # noqa: E402
from planner.participants.derived import Derivations  # noqa: E402
from protocols import REGISTRY  # noqa: E402

BATCH = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.data_too_large])
_MISSING = object()  # the key is left out of the record
_NOISE = st.sampled_from((_MISSING, None, "n/a", 1, True, 2.5))


def _value(protocol: Protocol, it: Item) -> st.SearchStrategy[Any]:
    """Values of the item's type, with a share of blanks and wrong or out-of-range values."""
    if it.type is DataType.INTEGER:
        lo, hi = (it.range.low, it.range.high) if isinstance(it.range, Range) else (0, 10)
        lo, hi = int(lo if lo is not None else 0), int(hi if hi is not None else lo + 10)
        typed: st.SearchStrategy[Any] = st.one_of(st.integers(lo, hi), st.integers(lo - 1, hi + 1),
                                                  st.integers(lo, hi).map(float))
    elif it.type is DataType.DECIMAL:
        typed = st.floats(0, 200, allow_nan=False)
    elif it.type is DataType.BOOLEAN:
        typed = st.booleans()
    elif it.type is DataType.CODED:
        codelist = protocol.dictionary.codelist(it.codelist or "")
        typed = st.sampled_from(codelist.codes() if codelist else ("x",))
    elif it.type is DataType.DATE:
        typed = st.dates()
    else:
        typed = st.text(max_size=3)
    # Mostly well typed, so that every verdict (and every derived value) is reached.
    return st.tuples(st.integers(0, 99), typed, _NOISE).map(lambda t: t[1] if t[0] >= 4 else t[2])


def _record(values: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(values).map(lambda r: {k: v for k, v in r.items() if v is not _MISSING})


def candidates(protocol: Protocol) -> st.SearchStrategy[dict[str, Any]]:
    """Records holding (or lacking) every item the protocol's criteria read."""
    rules = [c.rule for c in protocol.eligibility if c.rule is not None and not c.assessed_by_investigator]
    wanted = Derivations(protocol, rules).missing(set().union(*(r.refs() for r in rules)) if rules else set(), {})
    items = protocol.dictionary.items()
    top: dict[str, st.SearchStrategy[Any]] = {}
    logs: dict[str, dict[str, st.SearchStrategy[Any]]] = {}
    for name in wanted:
        form = protocol.dictionary.form(name)
        if form is not None and form.repeating:
            logs.setdefault(name, {})
        elif name in items:
            f, it = items[name]
            if f.repeating:
                logs.setdefault(f.id, {})[it.name] = _value(protocol, it)
            else:
                top[name] = _value(protocol, it)
    # A log is a list of records, or not recorded (a scalar there makes the Screener itself fail).
    top.update({f: st.one_of(st.lists(_record(row), max_size=4), st.lists(_record(row), max_size=4),
                             st.sampled_from((_MISSING, None))) for f, row in logs.items()})
    return _record(top)


def check(protocol: Protocol, batch: list[dict[str, Any]]) -> None:
    screener = Screener(protocol)
    codes = screen_columns(protocol, Columns.from_records(batch, protocol))
    assert (len(batch),) == codes.shape
    for i, r in enumerate(batch):
        assert screener.verdict(r) is VERDICTS[codes[i]], r
        logs = {k: v for k, v in r.items() if isinstance(v, list) or (v is None and protocol.dictionary.form(k))}
        values = {k: v for k, v in r.items() if k not in logs}
        assert screener.screen(Participant(f"c{i}", i, values, logs)).verdict is VERDICTS[codes[i]], r


@pytest.mark.parametrize("pid", sorted(REGISTRY))
@BATCH
@given(data=st.data())
def test_bulk_verdicts_equal_the_screener_on_shipped_protocols(pid: str, data: st.DataObject) -> None:
    protocol = REGISTRY[pid]()
    check(protocol, data.draw(st.lists(candidates(protocol), min_size=1, max_size=30)))


def _with_more_derivations(protocol: Protocol) -> Protocol:
    """dbt-refractory with criteria on DAS28-CRP (a score not vectorised), PASI and an ``ae`` count."""
    extra = (
        Criterion("I9", Category.INCLUSION, "DAS28-CRP above 3.2.", rule=item("das28_crp") > 3.2),
        Criterion("E9", Category.EXCLUSION, "PASI 10 or more.", rule=item("pasi") >= 10),
        Criterion("E8", Category.EXCLUSION, "A serious infection.", rule=item("serious_infections") >= 1),
    )
    return attrs.evolve(protocol, eligibility=(*protocol.eligibility, *extra))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_scores_without_a_column_version_and_expression_derivations(data: st.DataObject) -> None:
    protocol = _with_more_derivations(REGISTRY["dbt-refractory"]())
    check(protocol, data.draw(st.lists(candidates(protocol), min_size=1, max_size=15)))


def test_summary_counts_each_verdict(dbt: Protocol) -> None:
    batch = [
        {"diagnosis": "PsA", "sex": "M", "prior_therapy": [
            {"mechanism_class": "TNF", "failed": True}, {"mechanism_class": "IL17", "failed": True}]},
        {"diagnosis": "SSc"},
        {"diagnosis": "RA", "sex": "M", "prior_therapy": [  # no 2010 RA domain scores: unknown
            {"mechanism_class": "TNF", "failed": True}, {"mechanism_class": "JAK", "failed": True}]},
    ]
    codes = BulkScreener(dbt).verdicts(Columns.from_records(batch, dbt))
    assert ["eligible", "ineligible", "incomplete"] == [VERDICTS[c].value for c in codes]
    assert [Screener(dbt).verdict(r) for r in batch] == [VERDICTS[c] for c in codes]
    assert {"eligible": 1, "ineligible": 1, "incomplete": 1} == summary(codes)


def test_without_numpy_the_error_names_the_extra(dbt: Protocol, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "numpy", None)
    monkeypatch.delitem(sys.modules, "planner.expr.columns")
    monkeypatch.delitem(sys.modules, "planner.participants.bulk")
    bulk = importlib.import_module("planner.participants.bulk")  # importing needs no NumPy ...
    with pytest.raises(ModuleNotFoundError, match=r"'fast' extra"):
        bulk.BulkScreener(dbt)  # ... screening does


@pytest.mark.parametrize("pid", sorted(REGISTRY))
@BATCH
@given(data=st.data())
def test_bulk_verdicts_with_many_blanks(pid: str, data: st.DataObject) -> None:
    """Many inputs blank or left out: scores known only between two ends, counts over undecided records."""
    protocol = REGISTRY[pid]()
    batch = []
    for r in data.draw(st.lists(candidates(protocol), min_size=1, max_size=20)):
        blanks = data.draw(st.sets(st.sampled_from(sorted(r)))) if r else set()
        kept = {k: v for k, v in r.items() if k not in blanks}
        kept.update({k: None for k in sorted(blanks) if data.draw(st.booleans())})  # blank, or left out
        batch.append(kept)
    check(protocol, batch)


def test_a_score_over_columns_built_from_arrays_with_nan_for_unknown(dbt: Protocol) -> None:
    """NaN (unknown) in a column read from a file: the 2010 RA score is then known between two ends."""
    import numpy as np

    from planner.expr.bounds import Bounds
    from planner.expr.columns import Values

    nan = float("nan")
    columns = Columns(3, {
        "diagnosis": Values.texts(["RA", "RA", "RA"]), "sex": Values.texts(["M", "M", "M"]),
        "ra_joints": Values.numbers([5, 5, 1], whole=True), "ra_serology": Values.numbers([nan, 3, nan], whole=True),
        "ra_acute_phase": Values.numbers([1, 0, 0], whole=True), "ra_duration": Values.numbers([nan, 1, 0], whole=True),
    })
    score = BulkScreener(dbt).derive(columns).items["ra_2010_score"]
    assert [Bounds(6, 10, True), 9, Bounds(1, 4, True)] == score.to_list()
    assert score.span is not None and np.array_equal([True, False, True], score.span.known)
    records = [{k: v.item((i,)) for k, v in columns.items.items() if v.item((i,)) is not None} for i in range(3)]
    assert [Screener(dbt).verdict(r) for r in records] == [VERDICTS[c] for c in BulkScreener(dbt).verdicts(columns)]
