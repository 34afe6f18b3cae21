"""The check engine: coded checks, their findings, a registry and the runner.

A :class:`Check` is a small generator function with a stable code, an area,
a default severity, a message template and a fix hint. The function looks at
a :class:`~planner.checks.context.Context` and yields :class:`Hit` objects:
where the problem is (a path into the protocol and a readable breadcrumb) and
the values its templates need. The runner turns hits into :class:`Finding`
objects, so every message has the same shape::

    [arm 'TOF+IGU' › intervention 'tofacitinib'] dose is missing; add 'dose' ...

Checks are registered explicitly (:class:`Registry` is built from the
``CHECKS`` tuple of each area module), never by import side effects or
globbing. A check that raises becomes one error finding naming the check; the
other checks still run.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

if TYPE_CHECKING:
    from planner.checks.context import Context


class Severity(enum.StrEnum):
    """How serious a finding is. Errors fail ``check``; warnings fail ``--strict``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Area(enum.StrEnum):
    """The part of the protocol a check is about; each has its code prefix."""

    ELIGIBILITY = "eligibility"
    ENDPOINTS = "endpoints"
    MONITORING = "monitoring"
    DESIGN = "design"

    @property
    def prefix(self) -> str:
        return _PREFIX[self]


_PREFIX = {Area.ELIGIBILITY: "ELG", Area.ENDPOINTS: "END", Area.MONITORING: "MON", Area.DESIGN: "DES"}


@frozen
class Hit:
    """One problem a check found, before it is worded.

    ``path`` points into the protocol document (``$.arms[1].interventions[0]``),
    ``where`` is the breadcrumb shown in brackets, and ``fields`` fill the
    check's message and hint templates. ``severity`` overrides the check's
    default for this one hit (rarely needed).
    """

    path: str
    where: str
    fields: Mapping[str, Any] = field(factory=dict)
    severity: Severity | None = None


def hit(path: str, where: str, **fields: Any) -> Hit:
    """A :class:`Hit` with its template fields as keyword arguments."""
    return Hit(path, where, fields)


CheckFunction = Callable[["Context"], Iterable[Hit]]


def _code(inst: Check, attribute: object, value: str) -> None:
    prefix = inst.area.prefix
    if not (value.startswith(prefix) and value[len(prefix):].isdigit() and len(value) == len(prefix) + 3):
        raise ValueError(f"check code {value!r} must be {prefix} and three digits (area {inst.area.value})")


@frozen
class Check:
    """A registered check: code, area, default severity, templates and function.

    ``message`` says what is wrong and what to do; ``hint`` says how to fix
    it (and why, with a source where there is one). Both are
    :meth:`str.format` templates over the fields of the hits.
    """

    area: Area
    code: str = field(validator=_code)
    severity: Severity
    title: str
    message: str
    hint: str
    function: CheckFunction

    @property
    def description(self) -> str:
        """The check function's docstring, for the generated documentation."""
        doc = self.function.__doc__ or ""
        return " ".join(doc.split())


@frozen
class Finding:
    """A worded problem: what the ``check`` command and the JSON output show."""

    code: str
    severity: Severity
    area: Area
    path: str
    message: str
    hint: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "severity": self.severity.value, "area": self.area.value,
                "path": self.path, "message": self.message, "hint": self.hint}


@frozen
class Report:
    """All findings for one protocol, in registry order."""

    protocol: str
    version: str
    findings: tuple[Finding, ...]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    @property
    def summary(self) -> dict[str, int]:
        """Number of findings per severity: ``{"error": n, "warning": n, "info": n}``."""
        return {s.value: self.count(s) for s in Severity}

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    def codes(self) -> frozenset[str]:
        return frozenset(f.code for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of ``protocol-planner check --json``."""
        return {"protocol": self.protocol, "version": self.version,
                "findings": [f.as_dict() for f in self.findings], "summary": self.summary}


class Registry:
    """Checks by code, in the order they were registered."""

    def __init__(self, checks: Iterable[Check] = ()) -> None:
        self._checks: dict[str, Check] = {}
        for c in checks:
            self.register(c)

    def register(self, check: Check) -> None:
        if check.code in self._checks:
            raise ValueError(f"check code {check.code} is registered twice")
        self._checks[check.code] = check

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)

    def __getitem__(self, code: str) -> Check:
        return self._checks[code]

    def __contains__(self, code: object) -> bool:
        return code in self._checks

    def by_area(self, area: Area) -> tuple[Check, ...]:
        return tuple(c for c in self if c.area is area)


def word(check: Check, h: Hit) -> Finding:
    """Turn a hit into a finding using the check's templates."""
    what = check.message.format_map(h.fields)
    hint = check.hint.format_map(h.fields)
    message = f"[{h.where}] {what}" if h.where else what
    return Finding(check.code, h.severity or check.severity, check.area, h.path, message, hint)


def crashed(check: Check, exc: Exception) -> Finding:
    """The finding that stands for a check that raised instead of finishing."""
    return Finding(
        check.code, Severity.ERROR, check.area, "$",
        f"[check {check.code} '{check.title}'] could not finish: {type(exc).__name__}: {exc}. "
        "The other checks ran; this check's result is unknown.",
        "This is a bug in the check or an input it does not expect; please report it with the protocol.",
    )


def run(checks: Iterable[Check], context: Context) -> Report:
    """Run every check on ``context`` and collect the findings.

    Each check runs to completion before its findings are kept, so a check
    that raises half-way contributes only the error finding that names it.
    """
    findings: list[Finding] = []
    for c in checks:
        try:
            found = [word(c, h) for h in c.function(context)]
        except Exception as exc:  # noqa: BLE001 - a broken check must not hide the others
            found = [crashed(c, exc)]
        findings.extend(found)
    p = context.protocol
    return Report(p.id, p.version, tuple(findings))
