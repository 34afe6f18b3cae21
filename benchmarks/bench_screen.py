"""Benchmark: screening throughput, compiled rules against walking the expression tree.

Synthetic candidates for ``dbt-refractory`` (sex, pregnancy, diagnosis, the
2010 RA domain scores for RA, 0–4 prior b/tsDMARDs with mechanism class and
failure, and a few blanks) are screened by
:meth:`planner.participants.Screener.verdict` — the compiled fast path — and,
on a sample, by the same procedure with each rule *walked* by
:func:`planner.expr.logic`. Both paths compute the same derivations and
stop at the first deciding criterion, so the ratio is the cost of walking;
the benchmark checks that both give the same verdicts.

The 1,000,000 candidates are distinct records built from a pool of random
candidates (building them is not timed; see ``--pool``). Each figure is the
median over the runs with the spread (minimum–maximum) beside it. Targets:
compiled ≥ 5× walked, and ≥ 5 M records/s compiled.

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
    counts = Counter(compiled(r) for r in records)
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
          + ("met" if median >= 5e6 else f"NOT met ({5e6 / median:.0f} × short)"))

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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
