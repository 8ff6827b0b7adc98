"""Loading assessment aggregates by id, each kind answering its own not-found error."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from services.inspection.assessments.domain import (
    AssessmentScore,
    AssessmentScoreNotFound,
    CancellationNotFound,
    ResultCancellation,
    Veto,
    VetoNotFound,
)
from shared.errors import PingyiError
from shared.service.application import PublishingApplication

A = TypeVar("A", bound=Aggregate)


class Loading(PublishingApplication):
    """The assessment aggregates by id (a mixin of the inspection application)."""

    def _load_assessment(self, kind: type[A], aggregate_id: UUID, missing: PingyiError) -> A:
        try:
            found: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise missing from None
        if not isinstance(found, kind):
            raise missing
        return found

    def _exists(self, aggregate_id: UUID) -> bool:
        return self._stored(aggregate_id) is not None

    def _stored(self, aggregate_id: UUID) -> Aggregate | None:
        """What is stored under an id, or None: the lookup commands choose new ids by."""
        try:
            found: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return found

    def assessment_score(self, score_id: UUID, field: str = "score_id") -> AssessmentScore:
        return self._load_assessment(
            AssessmentScore, score_id, AssessmentScoreNotFound(field=field)
        )

    def veto(self, veto_id: UUID, field: str = "veto_id") -> Veto:
        return self._load_assessment(Veto, veto_id, VetoNotFound(field=field))

    def cancellation(
        self, cancellation_id: UUID, field: str = "cancellation_id"
    ) -> ResultCancellation:
        return self._load_assessment(
            ResultCancellation,
            cancellation_id,
            CancellationNotFound(field=field),
        )
