"""Commands and queries of campaign-round scoring, mixed into `ScoringApplication`.

Every round result comes from one call of the engine (`services.scoring.engine`) on the
round's fold: the live runs here, the auditor's replay and the offline verifier compute
the same way from the same messages. The class is layered by subject: `rounds.base` (the
fold, computed results, the scheme in force), `rounds.runs` (round runs), and here the
scheme assignment, the standings and what-if.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.scoring.engine.compute import compute_round
from services.scoring.engine.scheme import Scheme
from services.scoring.engine.whatif import compare_results
from services.scoring.rounds.base import COMPUTED_KEPT
from services.scoring.rounds.domain import CampaignScheme, campaign_scheme_id
from services.scoring.rounds.flag_words import flag_names
from services.scoring.rounds.keys import as_application
from services.scoring.rounds.runs import (
    FINAL_NEEDS_REASON,
    ROUND_RUN_SCOPE,
    RunCommands,
    round_run_out,
)
from shared.idempotency import Response, run_idempotent
from shared.principals import Principal

__all__ = [
    "ASSIGNMENT_SCOPE",
    "COMPUTED_KEPT",
    "FINAL_NEEDS_REASON",
    "ROUND_RUN_SCOPE",
    "WHAT_IF_SCOPE",
    "RoundScoring",
    "assignment_out",
    "round_run_out",
]

ASSIGNMENT_SCOPE = "scheme-assignment"
WHAT_IF_SCOPE = "what-if"
"""The Idempotency-Key scopes of PUT …/scheme and POST …/what-if (POST …/score-runs:
`rounds.runs.ROUND_RUN_SCOPE`)."""


class RoundScoring(RunCommands):
    """Needs the eventsourcing `Application` it is mixed into (repository, save, lock)."""

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
            "differences": compare_results(
                current, proposed, flag_names(current, in_force), flag_names(proposed, draft)
            ),
        }


def assignment_out(assigned: CampaignScheme) -> dict[str, Any]:
    return {
        "campaign_id": str(assigned.campaign_id),
        "current": dict(assigned.current),
        "assignments": [dict(entry) for entry in assigned.assignments],
    }
