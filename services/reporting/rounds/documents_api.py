"""PDF and PNG of round results: the published ones for everyone (the version asked for,
default the one in force; 404 `not_published` while embargoed), and any run for the offices
and auditors who read it before publication. Drawn in the configured CJK font
(`PINGYI_REPORTING_CJK_FONT`); without one they answer 503 `cjk_font_unavailable`."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends
from fastapi.responses import Response

from services.reporting.documents import pdf_response
from services.reporting.rounds.api import READ, Results, RoundNumber, RunChoice
from services.reporting.rounds.files import Edition, published_edition, run_edition
from services.reporting.rounds.fonts import CjkFont, font_of
from services.reporting.rounds.method import methodology
from services.reporting.rounds.pdf import results_pdf
from services.reporting.rounds.png import grades_png, ranking_png
from services.reporting.rounds.public_api import (
    PUBLIC,
    Category,
    Version,
    category_lines,
    published_document,
    round_title,
)
from services.reporting.rounds.read import RoundResults
from shared.policy import PolicyRouter, allow
from shared.views import Document

router = PolicyRouter(tags=["reporting: PDF and PNG"])
Font = Annotated[CjkFont, Depends(font_of)]
PDF = "application/pdf"
PNG = "image/png"


def _pdf(
    results: RoundResults, run: Document, font: CjkFont, shown: Document | None, edition: Edition
) -> Response:
    document = results.results(run)
    method = methodology(run, results.units(run["run_id"]))
    content = results_pdf(document, method, font, shown, edition)
    return pdf_response(content, edition.name, edition.ascii_name)


@router.get(
    "/public/campaigns/{campaign_id}/rounds/{round_number}/results.pdf",
    response_class=Response,
    responses={200: {"content": {PDF: {}}, "description": "PDF, CJK font embedded"}},
    **allow(PUBLIC),
)
def published_pdf(
    campaign_id: UUID,
    round_number: RoundNumber,
    results: Results,
    font: Font,
    version: Version = None,
) -> Response:
    """The published results as PDF: rankings, charts, lists and the methodology in the
    scheme's words, with the scheme's hash and the publication's digests."""
    publication, shown = results.published(str(campaign_id), round_number, version)
    run = results.run(shown["run_id"], field="query.version")
    return _pdf(results, run, font, shown, published_edition(results, run, publication, shown))


@router.get(
    "/campaigns/{campaign_id}/rounds/{round_number}/results.pdf",
    response_class=Response,
    responses={200: {"content": {PDF: {}}, "description": "PDF, CJK font embedded"}},
    **allow(READ),
)
def round_pdf(
    campaign_id: UUID,
    round_number: RoundNumber,
    results: Results,
    font: Font,
    run_id: RunChoice = None,
) -> Response:
    """Any run's results as PDF, for checking before publication (titled 未发布, 暂定 for
    a provisional run); a run that was published reads as its published version."""
    chosen = None if run_id is None else str(run_id)
    run = results.office_run(str(campaign_id), round_number, chosen)
    shown, edition = run_edition(results, run)
    return _pdf(results, run, font, shown, edition)


@router.get(
    "/public/campaigns/{campaign_id}/rounds/{round_number}/charts/ranking.png",
    response_class=Response,
    responses={200: {"content": {PNG: {}}, "description": "PNG"}},
    **allow(PUBLIC),
)
def ranking_chart_png(
    campaign_id: UUID,
    round_number: RoundNumber,
    results: Results,
    font: Font,
    category: Category = None,
    version: Version = None,
) -> Response:
    """A category's published ranking as PNG: bars with interval whiskers, 样本不足 instead
    of a bar for units under the minimum sample."""
    document = published_document(results, campaign_id, round_number, version)
    chosen, lines = category_lines(document, category)
    return Response(ranking_png(f"{round_title(document)} {chosen}", lines, font), media_type=PNG)


@router.get(
    "/public/campaigns/{campaign_id}/rounds/{round_number}/charts/grades.png",
    response_class=Response,
    responses={200: {"content": {PNG: {}}, "description": "PNG"}},
    **allow(PUBLIC),
)
def grades_chart_png(
    campaign_id: UUID,
    round_number: RoundNumber,
    results: Results,
    font: Font,
    version: Version = None,
) -> Response:
    """The published grade distribution as PNG."""
    document = published_document(results, campaign_id, round_number, version)
    title = f"{round_title(document)} 等级分布"
    return Response(grades_png(title, document["grade_counts"], font), media_type=PNG)
