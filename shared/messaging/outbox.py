"""The event log is the outbox: read a service's notification log in order, each stored
event as at most one explicit integration message.

Events saved by a publishing application carry their message body (`shared.persistence.
messages`): the message is that body with its position spliced in, no decoding, no mapping.
Events without one (stored before the column existed, or by an application that did not
publish) are decoded and mapped as they always were; both give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from eventsourcing.postgres import PostgresApplicationRecorder

from shared.contracts.envelope import IntegrationMessage, IntegrationPayload
from shared.contracts.wire import EncodedMessage, PayloadMapper, compose
from shared.persistence.messages import LogRow, MessageLog

__all__ = ["EncodedBatch", "Outbox", "OutboxBatch", "PayloadMapper"]


@dataclass(frozen=True)
class OutboxBatch:
    messages: list[IntegrationMessage]
    scanned_to: int | None
    """The last notification id looked at (published or internal-only)."""


@dataclass(frozen=True)
class EncodedBatch:
    messages: list[EncodedMessage]
    scanned_to: int | None


class Outbox:
    def __init__(
        self,
        service: str,
        application: Application[Any],
        to_payload: PayloadMapper,
        *,
        stored_bodies: bool = True,
        owns_application: bool = True,
    ) -> None:
        """`stored_bodies=False` ignores the stored message bodies and maps every event (to
        check the bodies against the mapping)."""
        self.service = service
        self._app = application
        self._to_payload = to_payload
        self._stored_bodies = stored_bodies
        self._owns_application = owns_application
        self._head_cache: tuple[int, int | None] | None = None

    def read(
        self, after: int | None, previous: int | None, limit: int, stop: int | None = None
    ) -> OutboxBatch:
        """Messages for notifications after `after`; `previous` seeds the position chain."""
        page = self.read_encoded(after, previous, limit, stop)
        return OutboxBatch([m.message for m in page.messages], page.scanned_to)

    def read_encoded(
        self, after: int | None, previous: int | None, limit: int, stop: int | None = None
    ) -> EncodedBatch:
        """`read`, as bytes: what the relay publishes without decoding anything."""
        messages: list[EncodedMessage] = []
        scanned_to = after
        for position, originator_id, version, topic, state, body in self._rows(after, limit, stop):
            scanned_to = position
            if body is None:
                stored = Notification(originator_id, version, topic, state or b"", position)
                mapped = self._mapped(stored, previous)
                if mapped is None:
                    continue
                message = EncodedMessage(position, previous, message=mapped)
            elif not body:
                continue  # an internal event, known at write time
            else:
                data = compose(self.service, position, previous, body)
                message = EncodedMessage(position, previous, data=data)
            messages.append(message)
            previous = position
        return EncodedBatch(messages, scanned_to)

    def _rows(self, after: int | None, limit: int, stop: int | None) -> list[LogRow]:
        recorder = self._app.recorder
        start = (after or 0) + 1
        if self._stored_bodies and isinstance(recorder, MessageLog):
            return recorder.select_log_rows(start, limit, stop)
        return [
            (n.id, n.originator_id, n.originator_version, n.topic, n.state, None)
            for n in recorder.select_notifications(start=start, limit=limit, stop=stop)
        ]

    def _mapped(
        self, notification: Notification, previous: int | None
    ) -> IntegrationMessage | None:
        domain_event = self._app.mapper.to_domain_event(notification)
        payload = self._to_payload(domain_event)
        if payload is None:
            return None
        return self._envelope(notification.id, previous, domain_event, payload)

    @property
    def application(self) -> Application[Any]:
        """The application whose log this reads (a views process reads operators' skip
        decisions from it)."""
        return self._app

    def close(self) -> None:
        """Release the database connections of the application behind this log, if this
        reader opened it."""
        if self._owns_application:
            self._app.close()

    def borrowed(self) -> Outbox:
        """A reader over the same log whose `close` leaves the application open (it belongs
        to the running service)."""
        return Outbox(
            self.service,
            self._app,
            self._to_payload,
            stored_bodies=self._stored_bodies,
            owns_application=False,
        )

    def max_position(self) -> int | None:
        return self._app.recorder.max_notification_id()

    def notify_channel(self) -> tuple[dict[str, Any], str] | None:
        """Connection parameters and the channel on which PostgreSQL announces every insert
        into this log (the eventsourcing library NOTIFYs it); None for SQLite."""
        recorder = self._app.recorder
        if not isinstance(recorder, PostgresApplicationRecorder):
            return None
        # All the database URL's parameters (sslmode, ...), as the event store's pool has them.
        from shared.persistence.postgres import connection_params

        params = connection_params(recorder.datastore)
        params.pop("connect_timeout", None)  # the listener sets its own
        return params, recorder.channel_name

    def head(self) -> int | None:
        """Position of the last message this log publishes (internal events skipped).

        Cheap enough to poll: the answer is cached against the log's highest notification id,
        and otherwise found by reading backwards from the end in windows that start small
        (the newest event is usually a published one) and grow."""
        upper = self.max_position() or 0
        cached = self._head_cache
        if cached is not None and cached[0] == upper:
            return cached[1]
        found = self._scan_back_for_head(upper, floor=cached[0] if cached else 0)
        if found is None and cached is not None:
            found = cached[1]
        self._head_cache = (upper, found)
        return found

    def _scan_back_for_head(self, upper: int, floor: int) -> int | None:
        window = 8
        while upper > floor:
            lower = max(floor + 1, upper - window + 1)
            page = self.read_encoded(lower - 1, None, upper - lower + 1, stop=upper)
            if page.messages:
                return page.messages[-1].position
            upper = lower - 1
            window = min(window * 8, 4096)
        return None

    def _envelope(
        self, position: int, previous: int | None, domain_event: Any, payload: IntegrationPayload
    ) -> IntegrationMessage:
        return IntegrationMessage(
            event_id=IntegrationMessage.event_id_for(self.service, position),
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            origin=self.service,
            position=position,
            previous_position=previous,
            occurred_at=domain_event.timestamp.astimezone(UTC),
            payload=payload.json_payload(),
        )

    def iterate(self, stop: int | None = None, batch: int = 1000) -> Any:
        """Every message up to and including `stop`, in order (used by replay)."""
        after: int | None = None
        previous: int | None = None
        while True:
            page = self.read(after, previous, batch, stop=stop)
            yield from page.messages
            if page.messages:
                previous = page.messages[-1].position
            if page.scanned_to is None or page.scanned_to == after:
                return
            after = page.scanned_to
            if stop is not None and after >= stop:
                return
