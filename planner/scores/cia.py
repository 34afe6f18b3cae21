"""Clinical arthritis score of rodent collagen-induced arthritis (CIA).

Source: REFERENCE.md §1a and §2: usual rat CIA practice scores 0–4 per paw,
0–16 per animal; other schemes exist (0–3 per paw), so a protocol must state
its scheme and maximum. The scheme is therefore an explicit argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from planner.scores._validate import ScoreInputError, whole


@dataclass(frozen=True, slots=True)
class CiaScheme:
    """A per-paw CIA scoring scheme: each of ``paws`` paws scored 0–``per_paw_max``."""

    per_paw_max: int
    paws: int = 4

    def __post_init__(self) -> None:
        whole("per_paw_max", self.per_paw_max, 1, 100)
        whole("paws", self.paws, 1, 4)

    @property
    def max_total(self) -> int:
        """The highest total the scheme allows (16 for 0–4 on 4 paws)."""
        return self.per_paw_max * self.paws


PER_PAW_0_4: Final = CiaScheme(per_paw_max=4, paws=4)
"""The usual scheme: 0–4 per paw, 4 paws, total 0–16."""

PER_PAW_0_3: Final = CiaScheme(per_paw_max=3, paws=4)
"""The alternative scheme REFERENCE.md mentions: 0–3 per paw, total 0–12."""


def cia_clinical_score(paws: Sequence[int], scheme: CiaScheme = PER_PAW_0_4) -> int:
    """The animal's clinical arthritis score: the sum of its per-paw scores.

    Source: REFERENCE.md §2 ("Rat CIA clinical score: 0–4 per paw, max 16
    (if that scheme is declared)").
    Inputs: ``paws`` exactly ``scheme.paws`` whole numbers, each
    0–``scheme.per_paw_max``; ``scheme`` defaults to :data:`PER_PAW_0_4`.
    Result: 0–``scheme.max_total``.
    """
    if isinstance(paws, str | bytes) or len(paws) != scheme.paws:
        count = len(paws)
        raise ScoreInputError(
            "paws", f"paws has {count} scores; the scheme needs {scheme.paws}"
        )
    return sum(whole(f"paws[{i}]", score, 0, scheme.per_paw_max) for i, score in enumerate(paws))
