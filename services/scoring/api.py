"""Scoring HTTP API: request a provisional run, read runs. Final runs need no request:
they are computed when a wave's close reaches scoring."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Request, Response

from services.scoring.application import ScoringApplication, run_out, run_summary
from services.scoring.schemas import ScoreRunIn, ScoreRunOut, ScoreRunSummary
from shared.auth import AuthenticatorDep, CurrentPrincipal, require_role

router = APIRouter(tags=["scoring"])


def get_app(request: Request) -> ScoringApplication:
    app: ScoringApplication = request.app.state.runtime.scoring_app
    return app


ScoringApp = Annotated[ScoringApplication, Depends(get_app)]


@router.post(
    "/waves/{wave_id}/score-runs",
    status_code=201,
    response_model=ScoreRunOut,
    responses={200: {"description": "These exact inputs were scored before: the stored run"}},
)
def request_run(
    wave_id: UUID,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: ScoringApp,
    response: Response,
    body: Annotated[ScoreRunIn | None, Body()] = None,
) -> dict[str, Any]:
    """计算临时得分: score what has been counted so far (the run is not final)."""
    require_role(caller, "office")
    tally = app.tally(wave_id)
    auth.require_scope(caller, tally.jurisdiction_id, "wave_id")
    body = body or ScoreRunIn()
    run, created = app.request_run(caller, wave_id, body.scheme_id, body.version)
    if not created:
        response.status_code = 200
    return run_out(run)


@router.get("/waves/{wave_id}/score-runs", response_model=list[ScoreRunSummary])
def list_runs(
    wave_id: UUID, caller: CurrentPrincipal, auth: AuthenticatorDep, app: ScoringApp
) -> list[dict[str, Any]]:
    """A wave's runs in the order they were computed (without the per-unit results)."""
    require_role(caller, "office", "auditor")
    tally = app.tally(wave_id)
    auth.require_scope(caller, tally.jurisdiction_id, "wave_id")
    return [run_summary(run) for run in app.runs(wave_id)]


@router.get("/score-runs/{run_id}", response_model=ScoreRunOut)
def get_run(
    run_id: UUID, caller: CurrentPrincipal, auth: AuthenticatorDep, app: ScoringApp
) -> dict[str, Any]:
    require_role(caller, "office", "auditor")
    run = app.run(run_id)
    auth.require_scope(caller, run.jurisdiction_id, "run_id")
    return run_out(run)
