"""How scoring's two upstreams reach its event store (the roster and the wave tallies).

The registry copy views (keys, units, campaigns) follow the registry with consumers of their
own; this inbox is scoring's processor, whose effects are its own stored events."""

from __future__ import annotations

from collections.abc import Sequence

from services.scoring.application import ScoringApplication
from shared.contracts import IntegrationMessage
from shared.messaging.process import EventSourcedInbox


class ScoringInbox(EventSourcedInbox):
    """Applies one upstream's batch under the application's lock, so a registry batch and
    a survey batch never load, change and save the same roster or tally concurrently."""

    def __init__(self, app: ScoringApplication) -> None:
        super().__init__(app, app.process_batch)
        self._lock = app.lock

    def apply(self, upstream: str, messages: Sequence[IntegrationMessage]) -> None:
        with self._lock:
            super().apply(upstream, messages)
