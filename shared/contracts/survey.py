"""Published survey facts: waves and the questionnaires collected in them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from shared.contracts.envelope import IntegrationPayload


class Rating(StrEnum):
    """The four levels of a questionnaire answer; the one definition of them."""

    SATISFIED = "满意"
    BASICALLY_SATISFIED = "基本满意"
    DISSATISFIED = "不满意"
    UNKNOWN = "不了解"


RATINGS: tuple[str, ...] = tuple(rating.value for rating in Rating)


class WaveOpened(IntegrationPayload):
    event_type = "survey.wave.opened"
    wave_id: UUID
    jurisdiction_id: UUID
    name: str
    agency_id: UUID
    unit_ids: tuple[UUID, ...]
    actor: str


class ResponseRecorded(IntegrationPayload):
    event_type = "survey.response.recorded"
    wave_id: UUID
    response_id: UUID
    questionnaire_id: str
    survey_point: str | None
    collected_at: datetime
    ratings: dict[UUID, Rating]


class WaveClosed(IntegrationPayload):
    event_type = "survey.wave.closed"
    wave_id: UUID
    actor: str
