"""Tables of arms, interventions, safety rules, statistics, animals, data and references."""

from __future__ import annotations

from exports.pdf.blocks import (
    Block,
    Entry,
    Figure,
    FindingRow,
    Numbered,
    Para,
    PowerCurveFigure,
    Span,
    Table,
    TbcItem,
    Text,
)
from exports.pdf.spans import Cite, join, muted, rule, strong, t, value
from exports.pdf.tables import day_text, kv_table
from planner.model import (
    MODALITY,
    TBC,
    AnimalDetails,
    Blinding,
    ClinicalPopulation,
    Form,
    Modality,
    Pathway,
    Protocol,
    Randomisation,
    RandomisationMethod,
    SampleSize,
    Statistics,
)

# -- arms and interventions -------------------------------------------------------------


def arms_table(p: Protocol, cite: Cite, unit: str) -> Table:
    """Arms or groups with their type, description and planned size."""
    rows = tuple(
        (
            t(strong(a.name), muted(f" ({a.id})")),
            t(a.type.value),
            t(a.description),
            t(value(a.planned_size, cite, True), cite(a.size_source)),
        )
        for a in p.arms
    )
    return Table(
        kind="arms",
        caption="Arms" if unit == "participant" else "Groups",
        header=((t("Arm" if unit == "participant" else "Group"), t("Type"), t("Description"), t("Planned n")),),
        rows=rows,
        widths=(0.22, 0.16, 0.48, 0.14),
    )


def interventions_table(p: Protocol, cite: Cite) -> Table:
    """Agent, class, dose, route, frequency and duration for every arm."""
    rows: list[tuple[Text, ...]] = []
    for arm in p.arms:
        for i, iv in enumerate(arm.interventions):
            classes = sorted({MODALITY.get(m, Modality.OTHER).value for m in iv.mechanisms} - {"other"})
            mech = ", ".join(m.value for m in iv.mechanisms)
            agent = t(strong(iv.agent), cite(iv.source), muted(f"\n{iv.role.value}"),
                      muted(f"\n{iv.notes}") if iv.notes else None)
            rows.append((
                t(arm.name) if i == 0 else (),
                agent,
                t(mech, muted(f" ({', '.join(classes)})") if classes else None),
                value(iv.dose, cite, True),
                value(iv.route, cite, True),
                value(iv.frequency, cite, True),
                value(iv.duration, cite, True),
            ))
        if not arm.interventions:
            rows.append((t(arm.name), (muted("no intervention"),), (), (), (), (), ()))
    return Table(
        kind="interventions",
        caption="Interventions",
        header=((t("Arm / group"), t("Agent"), t("Class"), t("Dose"), t("Route"), t("Frequency"), t("Duration")),),
        rows=tuple(rows),
        widths=(0.14, 0.17, 0.19, 0.14, 0.11, 0.13, 0.12),
        small=True,
    )


# -- safety ----------------------------------------------------------------------------------


def monitoring_table(p: Protocol, cite: Cite) -> Table:
    """Safety monitoring and stopping rules: parameter, threshold, action, frequency, source."""
    arm_names = {a.id: a.name for a in p.arms}
    rows: list[tuple[Text, ...]] = []
    for m in p.monitoring:
        applies = ", ".join(arm_names.get(a, a) for a in m.arms) if m.arms else "all arms"
        rows.append((
            t(strong(m.name), muted(f"\n{m.timing.value}; {applies}"), muted(f"\n[{m.id}]")),
            t(rule(str(m.condition)),
              muted("\nCTCAE v5.0: " + "; ".join(g.describe() for g in m.ctcae)) if m.ctcae else None),
            t(strong(m.action.value.capitalize()), "\n", m.action_text),
            value(m.frequency, cite, True),
            t(cite(m.source)) if m.source else (muted("—"),),
        ))
    return Table(
        kind="monitoring",
        caption="Safety monitoring and stopping rules",
        header=((t("Parameter"), t("Threshold"), t("Action"), t("Frequency"), t("Source")),),
        rows=tuple(rows),
        widths=(0.2, 0.26, 0.31, 0.15, 0.08),
        small=True,
    )


def risks_rows(p: Protocol, cite: Cite | None = None) -> tuple[Text, ...]:
    """The safety notes each arm states, then each recorded risk decision with its reason, as bullet texts."""
    notes = tuple(t(strong(f"{a.name}: "), note) for a in p.arms for note in a.safety_notes)
    from planner.checks.risks import table

    names = {a.id: a.name for a in p.arms}
    said = {w.id: w.text for w in table().warnings} | {c.id: f"{c.agent.value} is contraindicated in {c.condition}"
                                                        for c in table().contraindications}
    decisions = tuple(
        t(strong(f"Decision ({', '.join(names.get(a, a) for a in d.arms) or 'all arms'}): "),
          f"the label says: {said[d.about]}. " if d.about in said else "", d.reason,
          *(cite(d.source) if cite is not None and d.source else ()))
        for d in p.risk_decisions)
    return notes + decisions


# -- statistics -------------------------------------------------------------------------------


def sample_size_table(s: SampleSize, cite: Cite) -> Table:
    rows: list[tuple[str, Text]] = [
        ("Target number", t(value(s.target), cite(s.source))),
        ("Justification", value(s.justification)),
    ]
    for label, v in (("Effect size", s.effect_size), ("Alpha", s.alpha), ("Power", s.power), ("Test", s.test),
                     ("Groups", s.groups), ("Attrition", s.attrition)):
        if v is not None:
            rows.append((label, value(v)))
    return kv_table("sample_size", "Sample size", rows)


def sample_size_blocks(p: Protocol, cite: Cite) -> tuple[Block, ...]:
    """The sample-size table, then — when the protocol states every input — the calculation and its power curve."""
    assert p.sample_size is not None
    table = sample_size_table(p.sample_size, cite)
    from planner.power import PowerError, power_at
    from planner.sizing import curve, for_protocol

    try:
        sizing = for_protocol(p)
    except PowerError:
        sizing = None
    if sizing is None or not sizing.stated():
        return (table, Para(t("No power curve: the protocol does not state every input of the calculation "
                              "(test, effect size, alpha, and the power or the number). ",
                              "protocol-planner sample-size lists what is missing."), "note"))
    c = sizing.calculation
    per = sorted(set(c.analysed))
    analysed = f"{per[0]} per group" if len(per) == 1 else " + ".join(map(str, c.analysed))
    enrolled = sorted(set(c.enrolled))
    enrol = f"{enrolled[0]} per group" if len(enrolled) == 1 else " + ".join(map(str, c.enrolled))
    achieved = power_at(c.design, c.effect_size, c.alpha, c.analysed)
    found = {"number": f"{analysed} analysed ({c.total} in all, power {achieved:.3f})",
             "detectable effect": f"the smallest effect detected is {sizing.index} = {c.effect_size:.2f}",
             "power": f"the power is {c.power:.2f}"}[c.solved.value]
    text = t(strong("Calculation: "),
             f"{sizing.method}, {c.design.test.value}, {sizing.index} = {c.effect_size:.2f}, two-sided α = {c.alpha:g}, "
             f"power {c.power:.2f}: {found}; {enrol} enrolled ({c.total_enrolled} in all) for an attrition of "
             f"{c.attrition:g}.", cite(sizing.effect_source) if sizing.effect_source else None)
    caption = ("Power against the number analysed and against the effect size, with the planned point marked "
               f"({sizing.method}, two-sided α = {c.alpha:g}).")
    return (table, Para(text), Figure(caption, PowerCurveFigure(curve(sizing))))


NO_KEY_HOLDER = TBC("the protocol does not say who holds the allocation key")
NO_CONCEALMENT = TBC("the protocol does not say how the allocation is concealed until assignment")
SEED_KEPT = ("recorded with the allocation key, not printed here: the list can be regenerated from the seed, "
             "so it stays with the key holder")
BLOCKS_KEPT = ("recorded with the allocation key, not printed here: investigators who know the block length can "
               "guess the last allocations of a block (ICH E9 §2.3.1)")
LIST_KEPT = ("This protocol describes how allocation is generated and concealed, never the allocation itself. The "
             "unblinded allocation key (protocol-planner randomise) is held by the key holder only; "
             "investigators receive only the blinded list of sequence numbers, or for animals their codes and "
             "the processing and assessment orders.")


def randomisation_blocks(r: Randomisation, cite: Cite) -> tuple[Block, ...]:
    """The randomisation table, and for a randomised study the note that the list itself is kept elsewhere."""
    table = randomisation_table(r, cite)
    if r.method is RandomisationMethod.NONE:
        return (table,)
    return (table, Para(t(LIST_KEPT), "note"))


def randomisation_table(r: Randomisation, cite: Cite) -> Table:
    randomised = r.method is not RandomisationMethod.NONE
    seed = value(r.seed) if not isinstance(r.seed, int) else t(SEED_KEPT)
    rows: list[tuple[str, Text]] = [
        ("Method", t(value(r.method), cite(r.source))),
        ("Description", t(r.description)),
        ("Block size", t(BLOCKS_KEPT) if isinstance(r.block_size, int) else value(r.block_size)),
        ("Strata", value(r.strata)),
        ("Seed", seed),
        ("Allocation concealment", value(NO_CONCEALMENT if r.concealment is None and randomised else r.concealment)),
    ]
    if randomised:
        rows.append(("Allocation key held by", value(r.key_holder if r.key_holder is not None else NO_KEY_HOLDER)))
    if r.block_sizes:  # only when stated, so documents without them are unchanged
        rows.insert(3, ("Block sizes (drawn at random)", t(BLOCKS_KEPT)))
    if r.blocking_factor:
        rows.insert(3, ("Blocking factor", value(r.blocking_factor)))
    return kv_table("randomisation", "Randomisation", rows)


def blinding_table(b: Blinding) -> Table:
    rows: list[tuple[str, Text]] = [
        ("Masking", value(b.masking)),
        ("Description", value(b.description)),
        ("Blinded roles", value(b.blinded_roles)),
    ]
    if b.unblinding is not None:
        rows.append(("Emergency unblinding", value(b.unblinding)))
    if b.assessment is not None:
        rows.append(("Outcome assessment", value(b.assessment)))
    return kv_table("blinding", "Blinding", rows)


def statistics_table(s: Statistics) -> Table:
    rows: list[tuple[str, Text]] = [("Primary analysis", value(s.primary_analysis))]
    for label, v in (("Secondary analyses", s.secondary_analyses), ("Analysis population", s.analysis_population),
                     ("Missing data", s.missing_data), ("Software", s.software)):
        if v is not None:
            rows.append((label, value(v)))
    return kv_table("statistics", "Statistical analysis", rows)


# -- who is studied, what is done, what is collected ------------------------------------------


def population_table(pop: ClinicalPopulation) -> Table:
    rows: list[tuple[str, Text]] = [("Description", t(pop.description))]
    if pop.conditions:
        rows.append(("Conditions", value(pop.conditions)))
    if pop.classification_criteria:
        rows.append(("Classification criteria", value(pop.classification_criteria)))
    rows.append(("Background therapy", value(pop.background_therapy)))
    rows.append(("Age (years)", value(pop.age_years)))
    rows.append(("Setting", value(pop.setting)))
    return kv_table("population", "Population", rows)


def animals_table(a: AnimalDetails, cite: Cite) -> Table:
    rows: list[tuple[str, Text]] = [
        ("Species and strain", t(value(a.species), ", ", value(a.strain), cite(a.source))),
        ("Sex", value(a.sex)),
        ("Number", value(a.total)),
        ("Experimental unit", value(a.experimental_unit)),
        ("Age", value(a.age, cite)),
        ("Weight (g)", value(a.weight_g)),
        ("Supplier", value(a.supplier)),
        ("Acclimatisation", value(a.acclimatisation)),
    ]
    return kv_table("animals", "Experimental animals", rows)


def welfare_table(a: AnimalDetails) -> Table:
    rows: list[tuple[str, Text]] = [
        ("Housing", value(a.housing)),
        ("Husbandry", value(a.husbandry)),
        ("Humane endpoints", value(a.humane_endpoints) if not isinstance(a.humane_endpoints, tuple)
         else join([t(h) for h in a.humane_endpoints], "\n") or (muted("—"),)),
    ]
    return kv_table("welfare", "Housing, husbandry and humane endpoints", rows)


def procedures_table(p: Protocol, cite: Cite) -> Table:
    rows = tuple(
        (
            t(strong(pr.name)),
            day_text(pr.day, cite) if pr.day is not None else (muted("—"),),
            t(pr.description, cite(pr.source), *(t("\n• ", d) for d in pr.details)),
        )
        for pr in p.procedures
    )
    return Table(
        kind="procedures",
        caption="Procedures",
        header=((t("Procedure"), t("When"), t("Description")),),
        rows=rows,
        widths=(0.22, 0.13, 0.65),
    )


def form_table(p: Protocol, form: Form, cite: Cite) -> Table:
    """The items of one form: variable, label, type, unit, range or codes."""
    rows: list[tuple[Text, ...]] = []
    for it in form.items:
        if it.codelist is not None:
            cl = p.dictionary.codelist(it.codelist)
            allowed = t(", ".join(f"{x.code} = {x.decode}" for x in cl.terms)) if cl else t(muted(it.codelist))
        else:
            allowed = value(it.range, cite, True)
        rows.append((
            t(rule(it.name), muted(f"\n{it.cdash}") if it.cdash and it.cdash != it.name else None),
            t(it.label, cite(it.source), muted(f"\n{it.guidance}") if it.guidance else None),
            t(it.type.value, muted("" if it.required else " (optional)")),
            value(it.unit, cite, True),
            allowed,
        ))
    log = " (repeating log)" if form.repeating else ""
    domain = f", CDASH domain {form.domain}" if form.domain else ""
    return Table(
        kind="form",
        caption=f"Form {form.name}{log}{domain}",
        header=((t("Variable"), t("Label"), t("Type"), t("Unit"), t("Range or codes")),),
        rows=tuple(rows),
        widths=(0.18, 0.36, 0.12, 0.12, 0.22),
        small=True,
    )


# -- pathway, references, appendices ----------------------------------------------------------


def strategies_table(pw: Pathway, cite: Cite) -> Table:
    rows = tuple(
        (t(strong(n.label)), t(n.strategy.disease_context), t(n.strategy.efficacy),
         t(n.strategy.safety, cite(n.strategy.source)))
        for n in pw.nodes if n.strategy is not None
    )
    return Table(
        kind="strategies",
        caption=f"Strategies of the pathway: {pw.title}",
        header=((t("Strategy"), t("Disease context"), t("Efficacy"), t("Safety and notes")),),
        rows=rows,
        widths=(0.22, 0.2, 0.29, 0.29),
        small=True,
    )


def references_list(p: Protocol) -> Numbered:
    """References numbered as cited: ``[n]`` citation, identifiers, note."""
    entries: list[Entry] = []
    for i, r in enumerate(p.references, 1):
        ids = [f"doi:{r.doi}" if r.doi else "", f"PMID {r.pmid}" if r.pmid else "", r.url or ""]
        detail = t(muted("; ".join(x for x in ids if x)), muted(f" — {r.note}") if r.note else None)
        entries.append(Entry(f"[{i}]", t(r.citation), detail, anchor=f"ref-{i}"))
    return Numbered("references", tuple(entries))


def tbc_table(items: tuple[TbcItem, ...]) -> Table:
    return Table(
        kind="tbc",
        caption="Items to be confirmed",
        header=((t("No."), t("Where"), t("What is missing"), t("Path in the protocol")),),
        rows=tuple((t(Span(f"A{i}", anchor=f"tbc-{i}")), t(x.where), t(x.reason), (rule(x.path),))
                   for i, x in enumerate(items, 1)),
        widths=(0.06, 0.3, 0.4, 0.24),
        small=True,
    )


def findings_table(findings: tuple[FindingRow, ...]) -> Table:
    return Table(
        kind="findings",
        caption="Check findings",
        header=((t("Code"), t("Severity"), t("Where"), t("Finding"), t("What to do")),),
        rows=tuple(
            (t(strong(f.code)), t(f.severity), (rule(f.path),), t(f.message, muted(f"\n({f.area})") if f.area else None),
             t(f.hint))
            for f in findings
        ),
        widths=(0.09, 0.09, 0.2, 0.36, 0.26),
        small=True,
    )
