"""The named derivations a protocol endpoint can refer to, with flat scalar inputs.

A protocol names a derivation (``"das28_crp"``) and the variables it records;
:meth:`Derivation.compute` turns one visit's values into the derived value.
Only derivations whose inputs are flat scalars are registered: the PASI as
its 16 grades (``head_erythema`` … ``legs_area``), and the CIA score for the
default 0–4 per-paw scheme only.

A derivation that never falls when any input rises, within a known range
per input — a sum of non-negative parts such as the mRSS or the 2013 SSc
criteria — declares those ranges (:attr:`Derivation.ranges`). With inputs
missing it then lies between its value at their lowest and at their highest
(:meth:`Derivation.bounds`), which can already decide a threshold: proximal
skin thickening alone scores 9, so the 2013 SSc total is at least 9.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from planner.scores.activity import CDAI, DAS28_CRP, DAS28_ESR, SDAI
from planner.scores.cia import cia_derivation
from planner.scores.classification import RA_2010, SSC_2013, SSC_2013_ITEMS
from planner.scores.formula import Derivation, Param
from planner.scores.pasi import PASI
from planner.scores.ssc import FVC_CHANGE, MRSS

__all__ = ["ASSESSOR_JUDGED", "CONDITIONS", "DERIVATIONS", "SSC_2013_ITEMS", "Derivation", "Param"]

_ALL: Final = (DAS28_ESR, DAS28_CRP, SDAI, CDAI, PASI, MRSS, FVC_CHANGE, SSC_2013, RA_2010, cia_derivation())

DERIVATIONS: Final[Mapping[str, Derivation]] = MappingProxyType({d.name: d for d in _ALL})
"""The registered derivations by name (read-only)."""

ASSESSOR_JUDGED: Final[frozenset[str]] = frozenset({
    DAS28_ESR.name, DAS28_CRP.name, SDAI.name, CDAI.name,  # tender and swollen joint counts by an examiner
    PASI.name,  # graded erythema, induration, scaling and area
    MRSS.name,  # skin thickness scored by palpation
    cia_derivation().name,  # paw swelling and redness graded by an observer
})
"""The registered scores whose inputs an assessor judges, so that knowing the allocation can bias
them (SPIRIT 17a; ARRIVE 2.0 item 5): design check DES027 asks how their assessment is blinded."""

CONDITIONS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({
    **dict.fromkeys((DAS28_ESR.name, DAS28_CRP.name, SDAI.name, CDAI.name, RA_2010.name), ("rheumatoid",)),
    PASI.name: ("psoria",),
    **dict.fromkeys((MRSS.name, SSC_2013.name), ("systemic sclerosis", "scleroderma")),
})
"""The diseases a registered score is defined for, as word stems a population's condition names
contain (the DBT source protocol measures "DAS28 for RA, PASI for psoriasis"; the mRSS and the 2013
criteria are systemic sclerosis measures). A score not listed here is not tied to one disease. Design check DES030 reads it."""
