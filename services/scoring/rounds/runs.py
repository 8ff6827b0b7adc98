"""Round runs: a provisional run or the round's final result, requested by an office,
mixed into `ScoringApplication` through `rounds.application.RoundScoring`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from services.scoring.engine.compute.revision import CURRENT, revision_of
from services.scoring.engine.scheme import Scheme, SchemeError
from services.scoring.rounds.base import RoundBase
from services.scoring.rounds.domain import (
    FinalNeedsReason,
    RoundRun,
    RoundRunNotFound,
    RoundRuns,
    SchemeNotFound,
    round_run_id,
    round_runs_id,
)
from services.scoring.rounds.flag_words import flag_names
from services.scoring.rounds.keys import as_application
from shared.idempotency import Response, run_idempotent
from shared.integrity.scores import digest_warning
from shared.principals import Principal

ROUND_RUN_SCOPE = "round-run"
"""The Idempotency-Key scope of POST …/score-runs."""

FINAL_NEEDS_REASON = (
    "本轮已有最终结果, 新的最终结果将替换它, 须说明理由 "
    "(the round already has a final result, which this final run would replace: "
    "give the reason)"
)


@dataclass(frozen=True)
class _Prepared:
    """A run request as the round stood when it was read, outside the lock: the scheme in
    force, the positions, and either the stored run that answers it or the results a new
    run records."""

    scheme: dict[str, Any]
    positions: dict[str, int]
    existing: RoundRun | None
    results: dict[str, Any] | None


class RunCommands(RoundBase):
    """Requesting and reading a round's runs."""

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
            return self._prepare_run(campaign_id, round_number, final, reason)

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

    def _prepare_run(
        self, campaign_id: UUID, round_number: int, final: bool, reason: str
    ) -> _Prepared:
        """The round read and, unless a stored run answers the request, computed: outside
        the lock, so computing one round holds up no other write. A final that would
        replace the round's final without a reason is refused before computing (and again
        under the lock, where a final recorded meanwhile is seen)."""
        scheme = self.scheme_in_force(campaign_id)
        ref = scheme.ref()
        with self._round_folds().current(str(campaign_id), round_number) as fold:
            positions = fold.positions()
            existing, _ = self._run_for(campaign_id, round_number, final, ref, positions)
            if existing is not None:
                return _Prepared(ref, positions, existing, None)
            self._refuse_unexplained_replacement(campaign_id, round_number, final, reason)
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
        runs = self._refuse_unexplained_replacement(campaign_id, round_number, final, reason)
        replaces = None if runs is None or not final else runs.final_run_id
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
            replaces=replaces,
        )
        runs = runs or RoundRuns(campaign_id, round_number)
        runs.add(str(run.id), final)
        return [run, runs], {"status_code": 201, "run_id": str(run.id)}

    def _refuse_unexplained_replacement(
        self, campaign_id: UUID, round_number: int, final: bool, reason: str
    ) -> RoundRuns | None:
        """The round's index of runs, once a final replacing its final is known to say why."""
        runs = self._get(round_runs_id(campaign_id, round_number), RoundRuns)
        replaces = None if runs is None or not final else runs.final_run_id
        if replaces is not None and not reason.strip():
            raise FinalNeedsReason(FINAL_NEEDS_REASON, field="body.reason", replaces=replaces)
        return runs

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

    def round_run_answer(self, run: RoundRun) -> dict[str, Any]:
        """A run as an office reads it (POST …/score-runs, GET /round-runs/{id}): as stored,
        with its flags in words (`flag_names`) beside the results, which stay as stored,
        digested and replayed. Built on every answer, a keyed retry's too: the key's record
        keeps the run's id and status, not a body."""
        return {**round_run_out(run), "flag_names": flag_names(run.results, self._run_scheme(run))}

    def _run_scheme(self, run: RoundRun) -> Scheme | None:
        """The scheme the run was computed under, for its components' names; None when it
        is not known as it was (gone, no longer valid, or another hash under the same id
        and version): its flags then keep the component's code, rather than the read of a
        stored run failing or naming a component in another document's words."""
        try:
            scheme = self.scheme(run.scheme["scheme_id"], run.scheme["version"])
        except (SchemeNotFound, SchemeError):
            return None
        return scheme if scheme.scheme_hash == run.scheme.get("scheme_hash") else None

    def round_runs(self, campaign_id: UUID, round_number: int) -> list[RoundRun]:
        runs = self._get(round_runs_id(campaign_id, round_number), RoundRuns)
        ids = [] if runs is None else runs.run_ids
        return [self.round_run(UUID(run_id)) for run_id in ids]


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
        "replaces": run.replaces,
        "computed_at": run.created_on.isoformat(),
        "integrity_warning": digest_warning(run.results, run.results_digest, str(run.id)),
    }
    if with_results:
        out["results"] = run.results
    return out
