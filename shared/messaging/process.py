"""Inbox for consumers whose effects are their own stored events (eventsourcing process
applications): the events and the upstream position go into one transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.application import ProcessingEvent
from eventsourcing.persistence import ProcessRecorder, Tracking

from shared.contracts import IntegrationMessage
from shared.service.application import PublishingApplication

Policy = Callable[[ProcessingEvent[Any], str, Sequence[IntegrationMessage]], None]


class ProcessingApplication(PublishingApplication):
    """A publishing application whose recorder also records tracking positions."""

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    @property
    def process_recorder(self) -> ProcessRecorder:
        recorder = self.recorder
        assert isinstance(recorder, ProcessRecorder)
        return recorder

    def record_processing(self, processing_event: ProcessingEvent[Any]) -> None:
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)


class EventSourcedInbox:
    """`policy(processing_event, upstream, messages)` collects new aggregate events on the
    processing event; they are recorded with the last message's position, or not at all."""

    def __init__(self, app: ProcessingApplication, policy: Policy) -> None:
        self._app = app
        self._policy = policy

    def last_position(self, upstream: str) -> int | None:
        return self._app.process_recorder.max_tracking_id(upstream)

    def apply(self, upstream: str, messages: Sequence[IntegrationMessage]) -> None:
        if not messages:
            return
        processing_event: ProcessingEvent[Any] = ProcessingEvent(
            tracking=Tracking(upstream, messages[-1].position)
        )
        self._policy(processing_event, upstream, messages)
        self._app.record_processing(processing_event)

    def skip(self, upstream: str, message: IntegrationMessage) -> None:
        """Record the position alone: the message's effects are never produced."""
        self._app.record_processing(ProcessingEvent(tracking=Tracking(upstream, message.position)))
