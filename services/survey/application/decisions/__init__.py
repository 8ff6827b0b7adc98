"""Everything decided about a questionnaire after it was recorded: corrections, voids,
quarantine reviews and batch withdrawals. Each is a new event with its actor and reason;
nothing recorded is changed or deleted.

Split by subject: the commands (commands.py), what a review checks before it decides
(review.py) and how questionnaires, their versions and batches read (reading.py). Every
name stays importable from here."""

from __future__ import annotations

from services.survey.application.decisions.commands import DecisionCommands
from services.survey.application.decisions.reading import (
    QuestionnaireReads,
    batch_out,
    diff,
    history_out,
)
from services.survey.application.decisions.review import named, refuse_repeats

__all__ = [
    "DecisionCommands",
    "QuestionnaireReads",
    "batch_out",
    "diff",
    "history_out",
    "named",
    "refuse_repeats",
]
