"""Monitoring rules shared by the clinical studies, each with its source."""

from __future__ import annotations

from planner.expr import count, item
from planner.model import Action, MonitoringRule

ALT, AST, ALT_ULN, AST_ULN = item("alt"), item("ast"), item("alt_uln"), item("ast_uln")


def liver_rules(frequency: str, source: str) -> tuple[MonitoringRule, ...]:
    """ALT/AST above 3×ULN (CTCAE v5.0 grade 2 boundary) and the Hy's-law pattern."""
    return (
        MonitoringRule(
            "liver_3uln", "ALT or AST above 3 × ULN",
            condition=(ALT > 3 * ALT_ULN) | (AST > 3 * AST_ULN),
            action=Action.REPEAT_TEST,
            action_text="Repeat liver tests and review; CTCAE v5.0 grade ≥ 2 (> 3 × ULN).",
            risks=("hepatotoxicity",), frequency=frequency, ctcae="ALT/AST increased, grade 2", source=source,
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
    """The seed's low threshold to hold therapy at signs of serious infection."""
    return MonitoringRule(
        "serious_infection_hold", "Signs of serious infection",
        condition=count("ae", where=item("ae.infection") & item("ae.serious")) >= 1,
        action=Action.HOLD,
        action_text="Hold all study therapy at signs of serious infection (low threshold); resume only after "
                    "the infection is controlled and the investigator agrees.",
        risks=("serious_infection",), frequency=frequency, source=source,
    )
