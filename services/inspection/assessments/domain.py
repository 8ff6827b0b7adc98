"""Assessment aggregates: scores an assessment team gives (评议组评分) and the decisions that
override scores: a one-vote veto (一票否决), a unit's results cancelled (取消评议成绩) and a
representative's violation. Nothing is edited: corrections, withdrawals and revocations are
further events naming who made them and why.

Commands validate and normalise; mutators only assign."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.inspection.domain import InspectionError, checked_text
from shared.errors import ConflictError, InvalidError, NotFoundError

CODE_MAX = 50
NAME_MAX = 100
ASSESSOR_MAX = 200
TEXT_MAX = 2000
REASON_MAX = 500
EVIDENCE_MAX = 50
SCORE_MAX = Decimal(10000)
EVIDENCE_PATTERN = r"^sha256:[0-9a-f]{64}$"
_EVIDENCE = re.compile(EVIDENCE_PATTERN)
_NAMESPACE = uuid5(NAMESPACE_URL, "pingyi:inspection:assessments")


class InvalidAssessment(InspectionError, InvalidError):
    code = "invalid_assessment"


class AssessmentScoreExists(InspectionError, ConflictError):
    code = "assessment_score_exists"


class AssessmentScoreNotFound(InspectionError, NotFoundError):
    code = "assessment_score_not_found"


class AssessmentScoreWithdrawn(InspectionError, ConflictError):
    code = "assessment_score_withdrawn"


class VetoExists(InspectionError, ConflictError):
    code = "veto_exists"


class VetoNotFound(InspectionError, NotFoundError):
    code = "veto_not_found"


class VetoAlreadyRevoked(InspectionError, ConflictError):
    code = "veto_revoked"


class CancellationExists(InspectionError, ConflictError):
    code = "cancellation_exists"


class CancellationNotFound(InspectionError, NotFoundError):
    code = "cancellation_not_found"


def text(value: str, field: str, limit: int) -> str:
    return checked_text(value, field, limit, InvalidAssessment)


def round_number(value: int) -> int:
    if value < 1:
        raise InvalidAssessment("must be 1 or more", field="round")
    return value


def score_values(score: Decimal, maximum: Decimal) -> tuple[Decimal, Decimal]:
    if not maximum.is_finite() or not Decimal(0) < maximum <= SCORE_MAX:
        raise InvalidAssessment(f"must be above 0 and at most {SCORE_MAX}", field="maximum")
    if not score.is_finite() or not Decimal(0) <= score <= maximum:
        raise InvalidAssessment("must lie between 0 and the maximum", field="score")
    return score, maximum


def evidence_hashes(values: Sequence[str]) -> tuple[str, ...]:
    if len(values) > EVIDENCE_MAX:
        raise InvalidAssessment(f"at most {EVIDENCE_MAX} hashes", field="evidence")
    cleaned = tuple(value.strip().lower() for value in values)
    for value in cleaned:
        if not _EVIDENCE.match(value):
            raise InvalidAssessment("each must be 'sha256:' and 64 hex digits", field="evidence")
    if len(set(cleaned)) != len(cleaned):
        raise InvalidAssessment("a hash is listed twice", field="evidence")
    return cleaned


def score_id(campaign_id: UUID, round: int, unit_id: UUID, component_code: str) -> UUID:
    """One score per (campaign, round, unit, component): a second is a conflict."""
    return uuid5(_NAMESPACE, f"score:{campaign_id}:{round}:{unit_id}:{component_code}")


def veto_id(campaign_id: UUID, round: int, unit_id: UUID) -> UUID:
    return uuid5(_NAMESPACE, f"veto:{campaign_id}:{round}:{unit_id}")


def cancellation_id(campaign_id: UUID, round: int, unit_id: UUID) -> UUID:
    return uuid5(_NAMESPACE, f"cancellation:{campaign_id}:{round}:{unit_id}")


class AssessmentScore(Aggregate):
    """An assessment team's score of one component of a unit for a campaign round."""

    class Recorded(Aggregate.Created):
        unit_id: UUID
        jurisdiction_id: UUID
        campaign_id: UUID
        round: int
        component_code: str
        component_name: str
        score: Decimal
        maximum: Decimal
        assessor: str
        basis: str
        evidence: tuple[str, ...]
        reason: str
        actor: str

    class Corrected(Aggregate.Event):
        unit_id: UUID
        jurisdiction_id: UUID
        campaign_id: UUID
        round: int
        component_code: str
        score: Decimal
        maximum: Decimal
        assessor: str
        basis: str
        evidence: tuple[str, ...]
        reason: str
        actor: str

    class Withdrawn(Aggregate.Event):
        unit_id: UUID
        jurisdiction_id: UUID
        campaign_id: UUID
        round: int
        component_code: str
        reason: str
        actor: str

    @staticmethod
    def create_id(campaign_id: UUID, round: int, unit_id: UUID, component_code: str) -> UUID:
        return score_id(campaign_id, round, unit_id, component_code)

    @classmethod
    def record(
        cls,
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
        actor: str,
    ) -> AssessmentScore:
        checked_score, checked_maximum = score_values(score, maximum)
        return cls(
            unit_id=unit_id,
            jurisdiction_id=jurisdiction_id,
            campaign_id=campaign_id,
            round=round_number(round),
            component_code=text(component_code, "component_code", CODE_MAX),
            component_name=text(component_name, "component_name", NAME_MAX),
            score=checked_score,
            maximum=checked_maximum,
            assessor=text(assessor, "assessor", ASSESSOR_MAX),
            basis=text(basis, "basis", TEXT_MAX),
            evidence=evidence_hashes(evidence),
            reason=text(reason, "reason", REASON_MAX),
            actor=actor,
        )

    @event(Recorded)
    def __init__(
        self,
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
        evidence: tuple[str, ...],
        reason: str,
        actor: str,
    ) -> None:
        self.unit_id = unit_id
        self.jurisdiction_id = jurisdiction_id
        self.campaign_id = campaign_id
        self.round = round
        self.component_code = component_code
        self.component_name = component_name
        self.score = score
        self.maximum = maximum
        self.assessor = assessor
        self.basis = basis
        self.evidence = tuple(evidence)
        self.reason = reason
        self.recorded_by = actor
        self.withdrawn = False
        self.withdrawn_reason: str | None = None

    def correct(
        self,
        *,
        score: Decimal,
        assessor: str | None,
        basis: str | None,
        evidence: Sequence[str] | None,
        reason: str,
        actor: str,
    ) -> None:
        """A new score (and, if given, a new assessor, basis or evidence) with the reason."""
        self._require_active()
        checked, _ = score_values(score, self.maximum)
        new_assessor = self.assessor if assessor is None else text(assessor, "assessor", 200)
        new_basis = self.basis if basis is None else text(basis, "basis", TEXT_MAX)
        new_evidence = self.evidence if evidence is None else evidence_hashes(evidence)
        current = (self.score, self.assessor, self.basis, self.evidence)
        if (checked, new_assessor, new_basis, new_evidence) == current:
            raise InvalidAssessment("changes nothing", field="score")
        self._corrected(
            unit_id=self.unit_id,
            jurisdiction_id=self.jurisdiction_id,
            campaign_id=self.campaign_id,
            round=self.round,
            component_code=self.component_code,
            score=checked,
            maximum=self.maximum,
            assessor=new_assessor,
            basis=new_basis,
            evidence=new_evidence,
            reason=text(reason, "reason", REASON_MAX),
            actor=actor,
        )

    @event(Corrected)
    def _corrected(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID,
        round: int,
        component_code: str,
        score: Decimal,
        maximum: Decimal,
        assessor: str,
        basis: str,
        evidence: tuple[str, ...],
        reason: str,
        actor: str,
    ) -> None:
        self.score = score
        self.assessor = assessor
        self.basis = basis
        self.evidence = tuple(evidence)
        self.reason = reason

    def withdraw(self, reason: str, actor: str) -> None:
        self._require_active()
        self._withdrawn(
            unit_id=self.unit_id,
            jurisdiction_id=self.jurisdiction_id,
            campaign_id=self.campaign_id,
            round=self.round,
            component_code=self.component_code,
            reason=text(reason, "reason", REASON_MAX),
            actor=actor,
        )

    @event(Withdrawn)
    def _withdrawn(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID,
        round: int,
        component_code: str,
        reason: str,
        actor: str,
    ) -> None:
        self.withdrawn = True
        self.withdrawn_reason = reason

    def _require_active(self) -> None:
        if self.withdrawn:
            raise AssessmentScoreWithdrawn("the score was withdrawn", field="score_id")


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
    ) -> Veto:
        return cls(
            unit_id=unit_id,
            jurisdiction_id=jurisdiction_id,
            campaign_id=campaign_id,
            round=round_number(round),
            basis=text(basis, "basis", TEXT_MAX),
            authority=text(authority, "authority", ASSESSOR_MAX),
            decided_on=decided_on.isoformat(),
            actor=actor,
        )

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
            raise VetoAlreadyRevoked("the veto was revoked", field="veto_id")
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
