"""The public results page: server-rendered HTML (Jinja2, autoescaped), Chinese first, usable
on a phone, with every style and chart inline so that it works on an intranet that reaches
nothing outside. It shows only published versions, exactly as the public JSON routes do, and
a round still embargoed answers the same 404 page whether or not it has been scored, and a
withdrawn one (撤回) the 410 page 已撤回 with when and why (`error_pages`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from services.reporting.documents import beijing
from services.reporting.error_pages import PageRoute
from services.reporting.rounds.api import Results, RoundNumber, publication_out
from services.reporting.rounds.charts import grades_svg, ranking_svg
from services.reporting.rounds.method import methodology, other_flags
from services.reporting.rounds.public_api import (
    PUBLIC,
    Version,
    published_cycles,
    published_dossier_of,
)
from services.reporting.rounds.shares import distribution, weighting_note
from services.reporting.rounds.views import PUBLICATIONS
from services.reporting.trends.read import chart_lines as cycle_lines
from shared.http import ViewsDep
from shared.policy import PolicyRouter, allow
from shared.web.pagination import Pagination

router = PolicyRouter(route_class=PageRoute, tags=["reporting: public results page"])
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)

TEMPLATES.filters["beijing"] = beijing
TEMPLATES.filters["distribution"] = distribution
TEMPLATES.filters["other_flags"] = other_flags
HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}, "description": "HTML"}}


def _render(name: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(TEMPLATES.get_template(name).render(**context))


@router.get("/public/pages", response_class=HTMLResponse, responses=HTML, **allow(PUBLIC))
def index_page(
    request: Request, results: Results, views: ViewsDep, page: Pagination
) -> HTMLResponse:
    """已发布的评议结果: every published round, most recently published first, as HTML."""
    found = views.page(PUBLICATIONS, descending=True, cursor=page.cursor, limit=page.limit)
    rounds = [
        doc
        | {
            "campaign_name": results.campaign_name(doc["campaign_id"]),
            "href": f"/public/pages/campaigns/{doc['campaign_id']}/rounds/{doc['round']}",
            "withdrawn": doc.get("withdrawn"),
        }
        for doc in found.items
    ]
    next_href = None
    if found.next_cursor is not None:
        # Relative, as every link on these pages: the same page with the next cursor, never
        # the URL as the request's Host header states it.
        next_href = "?" + request.url.include_query_params(cursor=found.next_cursor).query
    return _render("index.html", title="已发布的评议结果", rounds=rounds, next_href=next_href)


@router.get(
    "/public/pages/campaigns/{campaign_id}/rounds/{round_number}",
    response_class=HTMLResponse,
    responses=HTML,
    **allow(PUBLIC),
)
def round_page(
    campaign_id: UUID, round_number: RoundNumber, results: Results, version: Version = None
) -> HTMLResponse:
    """A published round as HTML: rankings with charts, grades, lists, the methodology
    (weights, formulas, scheme version and hash) and the files and digests to check it."""
    publication, shown = results.published(str(campaign_id), round_number, version)
    run = results.run(shown["run_id"], field="query.version")
    document = results.results(run)
    title = f"{document['campaign_name'] or '评议活动'} 第{round_number}轮评议结果"
    marked = publication_out(results, publication)
    categories = [
        category
        | {
            "chart": _svg(ranking_svg(f"{title} {category['category']}", category["entries"])),
            "weighting_note": weighting_note(category["entries"]),
        }
        for category in document["categories"]
    ]
    return _render(
        "round.html",
        title=title,
        doc=document | {"categories": categories},
        shown=next(v for v in marked["versions"] if v["version"] == shown["version"]),
        versions=marked["versions"],
        current_version=publication["version"],
        grades_chart=_svg(grades_svg(f"{title} 等级分布", document["grade_counts"])),
        method=methodology(run, results.units(run["run_id"])),
        base=f"/public/pages/campaigns/{campaign_id}",
        api=f"/public/campaigns/{campaign_id}/rounds/{round_number}",
    )


@router.get(
    "/public/pages/campaigns/{campaign_id}/units/{unit_id}",
    response_class=HTMLResponse,
    responses=HTML,
    **allow(PUBLIC),
)
def unit_page(request: Request, campaign_id: UUID, unit_id: UUID, results: Results) -> HTMLResponse:
    """单位评议档案 as HTML: the unit's results in each published round (the versions in
    force), each component and deduction with the scheme's formula, its trend, and its
    published results across the program's cycles (历次评议) with their chart."""
    dossier = published_dossier_of(results, campaign_id, unit_id)
    names: dict[str, str] = {}
    for item in dossier["rounds"]:
        names |= results.run(item["run_id"])["payload"]["list_names"]
    cycles = published_cycles(request, results, campaign_id, unit_id)
    points = [point for cycle in cycles for point in cycle["rounds"]]
    for point in points:
        names = results.run(point["run_id"])["payload"]["list_names"] | names
    cycle_chart = _svg(
        ranking_svg(f"{dossier['unit_name']} 历次综合得分", cycle_lines({"points": points}))
    )
    return _render(
        "unit.html",
        title=f"{dossier['unit_name']} 评议档案",
        dossier=dossier,
        cycles=cycles,
        cycle_points=points,
        cycle_chart=cycle_chart,
        pdf=f"/public/campaigns/{campaign_id}/units/{unit_id}/dossier.pdf",
        trend_chart=_svg(ranking_svg(f"{dossier['unit_name']} 历轮得分", trend_lines(dossier))),
        list_names=names,
        pages=f"/public/pages/campaigns/{campaign_id}",
        api=f"/public/campaigns/{campaign_id}/units/{unit_id}",
    )


def trend_lines(dossier: dict[str, Any]) -> list[dict[str, Any]]:
    """The unit's rounds as lines of a ranking chart: one bar per round, oldest first."""
    return [
        {
            "unit_name": f"第{point['round']}轮",
            "score": point["score"],
            "interval": point["interval"],
            "rank": point["rank"],
            "insufficient_sample": "样本不足" in point["flags"],
        }
        for point in dossier["trend"]
    ]


def _svg(drawn: bytes) -> Markup:
    """A chart drawn here, inline: `charts` escapes every text it writes."""
    return Markup(drawn.decode("utf-8"))
