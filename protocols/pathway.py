"""The treatment decision pathway after iguratimod failure (Smolecule 2026).

Each strategy node carries the disease context, efficacy outcome and safety
notes of the source's table "Alternative Strategies After Iguratimod Failure".
The source's own DOT script is not included in its text, so the branching
(by disease context and by how many b/tsDMARD classes have failed) follows the
table's "Disease Context" column and the protocol text.
"""

from __future__ import annotations

from planner.model import NodeKind, Pathway, PathwayEdge, PathwayNode, Strategy

SRC = "smolecule2026"


def iguratimod_failure_pathway() -> Pathway:
    """The pathway object shipped with the clinical studies."""
    return Pathway(
        "after_iguratimod_failure",
        "Treatment decision pathway after iguratimod failure",
        source=SRC,
        nodes=(
            PathwayNode("igu_failure", "Iguratimod failure", NodeKind.START),
            PathwayNode("context", "Disease context?", NodeKind.DECISION),
            PathwayNode("classes_failed", "How many b/tsDMARD mechanism classes have failed?", NodeKind.DECISION),
            PathwayNode("switch", "Switch to another b/tsDMARD with a different mechanism of action",
                        NodeKind.STRATEGY, Strategy(
                            disease_context="Rheumatic diseases",
                            efficacy="Standard approach after failure of a single b/tsDMARD; supported by "
                                     "treatment guidelines.",
                            safety="Common practice; switching to an agent with a different mechanism of action "
                                   "is recommended.",
                            source=SRC)),
            PathwayNode("dbt", "Dual biologic therapy (DBT)", NodeKind.STRATEGY, Strategy(
                disease_context="Rheumatoid arthritis (RA), psoriatic arthritis (PsA), axial spondyloarthritis "
                                "(axSpA)",
                efficacy="Moderate efficacy improvements in RA; potential benefit in multi-domain PsA and "
                         "refractory axSpA.",
                safety="Consistently higher serious infection rates vs. monotherapy, especially with rituximab "
                       "and JAK-inhibitor combinations; requires careful risk-benefit analysis.",
                source=SRC)),
            PathwayNode("pathway_combo", "Pathway-targeted combinations (e.g. apremilast + biologics, "
                        "IL-17/IL-23 + TNF blockers)", NodeKind.STRATEGY, Strategy(
                            disease_context="Psoriatic arthritis (PsA)",
                            efficacy="Possible benefits, especially when targeting non-overlapping inflammatory "
                                     "pathways.",
                            safety="Safety concerns exist; selecting agents with complementary safety profiles "
                                   "is crucial.",
                            source=SRC)),
            PathwayNode("igu_ssc", "Iguratimod for systemic sclerosis (digital ulcers)", NodeKind.STRATEGY,
                        Strategy(
                            disease_context="Systemic sclerosis (SSc), particularly with digital ulcers (DU)",
                            efficacy="72.7 % (8/11) of DU patients had no new ulcers during follow-up; an "
                                     "alternative for skin, joint and lung symptoms.",
                            safety="Well tolerated; a hint of potential efficacy for DU prevention, meriting "
                                   "further investigation.",
                            source="frontmed2023")),
        ),
        edges=(
            PathwayEdge("igu_failure", "context"),
            PathwayEdge("context", "classes_failed", "RA, PsA or axSpA"),
            # The source gives this strategy one condition, its disease context (PsA), and no
            # number of failed classes; "non-overlapping pathways" is its efficacy note.
            PathwayEdge("context", "pathway_combo", "PsA"),
            PathwayEdge("context", "igu_ssc", "SSc with digital ulcers"),
            PathwayEdge("classes_failed", "switch", "one"),
            PathwayEdge("classes_failed", "dbt", "two or more (refractory)"),
        ),
    )
