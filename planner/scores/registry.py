"""The named derivations a protocol endpoint can refer to, with flat scalar inputs.

A protocol names a derivation (``"das28_crp"``) and the variables it records;
:meth:`Derivation.compute` turns one visit's values into the derived value.
Only derivations whose inputs are flat scalars are registered: PASI (a grade
set per region) is left out, and the CIA score is registered for the default
0–4 per-paw scheme only.

A derivation that never falls when any input rises, within a known range
per input — a sum of non-negative parts such as the mRSS or the 2013 SSc
criteria — declares those ranges (:attr:`Derivation.ranges`). With inputs
missing it then lies between its value at their lowest and at their highest
(:meth:`Derivation.bounds`), which can already decide a threshold: proximal
skin thickening alone scores 9, so the 2013 SSc total is at least 9.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    ``ranges``, when given, declares the function non-decreasing in every
    input over ``(lowest, highest)`` accepted values (a test checks it);
    ``whole`` says its values are whole numbers (points, not a measurement).
    """

    name: str
    label: str
    unit_or_scale: str
    inputs: tuple[str, ...]
    function: Callable[..., float | int]
    source: str
    ranges: Mapping[str, tuple[Value, Value]] | None = field(default=None, compare=False)
    whole: bool = False

    def compute(self, values: Mapping[str, Value]) -> float | int:
        """The derived value from ``values``, which must hold exactly :attr:`inputs`.

        A missing or unknown name, or a value out of range, raises
        :class:`~planner.scores.ScoreInputError`.
        """
        exact_keys(self.name, values, self.inputs)
        return self.function(**{name: values[name] for name in self.inputs})

    def bounds(self, values: Mapping[str, Value | None]) -> tuple[float | int, float | int] | None:
        """The lowest and highest value with the ``None`` inputs unknown; ``None`` without declared ranges.

        The given inputs are checked as :meth:`compute` checks them.
        """
        ranges = self.ranges
        if ranges is None:
            return None
        exact_keys(self.name, values, self.inputs)

        def at(end: int) -> float | int:
            given = {name: ranges[name][end] if values[name] is None else values[name] for name in self.inputs}
            return self.compute(given)  # type: ignore[arg-type]  # no None left

        return at(0), at(1)


def _mrss_from_sites(**sites: int) -> int:
    return mrss_total(sites)


def _cia_four_paws(paw_1: int, paw_2: int, paw_3: int, paw_4: int) -> int:
    limit = PER_PAW_0_4.per_paw_max
    paws = [whole(f"paw_{i}", p, 0, limit) for i, p in enumerate((paw_1, paw_2, paw_3, paw_4), 1)]
    return cia_clinical_score(paws, PER_PAW_0_4)


_REFERENCE: Final = "REFERENCE.md §2"
SSC_2013_ITEMS: Final = (
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
)

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
        ranges={"tjc28": (0, 28), "sjc28": (0, 28), "patient_global_cm": (0.0, 10.0),
                "physician_global_cm": (0.0, 10.0)},
    ),
    Derivation(
        "mrss_total",
        "Modified Rodnan skin score",
        "score 0–51",
        MRSS_SITES,
        _mrss_from_sites,
        f"Clements 1995 ({_REFERENCE})",
        ranges=dict.fromkeys(MRSS_SITES, (0, 3)),
        whole=True,
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
        SSC_2013_ITEMS,
        ssc_2013_score,
        _REFERENCE,
        ranges=dict.fromkeys(SSC_2013_ITEMS, (False, True)),
        whole=True,
    ),
    Derivation(
        "ra_2010_score",
        "2010 ACR/EULAR RA classification score",
        "points 0–10 (classified at ≥ 6)",
        ("joints", "serology", "acute_phase", "duration"),
        ra_2010_score,
        _REFERENCE,
        ranges={"joints": (0, 5), "serology": (0, 3), "acute_phase": (0, 1), "duration": (0, 1)},
        whole=True,
    ),
    Derivation(
        "cia_clinical_score",
        "CIA clinical arthritis score (0–4 per paw)",
        "score 0–16",
        ("paw_1", "paw_2", "paw_3", "paw_4"),
        _cia_four_paws,
        f"{_REFERENCE}; usual rat CIA practice (REFERENCE.md §1a)",
        ranges=dict.fromkeys(("paw_1", "paw_2", "paw_3", "paw_4"), (0, PER_PAW_0_4.per_paw_max)),
        whole=True,
    ),
)

DERIVATIONS: Final[Mapping[str, Derivation]] = MappingProxyType({d.name: d for d in _ALL})
"""The registered derivations by name (read-only)."""
