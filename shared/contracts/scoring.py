"""Published scoring facts."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.contracts.envelope import IntegrationPayload


class SchemeRef(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    scheme_id: str
    version: int
    scheme_hash: str


class UnitScore(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    unit_id: UUID
    unit_name: str
    category: str
    counts: dict[str, int]
    valid_count: int
    satisfaction_rate: str | None
    score: str | None
    result_digest: str


class ScoreComputed(IntegrationPayload):
    event_type = "scoring.score.computed"
    run_id: UUID
    wave_id: UUID
    jurisdiction_id: UUID
    wave_name: str
    final: bool
    scheme: SchemeRef
    upstream_positions: dict[str, int]
    inputs_digest: str
    results: tuple[UnitScore, ...]
    results_digest: str
