"""Clinical arthritis score of rodent collagen-induced arthritis (CIA).

Source: the project's literature notes: usual rat CIA practice (secondary
sources) scores 0–4 per paw, 0–16 per animal; other schemes exist (0–3 per
paw), so a protocol must state its scheme and maximum. The scheme is therefore an explicit argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final

from planner.scores._validate import ScoreInputError, whole
from planner.scores.formula import Derivation, total, whole_in


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
"""The alternative scheme the literature notes mention: 0–3 per paw, total 0–12."""


def cia_clinical_score(paws: Sequence[int], scheme: CiaScheme = PER_PAW_0_4) -> int:
    """The animal's clinical arthritis score: the sum of its per-paw scores.

    Source: the project's literature notes ("Rat CIA clinical score: 0–4 per
    paw, max 16 (if that scheme is declared)").
    Inputs: ``paws`` exactly ``scheme.paws`` whole numbers, each
    0–``scheme.per_paw_max``; ``scheme`` defaults to :data:`PER_PAW_0_4`.
    Result: 0–``scheme.max_total``.
    """
    if isinstance(paws, str | bytes) or len(paws) != scheme.paws:
        count = len(paws)
        raise ScoreInputError(
            "paws", f"paws has {count} scores; the scheme needs {scheme.paws}"
        )
    return int(cia_derivation(scheme).compute({f"paw_{i}": p for i, p in enumerate(paws, 1)}))


@cache
def cia_derivation(scheme: CiaScheme = PER_PAW_0_4) -> Derivation:
    """The clinical score of ``scheme`` as a derivation over ``paw_1`` … ``paw_n`` (each 0–``per_paw_max``)."""
    names = tuple(f"paw_{i}" for i in range(1, scheme.paws + 1))
    return Derivation(
        "cia_clinical_score", f"CIA clinical arthritis score (0–{scheme.per_paw_max} per paw)",
        f"score 0–{scheme.max_total}", tuple(whole_in(n, 0, scheme.per_paw_max) for n in names), total(*names),
        "usual rat CIA practice (secondary sources; docs/sources.md)", monotone=True, whole=True)
