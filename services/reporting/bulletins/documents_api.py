"""每周一报 and 每月双报 as an HTML page and as a PDF, for the same callers as the JSON
(offices in scope of the jurisdiction, its subtree included; auditors; admins)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response

from services.reporting.bulletins.api import (
    READ,
    Jurisdiction,
    Month,
    Week,
    monthly_of,
    weekly_of,
)
from services.reporting.bulletins.render import FACT_KINDS, bulletin_pdf, summary_line
from services.reporting.documents import HTML, PDF_RESPONSE, pdf_response, render
from services.reporting.error_pages import PageRoute
from services.reporting.rounds.fonts import CjkFont, font_of
from shared.policy import PolicyRouter, allow

router = PolicyRouter(route_class=PageRoute, tags=["reporting: bulletins (每周一报, 每月双报)"])
Font = Annotated[CjkFont, Depends(font_of)]


def _page(doc: dict[str, Any], kind: str, jurisdiction_id: UUID, period: dict[str, str]) -> Any:
    query = urlencode({"jurisdiction_id": str(jurisdiction_id), **period})
    return render(
        "bulletin.html",
        title=doc["title"],
        kicker="督办工作简报（内部）",
        doc=doc,
        summary=summary_line(doc),
        kinds=FACT_KINDS,
        pdf_href=f"/bulletins/{kind}.pdf?{query}",
        json_href=f"/bulletins/{kind}?{query}",
    )


@router.get("/bulletins/weekly.html", response_class=HTMLResponse, responses=HTML, **allow(READ))
def weekly_page(request: Request, jurisdiction_id: Jurisdiction, week: Week) -> HTMLResponse:
    """每周一报 as a page: 基本情况, 进度最好 and 末位, overdue tasks, the week's facts."""
    doc = weekly_of(request.app.state.runtime.views, jurisdiction_id, week)
    page: HTMLResponse = _page(doc, "weekly", jurisdiction_id, {"week": week})
    return page


@router.get("/bulletins/monthly.html", response_class=HTMLResponse, responses=HTML, **allow(READ))
def monthly_page(request: Request, jurisdiction_id: Jurisdiction, month: Month) -> HTMLResponse:
    """每月双报 as a page: adds each task's 推进专报, who has not reported, and the
    difficulties raised (疑难问题及困难专报)."""
    doc = monthly_of(request.app.state.runtime.views, jurisdiction_id, month)
    page: HTMLResponse = _page(doc, "monthly", jurisdiction_id, {"month": month})
    return page


@router.get("/bulletins/weekly.pdf", response_class=Response, responses=PDF_RESPONSE, **allow(READ))
def weekly_pdf(request: Request, jurisdiction_id: Jurisdiction, week: Week, font: Font) -> Response:
    """每周一报 as PDF (CJK font embedded)."""
    doc = weekly_of(request.app.state.runtime.views, jurisdiction_id, week)
    return pdf_response(bulletin_pdf(doc, font), doc["title"], f"bulletin-weekly-{week}")


@router.get(
    "/bulletins/monthly.pdf", response_class=Response, responses=PDF_RESPONSE, **allow(READ)
)
def monthly_pdf(
    request: Request, jurisdiction_id: Jurisdiction, month: Month, font: Font
) -> Response:
    """每月双报 as PDF (CJK font embedded)."""
    doc = monthly_of(request.app.state.runtime.views, jurisdiction_id, month)
    return pdf_response(bulletin_pdf(doc, font), doc["title"], f"bulletin-monthly-{month}")
