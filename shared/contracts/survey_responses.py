"""Published survey facts about questionnaires: each recorded, and every later decision
about one (correction, void, quarantine, release, rejection, batch withdrawal), each its own
message, so a consumer rebuilds what counts from the log alone.

Apart from `survey.py` (which re-exports every name here, the way callers name them) so
that neither module outgrows its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field

from shared.contracts.envelope import IntegrationPayload
from shared.contracts.survey_vocabulary import (
    Answers,
    Channel,
    DimensionRatings,
    Flags,
    KeyTargets,
    Opinions,
    Rating,
)


class ResponseRecordedV1(IntegrationPayload):
    event_type = "survey.response.recorded"
    schema_version = 1
    wave_id: UUID
    response_id: UUID
    questionnaire_id: str
    survey_point: str | None
    collected_at: datetime
    ratings: dict[UUID, Rating]


class ResponseRecordedV2(IntegrationPayload):
    """v2: a questionnaire with every answer the template asks for, where and how it was
    collected, the batch it came in, and its integrity flags; ratings keyed by unit id."""

    event_type = "survey.response.recorded"
    schema_version = 2
    wave_id: UUID
    response_id: UUID
    questionnaire_id: str
    survey_point: str | None
    collected_at: datetime
    ratings: dict[UUID, str]
    dimension_ratings: DimensionRatings = Field(default_factory=dict)
    opinions: Opinions = ()
    recommended_key_targets: KeyTargets = ()
    channel: Channel | None = None
    group: str | None = None
    district_id: UUID | None = None
    device: str | None = None
    respondent_id: UUID | None = None
    agency_id: UUID | None = None
    batch_id: UUID | None = None
    flags: Flags = ()

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        return data


class ResponseRecorded(IntegrationPayload):
    """v3: a questionnaire with every answer the template asks for, where and how it was
    collected, the batch it came in, and the integrity flags that put it in quarantine (no
    flags: it counts at once).

    The overall answers travel as `row`: one per unit in the order of the wave's `unit_ids`
    (`survey.wave.opened`), None where a unit was not rated — a fifth of the bytes of a
    dict keyed by unit ids. Messages upcast from v1/v2 carry `ratings` instead (and no row);
    `ratings_in(unit_ids)` gives the dict either way."""

    event_type = "survey.response.recorded"
    schema_version = 3
    wave_id: UUID
    response_id: UUID
    questionnaire_id: str
    survey_point: str | None
    collected_at: datetime
    row: tuple[str | None, ...] | None = None
    ratings: dict[UUID, str] = Field(default_factory=dict)
    dimension_ratings: DimensionRatings = Field(default_factory=dict)
    opinions: Opinions = ()
    recommended_key_targets: KeyTargets = ()
    channel: Channel | None = None
    group: str | None = None
    district_id: UUID | None = None
    device: str | None = None
    respondent_id: UUID | None = None
    agency_id: UUID | None = None
    batch_id: UUID | None = None
    flags: Flags = ()

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        return data | {"row": None}

    def ratings_in(self, unit_ids: Sequence[UUID | str]) -> dict[str, str]:
        """unit id (text) -> overall answer, from the row given the wave's units, or from
        the dict of an upcast message."""
        if self.row is None:
            return {str(unit): answer for unit, answer in self.ratings.items()}
        return row_ratings(unit_ids, self.row)

    def answers_in(self, unit_ids: Sequence[UUID | str]) -> Answers:
        ratings = {UUID(str(unit)): answer for unit, answer in self.ratings_in(unit_ids).items()}
        return Answers(
            ratings=ratings,
            dimension_ratings=self.dimension_ratings,
            opinions=self.opinions,
            recommended_key_targets=self.recommended_key_targets,
        )


def row_ratings(unit_ids: Sequence[UUID | str], row: Sequence[str | None]) -> dict[str, str]:
    """A compact row as unit id (text) -> answer. A row longer or shorter than the wave's
    units is a producer's bug: refused, so a consumer stalls on it visibly."""
    if len(row) != len(unit_ids):
        raise ValueError(f"a row of {len(row)} answers for a wave of {len(unit_ids)} units")
    return {str(unit): answer for unit, answer in zip(unit_ids, row, strict=True) if answer}


class ResponseCorrected(IntegrationPayload):
    """The questionnaire's answers from now on (whole, not a patch), as version `version`."""

    event_type = "survey.response.corrected"
    wave_id: UUID
    response_id: UUID
    version: int
    answers: Answers
    reason: str
    actor: str


class ResponseVoided(IntegrationPayload):
    event_type = "survey.response.voided"
    wave_id: UUID
    response_id: UUID
    reason: str
    actor: str


class ResponseQuarantined(IntegrationPayload):
    """Flagged after it was recorded (e.g. by a point-distribution check over the wave)."""

    event_type = "survey.response.quarantined"
    wave_id: UUID
    response_id: UUID
    flags: Flags
    actor: str


class ResponseReleased(IntegrationPayload):
    """An office reviewer found the flags unfounded: the questionnaire counts."""

    event_type = "survey.response.released"
    wave_id: UUID
    response_id: UUID
    reason: str
    actor: str


class ResponseRejected(IntegrationPayload):
    """An office reviewer upheld the flags: the questionnaire never counts."""

    event_type = "survey.response.rejected"
    wave_id: UUID
    response_id: UUID
    reason: str
    actor: str


class BatchWithdrawn(IntegrationPayload):
    """An agency's batch stops counting (e.g. the agency was found cheating); every
    questionnaire it brought is named."""

    event_type = "survey.batch.withdrawn"
    wave_id: UUID
    batch_id: UUID
    agency_id: UUID
    response_ids: tuple[UUID, ...]
    reason: str
    actor: str
