"""The batch aggregate: one push by an agency, withdrawn as a whole if need be."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.survey.domain.errors import DecisionConflict
from services.survey.domain.response.questionnaire import Stamp, require_reason


class Batch(Aggregate):
    """One push by an agency: what it brought, so it can be withdrawn as a whole."""

    class Recorded(Aggregate.Created):
        wave_id: UUID
        agency_id: UUID
        response_ids: list[str]
        actor: str

    class Withdrawn(Aggregate.Event):
        wave_id: UUID
        agency_id: UUID
        response_ids: list[str]
        reason: str
        actor: str

    @classmethod
    def bring(cls, batch_id: UUID, **fields: Any) -> Batch:
        return cls._create(cls.Recorded, id=batch_id, **fields)

    @event(Recorded)
    def __init__(self, wave_id: UUID, agency_id: UUID, response_ids: list[str], actor: str) -> None:
        self.wave_id = wave_id
        self.agency_id = agency_id
        self.response_ids = list(response_ids)
        self.recorded_by = actor
        self.withdrawn = False
        self.withdrawn_reason: str | None = None
        self.withdrawn_by: str | None = None
        self.withdrawn_at: datetime | None = None

    def withdraw(self, reason: str, actor: str) -> None:
        require_reason(reason)
        if self.withdrawn:
            raise DecisionConflict(
                "该批次已撤回 (the batch is already withdrawn)", field="batch_id"
            )
        self._withdrawn(
            wave_id=self.wave_id,
            agency_id=self.agency_id,
            response_ids=self.response_ids,
            reason=reason,
            actor=actor,
        )

    @event(Withdrawn)
    def _withdrawn(
        self,
        wave_id: UUID,
        agency_id: UUID,
        response_ids: list[str],
        reason: str,
        actor: str,
        timestamp: Stamp = None,
    ) -> None:
        self.withdrawn = True
        self.withdrawn_reason = reason
        self.withdrawn_by = actor
        self.withdrawn_at = timestamp
