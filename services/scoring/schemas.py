"""Scoring API models."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.scoring import SchemeRef, UnitScore
from shared.types import Line


class ScoreRunIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    scheme_id: Line = Field(default="satisfaction", min_length=1, max_length=100)
    version: int = Field(default=1, ge=1)


class ScoreRunSummary(BaseModel):
    run_id: UUID
    wave_id: UUID
    jurisdiction_id: UUID
    wave_name: str
    final: bool = Field(
        description="Computed when the wave closed; otherwise requested (provisional)"
    )
    scheme: SchemeRef
    upstream_positions: dict[str, int] = Field(
        description="The registry and survey log positions the run was computed up to"
    )
    inputs_digest: str
    results_digest: str
    trigger: str = Field(description="wave_closed, roster_completed or requested")
    actor: str
    computed_at: datetime
    integrity_warning: str | None = Field(
        default=None,
        description="Set when the stored results no longer match their digest (edited in the"
        " store): do not rely on them; run pingyi audit verify-log",
    )


class ScoreRunOut(ScoreRunSummary):
    results: list[UnitScore]
