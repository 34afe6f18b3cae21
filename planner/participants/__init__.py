"""Participants: screening candidates and monitoring observations against a protocol.

Read a file's bytes into typed participants, then screen or monitor them::

    sheet = read_candidates(protocol, data, "candidates.csv")
    report = screen(protocol, sheet)

File formats (CSV, XLSX, JSON; repeated records as ``prior_therapy[1].failed``
columns or JSON lists) are described in ``docs/participants.md``. Library
functions take and return data; only the command line opens files.
"""

from planner.participants.monitoring import (
    Firing,
    Graded,
    Monitor,
    MonitoringReport,
    NotApplied,
    NotEvaluable,
    Phase,
    VisitResult,
    grade_observed,
    monitor,
    visit_phase,
)
from planner.participants.readers import Format, detect_format, read, read_candidates, read_observations
from planner.participants.records import InputError, InputProblem, Participant, Sheet, Value
from planner.participants.screening import (
    CriterionResult,
    Screener,
    Screening,
    ScreeningReport,
    Status,
    Verdict,
    screen,
)

__all__ = [
    "CriterionResult", "Firing", "Format", "Graded", "InputError", "InputProblem", "Monitor", "MonitoringReport",
    "NotApplied", "NotEvaluable", "Participant", "Phase", "Screener", "Screening", "ScreeningReport", "Sheet",
    "Status", "Value", "Verdict", "VisitResult", "detect_format", "grade_observed", "monitor", "read",
    "read_candidates", "read_observations", "screen", "visit_phase",
]
