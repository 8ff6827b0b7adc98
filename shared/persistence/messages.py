"""The message column: each stored event's integration message body, written with the event.

An application that publishes (`PublishingApplication.publish_as`) encodes, for every event
it saves, the body of the message the event maps to (`shared.contracts.wire`) and hands the
bodies to the recorder with the events; our recorders (PostgreSQL and SQLite) store them in
a `message` column of the events table, in the same statement as the events. A body is
NULL when nothing was encoded at write time (rows from before the column existed, or written
by an application that does not publish), and empty for an event that publishes nothing.
Readers of the log (`Outbox`) concatenate a body into the message and fall back to mapping
the stored event only for NULL rows.

Migration: a table without the column gets it when a recorder starts (nullable, no default:
a catalogue change only, no rewrite); older rows stay NULL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.persistence import StoredEvent

MESSAGE_COLUMN = "message"
MESSAGES_KEY = "messages"
"""The keyword under which an application passes the bodies to `insert_events`."""

LogRow = tuple[int, UUID | str, int, str, bytes | None, bytes | None]
"""(notification id, originator id, originator version, topic, state, body). `state` is
read only where the body is NULL; it is None otherwise."""


@runtime_checkable
class MessageLog(Protocol):
    """A recorder that stores message bodies with the events and reads them back."""

    def select_log_rows(self, start: int, limit: int, stop: int | None = None) -> list[LogRow]:
        """Rows with notification ids from `start` (inclusive), in order, at most `limit`,
        none after `stop`."""
        ...


def bodies(stored_events: Sequence[StoredEvent], kwargs: Mapping[str, Any]) -> list[bytes | None]:
    """The body of each stored event (None for each when none were given)."""
    given: Sequence[bytes | None] | None = kwargs.get(MESSAGES_KEY)
    if given is None:
        return [None] * len(stored_events)
    if len(given) != len(stored_events):
        raise ValueError(f"{len(given)} message bodies for {len(stored_events)} events")
    return list(given)
