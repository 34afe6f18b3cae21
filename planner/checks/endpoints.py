"""Endpoint checks (END…): primary endpoint, timing, collection, derivations, success."""

from __future__ import annotations

from collections.abc import Iterator

from planner.checks.context import Context, crumb, label
from planner.checks.engine import Area, Check, Hit, Severity, hit
from planner.checks.exprs import Problem, problems
from planner.model import TBC, DataType, Endpoint, Level, Range
from planner.scores import DERIVATIONS

_A = Area.ENDPOINTS


def _endpoints(ctx: Context) -> Iterator[tuple[str, str, Endpoint]]:
    """``(path, breadcrumb, endpoint)`` for every endpoint."""
    for i, obj in enumerate(ctx.protocol.objectives):
        for j, ep in enumerate(obj.endpoints):
            yield f"$.objectives[{i}].endpoints[{j}]", crumb(label(obj), label(ep)), ep


def _timepoints(ep: Endpoint) -> tuple[tuple[int, str], ...]:
    return () if isinstance(ep.timepoints, TBC) else tuple(enumerate(ep.timepoints))


def no_primary(ctx: Context) -> Iterator[Hit]:
    """The protocol has no endpoint at the primary level."""
    if not any(ep.level is Level.PRIMARY for _, _, ep in _endpoints(ctx)):
        yield hit("$.objectives", "objectives", count=sum(1 for _ in _endpoints(ctx)))


def unknown_timepoint(ctx: Context) -> Iterator[Hit]:
    """An endpoint's timepoint is not a visit id of the schedule."""
    for path, where, ep in _endpoints(ctx):
        for k, visit in _timepoints(ep):
            if visit not in ctx.visits:
                yield hit(f"{path}.timepoints[{k}]", where, visit=visit, known=", ".join(ctx.visits) or "none")


def after_follow_up(ctx: Context) -> Iterator[Hit]:
    """An endpoint's timepoint lies after the end of follow-up (``schedule.duration_days``)."""
    end = ctx.protocol.schedule.duration_days
    if not isinstance(end, int):
        return
    for path, where, ep in _endpoints(ctx):
        for k, visit_id in _timepoints(ep):
            v = ctx.visits.get(visit_id)
            if v is not None and isinstance(v.day, int) and v.day > end:
                yield hit(f"{path}.timepoints[{k}]", where, visit=v.id, day=v.day, end=end, level=ep.level.value)


def unknown_measure(ctx: Context) -> Iterator[Hit]:
    """An endpoint's measure is neither an item nor a derivation id."""
    for path, where, ep in _endpoints(ctx):
        if ep.measure not in ctx.items and ep.measure not in ctx.derivations:
            yield hit(f"{path}.measure", where, measure=ep.measure)


def not_collected_at_timepoint(ctx: Context) -> Iterator[Hit]:
    """A form the measure needs (directly or through its derivation) is not collected at the timepoint."""
    for path, where, ep in _endpoints(ctx):
        forms, _ = ctx.needs(ep.measure)
        for k, visit_id in _timepoints(ep):
            v = ctx.visits.get(visit_id)
            if v is None:
                continue
            missing = sorted(forms - set(v.forms))
            if missing:
                yield hit(f"{path}.timepoints[{k}]", where, measure=ep.measure, visit=v.id, forms=", ".join(missing))


def no_baseline(ctx: Context) -> Iterator[Hit]:
    """A change-from-baseline endpoint whose measure is not collected at a baseline visit."""
    for path, where, ep in _endpoints(ctx):
        if not ep.change_from_baseline:
            continue
        forms, _ = ctx.needs(ep.measure)
        missing = sorted(forms - ctx.pre_treatment_forms)
        if missing:
            yield hit(f"{path}.change_from_baseline", where, measure=ep.measure, forms=", ".join(missing))


def derivation_not_computable(ctx: Context) -> Iterator[Hit]:
    """A derivation names no method or expression (or both), an unknown method, leaves a
    parameter of its method unbound, binds an unknown parameter, or reads an unknown item."""
    for i, d in enumerate(ctx.protocol.derivations):
        path, where = f"$.derivations[{i}]", label(d)
        if (d.method is None) == (d.expression is None):
            which = "neither 'method' nor 'expression'" if d.method is None else "both 'method' and 'expression'"
            yield hit(path, where, problem=f"it has {which}", todo="give exactly one of them")
            continue
        if d.expression is not None:
            continue  # its names are END013's
        spec = DERIVATIONS.get(d.method or "")
        if spec is None:
            yield hit(f"{path}.method", where, problem=f"method '{d.method}' is not a known derivation",
                      todo=f"use one of {', '.join(sorted(DERIVATIONS))}")
            continue
        bound = d.bindings()
        for param in spec.inputs:
            if param not in bound:
                yield hit(f"{path}.inputs", where, problem=f"parameter '{param}' of {spec.name} is not bound",
                          todo=f"add '{param}=<item>' to inputs")
        for param, item in bound.items():
            if param not in spec.inputs:
                yield hit(f"{path}.inputs", where, problem=f"'{param}' is not a parameter of {spec.name}",
                          todo=f"bind only {', '.join(spec.inputs)}")
            elif item not in ctx.items:
                yield hit(f"{path}.inputs", where, problem=f"'{param}' is bound to unknown item '{item}'",
                          todo="add the item to the data dictionary or correct the name")


def no_unit_or_scale(ctx: Context) -> Iterator[Hit]:
    """A numeric measure has neither a unit nor a range, or a derivation without a
    published method declares no unit."""
    for path, where, ep in _endpoints(ctx):
        it = ctx.item(ep.measure)
        if it is not None and it.type in (DataType.INTEGER, DataType.DECIMAL):
            if it.unit is None and not isinstance(it.range, (Range, TBC)):
                yield hit(f"{path}.measure", where, measure=ep.measure, target=f"item '{ep.measure}'")
        d = ctx.derivations.get(ep.measure)
        if d is not None and d.unit is None and d.method is None:
            yield hit(f"{path}.measure", where, measure=ep.measure, target=f"derivation '{d.id}'")


def bad_success(ctx: Context) -> Iterator[Hit]:
    """A success criterion that does not mention the measure, reads unknown items, or
    disagrees in type or unit with what it compares."""
    for path, where, ep in _endpoints(ctx):
        s = ep.success
        if s is None or isinstance(s, TBC):
            continue
        refs = s.refs()
        if ep.measure not in refs:
            yield hit(f"{path}.success", where, problem=f"'{s}' does not mention the measure '{ep.measure}'",
                      todo=f"state success in terms of '{ep.measure}'")
        for issue in problems(ctx, s):
            if issue.problem is not Problem.UNIT_TBC:
                yield hit(f"{path}.success", where, problem=issue.what, todo=issue.todo)


def unknown_item(ctx: Context) -> Iterator[Hit]:
    """A derivation's expression or an endpoint's success criterion names an item that is neither
    in the data dictionary nor a derivation (:mod:`planner.checks.names`)."""
    where = {path: crumbs for path, crumbs, _ in _endpoints(ctx)}
    where.update((f"$.derivations[{i}]", label(d)) for i, d in enumerate(ctx.protocol.derivations))
    for prefix in ("$.derivations[", "$.objectives["):
        for n in ctx.names_at(prefix):
            yield hit(n.path, where.get(n.path.rpartition(".")[0], ""), problem=n.problem, todo=n.todo)


def duplicate_ids(ctx: Context) -> Iterator[Hit]:
    """Two objectives, or two endpoints, share an id."""
    seen: set[str] = set()
    for i, obj in enumerate(ctx.protocol.objectives):
        if obj.id in seen:
            yield hit(f"$.objectives[{i}].id", label(obj), kind="objective", id=obj.id)
        seen.add(obj.id)
    seen_ep: set[str] = set()
    for path, where, ep in _endpoints(ctx):
        if ep.id in seen_ep:
            yield hit(f"{path}.id", where, kind="endpoint", id=ep.id)
        seen_ep.add(ep.id)


def objective_without_endpoint(ctx: Context) -> Iterator[Hit]:
    """An objective with no endpoint measuring it (SPIRIT 12, ICH M11 §3)."""
    for i, obj in enumerate(ctx.protocol.objectives):
        if not obj.endpoints:
            yield hit(f"$.objectives[{i}].endpoints", label(obj), level=obj.level.value)


def to_confirm(ctx: Context) -> Iterator[Hit]:
    """An endpoint or derivation value is "to be confirmed" (timepoints, success,
    comparison, definition), or the timing of an endpoint cannot be checked because
    its visit day or the follow-up duration is to be confirmed."""
    for pend in ctx.pending:
        if pend.path.startswith(("$.objectives", "$.derivations")):
            yield hit(pend.path, pend.where, what=pend.field, reason=pend.reason)
    end = ctx.protocol.schedule.duration_days
    for path, where, ep in _endpoints(ctx):
        if ep.level is Level.PRIMARY and isinstance(end, TBC) and _timepoints(ep):
            yield hit("$.schedule.duration_days", where, what="the end of follow-up",
                      reason=f"{end.reason} (so the primary timepoints cannot be checked against it)")
        for k, visit_id in _timepoints(ep):
            v = ctx.visits.get(visit_id)
            if v is not None and isinstance(v.day, TBC):
                yield hit(f"{path}.timepoints[{k}]", where, what=f"the day of visit '{v.id}'", reason=v.day.reason)
        if isinstance(ep.success, TBC) or ep.success is None:
            continue
        for issue in problems(ctx, ep.success):
            if issue.problem is Problem.UNIT_TBC:
                yield hit(f"{path}.success", where, what=f"the unit of '{issue.item}'", reason=issue.what)


CHECKS: tuple[Check, ...] = (
    Check(_A, "END001", Severity.ERROR, "no primary endpoint",
          "none of the {count} endpoint(s) is primary; mark the main endpoint 'level: primary'",
          "Every protocol needs at least one primary endpoint (SPIRIT 12, ICH M11 §3).", no_primary),
    Check(_A, "END002", Severity.ERROR, "timepoint not in schedule",
          "timepoint '{visit}' is not a visit of the schedule; use one of: {known}",
          "Endpoint timepoints are visit ids, so the CRF knows where to collect the measure.", unknown_timepoint),
    Check(_A, "END003", Severity.ERROR, "timepoint after follow-up",
          "{level} timepoint '{visit}' is on day {day}, after the end of follow-up (day {end}); move the visit "
          "or extend 'schedule.duration_days'",
          "A measure after participation ends is never collected.", after_follow_up),
    Check(_A, "END004", Severity.ERROR, "unknown measure",
          "measure '{measure}' is neither an item nor a derivation; add it or correct the name",
          "An endpoint measures an item of the data dictionary or a derivation of items.", unknown_measure),
    Check(_A, "END005", Severity.ERROR, "measure not collected at timepoint",
          "'{measure}' needs form(s) {forms}, which visit '{visit}' does not collect; add them to the visit's forms",
          "Every item the measure needs, directly or through its derivation, must be on the CRF of the timepoint.",
          not_collected_at_timepoint),
    Check(_A, "END006", Severity.ERROR, "no baseline for change",
          "'{measure}' is a change from baseline, but form(s) {forms} are not collected at a screening/baseline "
          "visit; add them to the baseline visit",
          "A change from baseline needs the same measure before treatment.", no_baseline),
    Check(_A, "END007", Severity.ERROR, "derivation not computable", "{problem}; {todo}",
          "A derivation names one published method (planner.scores) with every parameter bound to an item "
          "('param=item'), or one expression over dictionary items.", derivation_not_computable),
    Check(_A, "END008", Severity.ERROR, "no unit or scale",
          "measure '{measure}' ({target}) declares no unit or scale; add 'unit' (or a range for a score)",
          "Readers and the CRF need the unit or scale of every measure.", no_unit_or_scale),
    Check(_A, "END009", Severity.ERROR, "success criterion malformed", "{problem}; {todo}",
          "A success criterion is a condition on the endpoint's own measure, in its unit.", bad_success),
    Check(_A, "END010", Severity.ERROR, "duplicate id",
          "{kind} id '{id}' is used twice; give each {kind} its own id",
          "Ids are cited in the statistical plan and in exports, so they must be unique.", duplicate_ids),
    Check(_A, "END011", Severity.WARNING, "endpoint value to be confirmed",
          "{what} is to be confirmed: {reason}; confirm it from the source",
          "An unconfirmed value is shown plainly, never guessed; the checks that need it are skipped.", to_confirm),
    Check(_A, "END012", Severity.ERROR, "objective without endpoint",
          "this {level} objective has no endpoint; add the endpoint that measures it",
          "Each objective is measured by at least one endpoint (SPIRIT 12, ICH M11 §3).",
          objective_without_endpoint),
    Check(_A, "END013", Severity.ERROR, "unknown item", "{problem}; {todo}",
          "A derivation's expression and an endpoint's success criterion read items (or derivation ids) of the "
          "data dictionary.", unknown_item),
)
