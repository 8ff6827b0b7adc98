"""Scoring: fold the registry and survey feeds into a roster and wave tallies, and compute
score runs from them, in the same transaction as the upstream position that caused them."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.domain import Aggregate

from services.scoring.batch import Batch, load
from services.scoring.counting import (
    LIFECYCLE_FACTS,
    SCALE_NOT_SUPPORTED,
    SURVEY_FACTS,
    Decision,
    UnitsOf,
    decisions_of,
    lifecycle_changes,
    unscored_scale,
)
from services.scoring.domain import (
    Roster,
    RosterIncomplete,
    ScaleNotSupported,
    ScoreRun,
    ScoreRunNotFound,
    UnknownScheme,
    WaveNotFound,
    WaveTally,
    run_id_for,
)
from services.scoring.rounds.application import RoundScoring
from services.scoring.scheme import (
    DEFAULT_SCHEME,
    SCHEMES,
    Scheme,
    build_inputs,
    compute,
    results_digest,
    unit_facts,
)
from shared.auth import Principal as Caller
from shared.canonical import digest
from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.registry import UnitRegistered
from shared.contracts.survey import WaveClosed, WaveOpened
from shared.integrity.scores import digest_warning
from shared.messaging.process import ProcessingApplication

log = logging.getLogger(__name__)

SYSTEM_ACTOR = "system:scoring"
# Other facts on these feeds (principals, jurisdictions, future contracts) pass untouched.
CONSUMED = LIFECYCLE_FACTS | SURVEY_FACTS | {UnitRegistered.event_type}


class ScoringApplication(ProcessingApplication, RoundScoring):
    name = "scoring"
    # Tallies of thousands of questionnaires are read on every batch: keep them cached,
    # and snapshot them so a cold start does not replay every counted batch.
    env: ClassVar[dict[str, str]] = {
        "AGGREGATE_CACHE_MAXSIZE": "1000",
        "IS_SNAPSHOTTING_ENABLED": "y",
    }
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {WaveTally: 20, Roster: 100}

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.lock = threading.Lock()
        """Held around every write, so registry and survey batches (and requested runs)
        never interleave their reads and writes of the same aggregates."""

    # --- consuming -----------------------------------------------------------------------

    def process_batch(
        self,
        processing_event: ProcessingEvent[Any],
        upstream: str,
        messages: Sequence[IntegrationMessage],
    ) -> None:
        """The inbox policy for both upstreams; the caller holds `lock`."""
        batch = Batch(self)
        inputs = self.inputs_of(upstream, messages)
        if inputs is not None:
            batch.add(inputs)
        # Per wave, in log order: decisions about one wave never depend on another's.
        decisions: dict[UUID, list[tuple[Decision, int]]] = {}
        check_finals = False
        amended: set[UUID] = set()
        for message in messages:
            if message.event_type not in CONSUMED:
                continue
            payload = parse_payload(message)
            if isinstance(payload, UnitRegistered):
                check_finals |= batch.roster().list_unit(
                    payload.unit_id,
                    payload.name,
                    payload.category,
                    payload.jurisdiction_id,
                    message.position,
                )
            elif message.event_type in LIFECYCLE_FACTS:
                for change in lifecycle_changes(payload):
                    batch.roster().change(change, message.position)
            elif isinstance(payload, WaveOpened):
                self._open(batch, payload, message.position)
            elif isinstance(payload, WaveClosed):
                if self._decide(batch, payload.wave_id, decisions.pop(payload.wave_id, [])):
                    amended.add(payload.wave_id)
                check_finals |= self._close(batch, payload.wave_id, message.position)
            elif (decided := decisions_of(payload, self._units_in(batch))) is not None:
                about, found = decided
                pending = decisions.setdefault(UUID(about), [])
                pending.extend((decision, message.position) for decision in found)
        for wave_id, taken in decisions.items():
            if self._decide(batch, wave_id, taken):
                amended.add(wave_id)
        if check_finals or amended:
            trigger = "wave_closed" if upstream == "survey" else "roster_completed"
            self._settle_finals(batch, trigger, amended)
        processing_event.collect_events(*batch.aggregates())

    @staticmethod
    def _units_in(batch: Batch) -> UnitsOf:
        def units_of(wave_id: str) -> Sequence[str] | None:
            tally = batch.get(UUID(wave_id), WaveTally)
            return None if tally is None else tally.unit_ids

        return units_of

    def _open(self, batch: Batch, payload: WaveOpened, position: int) -> None:
        if batch.get(payload.wave_id, WaveTally) is not None:
            return
        unit_ids = [str(unit_id) for unit_id in payload.unit_ids]
        tally = WaveTally(
            payload.wave_id, payload.jurisdiction_id, payload.name, unit_ids, position
        )
        scale = unscored_scale(payload)
        if scale is not None:
            # Recorded, so its later messages are recognised and a run request is refused
            # with the reason; its questionnaires are not folded and it owes no final run.
            tally.mark_unscored(scale, SCALE_NOT_SUPPORTED)
            log.warning(
                "wave not scored: %s",
                SCALE_NOT_SUPPORTED,
                extra={"wave_id": str(payload.wave_id), "scale": scale},
            )
        batch.add(tally)

    def _decide(self, batch: Batch, wave_id: UUID, decisions: list[tuple[Decision, int]]) -> bool:
        """Fold the decisions; True when a closed wave was amended (a final run is owed)."""
        if not decisions:
            return False
        tally = batch.get(wave_id, WaveTally)
        if tally is None:
            log.warning(
                "questionnaire decisions for a wave scoring never saw open",
                extra={"wave_id": str(wave_id)},
            )
            return False
        if not tally.scored:
            return False
        outcome = tally.take(decisions)
        if outcome.refused:
            log.warning(
                "questionnaires not counted (already recorded, or wave closed)",
                extra={"wave_id": str(wave_id), "response_ids": outcome.refused},
            )
        if outcome.late:
            # The final run no longer describes the wave: a new one is owed (the earlier
            # stays, with its positions, for audit).
            batch.final_runs().make_due(wave_id)
            log.info(
                "closed wave amended: a new final run is owed",
                extra={"wave_id": str(wave_id), "decisions": outcome.late},
            )
            return True
        return False

    def _close(self, batch: Batch, wave_id: UUID, position: int) -> bool:
        tally = batch.get(wave_id, WaveTally)
        if tally is None or not tally.close(position) or not tally.scored:
            return False
        batch.final_runs().make_due(wave_id)
        return True

    def _settle_finals(self, batch: Batch, trigger: str, amended: set[UUID] | None = None) -> None:
        """Compute the final runs owed; a wave `amended` after its close says so."""
        queue = batch.final_runs()
        roster = batch.roster()
        for wave_id in list(queue.due):
            tally = batch.get(UUID(wave_id), WaveTally)
            if tally is None or not tally.scored or roster.missing(tally.unit_ids):
                continue
            why = "amended_after_close" if tally.id in (amended or set()) else trigger
            run, _ = self._run(batch, tally, DEFAULT_SCHEME, True, why, SYSTEM_ACTOR)
            queue.settle(tally.id, run.id)

    def _run(
        self, batch: Batch, tally: WaveTally, scheme: Scheme, final: bool, trigger: str, actor: str
    ) -> tuple[ScoreRun, bool]:
        """The run for the tally's and roster's current positions: the stored one if these
        exact inputs were scored before, else a new one. Returns (run, created)."""
        roster = batch.roster()
        positions = {"registry": roster.position or 0, "survey": tally.position}
        existing = batch.get(run_id_for(tally.id, scheme.ref(), positions), ScoreRun)
        if existing is not None:
            return existing, False
        facts = unit_facts(roster.lifecycle_after)
        inputs = build_inputs(
            tally.describe(), roster.units, tally.counts, len(tally.counted), facts
        )
        results = compute(scheme, inputs)
        run = ScoreRun(
            wave_id=tally.id,
            jurisdiction_id=tally.jurisdiction_id,
            wave_name=tally.name,
            final=final,
            scheme=scheme.ref(),
            upstream_positions=positions,
            inputs_digest=digest(inputs),
            results=results,
            results_digest=results_digest(results),
            trigger=trigger,
            actor=actor,
            lifecycle_after=roster.lifecycle_after,
        )
        batch.add(run)
        tally.record_run(run.id, final)
        return run, True

    # --- commands and queries ------------------------------------------------------------

    def request_run(
        self, caller: Caller, wave_id: UUID, scheme_id: str, version: int
    ) -> tuple[ScoreRun, bool]:
        """A provisional run from what has been counted so far; asking again before anything
        new arrives returns the same run."""
        scheme = SCHEMES.get((scheme_id, version))
        if scheme is None:
            raise UnknownScheme(f"no scheme {scheme_id} v{version}", field="scheme_id")
        with self.lock:
            batch = Batch(self)
            tally = batch.get(wave_id, WaveTally)
            if tally is None:
                raise WaveNotFound("no such wave", field="wave_id")
            if not tally.scored:
                raise ScaleNotSupported(
                    f"the wave's answers are on the {tally.unscored_scale} scale: "
                    f"{tally.unscored_reason}",
                    field="wave_id",
                    scale=tally.unscored_scale,
                    scheme_id=scheme_id,
                )
            missing = batch.roster().missing(tally.unit_ids)
            if missing:
                raise RosterIncomplete(
                    "some of the wave's units have not reached scoring from the registry yet",
                    field="wave_id",
                    unit_ids=missing,
                )
            run, created = self._run(batch, tally, scheme, False, "requested", caller.actor)
            if created:
                self.save(*batch.aggregates())
        return run, created

    def tally(self, wave_id: UUID, field: str = "wave_id") -> WaveTally:
        try:
            found = load(self, wave_id)
        except AggregateNotFoundError:
            raise WaveNotFound("no such wave", field=field) from None
        if not isinstance(found, WaveTally):
            raise WaveNotFound("no such wave", field=field)
        return found

    def run(self, run_id: UUID, field: str = "run_id") -> ScoreRun:
        try:
            found: Aggregate = self.repository.get(run_id)
        except AggregateNotFoundError:
            raise ScoreRunNotFound("no such score run", field=field) from None
        if not isinstance(found, ScoreRun):
            raise ScoreRunNotFound("no such score run", field=field)
        return found

    def runs(self, wave_id: UUID) -> list[ScoreRun]:
        return [self.run(UUID(run_id)) for run_id in self.tally(wave_id).run_ids]


def run_out(run: ScoreRun) -> dict[str, Any]:
    return {
        "run_id": str(run.id),
        "wave_id": str(run.wave_id),
        "jurisdiction_id": str(run.jurisdiction_id),
        "wave_name": run.wave_name,
        "final": run.final,
        "scheme": run.scheme,
        "upstream_positions": run.upstream_positions,
        "inputs_digest": run.inputs_digest,
        "results": run.results,
        "results_digest": run.results_digest,
        "trigger": run.trigger,
        "actor": run.actor,
        "computed_at": run.created_on.isoformat(),
        "integrity_warning": digest_warning(run.results, run.results_digest, str(run.id)),
    }


def run_summary(run: ScoreRun) -> dict[str, Any]:
    return {key: value for key, value in run_out(run).items() if key != "results"}
