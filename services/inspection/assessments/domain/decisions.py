"""The decisions that override scores: a one-vote veto (一票否决) and its revocation, a unit's
results cancelled (取消评议成绩), a representative's violation (评议代表违纪). Commands validate
and normalise; mutators only assign."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.inspection.assessments.domain.rules import (
    ASSESSOR_MAX,
    REASON_MAX,
    TEXT_MAX,
    InvalidAssessment,
    Lookup,
    VetoAlreadyRevoked,
    VetoExists,
    cancellation_id,
    free_id,
    nothing_recorded,
    round_number,
    text,
    veto_id,
)
from services.inspection.dates import Window, not_future, within


class Veto(Aggregate):
    """一票否决 of a unit's result for a campaign round, by a deciding authority."""

    class Decided(Aggregate.Created):
        unit_id: UUID
        jurisdiction_id: UUID
        campaign_id: UUID
        round: int
        basis: str
        authority: str
        decided_on: str
        """ISO date (the stored events carry dates as text)."""
        actor: str

    class Revoked(Aggregate.Event):
        unit_id: UUID
        jurisdiction_id: UUID
        campaign_id: UUID
        round: int
        reason: str
        actor: str

    @staticmethod
    def create_id(campaign_id: UUID, round: int, unit_id: UUID) -> UUID:
        return veto_id(campaign_id, round, unit_id)

    @classmethod
    def decide(
        cls,
        *,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID,
        round: int,
        basis: str,
        authority: str,
        decided_on: date,
        actor: str,
        today: date,
        lookup: Lookup = nothing_recorded,
        window: Window | None = None,
    ) -> Veto:
        """A revoked veto does not hold the unit's round: a new one takes the next id of
        its (campaign, round, unit), so consumers count it as the new veto it is.
        `window`: the round's days; a veto decided outside them is not this round's."""
        checked_round = round_number(round)
        day = not_future(decided_on, today, "decided_on", InvalidAssessment)
        within(day, window, "decided_on", InvalidAssessment)
        values = {
            "unit_id": unit_id,
            "jurisdiction_id": jurisdiction_id,
            "campaign_id": campaign_id,
            "round": checked_round,
            "basis": text(basis, "basis", TEXT_MAX),
            "authority": text(authority, "authority", ASSESSOR_MAX),
            "decided_on": day.isoformat(),
            "actor": actor,
        }
        new_id, standing = free_id(
            lambda generation: veto_id(campaign_id, checked_round, unit_id, generation),
            lookup,
            lambda found: found.revoked,
        )
        if standing is not None:
            raise VetoExists(
                "该单位本轮已有一票否决 (the unit already has a veto for this campaign round)",
                field="unit_id",
                veto_id=str(new_id),
            )
        # The id is chosen here, not by create_id, which knows no generations.
        return cls._create(cls.Decided, id=new_id, **values)

    @event(Decided)
    def __init__(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID,
        round: int,
        basis: str,
        authority: str,
        decided_on: str,
        actor: str,
    ) -> None:
        self.unit_id = unit_id
        self.jurisdiction_id = jurisdiction_id
        self.campaign_id = campaign_id
        self.round = round
        self.basis = basis
        self.authority = authority
        self.decided_on = decided_on
        self.decided_by = actor
        self.revoked = False
        self.revoked_reason: str | None = None

    def revoke(self, reason: str, actor: str) -> None:
        if self.revoked:
            raise VetoAlreadyRevoked("该一票否决已撤销 (the veto was revoked)", field="veto_id")
        self._revoked(
            unit_id=self.unit_id,
            jurisdiction_id=self.jurisdiction_id,
            campaign_id=self.campaign_id,
            round=self.round,
            reason=text(reason, "reason", REASON_MAX),
            actor=actor,
        )

    @event(Revoked)
    def _revoked(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID,
        round: int,
        reason: str,
        actor: str,
    ) -> None:
        self.revoked = True
        self.revoked_reason = reason


class ResultCancellation(Aggregate):
    """取消评议成绩: a unit's results for a campaign round, cancelled for a discipline
    violation during the evaluation."""

    class Cancelled(Aggregate.Created):
        unit_id: UUID
        jurisdiction_id: UUID
        campaign_id: UUID
        round: int
        reason: str
        decided_by: str
        actor: str

    @staticmethod
    def create_id(campaign_id: UUID, round: int, unit_id: UUID) -> UUID:
        return cancellation_id(campaign_id, round, unit_id)

    @classmethod
    def cancel(
        cls,
        *,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID,
        round: int,
        reason: str,
        decided_by: str,
        actor: str,
    ) -> ResultCancellation:
        return cls(
            unit_id=unit_id,
            jurisdiction_id=jurisdiction_id,
            campaign_id=campaign_id,
            round=round_number(round),
            reason=text(reason, "reason", TEXT_MAX),
            decided_by=text(decided_by, "decided_by", ASSESSOR_MAX),
            actor=actor,
        )

    @event(Cancelled)
    def __init__(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID,
        round: int,
        reason: str,
        decided_by: str,
        actor: str,
    ) -> None:
        self.unit_id = unit_id
        self.jurisdiction_id = jurisdiction_id
        self.campaign_id = campaign_id
        self.round = round
        self.reason = reason
        self.decided_by = decided_by
        self.recorded_by = actor


class RepresentativeViolation(Aggregate):
    """An evaluation representative's violation, recorded by an office in its jurisdiction."""

    class Recorded(Aggregate.Created):
        person_id: UUID
        jurisdiction_id: UUID
        campaign_id: UUID
        round: int | None
        description: str
        actor: str

    @classmethod
    def record(
        cls,
        *,
        person_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID,
        round: int | None,
        description: str,
        actor: str,
    ) -> RepresentativeViolation:
        return cls(
            person_id=person_id,
            jurisdiction_id=jurisdiction_id,
            campaign_id=campaign_id,
            round=None if round is None else round_number(round),
            description=text(description, "description", TEXT_MAX),
            actor=actor,
        )

    @event(Recorded)
    def __init__(
        self,
        person_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID,
        round: int | None,
        description: str,
        actor: str,
    ) -> None:
        self.person_id = person_id
        self.jurisdiction_id = jurisdiction_id
        self.campaign_id = campaign_id
        self.round = round
        self.description = description
        self.recorded_by = actor
