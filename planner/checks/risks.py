"""The risk table: drug-class risks, label limits, combination warnings and contraindications.

The table is data (``planner/checks/data/risks.yaml``), each row read from
the project's sourced risk reference with its source ids and their grades
(L label text, M monograph or summary of the label, G guideline). Nothing is
filled in from memory: a point the reference says was not found is a row with
``found: false`` and stays unverified. The monitoring checks read the table
through :func:`table`; tests may pass another :class:`RiskTable`.

Risk keys (``labels``) are what :attr:`planner.model.MonitoringRule.risks` names.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Final

import cattrs
import yaml
from attrs import field, frozen
from cattrs.gen import make_dict_structure_fn, override

from planner.model import Action, Mechanism


class Grade(enum.StrEnum):
    """How close a source is to the label."""

    LABEL = "L"
    MONOGRAPH = "M"
    GUIDELINE = "G"


#: A grade's words, as findings print them.
GRADE_WORDS: Final = {Grade.LABEL: "label text", Grade.MONOGRAPH: "a monograph or summary of the label",
                      Grade.GUIDELINE: "a guideline"}


class Need(enum.StrEnum):
    """What a protocol must have for a risk of an arm's agent."""

    RULE = "rule"  # a monitoring rule naming the risk
    SCREEN = "screen"  # a before-start rule naming the risk
    EXCLUDE = "exclude"  # a pregnancy exclusion or a contraception requirement
    WATCH = "watch"  # clinical vigilance the label asks for; listed, not required as a rule


#: How strong an action is, for comparing a rule with the label's (higher is stronger).
STRENGTH: Final[Mapping[Action, int]] = {
    Action.NOTIFY: 0, Action.REPEAT_TEST: 0, Action.DOSE_REDUCE: 1, Action.HOLD: 2, Action.INTERRUPT: 2,
    Action.DISCONTINUE: 3, Action.DO_NOT_START: 3, Action.EUTHANISE: 3,
}


@frozen
class Source:
    """A document of the source register, with its grade."""

    grade: Grade
    document: str


@frozen
class Limit:
    """A computable label threshold: ``item`` below or above a value (or a multiple of its ULN) → ``action``."""

    item: str
    action: Action
    below: float | None = None
    above: float | None = None
    above_uln: float | None = None
    unit: str | None = None

    def __attrs_post_init__(self) -> None:
        if sum(x is not None for x in (self.below, self.above, self.above_uln)) != 1:
            raise ValueError(f"limit on {self.item!r}: give exactly one of below, above, above_uln")
        if (self.above_uln is None) == (self.unit is None):
            raise ValueError(f"limit on {self.item!r}: a unit goes with below/above, none with above_uln")

    @property
    def text(self) -> str:
        if self.above_uln is not None:
            return f"{self.item} > {self.above_uln:g} × ULN → {self.action.value}"
        sign, value = ("<", self.below) if self.below is not None else (">", self.above)
        return f"{self.item} {sign} {value:g} {self.unit} → {self.action.value}"


@frozen
class Risk:
    """One risk of a class: what the label asks for, and where that was read."""

    key: str
    need: Need
    row: str
    text: str
    sources: tuple[str, ...]
    found: bool = True
    limits: tuple[Limit, ...] = ()
    after_last_dose: str | None = None


@frozen
class ClassRisks:
    """The risks of one mechanism class, read from one section of the reference."""

    section: str
    risks: tuple[Risk, ...]


@frozen
class Warning:
    """A combination the label warns against: ``agent`` with any of ``with_``."""

    id: str
    agent: Mechanism
    with_: tuple[Mechanism, ...]
    section: str
    row: str
    sources: tuple[str, ...]
    text: str


@frozen
class Contraindication:
    """A condition the agent's label contraindicates; an exclusion must name one of ``words``."""

    id: str
    agent: Mechanism
    condition: str
    words: tuple[str, ...]
    section: str
    row: str
    sources: tuple[str, ...]


@frozen
class RiskTable:
    """The whole table; :meth:`cite` words a row's sources with their grades."""

    labels: Mapping[str, str]
    sources: Mapping[str, Source]
    classes: Mapping[Mechanism, ClassRisks]
    warnings: tuple[Warning, ...] = ()
    contraindications: tuple[Contraindication, ...] = field(default=())

    def grades(self, ids: tuple[str, ...]) -> frozenset[Grade]:
        return frozenset(self.sources[i].grade for i in ids)

    def on_label(self, ids: tuple[str, ...]) -> bool:
        """Whether any of the sources is label text."""
        return Grade.LABEL in self.grades(ids)

    def cite(self, ids: tuple[str, ...]) -> str:
        """``"S1 [L] XELJANZ …; S2 [M] …"``, or a plain statement that no source was found."""
        if not ids:
            return "no source found (the reference says not found)"
        return "; ".join(f"{i} [{self.sources[i].grade.value}] {self.sources[i].document}" for i in ids)

    def basis(self, ids: tuple[str, ...]) -> str:
        """What the sources rest on, in words: label text, or only monographs or guidelines."""
        if self.on_label(ids):
            return "label text"
        words = sorted(GRADE_WORDS[g] for g in self.grades(ids))
        return "only " + " and ".join(words) + " (no label text read)" if words else "no source"

    def risks_of(self, mechanism: Mechanism) -> tuple[Risk, ...]:
        entry = self.classes.get(mechanism)
        return entry.risks if entry is not None else ()


class RiskTableError(ValueError):
    """The risk table file is malformed: says where and what."""


def _converter() -> cattrs.Converter:
    c = cattrs.Converter(forbid_extra_keys=True)
    c.register_structure_hook(Warning, make_dict_structure_fn(Warning, c, with_=override(rename="with"),
                                                              _cattrs_forbid_extra_keys=True))
    return c


def _validate(t: RiskTable) -> None:
    problems: list[str] = []

    def refs(where: str, ids: tuple[str, ...]) -> None:
        problems.extend(f"{where}: source '{i}' is not in the register" for i in ids if i not in t.sources)

    for m, entry in t.classes.items():
        for r in entry.risks:
            where = f"classes.{m.value}.{r.key}"
            if r.key not in t.labels:
                problems.append(f"{where}: risk key '{r.key}' has no label")
            refs(where, r.sources)
            if r.found and not r.sources:
                problems.append(f"{where}: a found risk needs a source")
    for w in t.warnings:
        refs(f"warnings.{w.id}", w.sources)
    for x in t.contraindications:
        refs(f"contraindications.{x.id}", x.sources)
    if problems:
        raise RiskTableError("; ".join(problems))


def load(data: Mapping[str, Any]) -> RiskTable:
    """The table from its parsed YAML, refusing unknown keys, unknown classes and unregistered sources."""
    c = _converter()
    try:
        t = RiskTable(
            labels=c.structure(data["labels"], dict[str, str]),
            sources=c.structure(data["sources"], dict[str, Source]),
            classes={Mechanism(k): c.structure(v, ClassRisks) for k, v in data["classes"].items()},
            warnings=c.structure(data.get("warnings", []), tuple[Warning, ...]),
            contraindications=c.structure(data.get("contraindications", []), tuple[Contraindication, ...]),
        )
    except (KeyError, ValueError, cattrs.BaseValidationError) as e:
        detail = "; ".join(cattrs.transform_error(e)) if isinstance(e, cattrs.BaseValidationError) else str(e)
        raise RiskTableError(f"risk table: {detail}") from None
    _validate(t)
    return t


@cache
def table() -> RiskTable:
    """The shipped risk table (read once)."""
    text = resources.files("planner.checks").joinpath("data/risks.yaml").read_text(encoding="utf-8")
    return load(yaml.safe_load(text))


#: Mechanism pairs the source protocol calls complementary in dual therapy (Smolecule 2026, Protocol 1).
COMPLEMENTARY_PAIRS: Final[tuple[frozenset[Mechanism], ...]] = (
    frozenset({Mechanism.TNF, Mechanism.IL17}),
    frozenset({Mechanism.TNF, Mechanism.IL23}),
    frozenset({Mechanism.TNF, Mechanism.IL12_23}),
)
COMPLEMENTARY_SOURCE: Final = (
    "Smolecule 2026, dual biologic therapy protocol: 'TNF plus IL-17/23, or a biologic with a JAK inhibitor'; "
    "its table: apremilast + biologics"
)

#: A biologic with either of these is complementary ("a biologic with a JAK inhibitor", "apremilast + biologics").
COMPLEMENTS_ANY_BIOLOGIC: Final[frozenset[Mechanism]] = frozenset({Mechanism.JAK, Mechanism.PDE4})

#: Risks of an arm giving two biologic or targeted synthetic agents together (the source protocol asks for them).
COMBINATION_RISKS: Final[tuple[str, ...]] = ("serious_infection", "neutropenia", "hepatotoxicity")
COMBINATION_SOURCE: Final = (
    "Smolecule 2026, dual biologic therapy protocol: rigorous monitoring for infections and neutropenia, "
    "and liver function tests"
)

#: Where a biologic or JAK inhibitor is given, a rule must hold therapy at signs of serious infection.
SERIOUS_INFECTION_HOLD_SOURCE: Final = (
    "Smolecule 2026: 'a low threshold for holding therapy upon signs of serious infection'; "
    "tofacitinib Boxed Warning and US label 2.3 (S3, S1 [L]): interrupt for serious infection"
)

#: Latent TB screening before a JAK inhibitor or a biologic.
LATENT_TB_SOURCE: Final = (
    "JAK inhibitor labels (S3, S8, S13 [L]) and TNF, IL-12/23, IL-23, IL-6 and abatacept labels: test before "
    "starting; EULAR 2022 (X4 [G]): latent TB screening before b/tsDMARDs"
)

INFECTION_WARNING_SOURCE: Final = (
    "tofacitinib US label 2.1 (S1 [L]): with biologic DMARDs 'not recommended'; Smolecule 2026: serious "
    "infections higher than monotherapy, especially rituximab and JAK-inhibitor combinations"
)
