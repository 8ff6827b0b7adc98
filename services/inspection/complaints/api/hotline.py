"""Hotline appearances over HTTP (政风行风热线上线): recorded by offices, listed by scope."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query

from services.inspection.campaigns import CAMPAIGN_IN_BODY, counted
from services.inspection.complaints.api.common import (
    UNIT_IN_BODY,
    ComplaintsApp,
    unit_jurisdiction,
)
from services.inspection.complaints.schemas import HotlineAppearanceIn, HotlineAppearanceOut
from services.inspection.complaints.views import APPEARANCES
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.http import RuntimeDep, ViewsDep
from shared.policy import Policy, PolicyRouter, allow, query
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination, scope_where, within

router = PolicyRouter(tags=["complaints"])


@router.post(
    "/hotline-appearances",
    status_code=201,
    response_model=HotlineAppearanceOut,
    **allow(Policy.write("office", scope=(UNIT_IN_BODY, CAMPAIGN_IN_BODY))),
)
def record_hotline_appearance(
    body: HotlineAppearanceIn,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
    app: ComplaintsApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """政风行风热线上线: the unit appeared on the hotline on that day (counted toward a
    campaign round: a day within the round)."""
    return app.record_hotline_appearance(
        caller,
        unit_id=body.unit_id,
        jurisdiction_id=unit_jurisdiction(runtime, body.unit_id),
        campaign_id=body.campaign_id,
        round=body.round,
        appeared_on=body.appeared_on,
        topic=body.topic,
        key=idempotency_key,
        counted=counted(runtime, body.campaign_id, body.round, body.unit_id),
    )


@router.get(
    "/hotline-appearances",
    response_model=list[HotlineAppearanceOut],
    **allow(
        Policy.read("office", "inspector", "unit", scope=query("unit_id", "unit"), filtered=True)
    ),
)
def list_hotline_appearances(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    unit_id: Annotated[UUID | None, Query()] = None,
    campaign_id: Annotated[UUID | None, Query()] = None,
) -> list[dict[str, Any]]:
    """Hotline appearances in the caller's jurisdiction, latest first; paged."""
    where = within(
        scope_where(auth, caller),
        unit_id=None if unit_id is None else str(unit_id),
        campaign_id=None if campaign_id is None else str(campaign_id),
    )
    return page.fetch(views, APPEARANCES, where=where, descending=True)
