"""Write domain events straight into an application's store, as an older version of the code
(with looser rules) once wrote them, to prove that today's aggregates still load them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.utils import get_topic


def store(app: Application, *events: Any) -> None:
    app.recorder.insert_events([app.mapper.to_stored_event(event) for event in events])


def created(
    aggregate: type[Any], event_class: type[Any], originator_id: UUID | None = None, **state: Any
) -> Any:
    """The first event of a new aggregate, built from the event class, never through the
    aggregate's constructor or command."""
    return event_class(
        originator_id=originator_id or uuid4(),
        originator_version=1,
        timestamp=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        originator_topic=get_topic(aggregate),
        **state,
    )


def following(previous: Any, event_class: type[Any], **state: Any) -> Any:
    """The event after `previous` in the same aggregate."""
    return event_class(
        originator_id=previous.originator_id,
        originator_version=previous.originator_version + 1,
        timestamp=datetime(2025, 1, 2, 3, 4, 6, tzinfo=UTC),
        **state,
    )
