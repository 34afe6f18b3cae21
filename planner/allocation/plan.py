"""What an allocation list is generated from: the protocol's randomisation, completed by the user's choices.

:func:`plan` reads the method, block sizes, strata, blocking factor and seed
from the protocol. A value the protocol leaves *to be confirmed* (or does not
give) may be supplied in :class:`Choices` — on the command line — and is then
recorded as given there; a value the protocol states cannot be changed by a
choice (the list would no longer be the protocol's). Nothing is ever filled
in silently: a missing value is an :class:`AllocationError` saying what to
give.
"""

from __future__ import annotations

import enum
from typing import Final

from attrs import frozen

from planner.model import TBC, DataType, Protocol, RandomisationMethod

MAX_SEED: Final = 10**15
"""Seeds are whole numbers from 0 to this (the largest number a protocol file may hold)."""

MAX_LIST: Final = 20_000
"""Most sequence numbers one list holds (all strata together): the envelope PDF takes about 1.6 ms a page."""


class AllocationError(ValueError):
    """The list cannot be generated: one line per problem, each saying what to do."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class Method(enum.StrEnum):
    """The methods that prepare a list in advance (minimisation cannot)."""

    SIMPLE = "simple"
    BLOCKS = "permuted blocks"
    STRATIFIED = "stratified permuted blocks"


METHODS: Final = {"simple": Method.SIMPLE, "blocks": Method.BLOCKS, "stratified": Method.STRATIFIED}
"""The names of the methods on the command line."""

_FROM_MODEL: Final = {RandomisationMethod.SIMPLE: Method.SIMPLE, RandomisationMethod.PERMUTED_BLOCK: Method.BLOCKS,
                      RandomisationMethod.STRATIFIED_BLOCK: Method.STRATIFIED}


@frozen
class Share:
    """An arm and its share of the allocation (``ratio`` parts of every ``sum of ratios``)."""

    arm_id: str
    arm_name: str
    ratio: int


@frozen
class Factor:
    """A stratification item and its levels, as ``(code, decode)``."""

    item: str
    label: str
    levels: tuple[tuple[str, str], ...]


@frozen
class Choices:
    """Values given by the user (on the command line) for what the protocol leaves open."""

    method: Method | None = None
    seed: int | None = None
    n: int | None = None
    block_sizes: tuple[int, ...] = ()
    blocking_factor: str | None = None


@frozen
class Plan:
    """Everything the list is generated from, each value known. ``n`` counts per stratum when stratified."""

    protocol_id: str
    protocol_version: str
    study: str
    preclinical: bool
    method: Method
    seed: int
    n: int
    shares: tuple[Share, ...]
    block_sizes: tuple[int, ...]
    factors: tuple[Factor, ...]
    blocking_factor: str | None
    given: tuple[str, ...]
    """Names of the settings given on the command line rather than by the protocol."""

    @property
    def unit(self) -> int:
        """The sum of the allocation ratios: the smallest balanced block."""
        return sum(s.ratio for s in self.shares)

    @property
    def ratio_text(self) -> str:
        return ":".join(str(s.ratio) for s in self.shares)


def _tbc(value: object) -> str:
    return f" ({value.reason})" if isinstance(value, TBC) else ""


def plan(protocol: Protocol, choices: Choices | None = None) -> Plan:
    """The :class:`Plan` of ``protocol``'s allocation list; raises :class:`AllocationError` listing every gap."""
    c = choices or Choices()
    r = protocol.randomisation
    pid = protocol.id
    if r is None:
        raise AllocationError([f"{pid}: the protocol has no randomisation section; add one (method, block size, "
                               "seed) before generating a list"])
    if r.method is RandomisationMethod.NONE:
        raise AllocationError([f"{pid}: the protocol does not randomise (method 'none': {r.description.strip()}); "
                               "there is no allocation to generate"])
    if r.method is RandomisationMethod.MINIMISATION:
        raise AllocationError([f"{pid}: minimisation allocates each participant from the running totals at "
                               "enrolment, so no list can be prepared in advance"])
    problems: list[str] = []
    given: list[str] = []

    def choose(name: str, stated: object, chosen: object, flag: str) -> object:
        """The protocol's value, or the user's where the protocol leaves it open; a contradiction is a problem."""
        if stated is not None and not isinstance(stated, TBC) and stated != ():
            if chosen not in (None, ()) and chosen != stated:
                problems.append(f"{pid}: the protocol states the {name} ({_show(stated)}); remove {flag} "
                                "or change the protocol")
            return stated
        if chosen not in (None, ()):
            given.append(name)
            return chosen
        return None

    method = choose("method", _FROM_MODEL.get(r.method) if isinstance(r.method, RandomisationMethod) else r.method,
                    c.method, "--method")
    if not isinstance(method, Method):
        problems.append(f"{pid}: the randomisation method is to be confirmed{_tbc(r.method)}; give --method "
                        f"({', '.join(METHODS)})")
    stated_sizes: object = r.block_sizes or (
        (r.block_size,) if isinstance(r.block_size, int) else r.block_size)
    sizes = choose("block size", stated_sizes, c.block_sizes, "--block-size")
    factor = choose("blocking factor", r.blocking_factor, c.blocking_factor, "--block-by")
    seed = choose("seed", r.seed, c.seed, "--seed")
    if not isinstance(seed, int):
        what = "is to be confirmed" + _tbc(r.seed) if isinstance(r.seed, TBC) else "is not stated in the protocol"
        problems.append(f"{pid}: the allocation seed {what}; give --seed N (a whole number from 0 to 10^15) "
                        "and record it with the list")
    elif not 0 <= seed <= MAX_SEED:
        problems.append(f"{pid}: seed {seed} is out of range; use a whole number from 0 to 10^15")
    shares = tuple(Share(a.id, a.name, a.allocation_ratio) for a in protocol.arms)
    if len(shares) < 2:
        problems.append(f"{pid}: randomisation needs at least two arms; the protocol has {len(shares)}")
    unit = sum(s.ratio for s in shares) or 1
    block_sizes = tuple(sizes) if isinstance(sizes, tuple) else ()
    if isinstance(method, Method):
        _check_blocks(pid, method, block_sizes, sizes, r.block_size, factor, unit, shares, problems)
    factors = _factors(protocol, method, problems)
    n = _count(protocol, method, c.n, block_sizes, factor, given, problems)
    combinations = 1
    for f in factors:
        combinations *= len(f.levels)
    if n is not None and n * combinations + combinations * max(block_sizes, default=0) > MAX_LIST:
        problems.append(f"{pid}: {combinations} strata of {n} would make more than {MAX_LIST} sequence numbers; "
                        "stratify on fewer items or give a smaller --n")
    if problems:
        raise AllocationError(problems)
    assert isinstance(method, Method) and isinstance(seed, int) and n is not None  # noqa: S101 - problems said
    return Plan(pid, protocol.version, protocol.short_title or protocol.title, not protocol.kind.clinical, method,
                seed, n, shares, block_sizes, factors, factor if isinstance(factor, str) else None, tuple(given))


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    return str(value)


def _check_blocks(pid: str, method: Method, sizes: tuple[int, ...], raw: object, stated: object,
                  factor: object, unit: int, shares: tuple[Share, ...], problems: list[str]) -> None:
    if method is Method.SIMPLE:
        if sizes:
            problems.append(f"{pid}: simple randomisation has no blocks; remove the block size or use "
                            "--method blocks")
        if factor is not None:
            problems.append(f"{pid}: blocking on a {factor} needs permuted blocks; use --method blocks")
        return
    if not sizes:
        what = "is to be confirmed" + _tbc(stated) if isinstance(raw, TBC) else "is not stated"
        problems.append(f"{pid}: the block size {what}; give --block-size N (one size) or --block-size N,M,… "
                        f"(sizes drawn at random), each a multiple of {unit}")
        return
    ratios = ":".join(str(s.ratio) for s in shares)
    for size in sizes:
        if size < 1 or size % unit:
            problems.append(f"{pid}: block size {size} is not a multiple of {unit}, the sum of the allocation "
                            f"ratios {ratios}; use a multiple of {unit}")
    if factor is not None and len(sizes) > 1:
        problems.append(f"{pid}: blocking on a {factor} needs one block size (the number per {factor}); "
                        "give one --block-size")


def _factors(protocol: Protocol, method: object, problems: list[str]) -> tuple[Factor, ...]:
    r = protocol.randomisation
    assert r is not None  # noqa: S101 - plan() returned earlier
    if method is not Method.STRATIFIED:
        if r.strata and isinstance(method, Method):
            problems.append(f"{protocol.id}: the protocol lists strata ({', '.join(r.strata)}) but the method is "
                            f"{method}; use stratified permuted blocks or remove the strata")
        return ()
    if not r.strata:
        problems.append(f"{protocol.id}: stratified randomisation names no strata; list the stratification items "
                        "in randomisation.strata")
    items = protocol.dictionary.items()
    out: list[Factor] = []
    for name in r.strata:
        found = items.get(name)
        if found is None:
            problems.append(f"{protocol.id}: stratum {name!r} is not an item of the data dictionary; name a coded "
                            "or yes/no item")
            continue
        _, it = found
        if it.type is DataType.BOOLEAN:
            out.append(Factor(name, it.label, (("yes", "yes"), ("no", "no"))))
        elif it.type is DataType.CODED and it.codelist and (cl := protocol.dictionary.codelist(it.codelist)):
            out.append(Factor(name, it.label, tuple((t.code, t.decode) for t in cl.terms)))
        else:
            problems.append(f"{protocol.id}: stratum {name!r} is an item of type {it.type.value}; stratify on a coded or "
                            "yes/no item (group numbers into categories first)")
    return tuple(out)


def _count(protocol: Protocol, method: object, n: int | None, sizes: tuple[int, ...], factor: object,
           given: list[str], problems: list[str]) -> int | None:
    pid = protocol.id
    if n is None:
        target = protocol.sample_size.target if protocol.sample_size else None
        if method is Method.STRATIFIED:
            problems.append(f"{pid}: give --n, the number of sequence numbers to prepare in each stratum")
            return None
        if not isinstance(target, int):
            why = _tbc(target) if isinstance(target, TBC) else " (the protocol gives no sample size)"
            problems.append(f"{pid}: the number to allocate is to be confirmed{why}; give --n N")
            return None
        n = target
    else:
        given.append("number")
    if not 1 <= n <= MAX_LIST:
        problems.append(f"{pid}: {n} to allocate is out of range; give --n from 1 to {MAX_LIST}")
        return None
    if len(sizes) == 1 and n % sizes[0]:
        size = sizes[0]
        low, high = n - n % size, n - n % size + size
        per = f"{size} per {factor}" if isinstance(factor, str) else f"the block size {size}"
        near = f"{low} or {high}" if low else str(high)
        problems.append(f"{pid}: {n} is not a multiple of {per}; give --n {near} so every block is complete")
    return n
