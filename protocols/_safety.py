"""Monitoring rules shared by the clinical studies, each with its source.

A rule's ``source`` names where its *threshold* comes from; where its
frequency or action comes from elsewhere (or from no source), the frequency
and action texts say so.
"""

from __future__ import annotations

from planner.expr import count, item
from planner.model import Action, CtcaeGrading, CtcaeTerm, MonitoringRule

ALT, AST, ALT_ULN, AST_ULN = item("alt"), item("ast"), item("alt_uln"), item("ast_uln")
ACTION_TBC = "the protocol-specific action is to be confirmed (no source gives one)"


def neutropenia(grade: int) -> tuple[CtcaeGrading, ...]:
    """Neutrophil count decreased, graded from ``anc`` (the safety-laboratory form)."""
    return (CtcaeGrading(CtcaeTerm.NEUTROPHIL_COUNT_DECREASED, "anc", grade=grade),)


def lymphopenia(grade: int) -> tuple[CtcaeGrading, ...]:
    """Lymphocyte count decreased, graded from ``lymphocytes``."""
    return (CtcaeGrading(CtcaeTerm.LYMPHOCYTE_COUNT_DECREASED, "lymphocytes", grade=grade),)


def anaemia(grade: int) -> tuple[CtcaeGrading, ...]:
    """Anaemia, graded from ``hb``."""
    return (CtcaeGrading(CtcaeTerm.ANAEMIA, "hb", grade=grade),)


def liver_rules(frequency: str) -> tuple[MonitoringRule, ...]:
    """ALT/AST above 3×ULN (CTCAE v5.0 grade 2 boundary) and the Hy's-law pattern.

    The thresholds come from CTCAE v5.0 and the FDA DILI guidance; ``frequency``
    must cite its own source (or say the protocol sets it).
    """
    return (
        MonitoringRule(
            "liver_3uln", "ALT or AST above 3 × ULN",
            condition=(ALT > 3 * ALT_ULN) | (AST > 3 * AST_ULN),
            action=Action.REPEAT_TEST,
            action_text="Repeat liver tests and review with the investigator (CTCAE v5.0 grade ≥ 2, > 3 × ULN); "
                        f"{ACTION_TBC}.",
            risks=("hepatotoxicity",), frequency=frequency,
            ctcae=(CtcaeGrading(CtcaeTerm.ALT_INCREASED, "alt", "alt_uln", grade=2),
                   CtcaeGrading(CtcaeTerm.AST_INCREASED, "ast", "ast_uln", grade=2)),
            source="ctcae5",
        ),
        MonitoringRule(
            "hys_law", "Possible Hy's law case",
            condition=((ALT >= 3 * ALT_ULN) | (AST >= 3 * AST_ULN))
            & (item("bilirubin") > 2 * item("bilirubin_uln")) & (item("alp") <= item("alp_uln")),
            action=Action.INTERRUPT,
            action_text="Interrupt study drug, report as a possible Hy's law case and evaluate for "
                        "drug-induced liver injury (ALT/AST ≥ 3 × ULN with bilirubin > 2 × ULN and no raised ALP).",
            risks=("hepatotoxicity",), frequency=frequency, source="fdadili",
        ),
    )


def serious_infection_hold(source: str, frequency: str) -> MonitoringRule:
    """The source protocol's (Smolecule 2026) low threshold to hold therapy at signs of serious infection."""
    return MonitoringRule(
        "serious_infection_hold", "Signs of serious infection",
        condition=count("ae", where=item("ae.infection") & item("ae.serious")) >= 1,
        action=Action.HOLD,
        action_text="Hold all study therapy at signs of serious infection (low threshold); when to resume is "
                    "to be confirmed (no source gives it).",
        risks=("serious_infection",), frequency=frequency, source=source,
    )
