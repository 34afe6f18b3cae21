"""CTCAE v5.0 grades of laboratory values, computed from a table of bands.

The bands are data, written as CTCAE v5.0 states them (read from copies of
its grade text; see docs/sources.md): ``G3 < 1000–500`` for a count that falls
reads "below 1000 and down to 500", so ``500 <= x < 1000``; ``G2 > 3–5×ULN``
for an enzyme that rises reads "above 3 and up to 5 × ULN", so ``3 < x <= 5``. A band's *start* is the boundary
nearer normal and its *end* the boundary further from it (``None``: open).

Grade 1 starts at the lower or upper limit of normal (LLN, ULN). A value in
the grade-1 zone whose limit is unknown gets no grade (``None``), never a
guess; a value on the normal side of a known limit is grade 0. Terms graded
in multiples of ULN need the ULN to convert the value (unless it is already
in ``xULN``). Clinical grades (anaemia grade 4, infections) have no numbers
and are not in the table. See docs/decisions.md ("CTCAE grades").
"""

from __future__ import annotations

import enum
from typing import Final

from attrs import frozen

from planner import units


class Term(enum.StrEnum):
    """CTCAE v5.0 terms with numeric grades (the term names as CTCAE spells them)."""

    NEUTROPHIL_COUNT_DECREASED = "Neutrophil count decreased"
    LYMPHOCYTE_COUNT_DECREASED = "Lymphocyte count decreased"
    ALT_INCREASED = "Alanine aminotransferase increased"
    AST_INCREASED = "Aspartate aminotransferase increased"
    ANAEMIA = "Anemia"


class Limit(enum.StrEnum):
    """A limit of normal, which the laboratory (not CTCAE) gives."""

    LLN = "LLN"
    ULN = "ULN"


@frozen
class Band:
    """One grade of a term: ``start`` (nearer normal) to ``end`` (further; ``None`` = open), in ``unit``."""

    term: Term
    grade: int
    start: float | Limit
    end: float | None
    unit: str


_N, _L = Term.NEUTROPHIL_COUNT_DECREASED, Term.LYMPHOCYTE_COUNT_DECREASED
_ALT, _AST, _HB = Term.ALT_INCREASED, Term.AST_INCREASED, Term.ANAEMIA
LLN, ULN = Limit.LLN, Limit.ULN

BANDS: Final[tuple[Band, ...]] = (
    # Neutrophils: G1 < LLN–1500/mm³; G2 < 1500–1000; G3 < 1000–500; G4 < 500.
    Band(_N, 1, LLN, 1500, "/mm3"), Band(_N, 2, 1500, 1000, "/mm3"), Band(_N, 3, 1000, 500, "/mm3"),
    Band(_N, 4, 500, None, "/mm3"),
    # Lymphocytes: G1 < LLN–800; G2 < 800–500; G3 < 500–200; G4 < 200.
    Band(_L, 1, LLN, 800, "/mm3"), Band(_L, 2, 800, 500, "/mm3"), Band(_L, 3, 500, 200, "/mm3"),
    Band(_L, 4, 200, None, "/mm3"),
    # ALT and AST (normal baseline): G1 > ULN–3×ULN; G2 > 3–5×; G3 > 5–20×; G4 > 20×.
    Band(_ALT, 1, ULN, 3, "xULN"), Band(_ALT, 2, 3, 5, "xULN"), Band(_ALT, 3, 5, 20, "xULN"),
    Band(_ALT, 4, 20, None, "xULN"),
    Band(_AST, 1, ULN, 3, "xULN"), Band(_AST, 2, 3, 5, "xULN"), Band(_AST, 3, 5, 20, "xULN"),
    Band(_AST, 4, 20, None, "xULN"),
    # Haemoglobin: G1 < LLN–10 g/dL; G2 < 10–8; G3 < 8 (grade 4 is clinical: life-threatening).
    Band(_HB, 1, LLN, 10, "g/dL"), Band(_HB, 2, 10, 8, "g/dL"), Band(_HB, 3, 8, None, "g/dL"),
)
"""Every numeric band, as CTCAE v5.0 states it."""

def bands(term: Term) -> tuple[Band, ...]:
    """The bands of ``term``, worst grade first."""
    return tuple(sorted((b for b in BANDS if b.term is term), key=lambda b: -b.grade))


def _grade1(term: Term) -> Band:
    return next(b for b in BANDS if b.term is term and b.grade == 1)


def term_unit(term: Term) -> str:
    """The unit the bands of ``term`` are written in (``/mm3``, ``g/dL`` or ``xULN``)."""
    return _grade1(term).unit


def limit(term: Term) -> Limit:
    """The limit grade 1 starts at: LLN for a term that falls, ULN for one that rises."""
    start = _grade1(term).start
    if not isinstance(start, Limit):
        raise ValueError(f"the grade-1 band of {term.value!r} must start at a limit of normal")
    return start


def uln_based(term: Term) -> bool:
    """Whether ``term`` is graded in multiples of the upper limit of normal."""
    return term_unit(term) == "xULN"


def _inside(band: Band, x: float, start: float, rises: bool) -> bool:
    if rises:
        return x > start and (band.end is None or x <= band.end)
    return x < start and (band.end is None or x >= band.end)


def _tidy(x: float) -> float:
    """``x`` to 12 significant digits, so a unit conversion (0.1 × 10) cannot move it across an edge."""
    return float(f"{x:.12g}")


def grade(term: Term, value: float, unit: str, *, uln: float | None = None, lln: float | None = None) -> int | None:
    """The CTCAE v5.0 grade of ``value`` (in ``unit``), 0 on the normal side of a known limit.

    ``uln`` and ``lln`` are in ``unit``. A term in multiples of ULN takes the
    ULN to convert the value (not needed when ``unit`` is ``xULN``); other
    terms convert ``unit`` with :mod:`planner.units`. ``None`` when the grade
    cannot be told: the ULN is needed and unknown, or the value lies where
    grade 1 would start and the LLN is unknown. Raises ``ValueError`` when
    ``unit`` does not convert to the term's unit.
    """
    rises = limit(term) is Limit.ULN
    target = term_unit(term)
    if target == "xULN":
        if unit == "xULN":
            x = value
        elif uln is None or uln <= 0:
            return None
        else:
            x = value / uln
        edge: float | None = 1.0
    else:
        if not (units.is_known(unit) and units.convertible(unit, target)):
            raise ValueError(f"a value in {unit!r} cannot be graded as {term.value!r} (graded in {target!r})")
        f = units.factor(unit, target)
        x = value * f
        edge = None if lln is None else _tidy(lln * f)
    x = _tidy(x)
    for band in bands(term):
        start = edge if isinstance(band.start, Limit) else band.start
        if start is None:  # reached only beyond grade 2: where grade 1 starts is unknown
            return None
        if _inside(band, x, start, rises):
            return band.grade
    return 0


def describe(term: Term, grade_: int | None = None) -> str:
    """``"Neutrophil count decreased, grade 3"`` (the term alone without a grade)."""
    return f"{term.value}, grade {grade_}" if grade_ is not None else term.value
