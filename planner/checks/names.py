"""Names a rule reads that the protocol does not define: one finder for every rule of every area.

Every expression of a protocol (:meth:`planner.model.Protocol.expressions`:
eligibility rules, monitoring conditions, derivation expressions, endpoint
success criteria) is walked once; each name that is neither an item of the
data dictionary nor a derivation, and each ``count()`` over something that
is not a repeating form, is one :class:`NameProblem` with its path, what is
wrong and what to do (a did-you-mean where a defined name is close).

The checks of each area report the problems at their own paths (ELG001,
MON016, END013), so the same typo gets the same code and words whether the
protocol was built in Python or loaded from YAML; the command line refuses
to screen, monitor or export a protocol file with such a problem, quoting
those findings (:func:`planner.cli.common.resolve_protocol`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Final

from attrs import frozen

from planner.expr import Count, Ref
from planner.model import Protocol

__all__ = ["NameProblem", "problems"]

_ADD: Final = "add it to a form of the data dictionary or correct the name"


@frozen
class NameProblem:
    """One name a rule reads that the protocol does not define."""

    path: str
    """The rule's path, e.g. ``$.eligibility[0].rule``."""
    name: str
    problem: str
    """What is wrong, e.g. "the rule reads 'agee', which is not an item of the data dictionary"."""
    todo: str
    """What to do, with a did-you-mean when a defined name is close."""


def _close(name: str, known: Iterable[str]) -> str:
    found = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    return f"did you mean {found[0]!r}? Otherwise {_ADD}" if found else _ADD


def problems(protocol: Protocol) -> tuple[NameProblem, ...]:
    """Every undefined name and every ``count()`` of a non-repeating form, in document order, once each."""
    items = protocol.resolution.items
    forms = {f.id: f for f in protocol.dictionary.forms}
    logs = [f.id for f in forms.values() if f.repeating]
    derived = {d.id for d in protocol.derivations}
    defined = [*items, *derived]
    out: dict[tuple[str, str], NameProblem] = {}
    for path, expr in protocol.expressions():
        bad_forms: set[str] = set()
        for node in expr.walk():
            if isinstance(node, Count):
                form = forms.get(node.form)
                if form is None:
                    bad_forms.add(node.form)
                    what = "an item, not a form" if node.form in items else "not a form of the data dictionary"
                    out.setdefault((path, node.form), NameProblem(
                        path, node.form, f"count() needs a repeating form, and {node.form!r} is {what}",
                        _close(node.form, logs).replace(_ADD, "count a repeating form")))
                elif not form.repeating:
                    out.setdefault((path, node.form), NameProblem(
                        path, node.form, f"count() needs a repeating (log) form, and form {node.form!r} is not "
                        "repeating", "set 'repeating: true' or count another form"))
                elif node.distinct is not None:
                    name = f"{node.form}.{node.distinct}"
                    if name not in items:
                        out.setdefault((path, name), NameProblem(
                            path, name, f"the rule reads {name!r}, which is not an item of form {node.form!r}",
                            _close(name, items)))
            elif isinstance(node, Ref):
                if node.name.partition(".")[0] in bad_forms or node.name in items or node.name in derived:
                    continue  # a bad form is reported once, with its count()
                form_id, dot, _ = node.name.partition(".")
                if dot and form_id in logs:
                    within = [n for n in items if n.startswith(f"{form_id}.")]
                    out.setdefault((path, node.name), NameProblem(
                        path, node.name, f"the rule reads {node.name!r}, which is not an item of form {form_id!r}",
                        _close(node.name, within)))
                    continue
                out.setdefault((path, node.name), NameProblem(
                    path, node.name, f"the rule reads {node.name!r}, which is not an item of the data "
                    "dictionary or a derivation", _close(node.name, defined)))
    return tuple(out.values())
