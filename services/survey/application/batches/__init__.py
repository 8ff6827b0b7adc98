"""Recording questionnaires: batches from agencies, row by row.

Every bad row is reported (row, field, reason) and the good rows are recorded, unless the
agency asks for all or nothing. A batch, its questionnaires and its wave's `BatchAccepted`
are saved in one transaction: a concurrent close conflicts with it (see `Wave`).

Split by subject: the command and its retries (commands.py), one attempt (intake.py), what
it saves (saving.py) and the rows it works on (rows.py). Every name stays importable from
here.
"""

from __future__ import annotations

from services.survey.application.batches.commands import BATCH_ATTEMPTS, BatchCommands
from services.survey.application.batches.intake import Intake
from services.survey.application.batches.rows import (
    Row,
    answers_of,
    candidate,
    expand_row,
    problem,
    recorded_fields,
)

__all__ = [
    "BATCH_ATTEMPTS",
    "BatchCommands",
    "Intake",
    "Row",
    "answers_of",
    "candidate",
    "expand_row",
    "problem",
    "recorded_fields",
]
