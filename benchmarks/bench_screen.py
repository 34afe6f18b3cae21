"""Benchmark: screening throughput — walked trees, compiled closures, and columns.

Synthetic candidates for ``dbt-refractory`` (sex, pregnancy, diagnosis, the
2010 RA domain scores for RA, 0–4 prior b/tsDMARDs with mechanism class and
failure, and a few blanks) are screened three ways:

- by :meth:`planner.participants.Screener.verdict`, the compiled closures,
  one record at a time;
- on a sample, by the same procedure with each rule *walked* by
  :func:`planner.expr.logic`. Both compute the same derivations and stop at
  the first deciding criterion, so that ratio is the cost of walking;
- by :class:`planner.participants.bulk.BulkScreener`, column-wise with NumPy
  (the ``fast`` extra; skipped with a note when NumPy is missing), on the same
  1,000,000 candidates, alternating with the compiled path so both meet the
  same machine load.

The benchmark checks that all paths give the same verdicts (the columns on
every candidate). The column path's time is screening a ready
:class:`~planner.expr.columns.Columns` batch, derivations included; building
that batch from the Python records is reported separately and not included:
a real bulk run would read columns from CSV or Parquet straight into arrays,
and converting a million Python dicts costs far more than screening them.

The 1,000,000 candidates are distinct records built from a pool of random
candidates (building them is not timed; see ``--pool``). Each figure is the
median over the runs with the spread (minimum–maximum) beside it. Targets:
compiled ≥ 5× walked, and ≥ 5 M records/s on 1 M candidates (met by the
columns; the compiled closures, at a few hundred thousand a second, cannot).

Run: ``python benchmarks/bench_screen.py [--n 1000000] [--runs 3] [--sample 20000]``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.expr import Expr, compile_rule, evaluate  # noqa: E402
from planner.model import Category  # noqa: E402
from planner.participants import Screener, Verdict  # noqa: E402
from protocols import REGISTRY  # noqa: E402

MECHANISMS = ("TNF", "IL17", "IL23", "IL12_23", "IL6", "CD20", "CTLA4_IG", "JAK", "PDE4")
DIAGNOSES = ("RA", "PsA", "axSpA")
Record = dict[str, Any]


def candidate(rng: random.Random) -> Record:
    """One random candidate; about 2–3 % of answers are left blank."""
    female = rng.random() < 0.6
    diagnosis = rng.choice(DIAGNOSES)
    r: Record = {"age": rng.randint(18, 80), "sex": "F" if female else "M", "diagnosis": diagnosis}
    if female:
        r["pregnant"] = None if rng.random() < 0.02 else rng.random() < 0.03
        r["breastfeeding"] = None if rng.random() < 0.02 else rng.random() < 0.03
    if diagnosis == "RA":
        r.update(ra_joints=rng.choice((0, 1, 2, 3, 5)), ra_serology=rng.choice((0, 2, 3)),
                 ra_acute_phase=rng.randint(0, 1), ra_duration=rng.randint(0, 1))
        if rng.random() < 0.03:
            r["ra_serology"] = None
    r["prior_therapy"] = [
        {"agent": f"agent{i}", "mechanism_class": rng.choice(MECHANISMS),
         "failed": None if rng.random() < 0.02 else rng.random() < 0.8}
        for i in range(rng.randint(0, 4))
    ]
    return r


def candidates(n: int, pool: int, seed: int) -> list[Record]:
    """``n`` distinct records (own dicts) drawn from ``pool`` random candidates."""
    rng = random.Random(seed)
    base = [candidate(rng) for _ in range(min(n, pool))]
    return [dict(base[i % len(base)]) for i in range(n)]


def walker(screener: Screener) -> Callable[[Mapping[str, Any]], Verdict]:
    """The compiled fast path's procedure with every rule walked by :func:`evaluate` instead."""
    unit_of = screener.unit_of
    ids = screener.derivations.ids
    rules = [(c.category is Category.INCLUSION, c.rule) for c in screener.criteria
             if c.rule is not None and not c.assessed_by_investigator]
    plain = [(inc, rule) for inc, rule in rules if not rule.refs() & ids]
    derived = [(inc, rule) for inc, rule in rules if rule.refs() & ids]

    def decide(group: Sequence[tuple[bool, Expr]], r: Mapping[str, Any]) -> Verdict | None:
        unknown = False
        for inclusion, rule in group:
            value = evaluate(rule, r, unit_of).value
            if value is None:
                unknown = True
            elif bool(value) is not inclusion:
                return Verdict.INELIGIBLE
        return Verdict.INCOMPLETE if unknown else None

    def verdict(record: Mapping[str, Any]) -> Verdict:
        first = decide(plain, record)
        if first is Verdict.INELIGIBLE:
            return first
        r = dict(record)
        screener.derivations.apply(r)
        second = decide(derived, r)
        return second or first or Verdict.ELIGIBLE

    return verdict


def rate(fn: Callable[[Mapping[str, Any]], object], records: Sequence[Record]) -> float:
    """Records per second of ``fn`` over ``records``."""
    start = time.perf_counter()
    for r in records:
        fn(r)
    return len(records) / (time.perf_counter() - start)


def spread(rates: list[float]) -> str:
    return f"{statistics.median(rates):>12,.0f} rec/s  (min {min(rates):,.0f} – max {max(rates):,.0f})"


def nbytes(columns: Any) -> int:
    """Memory held by the arrays of a :class:`~planner.expr.columns.Columns` batch."""
    def values(v: Any) -> int:
        parts = [p for p in (v.num, v.flag, v.text, v.date) if p is not None]
        arrays = [a for p in parts for a in (p.values, p.known)] + [a for a in (v.defer, v.present) if a is not None]
        return sum(a.nbytes for a in arrays)

    total = sum(values(v) for v in columns.items.values())
    for log in columns.logs.values():
        total += log.present.nbytes + log.rows.nbytes + sum(values(v) for v in log.items.values())
    return total


def columns_path(protocol: Any, records: Sequence[Record], expected: Sequence[Verdict], compiled: Callable[
        [Mapping[str, Any]], object], runs: int) -> int:
    """The column-wise screener on the same candidates: build cost, agreement, records/s and the ratio."""
    try:
        from planner.expr.columns import Columns
        from planner.participants.bulk import VERDICTS, BulkScreener
    except ModuleNotFoundError as exc:
        print(f"\ncolumns: skipped ({exc})")
        return 0
    start = time.perf_counter()
    columns = Columns.from_records(records, protocol)
    build = time.perf_counter() - start
    print(f"\ncolumns built from the {len(records):,} Python records in {build:.1f} s "
          f"({len(records) / build:,.0f} rec/s; {nbytes(columns) / 2**20:,.0f} MiB of arrays) — not part of "
          f"the screening time below")
    bulk = BulkScreener(protocol)
    codes = bulk.verdicts(columns)
    mismatches = sum(VERDICTS[c] is not e for c, e in zip(codes.tolist(), expected, strict=True))
    if mismatches:
        print(f"FAIL: column and compiled verdicts differ on {mismatches} of {len(records):,} candidates")
        return 1
    v_rates, c_rates, derive_s = [], [], []
    for _ in range(runs):  # alternate, so both paths meet the same machine load
        start = time.perf_counter()
        bulk.verdicts(columns)
        v_rates.append(len(records) / (time.perf_counter() - start))
        c_rates.append(rate(compiled, records))
        start = time.perf_counter()
        bulk.derive(columns)
        derive_s.append(time.perf_counter() - start)
    ratios = [v / c for v, c in zip(v_rates, c_rates, strict=True)]
    median = statistics.median(v_rates)
    print(f"columns vs compiled on the same {len(records):,} candidates ({runs} runs, verdicts equal on every one):")
    print(f"  columns  {spread(v_rates)}; target ≥ 5,000,000 rec/s: "
          + ("met" if median >= 5e6 else f"NOT met ({5e6 / median:.1f} × short)"))
    print(f"  compiled {spread(c_rates)}")
    print(f"  ratio    {statistics.median(ratios):>12.1f} ×      (min {min(ratios):.1f} – max {max(ratios):.1f})")
    print(f"  per candidate (medians): columns {1e9 / median:.0f} ns, of which derivations "
          f"{1e9 * statistics.median(derive_s) / len(records):.0f} ns")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="candidates screened by the compiled path")
    ap.add_argument("--pool", type=int, default=50_000, help="distinct random candidates the records come from")
    ap.add_argument("--sample", type=int, default=20_000, help="candidates for the compiled-vs-walked ratio")
    ap.add_argument("--runs", type=int, default=3, help="repeats of each measurement")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)

    protocol = REGISTRY["dbt-refractory"]()
    screener = Screener(protocol)
    compiled, walked = screener.verdict, walker(screener)
    records = candidates(args.n, args.pool, args.seed)
    sample = records[: args.sample]

    mismatches = sum(compiled(r) is not walked(r) for r in sample)
    if mismatches:
        print(f"FAIL: compiled and walked verdicts differ on {mismatches} of {len(sample)} candidates")
        return 1
    expected = [compiled(r) for r in records]
    counts = Counter(expected)
    print(f"screening benchmark — {protocol.id} v{protocol.version}: {len(protocol.eligibility)} criteria "
          f"({screener.computable} computable), derivations read: {', '.join(sorted(screener.derivations.ids))}")
    print(f"{len(records):,} candidates from a pool of {min(args.n, args.pool):,}: "
          + ", ".join(f"{v.value} {100 * counts[v] / len(records):.1f} %" for v in Verdict))

    c_rates, w_rates = [], []
    for _ in range(args.runs):  # alternate, so both paths meet the same machine load
        c_rates.append(rate(compiled, sample))
        w_rates.append(rate(walked, sample))
    ratios = [c / w for c, w in zip(c_rates, w_rates, strict=True)]
    print(f"\ncompiled vs walked on the same {len(sample):,} candidates ({args.runs} runs):")
    print(f"  compiled {spread(c_rates)}")
    print(f"  walked   {spread(w_rates)}")
    ratio = statistics.median(ratios)
    print(f"  ratio    {ratio:>12.1f} ×      (min {min(ratios):.1f} – max {max(ratios):.1f}); target ≥ 5 ×: "
          f"{'met' if ratio >= 5 else 'NOT met'}")

    big = [rate(compiled, records) for _ in range(args.runs)]
    median = statistics.median(big)
    print(f"\ncompiled on {len(records):,} candidates ({args.runs} runs):")
    print(f"  compiled {spread(big)}; target ≥ 5,000,000 rec/s: "
          + ("met" if median >= 5e6 else f"NOT met ({5e6 / median:.0f} × short; see the columns below)"))

    # Where the time goes: derivations alone (dict copy included), and the rules on derived records.
    derived = []
    for r in sample:
        d = dict(r)
        screener.derivations.apply(d)
        derived.append(d)
    rules = [compile_rule(c.rule, screener.unit_of) for c in screener.criteria
             if c.rule is not None and not c.assessed_by_investigator]
    d_rates = [rate(lambda r: screener.derivations.apply(dict(r)), sample) for _ in range(args.runs)]
    r_rates = [rate(lambda r: [fn(r) for fn in rules], derived) for _ in range(args.runs)]
    print(f"\nper candidate (medians): derivations and copy {1e6 / statistics.median(d_rates):.2f} µs; "
          f"all {len(rules)} compiled rules without early exit {1e6 / statistics.median(r_rates):.2f} µs; "
          f"screening {1e6 / median:.2f} µs")
    return columns_path(protocol, records, expected, compiled, args.runs)


if __name__ == "__main__":
    raise SystemExit(main())
