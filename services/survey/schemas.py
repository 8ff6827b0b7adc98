"""Survey API models."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.survey import Rating
from shared.types import Line, Moment, Prose


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class WaveIn(_In):
    name: Line = Field(min_length=1, max_length=200, examples=["2024年度民主评议政风行风问卷测评"])
    jurisdiction_id: UUID
    agency_id: UUID = Field(description="The survey agency (principal) contracted for the wave")
    unit_ids: list[UUID] = Field(min_length=1, max_length=2000)


class WaveOut(BaseModel):
    wave_id: UUID
    name: str
    jurisdiction_id: UUID
    agency_id: UUID
    unit_ids: list[UUID]
    status: str


class WaveSummaryOut(WaveOut):
    response_count: int = Field(description="Questionnaires recorded, as applied to the view")


class WaveDetailOut(WaveSummaryOut):
    closed_reason: str | None = None


class CloseIn(_In):
    reason: Prose = Field(min_length=1, max_length=500, examples=["问卷回收完毕"])


class QuestionnaireIn(_In):
    questionnaire_id: Line = Field(
        min_length=1, max_length=100, description="The agency's own id for the questionnaire"
    )
    survey_point: Line | None = Field(
        default=None, min_length=1, max_length=200, examples=["源汇区政务服务中心"]
    )
    collected_at: Moment
    ratings: dict[UUID, Rating] = Field(
        min_length=1, description="unit_id -> 满意/基本满意/不满意/不了解"
    )

    def command(self) -> dict[str, Any]:
        return {
            "questionnaire_id": self.questionnaire_id,
            "survey_point": self.survey_point,
            "collected_at": self.collected_at,
            "ratings": {str(unit_id): rating.value for unit_id, rating in self.ratings.items()},
        }


class BatchIn(_In):
    questionnaires: list[QuestionnaireIn] = Field(min_length=1, max_length=1000)


class BatchOut(BaseModel):
    wave_id: UUID
    accepted: int
    duplicates: int
    duplicate_questionnaire_ids: list[str]
