"""Psoriasis Area and Severity Index (PASI, 0–72).

Source: the project's literature notes (no primary paper named). Per region: weight × (erythema + induration +
scaling) × area score; head 0.1, arms 0.2, trunk 0.3, legs 0.4.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Final

from planner.expr.nodes import Expr, Lit, Ref
from planner.scores._validate import ScoreInputError, exact_keys, whole
from planner.scores.formula import Derivation, whole_in

PASI_REGION_WEIGHTS: Final[Mapping[str, float]] = MappingProxyType(
    {"head": 0.1, "arms": 0.2, "trunk": 0.3, "legs": 0.4}
)
"""The four PASI regions and their body-surface weights."""

# The weights in tenths, so the sum is exact integer arithmetic until one final division.
_TENTHS: Final = {name: round(10 * weight) for name, weight in PASI_REGION_WEIGHTS.items()}

PASI_GRADE_MAX: Final[Mapping[str, int]] = MappingProxyType({"erythema": 4, "induration": 4, "scaling": 4, "area": 6})
"""The highest grade of each PASI component (the project's literature notes)."""
_ITEM_MAX: Final = PASI_GRADE_MAX

PASI_INPUTS: Final = tuple(f"{region}_{part}" for region in _TENTHS for part in PASI_GRADE_MAX)
"""The PASI's 16 inputs as a derivation reads them: ``head_erythema`` … ``legs_area``."""


def _formula() -> Expr:
    """Σ tenths × (erythema + induration + scaling) × area, divided by 10 once (exact, as in tenths)."""
    terms = [Lit(tenths) * ((Ref(f"{r}_erythema") + Ref(f"{r}_induration") + Ref(f"{r}_scaling")) * Ref(f"{r}_area"))
             for r, tenths in _TENTHS.items()]
    out: Expr = terms[0]
    for t in terms[1:]:
        out = out + t
    return out / Lit(10)


PASI: Final = Derivation(
    "pasi", "Psoriasis Area and Severity Index", "score 0–72",
    tuple(whole_in(name, 0, PASI_GRADE_MAX[name.partition("_")[2]]) for name in PASI_INPUTS), _formula(),
    "project literature notes; no primary paper named (docs/sources.md)", monotone=True)
"""The PASI written once, as data: what :func:`pasi`, the CRF's formula and every backend compute."""


@dataclass(frozen=True, slots=True)
class PasiRegion:
    """The four PASI grades of one body region.

    ``erythema``, ``induration`` and ``scaling`` are whole numbers 0–4;
    ``area`` is the area score 0–6 (0 none, 1 < 10 %, ..., 6 90–100 %).
    Integral floats are accepted and stored as ``int``; anything else out of
    range raises :class:`ScoreInputError` on construction.
    """

    erythema: int
    induration: int
    scaling: int
    area: int

    def __post_init__(self) -> None:
        for item in fields(self):
            value = whole(item.name, getattr(self, item.name), 0, _ITEM_MAX[item.name])
            object.__setattr__(self, item.name, value)


def pasi(regions: Mapping[str, PasiRegion]) -> float:
    """The PASI: Σ weight × (erythema + induration + scaling) × area, over 4 regions.

    Source: the project's literature notes (PASI 0–72).
    Input: a mapping with exactly the keys ``head``, ``arms``, ``trunk`` and
    ``legs``, each a :class:`PasiRegion` (grades 0–4, area 0–6). A region
    without psoriasis is given with all grades 0, never left out.
    Result: 0–72, computed in tenths so the weights add up exactly.
    """
    exact_keys("regions", regions, tuple(_TENTHS))
    grades: dict[str, int] = {}
    for name in _TENTHS:
        region = regions[name]
        if not isinstance(region, PasiRegion):
            raise ScoreInputError(name, f"{name}={region!r} is not a PasiRegion")
        grades.update({f"{name}_{part}": getattr(region, part) for part in PASI_GRADE_MAX})
    return float(PASI.compute(grades))
