"""Generating the allocation list from a :class:`~planner.allocation.plan.Plan`, and its balance.

* **simple**: each sequence number draws an arm with chance ``ratio / sum of
  ratios``;
* **permuted blocks**: each block holds every arm ``size × ratio / sum``
  times, in a shuffled order; with several block sizes, each block's size is
  drawn first, with equal chance, and blocks are added until the stratum has
  at least ``n`` sequence numbers (so every block is complete);
* **stratified**: one permuted-block list per combination of the strata's
  levels, each of ``n``;
* **animal studies** (a preclinical protocol) get animal codes instead of
  sequence numbers, blocks named after the blocking factor (``cage 1``,
  ``cage 2`` …), and two more independent shuffles: the order in which the
  animals are processed and the order in which outcomes are assessed.

All draws come from :mod:`planner.allocation.stream`; nothing here reads a
file or a clock.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import Counter

from attrs import frozen

from planner.allocation.plan import Method, Plan, Share
from planner.allocation.stream import STREAM, Draws


@frozen
class Stratum:
    """One combination of stratification levels: ``((item, code), …)``; empty when not stratified."""

    levels: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        return "; ".join(f"{item} = {code}" for item, code in self.levels) or "all"

    @property
    def token(self) -> str:
        """How the stratum enters the labels of its draws."""
        return json.dumps([list(level) for level in self.levels], ensure_ascii=False, separators=(",", ":"))


@frozen
class Assignment:
    """One sequence number (or animal) and the arm it is allocated to."""

    sequence: int
    code: str
    stratum: Stratum
    block: int | None
    block_size: int | None
    share: Share


@frozen
class Allocation:
    """The generated list: the :class:`Plan`, every assignment, and for animal studies two working orders."""

    plan: Plan
    assignments: tuple[Assignment, ...]
    processing_order: tuple[str, ...] = ()
    assessment_order: tuple[str, ...] = ()

    def block_label(self, a: Assignment) -> str:
        if a.block is None:
            return ""
        return f"{self.plan.blocking_factor or 'block'} {a.block}"

    def strata(self) -> tuple[Stratum, ...]:
        return tuple(dict.fromkeys(a.stratum for a in self.assignments))

    def digest(self) -> str:
        """SHA-256 of the list's content and settings, as canonical JSON: the same list has the same hash."""
        p = self.plan
        content = {
            "stream": STREAM, "protocol": p.protocol_id, "version": p.protocol_version, "method": p.method.value,
            "seed": p.seed, "n": p.n, "block_sizes": list(p.block_sizes), "blocking_factor": p.blocking_factor,
            "ratios": [[s.arm_id, s.ratio] for s in p.shares],
            "rows": [[a.sequence, a.code, a.stratum.label, a.block, a.block_size, a.share.arm_id]
                     for a in self.assignments],
            "processing_order": list(self.processing_order), "assessment_order": list(self.assessment_order),
        }
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def strata(plan: Plan) -> tuple[Stratum, ...]:
    """Every combination of the plan's stratification levels, in the order the strata and levels are listed."""
    choices = [[(f.item, code) for code, _ in f.levels] for f in plan.factors]
    return tuple(Stratum(tuple(combo)) for combo in itertools.product(*choices))


def generate(plan: Plan) -> Allocation:
    """The allocation list of ``plan`` (the same plan always gives the same list)."""
    drawn: list[tuple[Stratum, int | None, int | None, Share]] = []
    for stratum in strata(plan):
        if plan.method is Method.SIMPLE:
            drawn += [(stratum, None, None, _simple(plan, stratum, i)) for i in range(plan.n)]
        else:
            drawn += _blocks(plan, stratum)
    width = max(2 if plan.preclinical else 3, len(str(len(drawn))))
    prefix = "A" if plan.preclinical else ""
    rows = tuple(Assignment(i, f"{prefix}{i:0{width}d}", stratum, block, size, share)
                 for i, (stratum, block, size, share) in enumerate(drawn, 1))
    if not plan.preclinical:
        return Allocation(plan, rows)
    codes = [a.code for a in rows]
    return Allocation(plan, rows, tuple(Draws(plan.seed, ("processing order",)).shuffled(codes)),
                      tuple(Draws(plan.seed, ("assessment order",)).shuffled(codes)))


def _simple(plan: Plan, stratum: Stratum, index: int) -> Share:
    k = Draws(plan.seed, ("simple", stratum.token, index)).below(plan.unit)
    for share in plan.shares:
        if k < share.ratio:
            return share
        k -= share.ratio
    raise AssertionError("unreachable: k is below the sum of the ratios")


def _blocks(plan: Plan, stratum: Stratum) -> list[tuple[Stratum, int | None, int | None, Share]]:
    out: list[tuple[Stratum, int | None, int | None, Share]] = []
    block = 0
    while len(out) < plan.n:
        block += 1
        sizes = plan.block_sizes
        size = sizes[0] if len(sizes) == 1 else sizes[Draws(plan.seed, ("size", stratum.token, block)).below(len(sizes))]
        per_part = size // plan.unit
        content = [s for s in plan.shares for _ in range(s.ratio * per_part)]
        order = Draws(plan.seed, ("block", stratum.token, block)).shuffled(content)
        out += [(stratum, block, size, share) for share in order]
    return out


@frozen
class BalanceRow:
    """Counts per arm in one stratum or one block, and whether they are in the allocation ratio."""

    stratum: str
    block: str
    size: int
    counts: tuple[int, ...]
    balanced: bool


def balance(allocation: Allocation) -> tuple[BalanceRow, ...]:
    """One row per stratum (block ``"all"``), then one per block of it; the whole list first when stratified."""
    plan = allocation.plan
    rows: list[BalanceRow] = []

    def row(stratum: str, block: str, group: list[Assignment]) -> BalanceRow:
        counts = Counter(a.share.arm_id for a in group)
        tally = tuple(counts[s.arm_id] for s in plan.shares)
        whole, rest = divmod(len(group), plan.unit)
        balanced = not rest and all(c == s.ratio * whole for c, s in zip(tally, plan.shares, strict=True))
        return BalanceRow(stratum, block, len(group), tally, balanced)

    everything = list(allocation.assignments)
    if len(allocation.strata()) > 1:
        rows.append(row("all", "all", everything))
    for stratum in allocation.strata():
        members = [a for a in everything if a.stratum == stratum]
        rows.append(row(stratum.label, "all", members))
        blocks: dict[int, list[Assignment]] = {}
        for a in members:
            if a.block is not None:
                blocks.setdefault(a.block, []).append(a)
        rows += [row(stratum.label, allocation.block_label(group[0]), group) for group in blocks.values()]
    return tuple(rows)
