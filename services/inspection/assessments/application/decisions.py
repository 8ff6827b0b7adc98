"""The decisions that override scores: vetoes and their revocation, result cancellations,
representatives' violations."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from services.inspection.assessments.application.loading import Loading
from services.inspection.assessments.application.outputs import (
    cancellation_out,
    veto_history_entry,
    veto_out,
    violation_out,
)
from services.inspection.assessments.domain import (
    CancellationExists,
    RepresentativeViolation,
    ResultCancellation,
    Veto,
)
from services.inspection.campaigns import Checks, Counted, unchecked
from services.inspection.workdays import china_today
from shared.idempotency import Response, run_idempotent
from shared.principals import Principal as Caller


class DecisionCommands(Loading):
    """一票否决, 取消评议成绩, 评议代表违纪 (a mixin of the inspection application)."""

    def decide_veto(
        self,
        caller: Caller,
        *,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID,
        round: int,
        basis: str,
        authority: str,
        decided_on: date,
        key: str | None,
        counted: Counted = unchecked,
    ) -> Response:
        """`counted`: the campaign checks, run once the key was looked up; they answer the
        round's window, which the day decided must lie in."""

        def command() -> tuple[list[Any], Response]:
            window = counted()
            decided = Veto.decide(
                unit_id=unit_id,
                jurisdiction_id=jurisdiction_id,
                campaign_id=campaign_id,
                round=round,
                basis=basis,
                authority=authority,
                decided_on=decided_on,
                actor=caller.actor,
                today=china_today(),
                lookup=self._stored,
                window=window,
            )
            return [decided], self.describe_veto(decided)

        request = {
            "unit_id": unit_id,
            "campaign_id": campaign_id,
            "round": round,
            "basis": basis,
            "authority": authority,
            "decided_on": decided_on,
        }
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="veto",
            key=key,
            request=request,
            command=command,
        )

    def revoke_veto(self, caller: Caller, veto_id: UUID, reason: str, key: str | None) -> Response:
        def command() -> tuple[list[Any], Response]:
            found = self.veto(veto_id)
            found.revoke(reason, caller.actor)
            return [found], self.describe_veto(found)

        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope=f"veto-revocation:{veto_id}",
            key=key,
            request={"reason": reason},
            command=command,
        )

    def describe_veto(self, found: Veto) -> Response:
        events = [*self.events.get(found.id), *found.pending_events]
        return veto_out(found) | {"history": [veto_history_entry(e) for e in events]}

    # Cancellations and representative violations -------------------------------------------

    def cancel_results(
        self,
        caller: Caller,
        *,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID,
        round: int,
        reason: str,
        decided_by: str,
        key: str | None,
        checks: Checks = unchecked,
    ) -> Response:
        """`checks`: the campaign checks, run once the key was looked up (`counted`)."""

        def command() -> tuple[list[Any], Response]:
            checks()
            cancelled = ResultCancellation.cancel(
                unit_id=unit_id,
                jurisdiction_id=jurisdiction_id,
                campaign_id=campaign_id,
                round=round,
                reason=reason,
                decided_by=decided_by,
                actor=caller.actor,
            )
            if self._exists(cancelled.id):
                raise CancellationExists(
                    "该单位本轮评议成绩已取消 "
                    "(the unit's results for this campaign round are already cancelled)",
                    field="unit_id",
                    cancellation_id=str(cancelled.id),
                )
            return [cancelled], cancellation_out(cancelled)

        request = {
            "unit_id": unit_id,
            "campaign_id": campaign_id,
            "round": round,
            "reason": reason,
            "decided_by": decided_by,
        }
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="cancellation",
            key=key,
            request=request,
            command=command,
        )

    def record_representative_violation(
        self,
        caller: Caller,
        *,
        person_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID,
        round: int | None,
        description: str,
        key: str | None,
        checks: Checks = unchecked,
    ) -> Response:
        """`checks`: the campaign checks, run once the key was looked up (`counted`)."""

        def command() -> tuple[list[Any], Response]:
            checks()
            recorded = RepresentativeViolation.record(
                person_id=person_id,
                jurisdiction_id=jurisdiction_id,
                campaign_id=campaign_id,
                round=round,
                description=description,
                actor=caller.actor,
            )
            return [recorded], violation_out(recorded)

        request = {
            "person_id": person_id,
            "jurisdiction_id": jurisdiction_id,
            "campaign_id": campaign_id,
            "round": round,
            "description": description,
        }
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope="representative-violation",
            key=key,
            request=request,
            command=command,
        )
