"""The sample-size calculation as the design checks see it (``planner.power`` does the work).

:func:`recompute` gives the protocol's own calculation — from the values it
states, never from the conventional alpha and power the ``sample-size``
command may assume — or :class:`NotVerified` with the reason it cannot be made.
"""

from __future__ import annotations

from attrs import frozen

from planner.model import PowerTest, Protocol
from planner.power import Calculation, PowerError, calculate


@frozen
class NotVerified:
    """Why the number could not be calculated."""

    reason: str


def recompute(p: Protocol) -> Calculation | NotVerified | None:
    """The protocol's calculation, why it cannot be made, or None without a sample size."""
    if p.sample_size is None:
        return None
    try:
        result = calculate(p)
    except PowerError as exc:
        return NotVerified("; ".join(exc.problems))
    if result is None and not isinstance(p.sample_size.test, PowerTest):
        return NotVerified("the test is not named (two-sample t-test, one-way ANOVA, two proportions or "
                           "factorial interaction)")
    if result is None:
        return NotVerified("two of the target number, the effect size and the power are needed, with the test")
    return result
