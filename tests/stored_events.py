"""Write domain events straight into an application's store, as an older version of the code
(with looser rules) once wrote them, to prove that today's aggregates still load them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.utils import get_topic


def store(app: Application, *events: Any) -> None:
    app.recorder.insert_events([app.mapper.to_stored_event(event) for event in events])


def store_as_before_the_split(app: Application, old_module: str, *events: Any) -> None:
    """Store `events` as the code wrote them while their classes lived in the module
    `old_module`, since split into a package of that name: the topic, and the aggregate's
    `originator_topic` in a first event, name the old module."""
    moved = f"{old_module}."
    records = []
    for domain_event in events:
        record = app.mapper.to_stored_event(domain_event)
        assert record.topic.startswith(moved), record.topic  # the class lives in a part now
        state = app.mapper.transcoder.decode(record.state)
        for key, value in state.items():
            if isinstance(value, str) and value.startswith(moved):
                state[key] = _in_module(value, old_module)
        encoded = app.mapper.transcoder.encode(state)
        records.append(replace(record, topic=_in_module(record.topic, old_module), state=encoded))
    app.recorder.insert_events(records)


def _in_module(topic: str, module: str) -> str:
    return f"{module}:{topic.split(':', 1)[1]}"


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
