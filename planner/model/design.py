"""Arms, interventions and the mechanism classes they belong to."""

from __future__ import annotations

import enum

from attrs import field, frozen

from planner.model.values import TBC, Quantity, at_least, identifier, non_empty, tuple_field


class Mechanism(enum.StrEnum):
    """Mechanism class of an agent, as used for combination and risk checks."""

    TNF = "TNF inhibitor"
    IL17 = "IL-17 inhibitor"
    IL23 = "IL-23 inhibitor"
    IL12_23 = "IL-12/23 inhibitor"
    IL6 = "IL-6 receptor inhibitor"
    CD20 = "anti-CD20 (rituximab)"
    CTLA4_IG = "T-cell co-stimulation modulator (abatacept)"
    JAK = "JAK inhibitor"
    PDE4 = "PDE4 inhibitor (apremilast)"
    IGURATIMOD = "iguratimod"
    METHOTREXATE = "methotrexate"
    VASOACTIVE = "vasoactive therapy"
    VEHICLE = "vehicle"
    MODEL_INDUCTION = "disease-model induction"
    OTHER = "other"


class Modality(enum.StrEnum):
    """Broad drug class (EULAR nomenclature)."""

    BIOLOGIC = "bDMARD"
    TARGETED_SYNTHETIC = "tsDMARD"
    CONVENTIONAL_SYNTHETIC = "csDMARD"
    OTHER = "other"


MODALITY: dict[Mechanism, Modality] = {
    Mechanism.TNF: Modality.BIOLOGIC,
    Mechanism.IL17: Modality.BIOLOGIC,
    Mechanism.IL23: Modality.BIOLOGIC,
    Mechanism.IL12_23: Modality.BIOLOGIC,
    Mechanism.IL6: Modality.BIOLOGIC,
    Mechanism.CD20: Modality.BIOLOGIC,
    Mechanism.CTLA4_IG: Modality.BIOLOGIC,
    Mechanism.JAK: Modality.TARGETED_SYNTHETIC,
    Mechanism.PDE4: Modality.TARGETED_SYNTHETIC,
    Mechanism.IGURATIMOD: Modality.CONVENTIONAL_SYNTHETIC,
    Mechanism.METHOTREXATE: Modality.CONVENTIONAL_SYNTHETIC,
}


class Route(enum.StrEnum):
    """Route of administration (CDISC ROUTE terms, lower case)."""

    ORAL = "oral"
    SUBCUTANEOUS = "subcutaneous"
    INTRAVENOUS = "intravenous"
    INTRAPERITONEAL = "intraperitoneal"
    INTRADERMAL = "intradermal"
    INTRAMUSCULAR = "intramuscular"
    AS_LABELLED = "as labelled"


class Frequency(enum.StrEnum):
    """Dosing frequency (CDISC FREQ submission values)."""

    ONCE = "ONCE"
    QD = "QD"
    BID = "BID"
    TID = "TID"
    Q3D = "Q3D"
    QW = "QW"
    Q2W = "Q2W"
    Q4W = "Q4W"
    CONTINUOUS = "CONTINUOUS"
    AS_LABELLED = "AS LABELLED"

    @property
    def label(self) -> str:
        return _FREQ_LABEL[self]


_FREQ_LABEL = {
    Frequency.ONCE: "once",
    Frequency.QD: "once daily",
    Frequency.BID: "twice daily",
    Frequency.TID: "three times daily",
    Frequency.Q3D: "every 3 days",
    Frequency.QW: "weekly",
    Frequency.Q2W: "every 2 weeks",
    Frequency.Q4W: "every 4 weeks",
    Frequency.CONTINUOUS: "continuously",
    Frequency.AS_LABELLED: "as in the product label",
}


class Role(enum.StrEnum):
    """What an intervention is for in its arm."""

    INVESTIGATIONAL = "investigational"
    BACKGROUND = "background"
    VEHICLE = "vehicle"
    MODEL_INDUCTION = "model induction"


class ArmType(enum.StrEnum):
    """Arm type (USDM / ClinicalTrials.gov vocabulary)."""

    EXPERIMENTAL = "experimental"
    ACTIVE_COMPARATOR = "active comparator"
    PLACEBO_COMPARATOR = "placebo comparator"
    NO_INTERVENTION = "no intervention"
    NORMAL_CONTROL = "normal control"
    DISEASE_CONTROL = "disease control"
    OTHER = "other"


def _mechanisms(inst: object, attribute: object, value: tuple[Mechanism, ...]) -> None:
    from planner.model.values import FieldError

    if not value:
        raise FieldError("mechanisms", "name at least one mechanism class")


@frozen
class Intervention:
    """An agent given in an arm.

    ``mechanisms`` lists the classes the agent may come from: one class for a
    named drug, several when the protocol leaves the choice of agent to the
    investigator within those classes (e.g. "a biologic with a JAK inhibitor").
    """

    agent: str = field(validator=non_empty())
    mechanisms: tuple[Mechanism, ...] = tuple_field(validator=_mechanisms)
    role: Role = Role.INVESTIGATIONAL
    dose: Quantity | TBC | None = None
    route: Route | TBC | None = None
    frequency: Frequency | TBC | None = None
    duration: Quantity | TBC | None = None
    notes: str | None = None
    source: str | None = None


@frozen
class Arm:
    """A study arm or animal group (USDM StudyArm) with its planned size.

    ``safety_notes`` carries warnings the protocol states for the arm as a
    whole, such as the infection risk of a JAK inhibitor with a biologic.
    ``allocation_ratio`` is the arm's share in randomisation: arms of ratios
    2 and 1 are allocated 2:1 (1 for every arm gives 1:1).
    """

    id: str = field(validator=identifier())
    name: str = field(validator=non_empty())
    type: ArmType
    description: str = field(validator=non_empty())
    planned_size: int | TBC | None = field(default=None, validator=at_least(1))
    size_source: str | None = None
    interventions: tuple[Intervention, ...] = tuple_field()
    safety_notes: tuple[str, ...] = tuple_field()
    allocation_ratio: int = field(default=1, validator=at_least(1))

    def investigational(self) -> tuple[Intervention, ...]:
        return tuple(i for i in self.interventions if i.role is Role.INVESTIGATIONAL)

