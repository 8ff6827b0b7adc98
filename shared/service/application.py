"""The eventsourcing application every service's own event log is kept by."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import Recording

from shared.contracts.wire import NOT_PUBLISHED, PayloadMapper, encode_body
from shared.persistence.messages import MESSAGES_KEY, MessageLog
from shared.persistence.postgres import configure_recorder
from shared.persistence.watchdog import WriteWatchdog
from shared.telemetry import CommitLedger, committed, committing


class PublishingApplication(Application[Any]):
    """An eventsourcing application that nudges its relay after every commit and, once told
    what it publishes (`publish_as`), stores each event's message body with the event."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._after_commit: list[Callable[[], None]] = []
        self._publication: tuple[str, PayloadMapper] | None = None
        self.trace_ledger: CommitLedger | None = None
        """Set by the runtime: commits are remembered there for the relay and local sources."""
        self.write_watchdog: WriteWatchdog | None = configure_recorder(self.recorder, self.env)

    def close(self) -> None:
        if self.write_watchdog is not None:
            self.write_watchdog.close()
        super().close()

    def on_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def publish_as(self, origin: str, to_payload: PayloadMapper) -> None:
        """Encode the message of every event saved from now on, in the saving transaction
        (where the recorder can store it; others leave the relay to map stored events)."""
        if isinstance(self.recorder, MessageLog):
            self._publication = (origin, to_payload)

    def _record(self, processing_event: ProcessingEvent[Any]) -> list[Recording[Any]]:
        if self._publication is not None:
            origin, to_payload = self._publication
            processing_event.saved_kwargs[MESSAGES_KEY] = [
                _body(origin, to_payload, event) for event in processing_event.events
            ]
        with committing(self.name, len(processing_event.events)) as span:
            recordings: list[Recording[Any]] = super()._record(processing_event)
            positions = [r.notification.id for r in recordings]
            committed(span, self.trace_ledger, positions)
        return recordings

    def _notify(self, recordings: Any) -> None:
        super()._notify(recordings)
        for callback in self._after_commit:
            callback()


def _body(origin: str, to_payload: PayloadMapper, domain_event: Any) -> bytes:
    payload = to_payload(domain_event)
    if payload is None:
        return NOT_PUBLISHED
    return encode_body(origin, payload, domain_event.timestamp.astimezone(UTC))
