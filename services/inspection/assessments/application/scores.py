"""Assessment scores: recorded, corrected and withdrawn; current state and history read from
the event store, so a correction is visible the moment it is made."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from uuid import UUID

from services.inspection.assessments.application.loading import Loading
from services.inspection.assessments.application.outputs import (
    score_history_entry,
    score_out,
)
from services.inspection.assessments.domain import AssessmentScore
from services.inspection.campaigns import Checks, unchecked
from shared.idempotency import Response, run_idempotent
from shared.principals import Principal as Caller


class ScoreCommands(Loading):
    """评议组评分 (a mixin of the inspection application)."""

    def record_assessment_score(
        self,
        caller: Caller,
        *,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID,
        round: int,
        component_code: str,
        component_name: str,
        score: Decimal,
        maximum: Decimal,
        assessor: str,
        basis: str,
        evidence: Sequence[str],
        reason: str,
        key: str | None,
        checks: Checks = unchecked,
    ) -> Response:
        """`checks`: the campaign checks, run once the key was looked up (`counted`)."""

        def command() -> tuple[list[Any], Response]:
            checks()
            recorded = AssessmentScore.record(
                unit_id=unit_id,
                jurisdiction_id=jurisdiction_id,
                campaign_id=campaign_id,
                round=round,
                component_code=component_code,
                component_name=component_name,
                score=score,
                maximum=maximum,
                assessor=assessor,
                basis=basis,
                evidence=evidence,
                reason=reason,
                actor=caller.actor,
                lookup=self._stored,
            )
            return [recorded], self.describe_score(recorded)

        request = {
            "unit_id": unit_id,
            "campaign_id": campaign_id,
            "round": round,
            "component_code": component_code,
            "component_name": component_name,
            "score": str(score),
            "maximum": str(maximum),
            "assessor": assessor,
            "basis": basis,
            "evidence": list(evidence),
            "reason": reason,
        }
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="assessment-score",
            key=key,
            request=request,
            command=command,
        )

    def correct_assessment_score(
        self,
        caller: Caller,
        score_id: UUID,
        *,
        score: Decimal,
        assessor: str | None,
        basis: str | None,
        evidence: Sequence[str] | None,
        reason: str,
        key: str | None,
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            found = self.assessment_score(score_id)
            found.correct(
                score=score,
                assessor=assessor,
                basis=basis,
                evidence=evidence,
                reason=reason,
                actor=caller.actor,
            )
            return [found], self.describe_score(found)

        request = {
            "score": str(score),
            "assessor": assessor,
            "basis": basis,
            "evidence": None if evidence is None else list(evidence),
            "reason": reason,
        }
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope=f"assessment-correction:{score_id}",
            key=key,
            request=request,
            command=command,
        )

    def withdraw_assessment_score(
        self, caller: Caller, score_id: UUID, reason: str, key: str | None
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            found = self.assessment_score(score_id)
            found.withdraw(reason, caller.actor)
            return [found], self.describe_score(found)

        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope=f"assessment-withdrawal:{score_id}",
            key=key,
            request={"reason": reason},
            command=command,
        )

    def describe_score(self, found: AssessmentScore, *, with_history: bool = True) -> Response:
        out = score_out(found)
        if with_history:
            events = [*self.events.get(found.id), *found.pending_events]
            out["history"] = [score_history_entry(e) for e in events]
        return out

    # Vetoes ---------------------------------------------------------------------------------
