"""How scoring's upstreams reach its event store (the input batches a round's fold reads).

The registry copy views (keys, units, campaigns) follow the registry with consumers of their
own; this inbox is scoring's processor, whose effects are its own stored events."""

from __future__ import annotations

from collections.abc import Sequence

from services.scoring.application import ScoringApplication
from shared.contracts import IntegrationMessage
from shared.messaging.process import EventSourcedInbox


class ScoringInbox(EventSourcedInbox):
    """Applies one upstream's batch under the application's lock: batches commit one at a
    time, so scoring's log positions are committed in order and a round's fold, reading the
    batches after the last one it read (`rounds.folds`), never passes over one committed
    late."""

    def __init__(self, app: ScoringApplication) -> None:
        super().__init__(app, app.process_batch)
        self._lock = app.lock

    def apply(self, upstream: str, messages: Sequence[IntegrationMessage]) -> None:
        with self._lock:
            super().apply(upstream, messages)
