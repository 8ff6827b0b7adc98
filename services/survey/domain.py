"""Survey aggregates: waves (测评批次) and the questionnaires collected in them.

A questionnaire's identity is derived from the wave and the agency's own questionnaire id,
so the same questionnaire pushed twice collides in the event store instead of being counted
twice (严禁复制测评问卷).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from shared.contracts.survey import Rating
from shared.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError, PingyiError

RESPONSE_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/survey-response")
RATINGS: frozenset[str] = frozenset(rating.value for rating in Rating)
OPEN = "open"
CLOSED = "closed"


class SurveyError(PingyiError):
    """Base of every survey domain error."""


class WaveNotFound(SurveyError, NotFoundError):
    code = "wave_not_found"


class WaveClosedError(SurveyError, ConflictError):
    code = "wave_closed"


class UnknownUnitInWave(SurveyError, InvalidError):
    code = "unknown_unit_in_wave"


class QuestionnaireConflict(SurveyError, ConflictError):
    code = "questionnaire_conflict"


class ConcurrentBatch(SurveyError, ConflictError):
    """The same questionnaires kept arriving from another request while this one was saved."""

    code = "concurrent_batch"


class InvalidWave(SurveyError, InvalidError):
    code = "invalid_wave"


class InvalidQuestionnaire(SurveyError, InvalidError):
    code = "invalid_questionnaire"


class NotWaveAgency(SurveyError, ForbiddenError):
    code = "not_wave_agency"


def _required_text(value: str, field: str, error: type[SurveyError]) -> None:
    # Validate without normalising: the event must hold exactly the state it creates.
    if not value or not value.strip():
        raise error("must not be blank", field=field)


class Wave(Aggregate):
    """One distribution-and-collection window for one agency over a fixed set of units."""

    class Opened(Aggregate.Created):
        jurisdiction_id: UUID
        name: str
        agency_id: UUID
        unit_ids: tuple[UUID, ...]
        actor: str

    class Closed(Aggregate.Event):
        actor: str
        reason: str

    @classmethod
    def open(
        cls,
        jurisdiction_id: UUID,
        name: str,
        agency_id: UUID,
        unit_ids: Sequence[UUID],
        actor: str,
    ) -> Wave:
        _required_text(name, "name", InvalidWave)
        if not unit_ids:
            raise InvalidWave("a wave needs at least one unit", field="unit_ids")
        seen: set[UUID] = set()
        for index, unit_id in enumerate(unit_ids):
            if unit_id in seen:
                raise InvalidWave("unit listed twice", field=f"unit_ids.{index}")
            seen.add(unit_id)
        return cls(jurisdiction_id, name, agency_id, tuple(unit_ids), actor)

    @event(Opened)
    def __init__(
        self,
        jurisdiction_id: UUID,
        name: str,
        agency_id: UUID,
        unit_ids: tuple[UUID, ...],
        actor: str,
    ) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.name = name
        self.agency_id = agency_id
        # Stored events decode sequences as lists; keep one shape in memory.
        self.unit_ids: tuple[UUID, ...] = tuple(unit_ids)
        self.opened_by = actor
        self.status = OPEN
        self.closed_by: str | None = None
        self.closed_reason: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def require_open(self) -> None:
        if not self.is_open:
            raise WaveClosedError("the wave is closed", field="wave_id", wave_id=str(self.id))

    def close(self, reason: str, actor: str) -> None:
        self.require_open()
        _required_text(reason, "reason", InvalidWave)
        self._closed(actor=actor, reason=reason)

    @event(Closed)
    def _closed(self, actor: str, reason: str) -> None:
        self.status = CLOSED
        self.closed_by = actor
        self.closed_reason = reason

    def check_ratings(self, ratings: dict[str, str], field: str) -> None:
        """Every rated unit must be one of the wave's, every rating one of the four levels."""
        if not ratings:
            raise InvalidQuestionnaire("at least one rating is required", field=field)
        members = {str(unit_id) for unit_id in self.unit_ids}
        for unit_id, rating in ratings.items():
            if unit_id not in members:
                raise UnknownUnitInWave(
                    "unit is not evaluated in this wave", field=f"{field}.{unit_id}"
                )
            if rating not in RATINGS:
                raise InvalidQuestionnaire(
                    f"rating must be one of {', '.join(sorted(RATINGS))}",
                    field=f"{field}.{unit_id}",
                )


class Response(Aggregate):
    """One collected questionnaire. Never changed after it is recorded."""

    class Recorded(Aggregate.Created):
        class_version = 2
        wave_id: UUID
        questionnaire_id: str
        survey_point: str | None
        collected_at: datetime
        ratings: dict[str, str]
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # v1 questionnaires carried no fixed survey point (固定测评点).
            state["survey_point"] = None

    @classmethod
    def record(
        cls,
        wave_id: UUID,
        questionnaire_id: str,
        survey_point: str | None,
        collected_at: datetime,
        ratings: dict[str, str],
        actor: str,
    ) -> Response:
        """The questionnaire's own checks; the wave checks its ratings (`Wave.check_ratings`)."""
        _required_text(questionnaire_id, "questionnaire_id", InvalidQuestionnaire)
        if collected_at.tzinfo is None:
            raise InvalidQuestionnaire("collected_at needs a timezone", field="collected_at")
        return cls(wave_id, questionnaire_id, survey_point, collected_at, ratings, actor)

    @event(Recorded)
    def __init__(
        self,
        wave_id: UUID,
        questionnaire_id: str,
        survey_point: str | None,
        collected_at: datetime,
        ratings: dict[str, str],
        actor: str,
    ) -> None:
        self.wave_id = wave_id
        self.questionnaire_id = questionnaire_id
        self.survey_point = survey_point
        self.collected_at = collected_at
        self.ratings = dict(ratings)
        self.recorded_by = actor

    @staticmethod
    def create_id(wave_id: UUID, questionnaire_id: str) -> UUID:
        return uuid5(RESPONSE_NAMESPACE, f"{wave_id}|{questionnaire_id}")

    def same_content(
        self, survey_point: str | None, collected_at: datetime, ratings: dict[str, str]
    ) -> bool:
        """Whether a re-pushed questionnaire is this one again (aware datetimes compare as
        instants, so an offset change alone is not a different questionnaire)."""
        return (
            self.survey_point == survey_point
            and self.collected_at == collected_at
            and self.ratings == ratings
        )
