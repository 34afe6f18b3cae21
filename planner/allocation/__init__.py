"""Randomisation lists: the plan from the protocol, the list, its balance. Pure: no files, no terminal.

>>> from protocols import REGISTRY
>>> p = plan(REGISTRY["cia-tnf-tof-igu"](), Choices(method=Method.BLOCKS, seed=2026, block_sizes=(5,),
...          blocking_factor="cage"))
>>> allocation = generate(p)
>>> len(allocation.assignments), allocation.assignments[0].code
(40, 'A01')

How the draws are made, and why: :mod:`planner.allocation.stream` and
``docs/decisions.md``.
"""

from planner.allocation.generate import Allocation, Assignment, BalanceRow, Stratum, balance, generate, strata
from planner.allocation.plan import (
    MAX_LIST,
    MAX_SEED,
    METHODS,
    AllocationError,
    Choices,
    Factor,
    Method,
    Plan,
    Share,
    plan,
)
from planner.allocation.stream import STREAM, STREAM_TEXT, Draws

__all__ = ["MAX_LIST", "MAX_SEED", "METHODS", "STREAM", "STREAM_TEXT", "Allocation", "AllocationError", "Assignment",
           "BalanceRow", "Choices", "Draws", "Factor", "Method", "Plan", "Share", "Stratum", "balance", "generate",
           "plan", "strata"]
