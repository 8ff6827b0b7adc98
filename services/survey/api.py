"""Survey HTTP API: thin; every decision is in the application and domain."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request

from services.survey.application import SurveyApplication, wave_out
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
from shared.auth import Authenticator, AuthenticatorDep, CurrentPrincipal, Principal, require_role
from shared.errors import ForbiddenError
from shared.idempotency import IdempotencyKey
from shared.views import ViewStore

router = APIRouter(tags=["survey"])


def get_app(request: Request) -> SurveyApplication:
    app: SurveyApplication = request.app.state.runtime.survey_app
    return app


def get_views(request: Request) -> ViewStore:
    views: ViewStore = request.app.state.runtime.views
    return views


SurveyApp = Annotated[SurveyApplication, Depends(get_app)]
Views = Annotated[ViewStore, Depends(get_views)]


def can_see(caller: Principal, auth: Authenticator, jurisdiction_id: Any, agency_id: Any) -> bool:
    """Offices see their subtree, an agency only the waves it was contracted for."""
    if caller.sees_everything:
        return True
    if caller.role == "agency":
        return str(caller.principal_id) == str(agency_id)
    return auth.in_scope(caller, jurisdiction_id)


@router.post("/waves", status_code=201, response_model=WaveOut)
def open_wave(
    body: WaveIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: SurveyApp,
    views: Views,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """开启测评批次 for units of the office's jurisdiction, contracted to one agency."""
    require_role(caller, "office")
    auth.require_scope(caller, body.jurisdiction_id, "jurisdiction_id")
    return app.open_wave(
        caller,
        body.name,
        body.jurisdiction_id,
        body.agency_id,
        body.unit_ids,
        idempotency_key,
        views=views,
    )


@router.get("/waves", response_model=list[WaveSummaryOut])
def list_waves(
    caller: CurrentPrincipal, auth: AuthenticatorDep, views: Views
) -> list[dict[str, Any]]:
    """Waves visible to the caller, from the view (it may lag a write by a moment)."""
    return [
        doc
        for _, doc in views.scan(WAVES)
        if can_see(caller, auth, doc["jurisdiction_id"], doc["agency_id"])
    ]


@router.get("/waves/{wave_id}", response_model=WaveDetailOut)
def get_wave(
    wave_id: UUID, caller: CurrentPrincipal, auth: AuthenticatorDep, app: SurveyApp, views: Views
) -> dict[str, Any]:
    """The wave as stored; `response_count` comes from the view and may lag a batch."""
    wave = app.wave(wave_id)
    if not can_see(caller, auth, wave.jurisdiction_id, wave.agency_id):
        raise ForbiddenError("not your wave", field="wave_id")
    doc = views.get(WAVES, str(wave_id))
    count = 0 if doc is None else doc["response_count"]
    return wave_out(wave) | {"response_count": count, "closed_reason": wave.closed_reason}


@router.post("/waves/{wave_id}/questionnaires:batch", response_model=BatchOut)
def record_batch(
    wave_id: UUID,
    body: BatchIn,
    caller: CurrentPrincipal,
    app: SurveyApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """推送问卷: all of the batch or none. Re-pushed questionnaires with the same answers
    count as duplicates; with different answers the batch is refused."""
    require_role(caller, "agency")
    questionnaires = [q.command() for q in body.questionnaires]
    return app.record_batch(caller, wave_id, questionnaires, idempotency_key)


@router.post("/waves/{wave_id}/close", response_model=WaveOut)
def close_wave(
    wave_id: UUID,
    body: CloseIn,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: SurveyApp,
) -> dict[str, Any]:
    require_role(caller, "office")
    wave = app.wave(wave_id)
    auth.require_scope(caller, wave.jurisdiction_id, "wave_id")
    return app.close_wave(caller, wave_id, body.reason)
