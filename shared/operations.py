"""Recorded operator decisions about messages that cannot be applied.

A consumer that fails on a message stalls on exactly that message (its position, event id
and the error show in `/positions`, `/readyz` and the metrics). It never skips it on its own.
An admin who has looked at it may record a decision to skip it: `POST
/operations/consumers/{consumer}/{upstream}/skips` with the position, the event id and a
reason. The decision is an event in the service's own log (actor, reason, time), so the
skip is auditable forever; the consumer then records the position as handled without
applying the message — and only for that exact message, and only if it still fails.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event

from shared.contracts import IntegrationMessage

DECISION_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/skip-decision")


class SkipDecision(Aggregate):
    """An operator's decision that one upstream message is not to be applied."""

    @event("Recorded")
    def __init__(
        self, consumer: str, upstream: str, position: int, event_id: str, reason: str, actor: str
    ) -> None:
        self.consumer = consumer
        self.upstream = upstream
        self.position = position
        self.event_id = event_id
        self.reason = reason
        self.actor = actor

    @staticmethod
    def create_id(consumer: str, upstream: str, position: int) -> UUID:
        return uuid5(DECISION_NAMESPACE, f"{consumer}|{upstream}|{position}")


def decision_for(
    app: Application[UUID], consumer: str, upstream: str, position: int
) -> SkipDecision | None:
    try:
        found: object = app.repository.get(SkipDecision.create_id(consumer, upstream, position))
    except AggregateNotFoundError:
        return None
    return found if isinstance(found, SkipDecision) else None


def skip_decided(
    app: Application[UUID], consumer: str, upstream: str, message: IntegrationMessage
) -> bool:
    decision = decision_for(app, consumer, upstream, message.position)
    return decision is not None and decision.event_id == str(message.event_id)
