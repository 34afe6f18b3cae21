"""Published clinical and preclinical scores, as pure functions.

Every function checks its inputs and raises :class:`ScoreInputError` (a
``ValueError``) naming the argument, its value and the allowed range. The
formulas follow the project's literature notes (docs/sources.md, "Scores and
grades"); each function's docstring names its source and input ranges. :data:`DERIVATIONS` lists those
an endpoint can name, with flat scalar inputs.

Modules: :mod:`~planner.scores.activity` (DAS28, EULAR response, SDAI, CDAI),
:mod:`~planner.scores.classification` (2010 RA and 2013 SSc criteria),
:mod:`~planner.scores.ssc` (mRSS, FVC), :mod:`~planner.scores.pasi`,
:mod:`~planner.scores.cia` (rodent arthritis) and
:mod:`~planner.scores.registry`. Only the standard library is used.
"""

from planner.scores._validate import ScoreInputError
from planner.scores.activity import (
    CDAI_CUTOFFS,
    DAS28_BOUNDARY_CONVENTION,
    DAS28_HIGH_ABOVE,
    DAS28_MODERATE_FROM,
    DAS28_REMISSION_BELOW,
    SDAI_CUTOFFS,
    DiseaseActivity,
    EularResponse,
    cdai,
    cdai_category,
    das28_category,
    das28_crp,
    das28_esr,
    eular_response,
    sdai,
    sdai_category,
)
from planner.scores.cia import PER_PAW_0_3, PER_PAW_0_4, CiaScheme, cia_clinical_score
from planner.scores.classification import (
    RA_2010_THRESHOLD,
    SSC_2013_MAX,
    SSC_2013_THRESHOLD,
    ra_2010_classified,
    ra_2010_joint_score,
    ra_2010_score,
    ssc_2013_classified,
    ssc_2013_score,
)
from planner.scores.pasi import PASI_REGION_WEIGHTS, PasiRegion, pasi
from planner.scores.registry import DERIVATIONS, Derivation
from planner.scores.ssc import (
    MRSS_MAX,
    MRSS_SITES,
    eustar_mrss_improvement,
    fvc_change,
    mrss_total,
    ssc_ild_progression,
)

__all__ = [
    "CDAI_CUTOFFS",
    "DAS28_BOUNDARY_CONVENTION",
    "DAS28_HIGH_ABOVE",
    "DAS28_MODERATE_FROM",
    "DAS28_REMISSION_BELOW",
    "DERIVATIONS",
    "MRSS_MAX",
    "MRSS_SITES",
    "PASI_REGION_WEIGHTS",
    "PER_PAW_0_3",
    "PER_PAW_0_4",
    "RA_2010_THRESHOLD",
    "SDAI_CUTOFFS",
    "SSC_2013_MAX",
    "SSC_2013_THRESHOLD",
    "CiaScheme",
    "Derivation",
    "DiseaseActivity",
    "EularResponse",
    "PasiRegion",
    "ScoreInputError",
    "cdai",
    "cdai_category",
    "cia_clinical_score",
    "das28_category",
    "das28_crp",
    "das28_esr",
    "eular_response",
    "eustar_mrss_improvement",
    "fvc_change",
    "mrss_total",
    "pasi",
    "ra_2010_classified",
    "ra_2010_joint_score",
    "ra_2010_score",
    "sdai",
    "sdai_category",
    "ssc_2013_classified",
    "ssc_2013_score",
    "ssc_ild_progression",
]
