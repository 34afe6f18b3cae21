"""The protocol model: frozen attrs classes with local validation and no I/O."""

from planner.ctcae import Term as CtcaeTerm
from planner.model.design import (
    MODALITY,
    Arm,
    ArmType,
    Frequency,
    Intervention,
    Mechanism,
    Modality,
    Role,
    Route,
)
from planner.model.dictionary import Codelist, DataDictionary, DataType, Form, Item, Term
from planner.model.pathway import NodeKind, Pathway, PathwayEdge, PathwayNode, Strategy
from planner.model.population import AnimalDetails, ClinicalPopulation, Procedure, Sex, StudyKind
from planner.model.protocol import Protocol, Reference, Resolution, RiskDecision, Status
from planner.model.rules import (
    Action,
    Category,
    Criterion,
    CtcaeGrading,
    Derivation,
    Endpoint,
    Level,
    MonitoringRule,
    Objective,
    Timing,
)
from planner.model.schedule import Epoch, EpochType, Schedule, Visit, Window
from planner.model.stats import (
    Blinding,
    Masking,
    PowerTest,
    Randomisation,
    RandomisationMethod,
    SampleSize,
    Statistics,
)
from planner.model.values import TBC, FieldError, Quantity, Range, is_tbc, show

__all__ = [
    "MODALITY", "TBC", "Action", "AnimalDetails", "Arm", "ArmType", "Blinding", "Category",
    "ClinicalPopulation", "Codelist", "Criterion", "CtcaeGrading", "CtcaeTerm", "DataDictionary", "DataType", "Derivation",
    "Endpoint", "Epoch", "EpochType", "FieldError", "Form", "Frequency", "Intervention", "Item",
    "Level", "Masking", "Mechanism", "Modality", "MonitoringRule", "NodeKind", "Objective",
    "Pathway", "PathwayEdge", "PathwayNode", "PowerTest", "Procedure", "Protocol", "Quantity",
    "Randomisation", "RandomisationMethod", "Range", "Reference", "Resolution", "RiskDecision", "Role", "Route",
    "SampleSize", "Schedule", "Sex", "Statistics", "Status", "Strategy", "StudyKind", "TBC",
    "Term", "Timing", "Visit", "Window", "is_tbc", "show",
]
