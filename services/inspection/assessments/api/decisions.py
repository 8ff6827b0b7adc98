"""The decisions that override scores over HTTP: vetoes and their revocation, result
cancellations, representatives' violations."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query

from services.inspection.assessments.api.common import (
    COUNTED,
    READERS,
    UNIT_IN_QUERY,
    VETO,
    WRITERS,
    AssessmentApp,
    scope,
    unit_jurisdiction,
)
from services.inspection.assessments.representatives import known_person
from services.inspection.assessments.schemas import (
    CancellationIn,
    CancellationOut,
    ReasonIn,
    RepresentativeViolationIn,
    RepresentativeViolationOut,
    VetoIn,
    VetoListItem,
    VetoOut,
)
from services.inspection.assessments.views import (
    CANCELLATIONS,
    REPRESENTATIVE_VIOLATIONS,
    VETOES,
)
from services.inspection.campaigns import CAMPAIGN_IN_BODY, counted
from services.inspection.choices import VetoStateIn
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.contracts.registry import Role
from shared.http import RuntimeDep, ViewsDep
from shared.policy import Policy, PolicyRouter, allow, body, query
from shared.types import UrlInt
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination

router = PolicyRouter(tags=["assessments"])
VIOLATION_READERS: tuple[Role, ...] = ("office",)
"""A violation names a representative (a person) and what they did: read by the offices
that run evaluations (and auditors, admins), never by units, agencies or inspectors."""
CAMPAIGN_IN_QUERY = query("campaign_id", "campaign", "defer")


@router.post(
    "/vetoes",
    status_code=201,
    response_model=VetoOut,
    **allow(Policy.write(*WRITERS, scope=COUNTED)),
)
def decide_veto(
    body: VetoIn,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
    app: AssessmentApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """一票否决: the unit's result for the campaign round, vetoed by the deciding authority on
    the stated basis. One in force per (campaign, round, unit): a second is 409
    `veto_exists`; once it is revoked, a new veto is decided under a new `veto_id`."""
    return app.decide_veto(
        caller,
        unit_id=body.unit_id,
        jurisdiction_id=unit_jurisdiction(runtime, body.unit_id),
        campaign_id=body.campaign_id,
        round=body.round,
        basis=body.basis,
        authority=body.authority,
        decided_on=body.decided_on,
        key=idempotency_key,
        counted=counted(runtime, body.campaign_id, body.round, body.unit_id),
    )


@router.get(
    "/vetoes",
    response_model=list[VetoListItem],
    **allow(Policy.read(*READERS, scope=UNIT_IN_QUERY, filtered=True)),
)
def list_vetoes(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    unit_id: Annotated[UUID | None, Query()] = None,
    campaign_id: Annotated[UUID | None, Query()] = None,
    status: Annotated[VetoStateIn | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Vetoes the caller may see, by campaign, round and unit; paged."""
    where = scope(auth, caller, unit_id, campaign_id, status=status)
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
    **allow(Policy.write(*WRITERS, scope=COUNTED)),
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
        jurisdiction_id=unit_jurisdiction(runtime, body.unit_id),
        campaign_id=body.campaign_id,
        round=body.round,
        reason=body.reason,
        decided_by=body.decided_by,
        key=idempotency_key,
        checks=counted(runtime, body.campaign_id, body.round, body.unit_id),
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
    return page.fetch(views, CANCELLATIONS, where=scope(auth, caller, unit_id, campaign_id))


@router.post(
    "/representative-violations",
    status_code=201,
    response_model=RepresentativeViolationOut,
    **allow(
        Policy.write(*WRITERS, scope=(body("jurisdiction_id", "jurisdiction"), CAMPAIGN_IN_BODY))
    ),
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
    disqualify the representative; inspection does not change the registry. `person_id`
    names a representative the registry registered in the caller's jurisdiction or below
    (admins: any), as inspection's copy of the registry's representatives holds them (it
    follows the registry within moments): any other, unknown or another county's, is 404
    `person_not_found` naming `person_id`."""
    counted_checks = counted(runtime, body.campaign_id, body.round)
    person_check = known_person(runtime, caller, body.person_id)

    def checks() -> None:
        counted_checks()
        person_check()

    return app.record_representative_violation(
        caller,
        person_id=body.person_id,
        jurisdiction_id=body.jurisdiction_id,
        campaign_id=body.campaign_id,
        round=body.round,
        description=body.description,
        key=idempotency_key,
        checks=checks,
    )


@router.get(
    "/representative-violations",
    response_model=list[RepresentativeViolationOut],
    **allow(Policy.read(*VIOLATION_READERS, scope=CAMPAIGN_IN_QUERY)),
)
def list_representative_violations(
    views: ViewsDep,
    page: Pagination,
    campaign_id: Annotated[UUID, Query(description="The campaign the violations count toward")],
    round: Annotated[UrlInt | None, Query(ge=1, le=1000)] = None,
    person_id: Annotated[UUID | None, Query()] = None,
    jurisdiction_id: Annotated[
        UUID | None, Query(description="Where the violation was recorded")
    ] = None,
) -> list[dict[str, Any]]:
    """评议代表违纪 of one campaign, by round (those counted toward no one round first), then
    as recorded; narrowed by round, representative (`person_id`) or the jurisdiction it was
    recorded in; paged (`limit`, `cursor`). Read as the campaign is: by offices whose
    jurisdiction runs it or lies above it (another county's campaign is the registry's 403
    `outside your jurisdiction`; an unknown one 404 `campaign_not_found`), and by auditors.
    Served from the violations view, which may lag a write by a moment."""
    where = {
        "campaign_id": str(campaign_id),
        "round": None if round is None else str(round),
        "person_id": None if person_id is None else str(person_id),
        "jurisdiction_id": None if jurisdiction_id is None else str(jurisdiction_id),
    }
    return page.fetch(views, REPRESENTATIVE_VIOLATIONS, where=where)
