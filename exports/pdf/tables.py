"""Tables and lists of the study design: synopsis, schedule, objectives, eligibility.

Every function takes the protocol (and the citation helper) and returns plain
blocks from :mod:`exports.pdf.blocks`; none of them draws anything.
"""

from __future__ import annotations

from collections.abc import Sequence

from exports.pdf.blocks import Entry, Numbered, Table, Text
from exports.pdf.spans import Cite, join, muted, rule, strong, t, tbc, value, warn
from planner.model import TBC, Category, Intervention, Level, Protocol, Visit

#: Visits that still fit a portrait page; more go on landscape pages.
PORTRAIT_VISITS = 7
#: Visits per landscape table; more are split over several tables.
LANDSCAPE_VISITS = 14


def kv_table(kind: str, caption: str, rows: Sequence[tuple[str, Text]]) -> Table:
    """A two-column "field | value" table."""
    return Table(
        kind=kind,
        caption=caption,
        header=((t("Item"), t("Details")),),
        rows=tuple((t(strong(k)), v) for k, v in rows),
        widths=(0.27, 0.73),
    )


def day_text(day: int | TBC, cite: Cite | None = None) -> Text:
    """``Day −28`` (a true minus sign) or the "to be confirmed" text (short with ``cite``)."""
    if isinstance(day, TBC):
        return t("Day ", cite.tbc(day)) if cite is not None else (tbc(day),)
    return t(f"Day {day}".replace("-", "\u2212"))


def words(p: Protocol) -> tuple[str, str]:
    """How the document names the study and its units: trial/participant, study/animal."""
    if p.kind.clinical:
        return ("trial" if p.kind.value.startswith("clinical interventional") else "study"), "participant"
    return "study", "animal"


# -- synopsis -----------------------------------------------------------------------


def synopsis(p: Protocol, cite: Cite) -> Table:
    """The one-page summary: objectives, design, population, interventions, n, duration."""
    rows: list[tuple[str, Text]] = [
        ("Title", t(p.title)),
        ("Short title", t(p.short_title)),
        ("Protocol id, version", t(f"{p.id}, version {p.version} ({p.date.isoformat()}, {p.status.value})")),
        ("Type of study", t(p.kind.value)),
        ("Design", t(p.design)),
    ]
    if p.population is not None:
        rows.append(("Population", t(p.population.description)))
    if p.animals is not None:
        a = p.animals
        rows.append(("Animals", t(value(a.total, cite, True), " ", value(a.sex, cite, True), " animals; species: ",
                                  value(a.species, cite, True), "; strain: ", value(a.strain, cite, True), "; age: ",
                                  value(a.age, cite, True), "; weight (g): ", value(a.weight_g, cite, True),
                                  "; experimental unit: ", value(a.experimental_unit, cite, True), cite(a.source))))
    incl = sum(1 for c in p.eligibility if c.category is Category.INCLUSION)
    excl = len(p.eligibility) - incl
    if p.eligibility:
        rows.append(("Eligibility", t(f"{incl} inclusion and {excl} exclusion criteria")))
    sizes = {a.planned_size for a in p.arms}
    if len(p.arms) > 1 and len(sizes) == 1 and isinstance(next(iter(sizes)), TBC):
        # One shared "to be confirmed" size reads once, not once per arm.
        rows.append(("Arms / groups", t("; ".join(a.name for a in p.arms), " (n per group: ",
                                        value(p.arms[0].planned_size, cite, True), ")")))
    elif p.arms:
        rows.append(("Arms / groups", join([t(a.name, " (n = ", value(a.planned_size, cite, True), ")")
                                            for a in p.arms])))
    agents: dict[str, Text] = {}
    for arm in p.arms:
        for iv in arm.interventions:
            agents.setdefault(iv.agent, t(strong(iv.agent), ": ", _regimen(iv, cite)))
    if agents:
        rows.append(("Interventions", join(list(agents.values()))))
    for level in (Level.PRIMARY, Level.SECONDARY):
        objs = [o for o in p.objectives if o.level is level]
        if objs:
            rows.append((f"{level.value.capitalize()} objectives", join([t(o.text) for o in objs])))
        eps = [e for o in p.objectives for e in o.endpoints if e.level is level]
        if eps:
            rows.append((f"{level.value.capitalize()} endpoints", join([t(e.text, cite(e.source)) for e in eps])))
    if p.sample_size is not None:
        rows.append(("Sample size", t(value(p.sample_size.target, cite, True), cite(p.sample_size.source))))
    if p.randomisation is not None:
        rows.append(("Randomisation", value(p.randomisation.method, cite, True)))
    if p.blinding is not None:
        rows.append(("Blinding", value(p.blinding.masking, cite, True)))
    s = p.schedule
    duration = (value(s.duration_days, cite, True) if not isinstance(s.duration_days, int)
                else t(f"{s.duration_days} days"))
    rows.append(("Duration", t(duration, cite(s.duration_source), f"; {len(s.visits)} visits; day 0 = {s.anchor}")))
    return kv_table("synopsis", "Synopsis", rows)


def _regimen(iv: Intervention, cite: Cite) -> Text:
    """"dose …, route …, frequency …", each part named so a "to be confirmed" says what it stands for.

    An intervention without a dose (a vehicle given "in the same volume") shows no dose part at all.
    """
    parts = [("dose", iv.dose), ("route", iv.route), ("frequency", iv.frequency)]
    return join([t(f"{name} ", value(v, cite, True)) for name, v in parts if v is not None], ", ")


# -- schedule of activities ------------------------------------------------------------


def _visit_header(v: Visit, cite: Cite) -> Text:
    window = t("\n", value(v.window, cite, True)) if v.window is not None else ()
    return t(strong(v.name), "\n", day_text(v.day, cite), window)


def schedule_tables(p: Protocol, cite: Cite) -> tuple[tuple[Table, ...], bool]:
    """The schedule of activities, and whether it needs landscape pages.

    Columns are visits (name, day, window) under an epoch band; rows are the
    forms collected and the procedures done, with "X" where they happen. A
    schedule wider than :data:`LANDSCAPE_VISITS` visits is split into several
    tables, each repeating the activity column.
    """
    visits = p.schedule.visits
    landscape = len(visits) > PORTRAIT_VISITS
    per_table = LANDSCAPE_VISITS if landscape else PORTRAIT_VISITS
    if len(visits) > per_table:  # balance the tables: 20 visits as 10 + 10, not 14 + 6
        n_tables = -(-len(visits) // per_table)
        per_table = -(-len(visits) // n_tables)
    forms = [f for f in p.dictionary.forms if any(f.id in v.forms for v in visits)]
    chunks = [visits[i:i + per_table] for i in range(0, len(visits), per_table)] or [()]
    tables: list[Table] = []
    for n, chunk in enumerate(chunks, 1):
        epoch_row: list[Text] = [t("Epoch")]
        spans: list[tuple[int, int, int, int]] = []
        col = 1
        while col <= len(chunk):
            epoch_id = chunk[col - 1].epoch
            end = col
            while end < len(chunk) and chunk[end].epoch == epoch_id:
                end += 1
            ep = p.schedule.epoch(epoch_id)
            epoch_row.append(t(ep.name if ep else epoch_id))
            epoch_row.extend(() for _ in range(col + 1, end + 1))
            if end > col:
                spans.append((col, 0, end, 0))
            col = end + 1
        visit_row = [t("Activity"), *(_visit_header(v, cite) for v in chunk)]
        rows: list[tuple[Text, ...]] = []
        for f in forms:
            label = t(f.name, muted(f" ({f.domain})") if f.domain else None)
            rows.append((label, *(t("X") if f.id in v.forms else () for v in chunk)))
        for proc in p.procedures:
            if isinstance(proc.day, TBC):
                label = t(proc.name, " (day ", cite.tbc(proc.day), ")")
            elif proc.day is not None and not any(v.day == proc.day for v in visits):
                label = t(proc.name, muted(f" (day {proc.day})"))
            else:
                label = t(proc.name)
            rows.append((label, *(t("X") if proc.day is not None and v.day == proc.day else () for v in chunk)))
        caption = "Schedule of activities"
        if len(chunks) > 1:
            first = (n - 1) * per_table + 1
            caption += f" (visits {first}–{first + len(chunk) - 1} of {len(visits)})"
        label_weight = 3.2 if landscape else 2.4
        tables.append(Table(
            kind="schedule",
            caption=caption,
            header=(tuple(epoch_row), tuple(visit_row)),
            rows=tuple(rows),
            widths=(label_weight, *(1.0 for _ in chunk)),
            spans=tuple(spans),
            small=True,
            centre_from=1,
        ))
    return tuple(tables), landscape


# -- objectives, endpoints, derivations ------------------------------------------------


def objectives_table(p: Protocol, cite: Cite) -> Table:
    """One row per endpoint under its objective (objective text on its first row)."""
    labels = {v.id: v.name for v in p.schedule.visits}
    rows: list[tuple[Text, ...]] = []
    for obj in p.objectives:
        head = t(strong(obj.level.value.capitalize()), "\n", obj.text)
        if not obj.endpoints:
            rows.append((head, (muted("no endpoint given"),), (), ()))
        for i, ep in enumerate(obj.endpoints):
            d = p.derivation(ep.measure)
            measure = t(d.label if d else ep.measure, muted(f" ({ep.measure})"))
            if ep.change_from_baseline:
                measure = t(measure, ", change from baseline")
            if isinstance(ep.timepoints, TBC):
                when: Text = cite.tbc(ep.timepoints)
            else:
                when = t(", ".join(labels.get(v, v) for v in ep.timepoints)) if ep.timepoints else (muted("—"),)
            success: list[Text] = []
            if ep.success is not None:
                success.append(value(ep.success, cite, True))
            if ep.comparison is not None:
                success.append(value(ep.comparison, cite, True))
            chosen: Text = () if ep.decision is None else t("\n", muted("Choice: "), value(ep.decision, cite, True))
            rows.append((
                head if i == 0 else (),
                t(strong(f"{ep.level.value.capitalize()}: "), ep.text, cite(ep.source), chosen),
                t(measure, "\n", muted("at: "), when),
                join(success, "\n") if success else (muted("—"),),
            ))
    return Table(
        kind="objectives",
        caption="Objectives and endpoints",
        header=((t("Objective"), t("Endpoint"), t("Measure and timepoints"), t("Success criterion / comparison")),),
        rows=tuple(rows),
        widths=(0.27, 0.30, 0.22, 0.21),
    )


def _shared_prefix(bound: dict[str, str]) -> str | None:
    """"each input from item pasi_<input> (…)" when every item is its parameter under one prefix (PASI's 16)."""
    first_param, first_item = next(iter(bound.items()))
    prefix = first_item.removesuffix(first_param) if first_item.endswith(first_param) else ""
    if prefix and len(bound) > 3 and all(item == prefix + param for param, item in bound.items()):
        return f"each input from item {prefix}<input> ({', '.join(bound)})"
    return None


def derivations_table(p: Protocol, cite: Cite) -> Table:
    """Derived measures: how each is computed, and from which items."""
    rows: list[tuple[Text, ...]] = []
    for d in p.derivations:
        if d.method is not None:
            how = t("published score ", rule(d.method))
            if d.inputs:
                how = t(how, muted(" with "), rule(_shared_prefix(d.bindings()) or ", ".join(d.inputs)))
        elif d.expression is not None:
            how = value(d.expression)
        else:
            how = (muted("—"),)
        rows.append((
            t(strong(d.label), muted(f" ({d.id})"), muted(f", {d.unit}") if d.unit else None),
            how,
            t(value(d.definition), cite(d.source)) if d.definition is not None else t(muted("—"), cite(d.source)),
        ))
    return Table(
        kind="derivations",
        caption="Derived measures",
        header=((t("Measure"), t("Computed as"), t("Definition")),),
        rows=tuple(rows),
        widths=(0.28, 0.36, 0.36),
    )


# -- eligibility -------------------------------------------------------------------------


def criteria_list(p: Protocol, category: Category, cite: Cite) -> Numbered:
    """Numbered criteria (I1, I2, … / E1, E2, …), each with its machine rule in small type."""
    prefix = "I" if category is Category.INCLUSION else "E"
    entries: list[Entry] = []
    for c in (c for c in p.eligibility if c.category is category):
        if c.rule is not None:
            detail = t(muted("Rule: "), rule(str(c.rule)))
            if c.assessed_by_investigator:
                detail = t(detail, muted("; also assessed by the investigator"))
        elif c.assessed_by_investigator:
            detail = t(muted("Rule: none — assessed by the investigator"))
        else:
            detail = t(warn("Rule: none given, and not marked as assessed by the investigator"))
        source = (t(" ", cite.tbc(c.source)) if isinstance(c.source, TBC) else cite(c.source))
        entries.append(Entry(f"{prefix}{len(entries) + 1}", t(c.text, source), t(detail, muted(f"  [{c.id}]"))))
    return Numbered(category.value, tuple(entries))

