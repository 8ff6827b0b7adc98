"""A unit's trend across cycles (历次评议), its chart, and its dossier as PDF: for offices
and auditors over the current runs of the campaigns they may read, and for everyone over
the published versions only (an embargoed round is never among the points)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from fastapi.responses import Response

from services.reporting.documents import PDF_RESPONSE, pdf_response
from services.reporting.errors import (
    CAMPAIGN_NOT_PUBLISHED,
    NO_SUCH_CAMPAIGN,
    UNIT_NOT_SCORED,
    UNIT_NOT_SCORED_HERE,
    CampaignNotFound,
    NotPublished,
    RoundNotScored,
)
from services.reporting.rounds.api import READ
from services.reporting.rounds.charts import ranking_svg
from services.reporting.rounds.fonts import CjkFont, font_of
from services.reporting.rounds.png import ranking_png
from services.reporting.rounds.public_api import PUBLIC
from services.reporting.rounds.read import RoundResults
from services.reporting.rounds.withdrawn import nothing_in_force
from services.reporting.trends.pdf import dossier_pdf
from services.reporting.trends.read import (
    Chooser,
    chart_lines,
    office_runs,
    published_runs,
    unit_trend,
    with_withdrawals,
)
from shared.policy import PolicyRouter, allow
from shared.runtime import ServiceRuntime
from shared.views import Document

router = PolicyRouter(tags=["reporting: trends across cycles (历次评议)"])
Font = Annotated[CjkFont, Depends(font_of)]
SVG = "image/svg+xml"
PNG = "image/png"
UNIT = "/campaigns/{campaign_id}/units/{unit_id}"


def _campaign(runtime: ServiceRuntime, campaign_id: UUID, public: bool) -> Document:
    found = runtime.campaigns.campaign(str(campaign_id))
    if found is None:
        if public:  # the same answer as for a campaign with nothing published
            raise NotPublished(CAMPAIGN_NOT_PUBLISHED, field="path.campaign_id")
        raise CampaignNotFound(NO_SUCH_CAMPAIGN, field="path.campaign_id")
    campaign: Document = found
    return campaign


def trend_of(request: Request, campaign_id: UUID, unit_id: UUID, public: bool) -> Document:
    """The trend as one state of the views: a round published or withdrawn between choosing
    the runs and naming the withdrawn rounds would otherwise be both a point and 撤回."""
    with request.app.state.runtime.views.snapshot():
        return _trend(request, campaign_id, unit_id, public)


def _trend(request: Request, campaign_id: UUID, unit_id: UUID, public: bool) -> Document:
    runtime = request.app.state.runtime
    results = RoundResults(runtime.views)
    campaign = _campaign(runtime, campaign_id, public)
    choose: Chooser = published_runs(results) if public else office_runs(results)
    if public and not choose(str(campaign_id)):
        # Withdrawn (410) when all that was published was withdrawn, else not published.
        raise nothing_in_force(results.publications(str(campaign_id)), "path.campaign_id")
    trend = unit_trend(runtime.views, results, campaign, str(unit_id), choose)
    if not trend["points"]:
        raise RoundNotScored(UNIT_NOT_SCORED, field="path.unit_id")
    return with_withdrawals(results, trend) if public else trend


def _title(trend: Document) -> str:
    return f"{trend['unit_name']} 历次综合得分"


def _svg(trend: Document) -> Response:
    return Response(ranking_svg(_title(trend), chart_lines(trend)), media_type=SVG)


def _png(trend: Document, font: CjkFont) -> Response:
    return Response(ranking_png(_title(trend), chart_lines(trend), font), media_type=PNG)


def _pdf(request: Request, campaign_id: UUID, unit_id: UUID, font: CjkFont, public: bool) -> Any:
    # The trend, the dossier and the runs' names as one state (the PDF drawn after): a
    # round published meanwhile would be in the dossier and missing from the trend.
    with request.app.state.runtime.views.snapshot():
        dossier, trend, names, computed = _dossier(request, campaign_id, unit_id, public)
    audience = "已发布结果" if public else "内部，含未发布结果"
    content = dossier_pdf(dossier, trend, names, font, audience, max(computed))
    prefix = "dossier" if public else "dossier-internal"
    # Named as titled: an office's internal copy saved beside the public one under the same
    # Chinese name (what browsers save it as) would pass for the published dossier.
    name = f"{dossier['unit_name']}评议档案（{audience}）"
    return pdf_response(content, name, f"{prefix}-{unit_id}")


def _dossier(
    request: Request, campaign_id: UUID, unit_id: UUID, public: bool
) -> tuple[Document, Document, dict[str, str], list[datetime]]:
    trend = trend_of(request, campaign_id, unit_id, public)
    results = RoundResults(request.app.state.runtime.views)
    here = next(c for c in trend["cycles"] if c["current"])
    chosen = {point["round"]: point["run_id"] for point in here["rounds"]}
    if not chosen:
        raise RoundNotScored(UNIT_NOT_SCORED_HERE, field="path.unit_id")
    dossier = results.dossier(str(campaign_id), str(unit_id), chosen)
    names: dict[str, str] = {}
    computed = []
    for point in trend["points"]:
        run = results.run(point["run_id"])
        names |= run["payload"]["list_names"]
        computed.append(datetime.fromisoformat(run["computed_at"]))
    return dossier, trend, names, computed


@router.get(f"{UNIT}/trend", **allow(READ))
def unit_trend_office(request: Request, campaign_id: UUID, unit_id: UUID) -> Document:
    """The unit's score, interval, rank, grade, lists and flags in every scored round of
    the campaigns of this program (same jurisdiction and pattern), oldest cycle first —
    current runs, published or not."""
    return trend_of(request, campaign_id, unit_id, public=False)


@router.get(
    f"{UNIT}/charts/trend.svg",
    response_class=Response,
    responses={200: {"content": {SVG: {}}, "description": "SVG"}},
    **allow(READ),
)
def trend_svg_office(request: Request, campaign_id: UUID, unit_id: UUID) -> Response:
    """The trend as bars with interval whiskers, one per round, oldest first."""
    return _svg(trend_of(request, campaign_id, unit_id, public=False))


@router.get(
    f"{UNIT}/charts/trend.png",
    response_class=Response,
    responses={200: {"content": {PNG: {}}, "description": "PNG"}},
    **allow(READ),
)
def trend_png_office(request: Request, campaign_id: UUID, unit_id: UUID, font: Font) -> Response:
    return _png(trend_of(request, campaign_id, unit_id, public=False), font)


@router.get(f"{UNIT}/dossier.pdf", response_class=Response, responses=PDF_RESPONSE, **allow(READ))
def dossier_pdf_office(request: Request, campaign_id: UUID, unit_id: UUID, font: Font) -> Any:
    """单位评议档案 as PDF over the current runs (titled 内部, 含未发布结果)."""
    return _pdf(request, campaign_id, unit_id, font, public=False)


@router.get(f"/public{UNIT}/trend", **allow(PUBLIC))
def unit_trend_public(request: Request, campaign_id: UUID, unit_id: UUID) -> Document:
    """The unit's published results across the program's cycles: only versions in force."""
    return trend_of(request, campaign_id, unit_id, public=True)


@router.get(
    f"/public{UNIT}/charts/trend.svg",
    response_class=Response,
    responses={200: {"content": {SVG: {}}, "description": "SVG"}},
    **allow(PUBLIC),
)
def trend_svg_public(request: Request, campaign_id: UUID, unit_id: UUID) -> Response:
    return _svg(trend_of(request, campaign_id, unit_id, public=True))


@router.get(
    f"/public{UNIT}/charts/trend.png",
    response_class=Response,
    responses={200: {"content": {PNG: {}}, "description": "PNG"}},
    **allow(PUBLIC),
)
def trend_png_public(request: Request, campaign_id: UUID, unit_id: UUID, font: Font) -> Response:
    return _png(trend_of(request, campaign_id, unit_id, public=True), font)


@router.get(
    f"/public{UNIT}/dossier.pdf", response_class=Response, responses=PDF_RESPONSE, **allow(PUBLIC)
)
def dossier_pdf_public(request: Request, campaign_id: UUID, unit_id: UUID, font: Font) -> Any:
    """单位评议档案 as PDF over the published versions only."""
    return _pdf(request, campaign_id, unit_id, font, public=True)
