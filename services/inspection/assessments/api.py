"""Assessment HTTP API: thin; every rule is in the domain, every route's authorization in its
declared policy. Offices (and admins) write; auditors read; a unit reads what concerns it."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query

from services.inspection.assessments.application import Commands
from services.inspection.assessments.schemas import (
    AssessmentScoreIn,
    AssessmentScoreOut,
    CancellationIn,
    CancellationOut,
    ReasonIn,
    RepresentativeViolationIn,
    RepresentativeViolationOut,
    ScoreCorrectionIn,
    ScoreHistoryEntry,
    VetoIn,
    VetoOut,
)
from services.inspection.assessments.views import ASSESSMENT_SCORES, CANCELLATIONS, VETOES
from services.inspection.campaigns import check_counted
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.contracts.registry import Role
from shared.http import RuntimeDep, ViewsDep, application_of
from shared.idempotency import IdempotencyKey
from shared.policy import Policy, PolicyRouter, ScopeTarget, allow, body, path, query, target_id
from shared.runtime import ServiceRuntime
from shared.web.pagination import Pagination, scope_where

router = PolicyRouter(tags=["assessments"])

READERS: tuple[Role, ...] = ("office", "unit")
WRITERS: tuple[Role, ...] = ("office",)
SCORE = path("score_id", "assessment_score")
VETO = path("veto_id", "veto")
UNIT_IN_BODY = body("unit_id", "unit")
UNIT_IN_QUERY = query("unit_id", "unit")

AssessmentApp = Annotated[Commands, Depends(application_of(Commands))]


def _application(runtime: ServiceRuntime) -> Commands:
    application = runtime.application
    assert isinstance(application, Commands)
    return application


def resolve_score(runtime: ServiceRuntime, score_id: str, field: str) -> ScopeTarget:
    """A score stays in the scope of the jurisdiction recorded with it."""
    found = _application(runtime).assessment_score(target_id(score_id, field), field)
    return ScopeTarget(str(found.jurisdiction_id))


def resolve_veto(runtime: ServiceRuntime, veto_id: str, field: str) -> ScopeTarget:
    found = _application(runtime).veto(target_id(veto_id, field), field)
    return ScopeTarget(str(found.jurisdiction_id))


RESOLVERS = {"assessment_score": resolve_score, "veto": resolve_veto}


def _unit_jurisdiction(
    runtime: ServiceRuntime, unit_id: UUID, campaign_id: UUID, round_: int
) -> UUID:
    """The unit's jurisdiction in the registry copy now (kept with the fact for good), once
    the campaign and its round are known to the copy."""
    check_counted(runtime, campaign_id, round_)
    unit = runtime.registry.unit(str(unit_id))
    assert unit is not None  # the policy resolved it
    return UUID(unit["jurisdiction_id"])


def _where(
    auth: AuthenticatorDep,
    caller: CurrentPrincipal,
    unit_id: UUID | None,
    campaign_id: UUID | None,
    **more: str | None,
) -> dict[str, Any]:
    return (
        scope_where(auth, caller)
        | {
            "unit_id": None if unit_id is None else str(unit_id),
            "campaign_id": None if campaign_id is None else str(campaign_id),
        }
        | more
    )


# Scores -----------------------------------------------------------------------------------


@router.post(
    "/assessment-scores",
    status_code=201,
    response_model=AssessmentScoreOut,
    **allow(Policy.write(*WRITERS, scope=UNIT_IN_BODY)),
)
def record_assessment_score(
    body: AssessmentScoreIn,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
    app: AssessmentApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """记录评议组评分: one component (组织与资料, 日常工作, 集中评议…) of a unit for a campaign
    round. One score per (campaign, round, unit, component code): a second is 409
    `assessment_score_exists`; correct the first instead."""
    return app.record_assessment_score(
        caller,
        unit_id=body.unit_id,
        jurisdiction_id=_unit_jurisdiction(runtime, body.unit_id, body.campaign_id, body.round),
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
    )


@router.get(
    "/assessment-scores",
    response_model=list[AssessmentScoreOut],
    **allow(Policy.read(*READERS, scope=UNIT_IN_QUERY, filtered=True)),
)
def list_assessment_scores(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    unit_id: Annotated[UUID | None, Query()] = None,
    campaign_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[Literal["active", "withdrawn"] | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Scores the caller may see, as they stand, by campaign, round, unit and component;
    paged (`limit`, `cursor`), from the assessments view (it may lag a write by a moment).
    Each score's history is in GET /assessment-scores/{score_id}."""
    where = _where(auth, caller, unit_id, campaign_id, status=status)
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


# Vetoes -----------------------------------------------------------------------------------


@router.post(
    "/vetoes",
    status_code=201,
    response_model=VetoOut,
    **allow(Policy.write(*WRITERS, scope=UNIT_IN_BODY)),
)
def decide_veto(
    body: VetoIn,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
    app: AssessmentApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """一票否决: the unit's result for the campaign round, vetoed by the deciding authority on
    the stated basis. One per (campaign, round, unit): a second is 409 `veto_exists`."""
    return app.decide_veto(
        caller,
        unit_id=body.unit_id,
        jurisdiction_id=_unit_jurisdiction(runtime, body.unit_id, body.campaign_id, body.round),
        campaign_id=body.campaign_id,
        round=body.round,
        basis=body.basis,
        authority=body.authority,
        decided_on=body.decided_on,
        key=idempotency_key,
    )


@router.get(
    "/vetoes",
    response_model=list[VetoOut],
    **allow(Policy.read(*READERS, scope=UNIT_IN_QUERY, filtered=True)),
)
def list_vetoes(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    unit_id: Annotated[UUID | None, Query()] = None,
    campaign_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[Literal["active", "revoked"] | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Vetoes the caller may see, by campaign, round and unit; paged."""
    where = _where(auth, caller, unit_id, campaign_id, status=status)
    return page.fetch(views, VETOES, where=where)


@router.get(
    "/vetoes/{veto_id}",
    response_model=VetoOut,
    **allow(Policy.read(*READERS, scope=VETO)),
)
def get_veto(veto_id: UUID, app: AssessmentApp) -> dict[str, Any]:
    """One veto as it stands."""
    return app.describe_veto(app.veto(veto_id))


@router.post(
    "/vetoes/{veto_id}/revocation",
    status_code=201,
    response_model=VetoOut,
    **allow(Policy.write(*WRITERS, scope=VETO)),
)
def revoke_veto(
    veto_id: UUID,
    body: ReasonIn,
    caller: CurrentPrincipal,
    app: AssessmentApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """撤销一票否决: the veto stays on record, marked revoked with the reason."""
    return app.revoke_veto(caller, veto_id, body.reason, idempotency_key)


# Cancellations and representative violations ---------------------------------------------


@router.post(
    "/cancellations",
    status_code=201,
    response_model=CancellationOut,
    **allow(Policy.write(*WRITERS, scope=UNIT_IN_BODY)),
)
def cancel_results(
    body: CancellationIn,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
    app: AssessmentApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """取消评议成绩: the unit broke evaluation discipline; its results for the campaign round
    are cancelled. One per (campaign, round, unit): a second is 409 `cancellation_exists`."""
    return app.cancel_results(
        caller,
        unit_id=body.unit_id,
        jurisdiction_id=_unit_jurisdiction(runtime, body.unit_id, body.campaign_id, body.round),
        campaign_id=body.campaign_id,
        round=body.round,
        reason=body.reason,
        decided_by=body.decided_by,
        key=idempotency_key,
    )


@router.get(
    "/cancellations",
    response_model=list[CancellationOut],
    **allow(Policy.read(*READERS, scope=UNIT_IN_QUERY, filtered=True)),
)
def list_cancellations(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    unit_id: Annotated[UUID | None, Query()] = None,
    campaign_id: Annotated[UUID | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Result cancellations the caller may see, by campaign, round and unit; paged."""
    return page.fetch(views, CANCELLATIONS, where=_where(auth, caller, unit_id, campaign_id))


@router.post(
    "/representative-violations",
    status_code=201,
    response_model=RepresentativeViolationOut,
    **allow(Policy.write(*WRITERS, scope=body("jurisdiction_id", "jurisdiction"))),
)
def record_representative_violation(
    body: RepresentativeViolationIn,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
    app: AssessmentApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """评议代表违纪: recorded in the office's jurisdiction and published
    (`inspection.assessments.representative_violation_recorded`) so the registry can
    disqualify the representative; inspection does not change the registry."""
    check_counted(runtime, body.campaign_id, body.round)
    return app.record_representative_violation(
        caller,
        person_id=body.person_id,
        jurisdiction_id=body.jurisdiction_id,
        campaign_id=body.campaign_id,
        round=body.round,
        description=body.description,
        key=idempotency_key,
    )
