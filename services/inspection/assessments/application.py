"""Assessment commands and queries (a mixin of the inspection application). Current state and
history are read from the event store, so a correction is visible the moment it is made."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from services.inspection.assessments.domain import (
    AssessmentScore,
    AssessmentScoreExists,
    AssessmentScoreNotFound,
    CancellationExists,
    CancellationNotFound,
    RepresentativeViolation,
    ResultCancellation,
    Veto,
    VetoExists,
    VetoNotFound,
    cancellation_id,
    score_id,
    veto_id,
)
from shared.auth import Principal as Caller
from shared.errors import PingyiError
from shared.idempotency import Response, run_idempotent
from shared.service.application import PublishingApplication

A = TypeVar("A", bound=Aggregate)


class Commands(PublishingApplication):
    """Assessment scores, vetoes, result cancellations and representative violations."""

    def _load_assessment(self, kind: type[A], aggregate_id: UUID, missing: PingyiError) -> A:
        try:
            found: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise missing from None
        if not isinstance(found, kind):
            raise missing
        return found

    def _exists(self, aggregate_id: UUID) -> bool:
        try:
            self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    def assessment_score(self, score_id: UUID, field: str = "score_id") -> AssessmentScore:
        return self._load_assessment(
            AssessmentScore, score_id, AssessmentScoreNotFound("no such score", field=field)
        )

    def veto(self, veto_id: UUID, field: str = "veto_id") -> Veto:
        return self._load_assessment(Veto, veto_id, VetoNotFound("no such veto", field=field))

    def cancellation(
        self, cancellation_id: UUID, field: str = "cancellation_id"
    ) -> ResultCancellation:
        return self._load_assessment(
            ResultCancellation,
            cancellation_id,
            CancellationNotFound("no such cancellation", field=field),
        )

    # Scores --------------------------------------------------------------------------------

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
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
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
            )
            if self._exists(recorded.id):
                raise AssessmentScoreExists(
                    "this component is already scored for the unit in this round; "
                    "correct that score instead",
                    field="component_code",
                    score_id=str(recorded.id),
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
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            decided = Veto.decide(
                unit_id=unit_id,
                jurisdiction_id=jurisdiction_id,
                campaign_id=campaign_id,
                round=round,
                basis=basis,
                authority=authority,
                decided_on=decided_on,
                actor=caller.actor,
            )
            if self._exists(decided.id):
                raise VetoExists(
                    "the unit already has a veto for this campaign round",
                    field="unit_id",
                    veto_id=str(decided.id),
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
        return veto_out(found)

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
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
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
                    "the unit's results for this campaign round are already cancelled",
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
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
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


def _iso(value: datetime) -> str:
    return value.isoformat()


def _common(found: Any) -> Response:
    return {
        "unit_id": str(found.unit_id),
        "jurisdiction_id": str(found.jurisdiction_id),
        "campaign_id": str(found.campaign_id),
        "round": found.round,
    }


def score_out(s: AssessmentScore) -> Response:
    return {
        "score_id": str(s.id),
        **_common(s),
        "component_code": s.component_code,
        "component_name": s.component_name,
        "score": str(s.score),
        "maximum": str(s.maximum),
        "assessor": s.assessor,
        "basis": s.basis,
        "evidence": list(s.evidence),
        "reason": s.reason,
        "recorded_by": s.recorded_by,
        "recorded_at": _iso(s.created_on),
        "status": "withdrawn" if s.withdrawn else "active",
        "withdrawn_reason": s.withdrawn_reason,
        "version": s.version,
    }


def score_history_entry(domain_event: Any) -> Response:
    entry: Response = {"at": _iso(domain_event.timestamp), "actor": domain_event.actor}
    if isinstance(domain_event, AssessmentScore.Recorded | AssessmentScore.Corrected):
        kind = "recorded" if isinstance(domain_event, AssessmentScore.Recorded) else "corrected"
        return entry | {
            "event": kind,
            "score": str(domain_event.score),
            "assessor": domain_event.assessor,
            "basis": domain_event.basis,
            "evidence": list(domain_event.evidence),
            "reason": domain_event.reason,
        }
    if isinstance(domain_event, AssessmentScore.Withdrawn):
        return entry | {
            "event": "withdrawn",
            "score": None,
            "assessor": None,
            "basis": None,
            "evidence": None,
            "reason": domain_event.reason,
        }
    raise TypeError(f"{type(domain_event).__name__} is not an assessment score event")


def veto_out(v: Veto) -> Response:
    return {
        "veto_id": str(v.id),
        **_common(v),
        "basis": v.basis,
        "authority": v.authority,
        "decided_on": v.decided_on,
        "decided_by": v.decided_by,
        "status": "revoked" if v.revoked else "active",
        "revoked_reason": v.revoked_reason,
        "version": v.version,
    }


def cancellation_out(c: ResultCancellation) -> Response:
    return {
        "cancellation_id": str(c.id),
        **_common(c),
        "reason": c.reason,
        "decided_by": c.decided_by,
        "recorded_by": c.recorded_by,
        "recorded_at": _iso(c.created_on),
    }


def violation_out(v: RepresentativeViolation) -> Response:
    return {
        "violation_id": str(v.id),
        "person_id": str(v.person_id),
        "jurisdiction_id": str(v.jurisdiction_id),
        "campaign_id": str(v.campaign_id),
        "round": v.round,
        "description": v.description,
        "recorded_by": v.recorded_by,
        "recorded_at": _iso(v.created_on),
    }


__all__ = ["Commands", "cancellation_id", "score_id", "veto_id"]
