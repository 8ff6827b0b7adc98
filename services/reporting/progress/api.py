"""Wave progress (测评进度) for the office that runs the wave (its jurisdiction and above)
and the agencies accredited to it, each of which reads its own questionnaires only
(`agency.agency_part`); auditors and admins read every wave. The office of a
county where some of a wider wave's survey points are reads that county's part: its points,
its county, the totals of those, and the questionnaires collected there by channel,
respondent group, agency and status, with their satisfaction tables (`read.progress`'s
`counties`).
Evaluated units and the public read none of it: a wave's figures are not results, and
nothing here is published.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from services.reporting.documents import HTML, PDF_RESPONSE, inline_svg, pdf_response, render
from services.reporting.error_pages import PageRoute
from services.reporting.errors import NO_SUCH_WAVE, WaveNotFound
from services.reporting.progress.agency import agency_part
from services.reporting.progress.document import (
    DEFINITION,
    progress_pdf,
    summary,
    voter_check_line,
)
from services.reporting.progress.read import NUMERIC, progress
from services.reporting.progress.schemas import ProgressOut
from services.reporting.progress.views import WAVES
from services.reporting.rounds.charts import ranking_svg
from services.reporting.rounds.fonts import CjkFont, font_of
from services.reporting.rounds.png import ranking_png
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.policy import Policy, PolicyRouter, ScopeTarget, allow, path, target_id
from shared.runtime import ServiceRuntime
from shared.views import Document
from shared.web.pagination import part_in_scope, party_where

router = PolicyRouter(route_class=PageRoute, tags=["reporting: wave progress (测评进度)"])
READ = Policy.read("office", "agency", scope=path("wave_id", "progress_wave"))
By = Annotated[
    Literal["county", "channel"], Query(description="county (按县区) or channel (按渠道)")
]
Font = Annotated[CjkFont, Depends(font_of)]
SVG = "image/svg+xml"
PNG = "image/png"
BY_NAMES = {"county": "按县区", "channel": "按渠道"}


AGENCY = {"agency": "agency_id"}
"""An agency's own questionnaires are those it pushed (`agency_id`)."""


def _wave(runtime: ServiceRuntime, wave_id: str, field: str) -> Document:
    found = runtime.views.get(WAVES, wave_id)
    if found is None:
        raise WaveNotFound(NO_SUCH_WAVE, field=field)
    return found


def resolve_progress_wave(runtime: ServiceRuntime, wave_id: str, field: str) -> ScopeTarget:
    """A wave is in its jurisdiction's scope and in that of each county where it has a
    survey point (for that county's part); of agencies, only those accredited to it."""
    wave = _wave(runtime, str(target_id(wave_id, field)), field)
    return ScopeTarget(
        wave["jurisdiction_id"],
        {"agency": frozenset(wave["agencies"])},
        others=point_counties(wave),
    )


def point_counties(wave: Document) -> tuple[str, ...]:
    return tuple(sorted({point["jurisdiction_id"] for point in wave["points"]}))


def progress_of(
    request: Request, wave_id: UUID, caller: CurrentPrincipal, auth: AuthenticatorDep
) -> Document:
    """The progress the caller reads (the policy has let it in): the whole wave, or the part
    of the counties in its jurisdiction where the wave has survey points."""
    runtime = request.app.state.runtime
    wave = _wave(runtime, str(wave_id), "path.wave_id")
    counties = part_in_scope(auth, caller, wave["jurisdiction_id"], point_counties(wave), AGENCY)
    own = party_where(caller, AGENCY).get("agency_id")
    if own is not None:
        # Its own questionnaires only, in every count: the whole wave's would let it derive
        # the other agencies' counts and statuses (`agency.agency_part`).
        wave = agency_part(wave, str(own))
    return progress(wave, runtime.registry, counties)


Progress = Annotated[Document, Depends(progress_of)]


@router.get("/waves/{wave_id}/progress", response_model=ProgressOut, **allow(READ))
def wave_progress(document: Progress) -> Document:
    """Collected against target by survey point, county, channel and respondent group, by
    agency against its quota: `received` (every questionnaire recorded),
    `voided_or_withdrawn`, `collected` (survey's meaning: received less voided and
    withdrawn), `counted`, `quarantined`, `rejected`, `excluded` (rejected + voided +
    withdrawn), `target`, `completion` (counted ÷ target); how many questionnaires stand in
    each status (`by_status`: counted, quarantined, rejected, voided, withdrawn, every one
    listed, shares of those received), and the satisfaction table by county and by
    channel: counts per level, shares and the satisfied rate — descriptive figures of the
    questionnaires counted so far, not scores. A county office reads its counties' part of
    a wider wave (`part` says which): its points and county, and its questionnaires by
    channel, group, agency (quota null: it is the whole wave's) and status. An agency reads
    its own questionnaires only, in every count and table, and its own line of `by_agency`
    (against the wave's targets and its quota). `voter_check`
    says how a public wave checks its voters (null: a private wave)."""
    return document


def chart_lines(document: Document, by: str) -> list[dict[str, Any]]:
    """The satisfaction table as lines of the ranking chart: a bar to each satisfied rate
    (a numeric scale's mean on 0–100), no interval, and 样本不足 where nothing counts."""
    lines = []
    for row in document["satisfaction"][f"by_{by}"]:
        value = row["satisfied_rate"]
        if value is None and row["mean"] is not None:
            scale = Decimal(10) if document["scale"] == "numeric_10" else Decimal(1)
            value = str(Decimal(row["mean"]) * scale)
        lines.append(
            {
                "unit_name": row["name"],
                "score": value,
                "interval": None,
                "rank": None,
                "insufficient_sample": value is None,
            }
        )
    return lines


def chart_title(document: Document, by: str) -> str:
    measure = "满意率（%）" if document["satisfaction"]["total"]["mean"] is None else "平均分"
    return f"{document['name']} {measure}{BY_NAMES[by]}"


@router.get(
    "/waves/{wave_id}/progress/charts/satisfaction.svg",
    response_class=Response,
    responses={200: {"content": {SVG: {}}, "description": "SVG"}},
    **allow(READ),
)
def satisfaction_svg(document: Progress, by: By = "county") -> Response:
    """满意率 by county or by channel as bars (descriptive; 样本不足 where none counted)."""
    return Response(
        ranking_svg(chart_title(document, by), chart_lines(document, by)), media_type=SVG
    )


@router.get(
    "/waves/{wave_id}/progress/charts/satisfaction.png",
    response_class=Response,
    responses={200: {"content": {PNG: {}}, "description": "PNG"}},
    **allow(READ),
)
def satisfaction_png(document: Progress, font: Font, by: By = "county") -> Response:
    """The same chart as PNG, in the configured CJK font."""
    return Response(
        ranking_png(chart_title(document, by), chart_lines(document, by), font), media_type=PNG
    )


@router.get(
    "/waves/{wave_id}/progress.html", response_class=HTMLResponse, responses=HTML, **allow(READ)
)
def progress_page(document: Progress, wave_id: UUID) -> HTMLResponse:
    """The progress as a page: how its public votes are checked, the tables by point,
    county, channel, group, agency and status, and the satisfaction tables by county and by
    channel with their charts inline."""
    levels = list(document["satisfaction"]["total"]["counts"])

    def chart(by: str) -> Any:
        return inline_svg(ranking_svg(chart_title(document, by), chart_lines(document, by)))

    return render(
        "progress.html",
        title=f"{document['name']} 测评进度",
        kicker="测评进度（内部）",
        doc=document,
        summary=summary(document["total"]),
        voter_check=voter_check_line(document["voter_check"]),
        definition=DEFINITION,
        levels=levels,
        numeric=document["scale"] in NUMERIC,
        county_chart=chart("county"),
        channel_chart=chart("channel"),
        json_href=f"/waves/{wave_id}/progress",
        pdf_href=f"/waves/{wave_id}/progress.pdf",
    )


@router.get(
    "/waves/{wave_id}/progress.pdf", response_class=Response, responses=PDF_RESPONSE, **allow(READ)
)
def progress_document(document: Progress, font: Font) -> Response:
    """The progress as a PDF (CJK font embedded): the page's tables and both satisfaction
    charts as images."""

    def chart(doc: Document, by: str) -> bytes:
        return ranking_png(chart_title(doc, by), chart_lines(doc, by), font)

    content = progress_pdf(document, font, chart, document["scale"] in NUMERIC)
    name, ascii_name = f"{document['name']}测评进度", f"progress-{document['wave_id']}"
    part = document.get("part")
    if part:  # a county's part, named as such: a forwarded copy is not the whole wave's
        name += f"（{'、'.join(part['counties'])}部分）"
        ascii_name += "-part-" + "-".join(j[:8] for j in part["jurisdiction_ids"])
    return pdf_response(content, name, ascii_name)
