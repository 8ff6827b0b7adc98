"""Survey HTTP API: thin; every decision is in the application and domain, every route's
authorization in its declared policy."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends

from services.survey.application import SurveyApplication, wave_out
from services.survey.domain import Wave
from services.survey.schemas import (
    BatchIn,
    BatchOut,
    CloseIn,
    WaveDetailOut,
    WaveIn,
    WaveOut,
    WaveSummaryOut,
)
from services.survey.wave_view import WAVES
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.http import ViewsDep, application_of
from shared.idempotency import IdempotencyKey
from shared.policy import (
    PARTICIPANTS,
    Policy,
    PolicyRouter,
    ScopeTarget,
    allow,
    body,
    path,
    target_id,
)
from shared.runtime import ServiceRuntime
from shared.web.pagination import Pagination, scope_where

router = PolicyRouter(tags=["survey"])

SurveyApp = Annotated[SurveyApplication, Depends(application_of(SurveyApplication))]
WAVE = path("wave_id", "wave")


def wave_target(jurisdiction_id: Any, agency_id: Any) -> ScopeTarget:
    """A wave is in its jurisdiction's scope; of agencies, only the contracted one sees it."""
    return ScopeTarget(str(jurisdiction_id), {"agency": frozenset({str(agency_id)})})


def resolve_wave(runtime: ServiceRuntime, wave_id: str, field: str) -> ScopeTarget:
    application = runtime.application
    assert isinstance(application, SurveyApplication)
    wave: Wave = application.wave(target_id(wave_id, field), field)
    return wave_target(wave.jurisdiction_id, wave.agency_id)


@router.post(
    "/waves",
    status_code=201,
    response_model=WaveOut,
    **allow(Policy.write("office", scope=body("jurisdiction_id", "jurisdiction"))),
)
def open_wave(
    body: WaveIn,
    caller: CurrentPrincipal,
    app: SurveyApp,
    views: ViewsDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """开启测评批次 for units of the office's jurisdiction, contracted to one agency."""
    return app.open_wave(
        caller,
        body.name,
        body.jurisdiction_id,
        body.agency_id,
        body.unit_ids,
        idempotency_key,
        views=views,
    )


@router.get(
    "/waves",
    response_model=list[WaveSummaryOut],
    **allow(Policy.read(*PARTICIPANTS, filtered=True)),
)
def list_waves(
    caller: CurrentPrincipal, auth: AuthenticatorDep, views: ViewsDep, page: Pagination
) -> list[dict[str, Any]]:
    """Waves visible to the caller, by name, paged (`limit`, `cursor`), from the view (it may
    lag a write by a moment). An agency sees the waves it was contracted for; everyone else
    those in their jurisdiction subtree; one indexed query per page."""
    where = scope_where(auth, caller, parties={"agency": "agency_id"})
    return page.fetch(views, WAVES, where=where)


@router.get(
    "/waves/{wave_id}",
    response_model=WaveDetailOut,
    **allow(Policy.read(*PARTICIPANTS, scope=WAVE)),
)
def get_wave(wave_id: UUID, app: SurveyApp, views: ViewsDep) -> dict[str, Any]:
    """The wave as stored; `response_count` comes from the view and may lag a batch."""
    wave = app.wave(wave_id)
    doc = views.get(WAVES, str(wave_id))
    count = 0 if doc is None else doc["response_count"]
    return wave_out(wave) | {"response_count": count, "closed_reason": wave.closed_reason}


@router.post(
    "/waves/{wave_id}/questionnaires:batch",
    response_model=BatchOut,
    **allow(Policy.write("agency", scope=WAVE), large_body=True),
)
def record_batch(
    wave_id: UUID,
    body: BatchIn,
    caller: CurrentPrincipal,
    app: SurveyApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """推送问卷: all of the batch or none. Re-pushed questionnaires with the same answers
    count as duplicates; with different answers the batch is refused."""
    questionnaires = [q.command() for q in body.questionnaires]
    return app.record_batch(caller, wave_id, questionnaires, idempotency_key)


@router.post(
    "/waves/{wave_id}/close",
    response_model=WaveOut,
    **allow(Policy.write("office", scope=WAVE)),
)
def close_wave(
    wave_id: UUID, body: CloseIn, caller: CurrentPrincipal, app: SurveyApp
) -> dict[str, Any]:
    return app.close_wave(caller, wave_id, body.reason)
