"""An assessment team's score of one component of a unit (评议组评分), corrected and
withdrawn by further events. Commands validate and normalise; mutators only assign."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.inspection.assessments.domain.rules import (
    ASSESSOR_MAX,
    NAME_MAX,
    REASON_MAX,
    TEXT_MAX,
    AssessmentScoreExists,
    AssessmentScoreWithdrawn,
    InvalidAssessment,
    Lookup,
    evidence_hashes,
    free_id,
    nothing_recorded,
    round_number,
    score_id,
    score_values,
    text,
)
from services.inspection.assessments.domain.rules import (
    component_code as checked_code,
)


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
        lookup: Lookup = nothing_recorded,
    ) -> AssessmentScore:
        """`lookup`: what is stored under an id. A score withdrawn before does not hold the
        component: the new one takes the next id of its (campaign, round, unit, component)."""
        checked_score, checked_maximum = score_values(score, maximum)
        checked_round = round_number(round)
        code = checked_code(component_code)
        values = {
            "unit_id": unit_id,
            "jurisdiction_id": jurisdiction_id,
            "campaign_id": campaign_id,
            "round": checked_round,
            "component_code": code,
            "component_name": text(component_name, "component_name", NAME_MAX),
            "score": checked_score,
            "maximum": checked_maximum,
            "assessor": text(assessor, "assessor", ASSESSOR_MAX),
            "basis": text(basis, "basis", TEXT_MAX),
            "evidence": evidence_hashes(evidence),
            "reason": text(reason, "reason", REASON_MAX),
            "actor": actor,
        }
        new_id, standing = free_id(
            lambda generation: score_id(campaign_id, checked_round, unit_id, code, generation),
            lookup,
            lambda found: found.withdrawn,
        )
        if standing is not None:
            raise AssessmentScoreExists(
                "该单位本轮此指标已评分, 请更正原评分 "
                "(this component is already scored for the unit in this round; "
                "correct that score instead)",
                field="component_code",
                score_id=str(new_id),
            )
        # The id is chosen here, not by create_id, which knows no generations.
        return cls._create(cls.Recorded, id=new_id, **values)

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
            raise InvalidAssessment("与原评分相同 (changes nothing)", field="score")
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
            raise AssessmentScoreWithdrawn(
                "该评分已撤销 (the score was withdrawn)", field="score_id"
            )
