"""The unit of work of one scoring transaction."""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, project_aggregate
from eventsourcing.domain import Aggregate

from services.scoring.domain import FINAL_RUNS_ID, ROSTER_ID, FinalRuns, Roster, WaveTally
from shared.messaging.process import ProcessingApplication

A = TypeVar("A", bound=Aggregate)


class Batch:
    """The aggregates one transaction touches. Each is loaded once and the same object is
    changed by every message in the batch, then collected once at the end."""

    def __init__(self, app: ProcessingApplication) -> None:
        self._app = app
        self._loaded: dict[UUID, Aggregate | None] = {}

    def get(self, aggregate_id: UUID, cls: type[A]) -> A | None:
        if aggregate_id not in self._loaded:
            try:
                self._loaded[aggregate_id] = load(self._app, aggregate_id)
            except AggregateNotFoundError:
                self._loaded[aggregate_id] = None
        found = self._loaded[aggregate_id]
        return found if isinstance(found, cls) else None

    def add(self, aggregate: Aggregate) -> None:
        self._loaded[aggregate.id] = aggregate

    def roster(self) -> Roster:
        roster = self.get(ROSTER_ID, Roster)
        if roster is None:
            roster = Roster()
            self.add(roster)
        # A roster kept by the code before lifecycle facts were followed has passed over
        # those up to its last tracked registry position; from here on it follows them.
        # (Within a batch the tracked position is still the one before the batch.)
        if roster.lifecycle_after is None:
            tracked = self._app.process_recorder.max_tracking_id("registry")
            roster.follow_lifecycle(tracked or 0)
        return roster

    def final_runs(self) -> FinalRuns:
        queue = self.get(FINAL_RUNS_ID, FinalRuns)
        if queue is None:
            queue = FinalRuns()
            self.add(queue)
        return queue

    def aggregates(self) -> list[Aggregate]:
        return [a for a in self._loaded.values() if a is not None]


def load(app: ProcessingApplication, aggregate_id: UUID) -> Aggregate:
    """The aggregate from the repository; a tally restored from a snapshot older than its
    questionnaire records (`WaveTally.records_complete`) is rebuilt from its events, which
    hold them all."""
    found: Aggregate = app.repository.get(aggregate_id)
    if isinstance(found, WaveTally) and not found.records_complete:
        rebuilt = project_aggregate(None, app.events.get(aggregate_id))
        if isinstance(rebuilt, WaveTally):
            return rebuilt
    return found
