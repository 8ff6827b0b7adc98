"""Scoring aggregates: the roster and wave tallies folded from upstream facts, and the score
runs computed from them.

Every change to a roster or tally records the upstream position it came from, so a run can
name exactly which prefix of each upstream log it was computed from.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.scoring.counting import (
    COUNTED,
    CountedResponse,
    Counts,
    Decision,
    Outcome,
    ResponseChange,
    ResponseRecord,
    RosterChange,
    RosterEntry,
    add_ratings,
    apply_change,
    changed_entry,
    empty_counts,
    fold_decisions,
    follows_lifecycle,
    list_unit,
    missing_units,
    roster_entry,
)
from shared.contracts.registry import ACTIVE
from shared.errors import ConflictError, InvalidError, NotFoundError, PingyiError

SCORING_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/scoring")
ROSTER_ID = uuid5(SCORING_NAMESPACE, "roster")
FINAL_RUNS_ID = uuid5(SCORING_NAMESPACE, "final-runs")


class ScoringError(PingyiError):
    """Base of every scoring domain error."""


class WaveNotFound(ScoringError, NotFoundError):
    code = "wave_not_found"


class ScoreRunNotFound(ScoringError, NotFoundError):
    code = "score_run_not_found"


class RosterIncomplete(ScoringError, ConflictError):
    code = "roster_incomplete"


class UnknownScheme(ScoringError, InvalidError):
    code = "unknown_scheme"


class ScaleNotSupported(ScoringError, ConflictError):
    """The wave's answers are on a scale the scheme cannot score."""

    code = "scale_not_supported"


class Roster(Aggregate):
    """The units scoring knows about, as the registry published them: names, categories and
    jurisdictions as they stand after every rename and move, and how a unit ended.

    Class version 2 follows unit lifecycle facts; `lifecycle_after` is the registry position
    it began doing so after (facts up to there were passed over by the version before).
    """

    class_version = 2

    @event("Started")
    def __init__(self) -> None:
        self.units: dict[str, RosterEntry] = {}
        self.position: int | None = None
        """The registry position of the last change, which is what a run records."""
        self.lifecycle_after: int | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot taken before the roster followed lifecycle facts."""
        for entry in state["units"].values():
            entry.setdefault("status", ACTIVE)
        state.setdefault("lifecycle_after", None)

    @staticmethod
    def create_id() -> UUID:
        return ROSTER_ID

    def list_unit(
        self, unit_id: UUID, name: str, category: str, jurisdiction_id: UUID, position: int
    ) -> bool:
        if str(unit_id) in self.units:
            return False
        self._listed(
            unit_id=str(unit_id),
            name=name,
            category=category,
            jurisdiction_id=str(jurisdiction_id),
            position=position,
        )
        return True

    @event("UnitListed")
    def _listed(
        self, unit_id: str, name: str, category: str, jurisdiction_id: str, position: int
    ) -> None:
        list_unit(self.units, unit_id, roster_entry(name, category, jurisdiction_id))
        self.position = position

    def follow_lifecycle(self, after: int) -> None:
        if self.lifecycle_after is None:
            self._lifecycle_followed(after=after)

    @event("LifecycleFollowed")
    def _lifecycle_followed(self, after: int) -> None:
        self.lifecycle_after = after

    def change(self, change: RosterChange, position: int) -> bool:
        """Apply one lifecycle change; False (and no event) when it changes nothing."""
        if not follows_lifecycle(self.lifecycle_after, position):
            return False
        if changed_entry(self.units, change) is None:
            return False
        if change.fact == "name":
            self._renamed(unit_id=change.unit_id, name=change.value, position=position)
        elif change.fact == "jurisdiction_id":
            self._moved(unit_id=change.unit_id, jurisdiction_id=change.value, position=position)
        else:
            self._ended(unit_id=change.unit_id, status=change.value, position=position)
        return True

    @event("UnitRenamed")
    def _renamed(self, unit_id: str, name: str, position: int) -> None:
        self._apply(RosterChange(unit_id, "name", name), position)

    @event("UnitMoved")
    def _moved(self, unit_id: str, jurisdiction_id: str, position: int) -> None:
        self._apply(RosterChange(unit_id, "jurisdiction_id", jurisdiction_id), position)

    @event("UnitEnded")
    def _ended(self, unit_id: str, status: str, position: int) -> None:
        self._apply(RosterChange(unit_id, "status", status), position)

    def _apply(self, change: RosterChange, position: int) -> None:
        entry = changed_entry(self.units, change)
        if entry is not None:
            self.units[change.unit_id] = entry
        self.position = position

    def missing(self, unit_ids: Sequence[str]) -> list[str]:
        return missing_units(self.units, unit_ids)


class WaveTally(Aggregate):
    """How a survey wave's questionnaires have been answered so far, unit by unit.

    Class version 2 keeps a record of every questionnaire the wave has seen (its status and
    latest ratings, `counting.ResponseRecord`), so later decisions can un-count or move it;
    marks waves on a scale today's scheme cannot score; and counts decisions that arrived
    after the close (ignored: counts are frozen at the close)."""

    class_version = 2

    @event("Opened")
    def __init__(
        self, wave_id: UUID, jurisdiction_id: UUID, name: str, unit_ids: list[str], position: int
    ) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.name = name
        self.unit_ids = list(unit_ids)
        self.counts: Counts = empty_counts(unit_ids)
        self.counted: dict[str, str] = {}
        """response_id -> questionnaire_id of every questionnaire counted now."""
        self.records: dict[str, ResponseRecord] = {}
        """response_id -> status and latest ratings of every questionnaire recorded."""
        self.records_complete = True
        """False only for a tally restored from a snapshot taken before records were kept:
        it must be rebuilt from its events before it takes a decision (`Batch.get`)."""
        self.unscored_scale: str | None = None
        self.unscored_reason: str | None = None
        """Why the wave is not scored (None: it is); its questionnaires are not folded."""
        self.ignored_late = 0
        """Decisions about questionnaires that arrived after the close and were ignored."""
        self.closed = False
        self.position = position
        self.run_ids: list[str] = []
        self.final_run_id: str | None = None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot taken before questionnaires were recorded with their ratings: the
        counted ones' ratings are only in the events."""
        state.setdefault("records", {})
        state.setdefault("records_complete", not state.get("counted"))
        state.setdefault("unscored_scale", None)
        state.setdefault("unscored_reason", None)
        state.setdefault("ignored_late", 0)

    @staticmethod
    def create_id(wave_id: UUID) -> UUID:
        return wave_id

    @property
    def scored(self) -> bool:
        return self.unscored_reason is None

    def describe(self) -> dict[str, Any]:
        return {
            "wave_id": str(self.id),
            "jurisdiction_id": str(self.jurisdiction_id),
            "name": self.name,
            "unit_ids": self.unit_ids,
        }

    def mark_unscored(self, scale: str, reason: str) -> None:
        if self.unscored_reason is None:
            self._unscored(scale=scale, reason=reason)

    @event("Unscored")
    def _unscored(self, scale: str, reason: str) -> None:
        self.unscored_scale = scale
        self.unscored_reason = reason

    def take(self, decisions: Sequence[tuple[Decision, int]]) -> Outcome:
        """Fold a batch of (decision, upstream position) in log order (`counting`): one
        event for what changed (after the close too: see `fold_decisions`)."""
        outcome = fold_decisions(self.records, self.closed, decisions)
        if outcome.changes and outcome.position is not None:
            self._changed(changes=outcome.changes, position=outcome.position)
        return outcome

    @event("ResponsesChanged")
    def _changed(self, changes: list[ResponseChange], position: int) -> None:
        for change in changes:
            apply_change(self.counts, self.counted, self.records, change)
        self.position = position

    @event("LateDecisionsIgnored")
    def _late_ignored(self, decisions: int) -> None:
        """Stored by the code that froze a closed wave's counts: kept so its tallies load."""
        self.ignored_late += decisions

    @event("ResponsesCounted")
    def _counted(self, responses: list[CountedResponse], position: int) -> None:
        """Stored before `ResponsesChanged`: questionnaires recorded (and counted)."""
        for response in responses:
            self.counted[response["response_id"]] = response["questionnaire_id"]
            add_ratings(self.counts, response["ratings"])
            self.records[response["response_id"]] = {
                "questionnaire_id": response["questionnaire_id"],
                "status": COUNTED,
                "ratings": dict(response["ratings"]),
            }
        self.position = position

    def close(self, position: int) -> bool:
        if self.closed:
            return False
        self._closed(position=position)
        return True

    @event("Closed")
    def _closed(self, position: int) -> None:
        self.closed = True
        self.position = position

    def record_run(self, run_id: UUID, final: bool) -> None:
        if str(run_id) not in self.run_ids:
            self._run_recorded(run_id=str(run_id), final=final)

    @event("RunRecorded")
    def _run_recorded(self, run_id: str, final: bool) -> None:
        self.run_ids.append(run_id)
        if final:
            self.final_run_id = run_id


class FinalRuns(Aggregate):
    """Closed waves whose final run is still owed (the roster may lag the survey)."""

    @event("Started")
    def __init__(self) -> None:
        self.due: list[str] = []

    @staticmethod
    def create_id() -> UUID:
        return FINAL_RUNS_ID

    def make_due(self, wave_id: UUID) -> None:
        if str(wave_id) not in self.due:
            self._due(wave_id=str(wave_id))

    @event("Due")
    def _due(self, wave_id: str) -> None:
        self.due.append(wave_id)

    def settle(self, wave_id: UUID, run_id: UUID) -> None:
        if str(wave_id) in self.due:
            self._settled(wave_id=str(wave_id), run_id=str(run_id))

    @event("Settled")
    def _settled(self, wave_id: str, run_id: str) -> None:
        # Not list.remove: a mutator never raises, whatever the stored history holds.
        self.due = [due for due in self.due if due != wave_id]


class ScoreRun(Aggregate):
    """One computation of a wave's scores, with everything needed to recompute it."""

    class Computed(Aggregate.Created):
        """v2 adds `lifecycle_after`: the roster followed unit lifecycle facts published
        after that registry position, and each unit's inputs carry its jurisdiction and
        status. A v1 run's roster knew registrations only (None)."""

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
            state["lifecycle_after"] = None

    @event(Computed)
    def __init__(
        self,
        wave_id: UUID,
        jurisdiction_id: UUID,
        wave_name: str,
        final: bool,
        scheme: dict[str, Any],
        upstream_positions: dict[str, int],
        inputs_digest: str,
        results: list[dict[str, Any]],
        results_digest: str,
        trigger: str,
        actor: str,
        lifecycle_after: int | None,
    ) -> None:
        self.wave_id = wave_id
        self.jurisdiction_id = jurisdiction_id
        self.wave_name = wave_name
        self.final = final
        self.scheme = scheme
        self.upstream_positions = upstream_positions
        self.inputs_digest = inputs_digest
        self.results = results
        self.results_digest = results_digest
        self.trigger = trigger
        self.actor = actor
        self.lifecycle_after = lifecycle_after

    @staticmethod
    def create_id(
        wave_id: UUID, scheme: dict[str, Any], upstream_positions: dict[str, int]
    ) -> UUID:
        """The same wave, scheme and upstream prefixes always name the same run."""
        return run_id_for(wave_id, scheme, upstream_positions)


def run_id_for(wave_id: UUID, scheme: dict[str, Any], upstream_positions: dict[str, int]) -> UUID:
    return uuid5(
        SCORING_NAMESPACE,
        f"run|{wave_id}|{scheme['scheme_hash']}"
        f"|registry={upstream_positions['registry']}|survey={upstream_positions['survey']}",
    )
