"""A small, closed vocabulary of units with their dimensions.

Protocols state units as UCUM-like symbols (``mg/dL``, ``10^9/L``, ``mm/h``).
Each symbol maps to a dimension and a factor to that dimension's base unit, so
checks can tell "the same unit", "convertible" (mg/dL vs g/L) and
"incompatible" (mg/dL vs mm/h) apart. The table is data, not a units library:
the planner needs to *compare* units, not compute with them, and a closed list
turns a typo (``mgg``) into a load error instead of a silently new unit.
See docs/decisions.md ("Units").
"""

from __future__ import annotations

from typing import Final, NamedTuple


class UnitInfo(NamedTuple):
    """The dimension of a unit and its factor to the dimension's base unit."""

    dimension: str
    factor: float
    label: str


_U = UnitInfo

UNITS: Final[dict[str, UnitInfo]] = {
    # dimensionless and scores
    "1": _U("dimensionless", 1.0, "no unit"),
    "score": _U("score", 1.0, "score points"),
    "%": _U("fraction", 0.01, "per cent"),
    "% predicted": _U("fraction of predicted", 0.01, "per cent of predicted"),
    "xULN": _U("multiple of ULN", 1.0, "times the upper limit of normal"),
    "count": _U("count", 1.0, "count"),
    # mass and dose
    "µg": _U("mass", 1e-6, "microgram"),
    "mg": _U("mass", 1e-3, "milligram"),
    "g": _U("mass", 1.0, "gram"),
    "kg": _U("mass", 1e3, "kilogram"),
    "mg/kg": _U("dose per body mass", 1e-6, "milligram per kilogram"),
    "mg/m2": _U("dose per body surface", 1e-3, "milligram per square metre"),
    "kg/m2": _U("body mass index", 1.0, "kilogram per square metre"),
    # mass concentration (base g/L)
    "g/L": _U("mass concentration", 1.0, "gram per litre"),
    "g/dL": _U("mass concentration", 10.0, "gram per decilitre"),
    "mg/dL": _U("mass concentration", 1e-2, "milligram per decilitre"),
    "mg/L": _U("mass concentration", 1e-3, "milligram per litre"),
    "µg/L": _U("mass concentration", 1e-6, "microgram per litre"),
    "ng/mL": _U("mass concentration", 1e-6, "nanogram per millilitre"),
    "pg/mL": _U("mass concentration", 1e-9, "picogram per millilitre"),
    "mmol/L": _U("substance concentration", 1e-3, "millimole per litre"),
    "µmol/L": _U("substance concentration", 1e-6, "micromole per litre"),
    # cell counts (base 1/L)
    "10^9/L": _U("number concentration", 1e9, "10⁹ per litre"),
    "10^12/L": _U("number concentration", 1e12, "10¹² per litre"),
    "/mm3": _U("number concentration", 1e6, "per cubic millimetre"),
    "/µL": _U("number concentration", 1e6, "per microlitre"),
    # enzyme activity
    "U/L": _U("catalytic concentration", 1.0, "units per litre"),
    # rates and time (base day)
    "mm/h": _U("sedimentation rate", 1.0, "millimetre per hour"),
    "h": _U("time", 1.0 / 24.0, "hour"),
    "d": _U("time", 1.0, "day"),
    "wk": _U("time", 7.0, "week"),
    "mo": _U("time", 30.4375, "month"),
    "a": _U("time", 365.25, "year"),
    # length, area and volume
    "µm": _U("length", 1e-6, "micrometre"),
    "mm": _U("length", 1e-3, "millimetre"),
    "cm": _U("length", 1e-2, "centimetre"),
    "1/mm": _U("inverse length", 1e3, "per millimetre"),
    "mm3": _U("volume", 1e-9, "cubic millimetre"),
    "mL": _U("volume", 1e-3, "millilitre"),
    "L": _U("volume", 1.0, "litre"),
    "mL/kg": _U("volume per body mass", 1e-3, "millilitre per kilogram"),
    # physiology
    "mmHg": _U("pressure", 1.0, "millimetre of mercury"),
    "/min": _U("frequency", 1.0, "per minute"),
    "°C": _U("temperature", 1.0, "degree Celsius"),
    "mg/g": _U("mass ratio", 1e-3, "milligram per gram"),
}


NON_NEGATIVE: Final = frozenset({
    "count", "multiple of ULN", "fraction of predicted", "mass", "dose per body mass", "dose per body surface",
    "body mass index", "mass concentration", "substance concentration", "number concentration",
    "catalytic concentration", "sedimentation rate", "time", "length", "inverse length", "volume",
    "volume per body mass", "frequency", "mass ratio",
})
"""Dimensions whose quantities cannot be negative: counts, concentrations, masses, durations, lengths …

Not here: scores and per cent (a change can be negative), no unit, temperature, pressure.
"""


def non_negative(unit: str) -> bool:
    """Whether a value in ``unit`` (a known unit) can never be below zero (an ANC of −3500 is a typo)."""
    return UNITS[unit].dimension in NON_NEGATIVE


def is_known(unit: str) -> bool:
    """Whether ``unit`` is in the vocabulary."""
    return unit in UNITS


def dimension(unit: str) -> str:
    """The dimension of a known unit (``KeyError`` for an unknown one)."""
    return UNITS[unit].dimension


def convertible(a: str, b: str) -> bool:
    """Whether two known units measure the same dimension."""
    return UNITS[a].dimension == UNITS[b].dimension


def factor(from_unit: str, to_unit: str) -> float:
    """Multiply a value in ``from_unit`` by this to express it in ``to_unit``."""
    src, dst = UNITS[from_unit], UNITS[to_unit]
    if src.dimension != dst.dimension:
        raise ValueError(f"cannot convert {from_unit!r} ({src.dimension}) to {to_unit!r} ({dst.dimension})")
    return src.factor / dst.factor


def suggest(unit: str) -> list[str]:
    """Known units that look like ``unit`` (for "did you mean" hints)."""
    import difflib

    return difflib.get_close_matches(unit, UNITS.keys(), n=3, cutoff=0.5)
