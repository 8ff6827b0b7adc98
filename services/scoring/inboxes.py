"""How scoring's two upstreams reach its stores.

Registry messages feed two stores: the authentication copy (view rows) and the roster
(stored events). They cannot share a transaction, so each keeps its own position and takes
from a batch only what it has not applied yet; the consumer reads from the lower of the
two. A crash between the two writes is repaired by the redelivery that follows.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.scoring.application import ScoringApplication
from shared.contracts import IntegrationMessage
from shared.messaging.inbox import Inbox
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


class FanOutInbox:
    """One upstream applied to several inboxes in order, each tracking its own position."""

    def __init__(self, *parts: Inbox) -> None:
        self._parts = parts

    def last_position(self, upstream: str) -> int | None:
        positions = [part.last_position(upstream) for part in self._parts]
        if any(position is None for position in positions):
            return None
        return min(position for position in positions if position is not None)

    def apply(self, upstream: str, messages: Sequence[IntegrationMessage]) -> None:
        for part in self._parts:
            last = part.last_position(upstream)
            fresh = [m for m in messages if last is None or m.position > last]
            part.apply(upstream, fresh)
