"""Reporting HTTP API: published rankings, read from the rankings view."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Path, Request
from fastapi.responses import Response

from services.reporting.export import rankings_csv
from services.reporting.schemas import CategoryRankingOut, WaveOut, WaveRankingsOut
from services.reporting.views import WAVES, RankingsView, public_meta
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.errors import NotFoundError
from shared.http import ViewsDep
from shared.policy import Policy, PolicyRouter, ScopeTarget, allow, path, target_id
from shared.runtime import ServiceRuntime
from shared.types import Line
from shared.views import Document
from shared.web.pagination import Pagination, scope_where

router = PolicyRouter(tags=["reporting"])


def get_rankings(request: Request) -> RankingsView:
    return RankingsView(request.app.state.runtime.views)


Rankings = Annotated[RankingsView, Depends(get_rankings)]
Category = Annotated[Line, Path(min_length=1, max_length=100, examples=["政府部门及其它机构"])]
# Agencies, inspectors and units take part in an evaluation; its results are for the
# offices that run it and for auditors.
RESULTS = Policy.read("office", scope=path("wave_id", "ranked_wave"))


def resolve_ranked_wave(runtime: ServiceRuntime, wave_id: str, field: str) -> ScopeTarget:
    wave = RankingsView(runtime.views).wave(str(target_id(wave_id, field)))
    if wave is None:
        raise NotFoundError("no rankings for this wave", field=field)
    return ScopeTarget(wave["jurisdiction_id"])


def _wave(rankings: RankingsView, wave_id: UUID) -> Document:
    wave = rankings.wave(str(wave_id))
    if wave is None:
        raise NotFoundError("no rankings for this wave", field="wave_id")
    return wave


@router.get("/waves", response_model=list[WaveOut], **allow(Policy.read("office", filtered=True)))
def list_waves(
    caller: CurrentPrincipal, auth: AuthenticatorDep, views: ViewsDep, page: Pagination
) -> list[Document]:
    """Waves with rankings that the caller may read, with each wave's run history; by name,
    paged (`limit`, `cursor`), scope filtered in one indexed query."""
    return page.fetch(views, WAVES, where=scope_where(auth, caller))


@router.get("/waves/{wave_id}/rankings", response_model=WaveRankingsOut, **allow(RESULTS))
def wave_rankings(wave_id: UUID, rankings: Rankings) -> dict[str, Any]:
    """名次 of every category in the wave's current run (categories in pinyin order)."""
    wave = _wave(rankings, wave_id)
    categories = [
        {"category": doc["category"], "entries": doc["entries"]}
        for doc in rankings.categories(wave)
    ]
    return public_meta(wave) | {"categories": categories}


@router.get("/waves/{wave_id}/rankings.csv", response_class=Response, **allow(RESULTS))
def wave_rankings_csv(wave_id: UUID, rankings: Rankings) -> Response:
    """The same rankings as a spreadsheet (UTF-8 with BOM, Chinese headers)."""
    wave = _wave(rankings, wave_id)
    filename = f"rankings-{wave_id}-{wave['run_id']}.csv"
    return Response(
        rankings_csv(rankings.categories(wave)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/waves/{wave_id}/rankings/{category:path}",
    response_model=CategoryRankingOut,
    **allow(RESULTS),
)
def category_ranking(wave_id: UUID, category: Category, rankings: Rankings) -> dict[str, Any]:
    wave = _wave(rankings, wave_id)
    doc = rankings.category(wave, category)
    if doc is None:
        raise NotFoundError(
            "no such category in this wave", field="category", categories=wave["categories"]
        )
    return public_meta(doc) | {"category": doc["category"], "entries": doc["entries"]}
