"""What a push or an upload answers (`BatchOut`): what was recorded, what went to quarantine
and why, the duplicates, and each refused row's problems."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class ProblemOut(BaseModel):
    row: int = Field(description="Index in `questionnaires` (or the sheet's row number)")
    questionnaire_id: Any = None
    field: str
    reason: str
    code: str
    column: str | None = Field(
        default=None,
        description="An upload's column the problem is in, its header as typed (a unit's "
        "name where `field` names its id); absent for a JSON push",
        # A JSON push's problems keep the shape they always had.
        exclude_if=lambda column: column is None,
    )


class FlagOut(BaseModel):
    code: str = Field(
        description="The integrity rule: identical_answers, burst, straight_lining, over_quota"
    )
    reason: str = Field(description="Chinese first (the rule's detail), English after")


class QuarantinedOut(BaseModel):
    questionnaire_id: str
    reasons: list[FlagOut] = Field(description="Every rule it met, in the flags' order")


class BatchOut(BaseModel):
    wave_id: UUID
    batch_id: UUID | None = Field(description="None when nothing new was recorded")
    accepted: int = Field(description="Recorded, including those put in quarantine")
    quarantined: int
    quarantined_questionnaire_ids: list[str]
    quarantined_reasons: list[QuarantinedOut] | None = Field(
        default=None,
        description="Why each of `quarantined_questionnaire_ids` went to quarantine, in order",
        # A keyed retry of a push answered before reasons were given replays its first
        # answer as it was: without them.
        exclude_if=lambda reasons: reasons is None,
    )
    duplicates: int
    duplicate_questionnaire_ids: list[str]
    rejected: int = Field(description="Rows refused, each listed in `problems`")
    problems: list[ProblemOut]
