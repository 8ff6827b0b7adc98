"""Assessment scores over HTTP: record, list, read, corrections, withdrawal."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query

from services.inspection.assessments.api.common import (
    COUNTED,
    READERS,
    SCORE,
    UNIT_IN_QUERY,
    WRITERS,
    AssessmentApp,
    scope,
    unit_jurisdiction,
)
from services.inspection.assessments.schemas import (
    AssessmentScoreIn,
    AssessmentScoreListItem,
    AssessmentScoreOut,
    ReasonIn,
    ScoreCorrectionIn,
    ScoreHistoryEntry,
)
from services.inspection.assessments.views import ASSESSMENT_SCORES
from services.inspection.campaigns import counted
from services.inspection.choices import RecordStateIn
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.http import RuntimeDep, ViewsDep
from shared.policy import Policy, PolicyRouter, allow
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination

router = PolicyRouter(tags=["assessments"])


@router.post(
    "/assessment-scores",
    status_code=201,
    response_model=AssessmentScoreOut,
    **allow(Policy.write(*WRITERS, scope=COUNTED)),
)
def record_assessment_score(
    body: AssessmentScoreIn,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
    app: AssessmentApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """记录评议组评分: one component (组织与资料, 日常工作, 集中评议…) of a unit for a campaign
    round. One score in force per (campaign, round, unit, component code): a second is 409
    `assessment_score_exists`, correct the first instead; once it is withdrawn, a new score
    is recorded under a new `score_id`."""
    return app.record_assessment_score(
        caller,
        unit_id=body.unit_id,
        jurisdiction_id=unit_jurisdiction(runtime, body.unit_id),
        campaign_id=body.campaign_id,
        round=body.round,
        component_code=body.component_code,
        component_name=body.component_name,
        score=body.score,
        maximum=body.maximum,
        assessor=body.assessor,
        basis=body.basis,
        evidence=body.evidence,
        reason=body.reason,
        key=idempotency_key,
        checks=counted(runtime, body.campaign_id, body.round, body.unit_id),
    )


@router.get(
    "/assessment-scores",
    response_model=list[AssessmentScoreListItem],
    **allow(Policy.read(*READERS, scope=UNIT_IN_QUERY, filtered=True)),
)
def list_assessment_scores(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    unit_id: Annotated[UUID | None, Query()] = None,
    campaign_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[RecordStateIn | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Scores the caller may see, as they stand, by campaign, round, unit and component;
    paged (`limit`, `cursor`), from the assessments view (it may lag a write by a moment).
    Each score's history is in GET /assessment-scores/{score_id}."""
    where = scope(auth, caller, unit_id, campaign_id, status=status)
    return page.fetch(views, ASSESSMENT_SCORES, where=where)


@router.get(
    "/assessment-scores/{score_id}",
    response_model=AssessmentScoreOut,
    **allow(Policy.read(*READERS, scope=SCORE)),
)
def get_assessment_score(score_id: UUID, app: AssessmentApp) -> dict[str, Any]:
    """One score as it stands, with its whole history."""
    return app.describe_score(app.assessment_score(score_id))


@router.get(
    "/assessment-scores/{score_id}/corrections",
    response_model=list[ScoreHistoryEntry],
    **allow(Policy.read(*READERS, scope=SCORE)),
)
def list_score_corrections(score_id: UUID, app: AssessmentApp) -> list[dict[str, Any]]:
    """The corrections of one score, oldest first (each with its reason and actor)."""
    history = app.describe_score(app.assessment_score(score_id))["history"]
    return [entry for entry in history if entry["event"] == "corrected"]


@router.post(
    "/assessment-scores/{score_id}/corrections",
    status_code=201,
    response_model=AssessmentScoreOut,
    **allow(Policy.write(*WRITERS, scope=SCORE)),
)
def correct_assessment_score(
    score_id: UUID,
    body: ScoreCorrectionIn,
    caller: CurrentPrincipal,
    app: AssessmentApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """更正: a new score (and optionally assessor, basis, evidence) with the reason; the
    earlier stays in the history."""
    return app.correct_assessment_score(
        caller,
        score_id,
        score=body.score,
        assessor=body.assessor,
        basis=body.basis,
        evidence=body.evidence,
        reason=body.reason,
        key=idempotency_key,
    )


@router.post(
    "/assessment-scores/{score_id}/withdrawal",
    status_code=201,
    response_model=AssessmentScoreOut,
    **allow(Policy.write(*WRITERS, scope=SCORE)),
)
def withdraw_assessment_score(
    score_id: UUID,
    body: ReasonIn,
    caller: CurrentPrincipal,
    app: AssessmentApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """撤销: the score stays on record, marked withdrawn with the reason; it no longer counts."""
    return app.withdraw_assessment_score(caller, score_id, body.reason, idempotency_key)
