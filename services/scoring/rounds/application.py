"""Commands and queries of campaign-round scoring, mixed into `ScoringApplication`.

Every round result comes from one call of the engine (`services.scoring.engine`) on the
round's fold: the live runs here, the auditor's replay and the offline verifier compute
the same way from the same messages.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.scoring.engine.compute import compute_round
from services.scoring.engine.compute.revision import CURRENT, revision_of
from services.scoring.engine.fold import relevant
from services.scoring.engine.scheme import Scheme
from services.scoring.engine.whatif import compare_results
from services.scoring.rounds.domain import (
    CampaignScheme,
    InputBatch,
    RoundRun,
    RoundRunNotFound,
    RoundRuns,
    SchemeNotAssigned,
    campaign_scheme_id,
    round_run_id,
    round_runs_id,
)
from services.scoring.rounds.folds import RoundFolds
from services.scoring.rounds.keys import as_application
from services.scoring.rounds.schemes import SchemeCatalog
from shared.auth import Principal
from shared.contracts import IntegrationMessage
from shared.idempotency import Response, run_idempotent
from shared.integrity.scores import digest_warning

COMPUTED_KEPT = 32
"""Round results kept per process, by what determines them (see `_computed`)."""

ComputedKey = tuple[str, int, str, tuple[tuple[str, int], ...]]
_CREATING = threading.Lock()

ASSIGNMENT_SCOPE = "scheme-assignment"
ROUND_RUN_SCOPE = "round-run"
WHAT_IF_SCOPE = "what-if"
"""The Idempotency-Key scopes of PUT …/scheme, POST …/score-runs and POST …/what-if."""


@dataclass(frozen=True)
class _Prepared:
    """A run request as the round stood when it was read, outside the lock: the scheme in
    force, the positions, and either the stored run that answers it or the results a new
    run records."""

    scheme: dict[str, Any]
    positions: dict[str, int]
    existing: RoundRun | None
    results: dict[str, Any] | None


class RoundScoring(SchemeCatalog):
    """Needs the eventsourcing `Application` it is mixed into (repository, save, lock)."""

    def _computed(self, campaign_id: UUID, round_number: int, scheme: Scheme, fold: Any) -> Any:
        """`compute_round` of the fold under `scheme`, computed once per (round, scheme
        hash, positions): the fold is a pure function of the messages up to its positions,
        so the same key is the same results. An office polling the standings while nothing
        arrives, and a run requested right after them, cost a lookup instead of the round's
        computation. Each caller gets its own copy."""
        key: ComputedKey = (
            str(campaign_id),
            round_number,
            scheme.scheme_hash,
            tuple(fold.positions().items()),
        )
        with self._computed_lock():
            kept: OrderedDict[ComputedKey, Any] | None = getattr(self, "_computed_cache", None)
            if kept is None:
                kept = OrderedDict()
                self._computed_cache = kept
            found = kept.get(key)
            if found is not None:
                kept.move_to_end(key)
                return copy.deepcopy(found)
        results = compute_round(scheme, fold.inputs())
        with self._computed_lock():
            kept[key] = copy.deepcopy(results)
            while len(kept) > COMPUTED_KEPT:
                kept.popitem(last=False)
        return results

    def _computed_lock(self) -> threading.Lock:
        found: threading.Lock | None = getattr(self, "_computed_cache_lock", None)
        if found is None:
            # Not the application's lock: a fold may be held under it while this runs.
            with _CREATING:
                found = getattr(self, "_computed_cache_lock", None)
                if found is None:
                    found = self._computed_cache_lock = threading.Lock()
        return found

    def _round_folds(self) -> RoundFolds:
        folds: RoundFolds | None = getattr(self, "_folds_cache", None)
        if folds is None:
            folds = RoundFolds(self)  # type: ignore[arg-type]
            self._folds_cache = folds
        return folds

    # --- consuming -------------------------------------------------------------------------

    @staticmethod
    def inputs_of(upstream: str, messages: Sequence[IntegrationMessage]) -> InputBatch | None:
        """The batch's messages the engine folds, kept as received; None when none are."""
        kept = [message.model_dump(mode="json") for message in messages if relevant(message)]
        return InputBatch(upstream, kept) if kept else None

    # --- schemes ---------------------------------------------------------------------------

    def assign_scheme(
        self,
        caller: Principal,
        campaign_id: UUID,
        scheme_id: str,
        version: int,
        reason: str,
        *,
        key: str | None = None,
        request: dict[str, Any] | None = None,
    ) -> Response:
        """The campaign's assignments as they stand after naming this scheme version (the
        same version as the one in force changes nothing). With an Idempotency-Key a retry
        answers what the first request was answered, even after a later assignment."""

        def command() -> tuple[list[Any], Response]:
            scheme = self.scheme(scheme_id, version, "body.scheme_id")
            ref = scheme.ref()
            assigned = self._get(campaign_scheme_id(campaign_id), CampaignScheme)
            if assigned is None:
                assigned = CampaignScheme(
                    campaign_id,
                    scheme.scheme_id,
                    scheme.version,
                    ref["scheme_hash"],
                    caller.actor,
                    reason,
                )
            elif assigned.current["scheme_hash"] == ref["scheme_hash"]:
                return [], assignment_out(assigned)
            else:
                assigned.reassign(
                    scheme.scheme_id, scheme.version, ref["scheme_hash"], caller.actor, reason
                )
            return [assigned], assignment_out(assigned)

        return run_idempotent(
            as_application(self),
            principal_id=caller.principal_id,
            scope=ASSIGNMENT_SCOPE,
            key=key,
            request=request or {},
            command=command,
            lock=self.lock,
        )

    def campaign_scheme(self, campaign_id: UUID) -> CampaignScheme:
        assigned = self._get(campaign_scheme_id(campaign_id), CampaignScheme)
        if assigned is None:
            raise SchemeNotAssigned(
                "该评议活动尚未指定计分方案, 请先指定 (PUT /campaigns/{id}/scheme) "
                "(no scheme is assigned to this campaign)",
                field="campaign_id",
            )
        return assigned  # type: ignore[no-any-return]

    def scheme_in_force(self, campaign_id: UUID) -> Scheme:
        current = self.campaign_scheme(campaign_id).current
        return self.scheme(current["scheme_id"], current["version"])

    # --- runs ------------------------------------------------------------------------------

    def standings(self, campaign_id: UUID, round_number: int, scheme: Scheme) -> dict[str, Any]:
        """The round as it stands now under `scheme`: computed, not stored."""
        with self._round_folds().current(str(campaign_id), round_number) as fold:
            positions = fold.positions()
            results = self._computed(campaign_id, round_number, scheme, fold)
        return {"upstream_positions": positions, "results": results}

    def what_if(
        self,
        caller: Principal,
        campaign_id: UUID,
        round_number: int,
        draft_document: dict[str, Any],
        *,
        key: str | None = None,
        request: dict[str, Any] | None = None,
    ) -> Response:
        """The differences per unit if the round were scored by the draft instead of the
        scheme in force; nothing is stored or published. With an Idempotency-Key the answer
        is kept with the key's record (the only thing stored), so a retry gets the first
        answer and the same key with another request is refused, as on every POST."""

        def command() -> tuple[list[Any], Response]:
            return [], self._what_if(campaign_id, round_number, draft_document)

        # No lock: nothing but the key's record is saved, and a clash on it is a replay.
        return run_idempotent(
            as_application(self),
            principal_id=caller.principal_id,
            scope=WHAT_IF_SCOPE,
            key=key,
            request=request or {},
            command=command,
        )

    def _what_if(
        self, campaign_id: UUID, round_number: int, draft_document: dict[str, Any]
    ) -> dict[str, Any]:
        draft = self._new_scheme(draft_document)
        in_force = self.scheme_in_force(campaign_id)
        with self._round_folds().current(str(campaign_id), round_number) as fold:
            positions = fold.positions()
            inputs = fold.inputs()
            current = compute_round(in_force, inputs)
            proposed = compute_round(draft, inputs)
        return {
            "in_force": in_force.ref(),
            "draft": draft.ref(),
            "upstream_positions": positions,
            "differences": compare_results(current, proposed),
        }

    def request_round_run(
        self,
        caller: Principal,
        campaign_id: UUID,
        round_number: int,
        jurisdiction_id: UUID,
        *,
        final: bool,
        reason: str,
        key: str | None = None,
        request: dict[str, Any] | None = None,
    ) -> tuple[RoundRun, bool]:
        """A run of the round as it stands, under the scheme in force; the same inputs,
        scheme and finality again give the stored run. Returns the run and whether this
        request recorded it.

        The round's result is its latest final run (what reporting shows and the audit
        export takes). A final asked for again with the scheme and inputs of that latest
        final is that run; otherwise it is a new final that becomes the round's result —
        also when an earlier final had the same scheme and inputs and was superseded since
        (the campaign scored by another scheme, then switched back): its id is then derived
        from the final it supersedes too, so it is not the old run.

        With an Idempotency-Key a retry answers the run the first request was answered
        (and its status), whatever arrived or was scored since, without computing the round
        again; the same key with another request is refused (409) and records nothing."""

        def prepare() -> _Prepared:
            # Outside the lock, and only when the key (if any) has no record yet.
            return self._prepare_run(campaign_id, round_number, final)

        def command(prepared: _Prepared) -> tuple[list[Any], Response]:
            return self._record_run(
                caller, campaign_id, round_number, jurisdiction_id, final, reason, prepared
            )

        answer = run_idempotent(
            as_application(self),
            principal_id=caller.principal_id,
            scope=ROUND_RUN_SCOPE,
            key=key,
            request=request or {},
            prepare=prepare,
            command=command,
            lock=self.lock,
        )
        return self.round_run(UUID(answer["run_id"])), answer["status_code"] == 201

    def _prepare_run(self, campaign_id: UUID, round_number: int, final: bool) -> _Prepared:
        """The round read and, unless a stored run answers the request, computed: outside
        the lock, so computing one round holds up no other write."""
        scheme = self.scheme_in_force(campaign_id)
        ref = scheme.ref()
        with self._round_folds().current(str(campaign_id), round_number) as fold:
            positions = fold.positions()
            existing, _ = self._run_for(campaign_id, round_number, final, ref, positions)
            if existing is not None:
                return _Prepared(ref, positions, existing, None)
            results = self._computed(campaign_id, round_number, scheme, fold)
        return _Prepared(ref, positions, None, results)

    def _record_run(
        self,
        caller: Principal,
        campaign_id: UUID,
        round_number: int,
        jurisdiction_id: UUID,
        final: bool,
        reason: str,
        prepared: _Prepared,
    ) -> tuple[list[Any], Response]:
        """Under the lock: (the unsaved run and the round's index of runs, or none when a
        stored run answers; the answer, `status_code` and `run_id`)."""
        if prepared.existing is not None:
            return [], {"status_code": 200, "run_id": str(prepared.existing.id)}
        # Again under the lock: another request may have recorded a final meanwhile.
        ref, positions = prepared.scheme, prepared.positions
        existing, run_id = self._run_for(campaign_id, round_number, final, ref, positions)
        if existing is not None:
            return [], {"status_code": 200, "run_id": str(existing.id)}
        results = prepared.results
        assert results is not None  # computed whenever no stored run answered
        run = RoundRun.computed(
            run_id,
            campaign_id=campaign_id,
            round_number=round_number,
            jurisdiction_id=jurisdiction_id,
            final=final,
            scheme=ref,
            upstream_positions=positions,
            inputs_digest=results["inputs_digest"],
            results=results,
            results_digest=results["results_digest"],
            trigger="requested",
            actor=caller.actor,
            reason=reason,
        )
        runs = self._get(round_runs_id(campaign_id, round_number), RoundRuns)
        runs = runs or RoundRuns(campaign_id, round_number)
        runs.add(str(run.id), final)
        return [run, runs], {"status_code": 201, "run_id": str(run.id)}

    def _run_for(
        self,
        campaign_id: UUID,
        round_number: int,
        final: bool,
        ref: dict[str, Any],
        positions: dict[str, int],
    ) -> tuple[RoundRun | None, UUID]:
        """(the stored run that answers the request, or None; the id a new run takes). A
        run computed under an earlier engine revision answers no request: the same scheme
        and inputs are computed again under the current one, a run of its own."""
        plain = round_run_id(campaign_id, round_number, final, ref, positions, revision=CURRENT)
        if not final:
            return self._get(plain, RoundRun), plain
        runs = self._get(round_runs_id(campaign_id, round_number), RoundRuns)
        current_id = None if runs is None else runs.final_run_id
        if current_id is None:
            return self._get(plain, RoundRun), plain
        current: RoundRun = self.round_run(UUID(current_id))
        if (
            current.scheme["scheme_hash"] == ref["scheme_hash"]
            and current.upstream_positions == positions
            and revision_of(current.results) == CURRENT
        ):
            return current, current.id
        if self._get(plain, RoundRun) is None:
            return None, plain
        return None, round_run_id(
            campaign_id,
            round_number,
            final,
            ref,
            positions,
            supersedes=current_id,
            revision=CURRENT,
        )

    def round_run(self, run_id: UUID, field: str = "run_id") -> RoundRun:
        found = self._get(run_id, RoundRun)
        if found is None:
            raise RoundRunNotFound("没有这次计分 (no such round run)", field=field)
        return found  # type: ignore[no-any-return]

    def round_runs(self, campaign_id: UUID, round_number: int) -> list[RoundRun]:
        runs = self._get(round_runs_id(campaign_id, round_number), RoundRuns)
        ids = [] if runs is None else runs.run_ids
        return [self.round_run(UUID(run_id)) for run_id in ids]


def assignment_out(assigned: CampaignScheme) -> dict[str, Any]:
    return {
        "campaign_id": str(assigned.campaign_id),
        "current": dict(assigned.current),
        "assignments": [dict(entry) for entry in assigned.assignments],
    }


def round_run_out(run: RoundRun, with_results: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "run_id": str(run.id),
        "campaign_id": str(run.campaign_id),
        "round": run.round_number,
        "jurisdiction_id": str(run.jurisdiction_id),
        "final": run.final,
        "scheme": run.scheme,
        "upstream_positions": run.upstream_positions,
        "inputs_digest": run.inputs_digest,
        "results_digest": run.results_digest,
        "trigger": run.trigger,
        "actor": run.actor,
        "reason": run.reason,
        "computed_at": run.created_on.isoformat(),
        "integrity_warning": digest_warning(run.results, run.results_digest, str(run.id)),
    }
    if with_results:
        out["results"] = run.results
    return out
