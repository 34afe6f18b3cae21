"""The protocol document as plain data, before anything is drawn.

:func:`build` returns a :class:`~exports.pdf.blocks.Document`: the title page
fields and the numbered sections with their paragraphs, tables, lists and
figures. Clinical studies follow the section order of the ICH M11 protocol
template; preclinical studies follow the ARRIVE 2.0 Essential 10 with the
PREPARE welfare topics. Tests read this structure directly; the renderer
(:mod:`exports.pdf.render`) only lays it out.
"""

from __future__ import annotations

from exports.pdf import details as d
from exports.pdf import tables as tb
from exports.pdf.appendix import collect_findings, collect_tbc, fold_unconfirmed
from exports.pdf.blocks import (
    Block,
    Bullets,
    Document,
    Figure,
    FindingRow,
    Para,
    PathwayArrow,
    PathwayFigure,
    PathwayNodeBox,
    SchemaArm,
    SchemaCell,
    SchemaEpoch,
    SchemaFigure,
    Section,
    TbcItem,
    Text,
)
from exports.pdf.spans import Cite, strong, t, value
from planner.model import (
    TBC,
    Action,
    Category,
    EpochType,
    Pathway,
    Protocol,
    RandomisationMethod,
    Role,
    show,
)

_SHARED_EPOCHS = (EpochType.SCREENING, EpochType.BASELINE, EpochType.FOLLOW_UP)
_STOPPING = (Action.DISCONTINUE, Action.INTERRUPT, Action.HOLD, Action.DOSE_REDUCE, Action.EUTHANISE)

def build(
    protocol: Protocol, findings: tuple[FindingRow, ...] | None = None, *, run_checks: bool = True,
) -> Document:
    """The document for a protocol.

    ``findings`` are the check findings listed in Appendix B. When none are
    given and ``run_checks`` is true, the checks are run here (if
    :mod:`planner.checks` is installed); with ``run_checks=False`` the
    appendix says that no checks were run.
    """
    p = protocol
    if findings is None and run_checks:
        findings = collect_findings(p)
    tbc = collect_tbc(p)
    cite = Cite(p, tbc)
    sections = _clinical(p, cite) if p.kind.clinical else _preclinical(p, cite)
    n = len(sections) + 1
    sections = (
        *sections,
        Section("references", str(n), "References", (d.references_list(p),) if p.references
                else (Para(t("No references are listed.")),)),
        _appendix_tbc(tbc),
        _appendix_findings(findings, tbc),
    )
    structure = "ICH M11 protocol template" if p.kind.clinical else "ARRIVE 2.0 (Essential 10) and PREPARE"
    title_rows: tuple[tuple[str, Text], ...] = (
        ("Protocol id", t(p.id)),
        ("Version", t(p.version)),
        ("Date", t(p.date.isoformat())),
        ("Status", t(p.status.value)),
        ("Type of study", t(p.kind.value)),
        ("Sponsor", value(p.sponsor)),
        ("Investigator", value(p.investigator)),
        ("Structure", t(structure)),
        ("Items to be confirmed", t(f"{len(tbc)} (listed in Appendix A)")),
    )
    author = next((x for x in (p.investigator, p.sponsor) if isinstance(x, str)), "to be confirmed")
    return Document(
        protocol_id=p.id,
        title=p.title,
        short_title=p.short_title,
        version=p.version,
        date=p.date,
        status=p.status.value,
        structure=structure,
        title_rows=title_rows,
        sections=sections,
        tbc=tbc,
        findings=findings,
        author=author,
        subject=f"{p.kind.value} protocol {p.id}, version {p.version} ({p.status.value})",
        keywords=(p.id, p.kind.value, "protocol", "protocol-planner"),
    )


# -- the two outlines ----------------------------------------------------------------------


def _summary(p: Protocol, cite: Cite, word: str) -> Section:
    soa, landscape = tb.schedule_tables(p, cite)
    note = Para(t("Day 0 is ", strong(p.schedule.anchor), ". Each column is a visit with its nominal day and "
                  "window; X marks the forms collected and the procedures done at that visit."), "note")
    return Section("summary", "1", "Protocol summary", children=(
        Section("synopsis", "1.1", "Protocol synopsis", (tb.synopsis(p, cite),)),
        Section("schema", "1.2", f"{word.capitalize()} schema", (Figure(
            f"{word.capitalize()} schema: arms or groups through the epochs", schema_figure(p)),)),
        Section("soa", "1.3", "Schedule of activities", (note, *soa), landscape=landscape),
    ))


def _pathway_blocks(p: Protocol, cite: Cite) -> tuple[Block, ...]:
    out: list[Block] = []
    for pw in p.pathways:
        out.append(Figure(f"{pw.title}{show_cite(cite, pw.source)}", pathway_figure(pw)))
        if any(n.strategy for n in pw.nodes):
            out.append(d.strategies_table(pw, cite))
    return tuple(out)


def show_cite(cite: Cite, key: str | None) -> str:
    """A citation as plain text for captions (``" [2]"``)."""
    return "".join(s.text for s in cite(key))


def _clinical(p: Protocol, cite: Cite) -> tuple[Section, ...]:
    """ICH M11 order: summary, introduction, objectives, design, population, ..., statistics."""
    word, unit = tb.words(p)
    cap = word.capitalize()
    risks = d.risks_rows(p, cite)
    intro: list[Section] = [
        Section("purpose", "2.1", f"Purpose of the {word}", (Para(t(p.rationale)),)),
        Section("risks", "2.2", "Known risks and their mitigation", (
            (Bullets(risks),) if risks else (Para(t("The arms state no safety notes; see section 9.")),))),
    ]
    if p.pathways:
        intro.append(Section("pathway", "2.3", "Treatment decision pathway", _pathway_blocks(p, cite)))
    population: list[Block] = [d.population_table(p.population)] if p.population else []
    stopping = tuple(
        t(strong(f"{m.name}: "), m.action.value, " — ", m.action_text, f" [{m.id}]")
        for m in p.monitoring if m.action in _STOPPING
    )
    assessments: list[Block] = [d.procedures_table(p, cite)] if p.procedures else []
    assessments += [d.form_table(p, f, cite) for f in p.dictionary.forms]
    return (
        _summary(p, cite, word),
        Section("introduction", "2", "Introduction", children=tuple(intro)),
        Section("objectives", "3", f"{cap} objectives and endpoints", _objective_blocks(p, cite)),
        Section("design", "4", f"{cap} design", (Para(t(p.design)), d.arms_table(p, cite, unit))),
        Section("population", "5", f"{cap} population", children=(
            Section("selection", "5.1", f"Selection of the {word} population", tuple(population)),
            Section("inclusion", "5.2", "Inclusion criteria", (tb.criteria_list(p, Category.INCLUSION, cite),)),
            Section("exclusion", "5.3", "Exclusion criteria", (tb.criteria_list(p, Category.EXCLUSION, cite),)),
        )),
        Section("interventions", "6", f"{cap} intervention and concomitant therapy", (d.interventions_table(p, cite),)),
        Section("discontinuation", "7", f"Discontinuation of {word} intervention", (
            Para(t("The rules below stop, hold or change treatment; each is set out with its threshold and "
                   "frequency in section 9.")),
            Bullets(stopping) if stopping else Para(t("No stopping rules are given.")),
        )),
        Section("assessments", "8", f"{cap} assessments and procedures", tuple(assessments)),
        Section("safety", "9", "Safety monitoring and stopping rules", (d.monitoring_table(p, cite),)),
        Section("statistics", "10", "Statistical considerations", children=_stats_sections(p, cite, "10")),
    )


def _objective_blocks(p: Protocol, cite: Cite) -> tuple[Block, ...]:
    out: list[Block] = [tb.objectives_table(p, cite)]
    if p.derivations:
        out.append(tb.derivations_table(p, cite))
    return tuple(out)


def _stats_sections(p: Protocol, cite: Cite, n: str) -> tuple[Section, ...]:
    missing = Para(t(strong("Not given."), " The protocol does not state this yet."), "tbc_note")
    return (
        Section("sample_size", f"{n}.1", "Sample size",
                d.sample_size_blocks(p, cite) if p.sample_size else (missing,)),
        Section("randomisation", f"{n}.2", "Randomisation",
                d.randomisation_blocks(p.randomisation, cite) if p.randomisation else (missing,)),
        Section("blinding", f"{n}.3", "Blinding", (d.blinding_table(p.blinding),) if p.blinding else (missing,)),
        Section("analysis", f"{n}.4", "Statistical analysis",
                (d.statistics_table(p.statistics),) if p.statistics else (missing,)),
    )


def _preclinical(p: Protocol, cite: Cite) -> tuple[Section, ...]:
    """ARRIVE 2.0 order (Essential 10, then the Recommended Set topics a protocol needs)."""
    word, unit = tb.words(p)
    missing = Para(t(strong("Not given."), " The protocol does not state this yet."), "tbc_note")
    stats = _stats_sections(p, cite, "x")
    background: list[Section] = [
        Section("purpose", "2.1", "Background", (Para(t(p.rationale)),)),
        Section("aims", "2.2", "Objectives", (Bullets(tuple(t(strong(o.level.value.capitalize() + ": "), o.text)
                                                             for o in p.objectives)),)),
    ]
    if p.pathways:
        background.append(Section("pathway", "2.3", "Treatment decision pathway", _pathway_blocks(p, cite)))
    unit_text: tuple[Block, ...] = ()
    if p.animals is not None:
        unit_text = (Para(t(strong("Experimental unit: "), value(p.animals.experimental_unit))),)
    procedures: list[Block] = [d.procedures_table(p, cite)] if p.procedures else []
    procedures.append(d.interventions_table(p, cite))
    welfare: list[Block] = [d.welfare_table(p.animals)] if p.animals else [missing]
    welfare.append(d.monitoring_table(p, cite))
    return (
        _summary(p, cite, word),
        Section("background", "2", "Background and objectives (ARRIVE 12–13)", children=tuple(background)),
        Section("design", "3", "Study design (ARRIVE 1)", (Para(t(p.design)), *unit_text, d.arms_table(p, cite, unit))),
        Section("sample_size", "4", "Sample size (ARRIVE 2)", stats[0].blocks),
        Section("eligibility", "5", "Inclusion and exclusion criteria (ARRIVE 3)", children=(
            Section("inclusion", "5.1", "Inclusion criteria", (tb.criteria_list(p, Category.INCLUSION, cite),)),
            Section("exclusion", "5.2", "Exclusion criteria", (tb.criteria_list(p, Category.EXCLUSION, cite),)),
        )),
        Section("randomisation", "6", "Randomisation (ARRIVE 4)", stats[1].blocks),
        Section("blinding", "7", "Blinding (ARRIVE 5)", stats[2].blocks),
        Section("objectives", "8", "Outcome measures (ARRIVE 6)", _objective_blocks(p, cite)),
        Section("analysis", "9", "Statistical methods (ARRIVE 7)", stats[3].blocks),
        Section("animals", "10", "Experimental animals (ARRIVE 8)",
                (d.animals_table(p.animals, cite),) if p.animals else (missing,)),
        Section("procedures", "11", "Experimental procedures (ARRIVE 9)", tuple(procedures), children=(
            Section("assessments", "11.1", "Data collected", tuple(d.form_table(p, f, cite)
                                                                   for f in p.dictionary.forms) or (missing,)),
        )),
        Section("safety", "12", "Housing, husbandry, welfare and humane endpoints (ARRIVE 15–16, PREPARE)",
                tuple(welfare)),
    )


def _appendix_tbc(items: tuple[TbcItem, ...]) -> Section:
    if not items:
        return Section("appendix_tbc", "Appendix A", "Items to be confirmed",
                       (Para(t("Every field of the protocol is confirmed.")),))
    n_verify = sum(1 for x in items if x.verify)
    intro = Para(t(f"{len(items) - n_verify} fields of the protocol are ", strong("to be confirmed"),
                   ": the sources do not give them. Each is shown in place as “TO BE CONFIRMED” and listed here.",
                   f" {n_verify} values come from a secondary source: each is marked in place “verify against "
                   "the primary source” and listed here too." if n_verify else None))
    return Section("appendix_tbc", "Appendix A", "Items to be confirmed", (intro, d.tbc_table(items)))


def _appendix_findings(findings: tuple[FindingRow, ...] | None, tbc: tuple[TbcItem, ...]) -> Section:
    if findings is None:
        body: tuple[Block, ...] = (Para(t("No check findings are listed: the protocol checks (planner.checks) "
                                           "were not run for this document or are not installed."), "tbc_note"),)
    elif not findings:
        body = (Para(t("The protocol checks found no problems.")),)
    else:
        counts: dict[str, int] = {}
        for f in findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        summary = ", ".join(f"{n} {sev}" for sev, n in counts.items())
        folded, rest = fold_unconfirmed(findings, tbc)
        blocks: list[Block] = [Para(t(f"The protocol checks report {len(findings)} findings ({summary})."))]
        if folded:
            n_folded = sum(n for _, _, n in folded)
            parts = "; ".join(f"{code} ({title}): {n}" for code, title, n in folded)
            blocks.append(Para(t(f"{n_folded} of them are warnings that a value is not yet confirmed, one for each "
                                 f"item of Appendix A, and are not repeated here: {parts}.")))
        if rest:
            blocks.append(d.findings_table(rest))
        else:
            blocks.append(Para(t("There are no other findings.")))
        body = tuple(blocks)
    return Section("appendix_findings", "Appendix B", "Check findings", body)


# -- figure data ---------------------------------------------------------------------------


def _short(v: object) -> str:
    return "to be confirmed" if isinstance(v, TBC) else show(v)


def _agent_line(agent: str, dose: object) -> str:
    """``tofacitinib 5 mg``, ``iguratimod (dose to be confirmed)`` or just the agent."""
    if dose is None:
        return agent
    if isinstance(dose, TBC):
        return f"{agent} (dose to be confirmed)"
    return f"{agent} {show(dose)}"


def schema_figure(p: Protocol) -> SchemaFigure:
    """Arms (rows) through epochs (columns); shared epochs span every arm."""
    epochs: list[SchemaEpoch] = []
    for ep in p.schedule.epochs:
        days = [v.day for v in p.schedule.visits if v.epoch == ep.id and isinstance(v.day, int)]
        span = "" if not days else (f"day {min(days)}" if min(days) == max(days) else f"days {min(days)} to {max(days)}")
        shared = ep.type in _SHARED_EPOCHS or not p.arms
        lines: tuple[str, ...] = (f"all {tb.words(p)[1]}s",) if shared else ()
        epochs.append(SchemaEpoch(ep.name, span.replace("-", "\u2212"), shared, lines))
    arms: list[SchemaArm] = []
    for arm in p.arms:
        cells: list[SchemaCell] = []
        for ep in p.schedule.epochs:
            if ep.type in _SHARED_EPOCHS:
                continue
            induction = ep.type is EpochType.INDUCTION
            ivs = [i for i in arm.interventions if (i.role is Role.MODEL_INDUCTION) == induction]
            lines = tuple(_agent_line(i.agent, i.dose) for i in ivs) or ("none",)
            cells.append(SchemaCell(lines))
        arms.append(SchemaArm(arm.name, f"n = {_short(arm.planned_size)}", tuple(cells)))
    first_arm_epoch = next((i for i, e in enumerate(epochs) if not e.shared), None)
    r = p.randomisation
    randomised = r is not None and r.method is not RandomisationMethod.NONE
    return SchemaFigure(tuple(epochs), tuple(arms), first_arm_epoch if randomised else None)


def pathway_figure(pw: Pathway) -> PathwayFigure:
    return PathwayFigure(
        pw.title,
        tuple(PathwayNodeBox(n.id, n.label, n.kind.value) for n in pw.nodes),
        tuple(PathwayArrow(e.source, e.target, e.label) for e in pw.edges),
    )
