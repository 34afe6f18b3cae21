"""The named derivations a protocol endpoint can refer to, with flat scalar inputs.

A protocol names a derivation (``"das28_crp"``) and the variables it records;
:meth:`Derivation.compute` turns one visit's values into the derived value.
Only derivations whose inputs are flat scalars are registered: PASI (a grade
set per region) is left out, and the CIA score is registered for the default
0–4 per-paw scheme only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from planner.scores._validate import exact_keys, whole
from planner.scores.activity import cdai, das28_crp, das28_esr, sdai
from planner.scores.cia import PER_PAW_0_4, cia_clinical_score
from planner.scores.classification import ra_2010_score, ssc_2013_score
from planner.scores.ssc import MRSS_SITES, fvc_change, mrss_total

Value = float | int | bool


@dataclass(frozen=True, slots=True)
class Derivation:
    """A published derivation: its name, what it measures, its inputs and its function.

    ``function`` is called with one keyword argument per name in ``inputs``.
    """

    name: str
    label: str
    unit_or_scale: str
    inputs: tuple[str, ...]
    function: Callable[..., float | int]
    source: str

    def compute(self, values: Mapping[str, Value]) -> float | int:
        """The derived value from ``values``, which must hold exactly :attr:`inputs`.

        A missing or unknown name, or a value out of range, raises
        :class:`~planner.scores.ScoreInputError`.
        """
        exact_keys(self.name, values, self.inputs)
        return self.function(**{name: values[name] for name in self.inputs})


def _mrss_from_sites(**sites: int) -> int:
    return mrss_total(sites)


def _cia_four_paws(paw_1: int, paw_2: int, paw_3: int, paw_4: int) -> int:
    limit = PER_PAW_0_4.per_paw_max
    paws = [whole(f"paw_{i}", p, 0, limit) for i, p in enumerate((paw_1, paw_2, paw_3, paw_4), 1)]
    return cia_clinical_score(paws, PER_PAW_0_4)


_REFERENCE: Final = "REFERENCE.md §2"

_ALL: Final = (
    Derivation(
        "das28_esr",
        "DAS28-ESR",
        "score (dimensionless)",
        ("tjc28", "sjc28", "esr_mm_h", "gh_mm"),
        das28_esr,
        _REFERENCE,
    ),
    Derivation(
        "das28_crp",
        "DAS28-CRP",
        "score (dimensionless)",
        ("tjc28", "sjc28", "crp_mg_l", "gh_mm"),
        das28_crp,
        _REFERENCE,
    ),
    Derivation(
        "sdai",
        "Simplified Disease Activity Index",
        "score, 0 upwards (CRP unbounded)",
        ("tjc28", "sjc28", "patient_global_cm", "physician_global_cm", "crp_mg_dl"),
        sdai,
        _REFERENCE,
    ),
    Derivation(
        "cdai",
        "Clinical Disease Activity Index",
        "score 0–76",
        ("tjc28", "sjc28", "patient_global_cm", "physician_global_cm"),
        cdai,
        _REFERENCE,
    ),
    Derivation(
        "mrss_total",
        "Modified Rodnan skin score",
        "score 0–51",
        MRSS_SITES,
        _mrss_from_sites,
        f"Clements 1995 ({_REFERENCE})",
    ),
    Derivation(
        "fvc_change",
        "Change in FVC",
        "% predicted (percentage points, current − baseline)",
        ("baseline_pct_pred", "current_pct_pred"),
        fvc_change,
        _REFERENCE,
    ),
    Derivation(
        "ssc_2013_score",
        "2013 ACR/EULAR SSc classification score",
        "points 0–28 (classified at ≥ 9)",
        (
            "skin_thickening_proximal_to_mcp",
            "puffy_fingers",
            "sclerodactyly",
            "digital_tip_ulcers",
            "pitting_scars",
            "telangiectasia",
            "abnormal_nailfold_capillaries",
            "pah_or_ild",
            "raynaud",
            "ssc_antibodies",
        ),
        ssc_2013_score,
        _REFERENCE,
    ),
    Derivation(
        "ra_2010_score",
        "2010 ACR/EULAR RA classification score",
        "points 0–10 (classified at ≥ 6)",
        ("joints", "serology", "acute_phase", "duration"),
        ra_2010_score,
        _REFERENCE,
    ),
    Derivation(
        "cia_clinical_score",
        "CIA clinical arthritis score (0–4 per paw)",
        "score 0–16",
        ("paw_1", "paw_2", "paw_3", "paw_4"),
        _cia_four_paws,
        f"{_REFERENCE}; usual rat CIA practice (REFERENCE.md §1a)",
    ),
)

DERIVATIONS: Final[Mapping[str, Derivation]] = MappingProxyType({d.name: d for d in _ALL})
"""The registered derivations by name (read-only)."""
