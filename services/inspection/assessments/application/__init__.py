"""Assessment commands and queries (a mixin of the inspection application), split by
subject: scores (scores.py) and the decisions that override them (decisions.py), over one
way of loading (loading.py) and one set of answer shapes (outputs.py)."""

from __future__ import annotations

from services.inspection.assessments.application.decisions import DecisionCommands
from services.inspection.assessments.application.outputs import (
    cancellation_out,
    score_out,
    veto_history_entry,
    veto_out,
    violation_out,
)
from services.inspection.assessments.application.scores import ScoreCommands


class Commands(ScoreCommands, DecisionCommands):
    """Assessment scores, vetoes, result cancellations and representative violations."""


__all__ = [
    "Commands",
    "cancellation_out",
    "score_out",
    "veto_history_entry",
    "veto_out",
    "violation_out",
]
