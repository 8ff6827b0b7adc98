"""Scoring HTTP API: request a provisional run, read runs. Final runs need no request:
they are computed when a wave's close reaches scoring."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Body, Depends, Response

from services.scoring.application import ScoringApplication, run_out, run_summary
from services.scoring.schemas import ScoreRunIn, ScoreRunOut, ScoreRunSummary
from shared.auth import CurrentPrincipal
from shared.http import application_of
from shared.policy import Policy, PolicyRouter, ScopeTarget, allow, path, target_id
from shared.runtime import ServiceRuntime
from shared.views.base import encode_cursor
from shared.web.pagination import BadCursor, Pagination, cursor_position

router = PolicyRouter(tags=["scoring"])

ScoringApp = Annotated[ScoringApplication, Depends(application_of(ScoringApplication))]
WAVE = path("wave_id", "tally")


def _scoring(runtime: ServiceRuntime) -> ScoringApplication:
    application = runtime.application
    assert isinstance(application, ScoringApplication)
    return application


def resolve_tally(runtime: ServiceRuntime, wave_id: str, field: str) -> ScopeTarget:
    """A wave as scoring counts it, in the scope of the wave's jurisdiction."""
    return ScopeTarget(
        str(_scoring(runtime).tally(target_id(wave_id, field), field).jurisdiction_id)
    )


def resolve_run(runtime: ServiceRuntime, run_id: str, field: str) -> ScopeTarget:
    return ScopeTarget(str(_scoring(runtime).run(target_id(run_id, field), field).jurisdiction_id))


@router.post(
    "/waves/{wave_id}/score-runs",
    status_code=201,
    response_model=ScoreRunOut,
    responses={200: {"description": "These exact inputs were scored before: the stored run"}},
    **allow(Policy.write("office", scope=WAVE)),
)
def request_run(
    wave_id: UUID,
    caller: CurrentPrincipal,
    app: ScoringApp,
    response: Response,
    body: Annotated[ScoreRunIn | None, Body()] = None,
) -> dict[str, Any]:
    """计算临时得分: score what has been counted so far (the run is not final)."""
    body = body or ScoreRunIn()
    run, created = app.request_run(caller, wave_id, body.scheme_id, body.version)
    if not created:
        response.status_code = 200
    return run_out(run)


@router.get(
    "/waves/{wave_id}/score-runs",
    response_model=list[ScoreRunSummary],
    **allow(Policy.read("office", scope=WAVE)),
)
def list_runs(wave_id: UUID, app: ScoringApp, page: Pagination) -> list[dict[str, Any]]:
    """A wave's runs in the order they were computed (without the per-unit results), paged
    (`limit`, `cursor`). The wave's tally lists its runs in order, so only the runs on the
    page are read."""
    run_ids = app.tally(wave_id).run_ids
    start = 0 if page.cursor is None else _after(page.cursor, run_ids)
    shown = run_ids[start : start + page.limit]
    last = start + len(shown) - 1
    more = last + 1 < len(run_ids)
    after = encode_cursor(f"{last:09d}", run_ids[last]) if more else None
    return page.send([run_summary(app.run(UUID(run_id))) for run_id in shown], after)


def _after(cursor: str, run_ids: list[str]) -> int:
    """Where the page after `cursor` starts: the cursor names a run and its place."""
    index, run_id = cursor_position(cursor)
    if not (index.isascii() and index.isdigit()):
        raise BadCursor()
    place = int(index)
    if place >= len(run_ids) or run_ids[place] != run_id:
        raise BadCursor()
    return place + 1


@router.get(
    "/score-runs/{run_id}",
    response_model=ScoreRunOut,
    **allow(Policy.read("office", scope=path("run_id", "run"))),
)
def get_run(run_id: UUID, app: ScoringApp) -> dict[str, Any]:
    return run_out(app.run(run_id))
