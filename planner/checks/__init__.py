"""Checks of a protocol against itself: eligibility, endpoints, monitoring, design.

``check(protocol)`` runs every registered check and returns a :class:`Report`.
Checks are registered explicitly below, area by area, in code order; the
documentation page ``docs/checks.md`` is generated from :data:`REGISTRY` by
:mod:`planner.checks.docs`.
"""

from __future__ import annotations

from typing import Final

from planner.checks import design, eligibility, endpoints, monitoring
from planner.checks.context import Context
from planner.checks.engine import Area, Check, Finding, Hit, Registry, Report, Severity, hit, run
from planner.checks.risks import RiskTable
from planner.model import Protocol

REGISTRY = Registry((*eligibility.CHECKS, *endpoints.CHECKS, *monitoring.CHECKS, *design.CHECKS))
"""Every check, in the order they run and are documented."""

NAME_CHECKS: Final = Registry(REGISTRY[code] for code in ("ELG001", "MON016", "END013"))
"""The checks of names a rule reads that the protocol does not define (:mod:`planner.checks.names`)."""

UNCONFIRMED_CODES: Final = frozenset({"ELG013", "END011", "MON013", "DES013", "DES014"})
"""The checks that report a value not yet confirmed (to be confirmed, or to verify).

A finding of one of these at the path of a value of
:func:`planner.model.unconfirmed.unconfirmed` says no more than that list does;
documents that print the list may fold such findings into a count.
"""


def check(protocol: Protocol, *, registry: Registry = REGISTRY,
          risks: RiskTable | None = None) -> Report:
    """Run the checks of ``registry`` on ``protocol``.

    ``risks`` is the risk table (:func:`planner.checks.risks.table` when not given);
    pass another one only to test the monitoring checks.
    """
    return run(registry, Context(protocol, risks))


__all__ = ["NAME_CHECKS", "REGISTRY", "UNCONFIRMED_CODES", "Area", "Check", "Context", "Finding", "Hit", "Registry", "Report", "Severity", "check", "hit"]
