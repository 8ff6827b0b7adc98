"""Answers read from the survey's views."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field


class QuestionnaireRowOut(BaseModel):
    response_id: UUID
    wave_id: UUID
    questionnaire_id: str
    agency_id: str | None
    batch_id: str | None
    survey_point: str | None
    channel: str | None
    group: str | None
    collected_at: str = Field(description="When it was collected, as pushed (ISO 8601)")
    recorded_at: str = Field(
        description="When it was recorded: the time its event was stored (ISO 8601, UTC), "
        "as `GET .../questionnaires/{response_id}` says it"
    )
    status: str
    flags: list[dict[str, str]]
    version: int


class ProgressOut(BaseModel):
    wave_id: UUID
    pending: bool = Field(default=False, description="The view has not seen the wave yet")
    part: dict[str, Any] | None = Field(
        default=None,
        description="A county office's part of a wider wave: the counties (jurisdiction_ids) "
        "and what the part holds (note); null for the whole wave",
    )
    total: dict[str, Any] | None = Field(
        default=None,
        description="`collected` against `target`: the questionnaires that stand (a voided "
        "one, or one of a withdrawn batch, counts toward no target), as in every breakdown",
    )
    by_point: dict[str, Any] | None = None
    by_county: dict[str, Any] | None = None
    by_channel: dict[str, Any] | None = None
    by_group: dict[str, Any] | None = None
    by_agency: dict[str, Any] | None = Field(
        default=None,
        description="Per agency against its quota; an agency reads its own line only (and "
        "its own questionnaires only in `total` and every other breakdown)",
    )
    by_status: dict[str, int] | None = Field(
        default=None, description="Every questionnaire recorded, voided and withdrawn included"
    )


class DepartureOut(BaseModel):
    survey_point: str
    questionnaires: int
    distance_percent: str = Field(description="Total variation distance from the rest, in %")
    quarantined: int


class ScanOut(BaseModel):
    wave_id: UUID
    threshold_percent: int
    departures: list[DepartureOut]
    quarantined: int
