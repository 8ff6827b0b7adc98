"""In-memory event-store recorders (memory mode, for tests) that keep each event's message
body with it, as the SQLite and PostgreSQL recorders do (`shared.persistence.messages`), so
tests in memory mode write and read the log the way the other modes do.

Selected with PERSISTENCE_MODULE = `shared.persistence.memory:PingyiPOPOFactory`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import ApplicationRecorder, ProcessRecorder, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder, POPOFactory, POPOProcessRecorder

from shared.persistence.messages import LogRow, bodies


class _KeptMessages(POPOApplicationRecorder):
    def __init__(self) -> None:
        super().__init__()
        self._bodies: list[bytes | None] = []

    def _update_table(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._update_table(stored_events, **kwargs)
        self._bodies.extend(bodies(stored_events, kwargs))
        return ids

    def select_log_rows(self, start: int, limit: int, stop: int | None = None) -> list[LogRow]:
        with self._database_lock:
            end = len(self._stored_events) if stop is None else min(stop, len(self._stored_events))
            rows: list[LogRow] = []
            for index in range(max(start, 1) - 1, end):
                if len(rows) == limit:
                    break
                event, body = self._stored_events[index], self._bodies[index]
                state = event.state if body is None else None
                rows.append(
                    (
                        index + 1,
                        event.originator_id,
                        event.originator_version,
                        event.topic,
                        state,
                        body,
                    )
                )
            return rows


class PingyiPOPOApplicationRecorder(_KeptMessages):
    """The application recorder of a service's event store in memory mode."""


class PingyiPOPOProcessRecorder(POPOProcessRecorder, _KeptMessages):
    """The process recorder (events plus the upstream tracking position) in memory mode."""


class PingyiPOPOFactory(POPOFactory):
    def application_recorder(self) -> ApplicationRecorder:
        return PingyiPOPOApplicationRecorder()

    def process_recorder(self) -> ProcessRecorder:
        return PingyiPOPOProcessRecorder()
