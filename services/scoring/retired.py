"""The first release's per-wave scoring, retired: the stored-event classes only.

Scoring once kept a roster and a tally per survey wave and computed "wave runs" under a
built-in `satisfaction` scheme, published as `scoring.score.computed`. That was a second
implementation of the scoring logic beside the engine (`services.scoring.engine`), so it
was retired: scoring now computes campaign rounds only (docs/scoring.md, "Retired: wave
runs").

Stored events are never rewritten, so a log written by that release still holds those
events under their old topics (`services.scoring.domain:WaveTally.Opened` …). eventsourcing
resolves a stored topic to a class, so the classes stay, here, registered under those
topics: the events decode and the aggregates load (as empty shells), and nothing else is
done with them. `pingyi replay --verify` names the stored wave runs as retired
(`wave_runs`); their published messages are ignored by every consumer.

Nothing here may gain behaviour: no command, no fold, no computation.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

OLD_MODULE = "services.scoring.domain"
"""Where these classes lived when their events were stored."""


class Roster(Aggregate):
    """The units scoring knew about (registrations, renames, moves, ends)."""

    class Started(Aggregate.Created):
        pass

    class UnitListed(Aggregate.Event):
        unit_id: str
        name: str
        category: str
        jurisdiction_id: str
        position: int

    class LifecycleFollowed(Aggregate.Event):
        after: int

    class UnitRenamed(Aggregate.Event):
        unit_id: str
        name: str
        position: int

    class UnitMoved(Aggregate.Event):
        unit_id: str
        jurisdiction_id: str
        position: int

    class UnitEnded(Aggregate.Event):
        unit_id: str
        status: str
        position: int

    def __init__(self) -> None:
        pass


class WaveTally(Aggregate):
    """A survey wave's answer counts, questionnaire records and runs."""

    class Opened(Aggregate.Created):
        jurisdiction_id: UUID
        name: str
        unit_ids: list[str]
        position: int

    class Unscored(Aggregate.Event):
        scale: str
        reason: str

    class ResponsesChanged(Aggregate.Event):
        changes: list[dict[str, Any]]
        position: int

    class LateDecisionsIgnored(Aggregate.Event):
        decisions: int

    class ResponsesCounted(Aggregate.Event):
        responses: list[dict[str, Any]]
        position: int

    class Closed(Aggregate.Event):
        position: int

    class RunRecorded(Aggregate.Event):
        run_id: str
        final: bool

    def __init__(self, **_: Any) -> None:
        pass


class FinalRuns(Aggregate):
    """Closed waves whose final run was still owed."""

    class Started(Aggregate.Created):
        pass

    class Due(Aggregate.Event):
        wave_id: str

    class Settled(Aggregate.Event):
        wave_id: str
        run_id: str

    def __init__(self) -> None:
        pass


class ScoreRun(Aggregate):
    """One computation of a wave's scores (published as `scoring.score.computed`)."""

    class Computed(Aggregate.Created):
        class_version = 2
        wave_id: UUID
        jurisdiction_id: UUID
        wave_name: str
        final: bool
        scheme: dict[str, Any]
        upstream_positions: dict[str, int]
        inputs_digest: str
        results: list[dict[str, Any]]
        results_digest: str
        trigger: str
        actor: str
        lifecycle_after: int | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Runs stored before the roster followed unit lifecycle facts."""
            state["lifecycle_after"] = None

    def __init__(self, **_: Any) -> None:
        pass


RETIRED = (Roster, WaveTally, FinalRuns, ScoreRun)

for _cls in RETIRED:
    register_topic(f"{OLD_MODULE}:{_cls.__qualname__}", _cls)

WAVE_RUN_TOPIC = f"{OLD_MODULE}:ScoreRun.Computed"
"""The stored topic of a wave run, as the first release wrote it."""
