"""Published results, for everyone (no key): only what an office has published, in the
version asked for (default the one in force). A round that has not been published answers
404 `not_published`, the same whether or not it has been scored, so the embargo does not
leak even the existence of results. A round whose publication was withdrawn (撤回) answers
410 `publication_withdrawn`, naming when and why, and never the withdrawn results."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Query, Request
from fastapi.responses import Response, StreamingResponse

from services.reporting.errors import NO_SUCH_CATEGORY, CategoryNotFound
from services.reporting.rounds.api import Results, RoundNumber, publication_out
from services.reporting.rounds.charts import grades_svg, ranking_svg
from services.reporting.rounds.files import Format, published_edition, results_file
from services.reporting.rounds.read import RoundResults
from services.reporting.rounds.schemas import (
    DossierOut,
    PublishedResultsOut,
    PublishedRoundOut,
)
from services.reporting.rounds.views import PUBLICATIONS
from services.reporting.rounds.withdrawn import nothing_in_force
from services.reporting.trends.read import (
    published_runs,
    unit_trend,
    with_withdrawals,
    withdrawn_rounds,
)
from shared.canonical import canonical_json
from shared.http import ViewsDep
from shared.policy import Policy, PolicyRouter, allow
from shared.types import Line, UrlInt
from shared.views import Document
from shared.web.pagination import Pagination

router = PolicyRouter(tags=["reporting: published results (public)"])
PUBLIC = Policy.anyone()
Version = Annotated[
    UrlInt | None, Query(ge=1, le=10_000, description="A published version; default in force")
]
Category = Annotated[Line | None, Query(max_length=100, description="Default: the first category")]


@router.get("/public/results", response_model=list[PublishedRoundOut], **allow(PUBLIC))
def published_rounds(results: Results, views: ViewsDep, page: Pagination) -> list[dict[str, Any]]:
    """Every published campaign round, most recently published first; a round withdrawn
    since (撤回) is listed as such (`status: withdrawn`, when and why)."""
    found = page.fetch(views, PUBLICATIONS, descending=True)
    return [
        doc
        | {
            "campaign_name": results.campaign_name(doc["campaign_id"]),
            "status": "withdrawn" if doc.get("withdrawn") else "current",
        }
        for doc in found
    ]


def _published(
    results: RoundResults, campaign_id: UUID, round_number: int, version: int | None
) -> tuple[Document, Document, Document]:
    publication, shown = results.published(str(campaign_id), round_number, version)
    return publication, shown, results.run(shown["run_id"], field="query.version")


@router.get(
    "/public/campaigns/{campaign_id}/rounds/{round_number}",
    response_model=PublishedResultsOut,
    **allow(PUBLIC),
)
def published_results(
    campaign_id: UUID, round_number: RoundNumber, results: Results, version: Version = None
) -> dict[str, Any]:
    """The published results: rankings with grades, rank ranges and 样本不足 flags, per-level
    shares, lists, the scheme (id, version, hash) and every published version."""
    publication, shown, run = _published(results, campaign_id, round_number, version)
    marked = publication_out(results, publication)
    current = next(v for v in marked["versions"] if v["version"] == shown["version"])
    return results.results(run) | {"publication": marked, "published": current}


@router.get(
    "/public/campaigns/{campaign_id}/rounds/{round_number}/snapshot",
    response_class=Response,
    responses={200: {"description": "Canonical JSON; its sha256 is the snapshot_digest"}},
    **allow(PUBLIC),
)
def published_snapshot(
    campaign_id: UUID, round_number: RoundNumber, results: Results, version: Version = None
) -> Response:
    """Exactly what was published (scoring's `scoring.round.scored` payload of the run), as
    canonical JSON: `sha256:` + its SHA-256 is the version's `snapshot_digest`."""
    _, shown, run = _published(results, campaign_id, round_number, version)
    return Response(
        canonical_json(results.snapshot(run["run_id"])),
        media_type="application/json",
        headers={"X-Snapshot-Digest": shown["snapshot_digest"]},
    )


@router.get(
    "/public/campaigns/{campaign_id}/rounds/{round_number}/results.xlsx",
    response_class=StreamingResponse,
    **allow(PUBLIC),
)
def published_xlsx(
    campaign_id: UUID, round_number: RoundNumber, results: Results, version: Version = None
) -> StreamingResponse:
    return _file(results, campaign_id, round_number, version, "xlsx")


@router.get(
    "/public/campaigns/{campaign_id}/rounds/{round_number}/results.csv",
    response_class=StreamingResponse,
    **allow(PUBLIC),
)
def published_csv(
    campaign_id: UUID, round_number: RoundNumber, results: Results, version: Version = None
) -> StreamingResponse:
    return _file(results, campaign_id, round_number, version, "csv")


def _file(
    results: RoundResults,
    campaign_id: UUID,
    round_number: int,
    version: int | None,
    fmt: Format,
) -> StreamingResponse:
    publication, shown, run = _published(results, campaign_id, round_number, version)
    return results_file(results, run, fmt, published_edition(results, run, publication, shown))


@router.get(
    "/public/campaigns/{campaign_id}/units/{unit_id}",
    response_model=DossierOut,
    **allow(PUBLIC),
)
def published_dossier(
    request: Request, campaign_id: UUID, unit_id: UUID, results: Results
) -> dict[str, Any]:
    """A unit's published results across the campaign's published rounds (the versions in
    force): components, deductions, overrides, intervals, rank, grade, lists and trend. A
    round withdrawn since is not among them: `withdrawn` names it, when and why."""
    dossier = published_dossier_of(results, campaign_id, unit_id)
    return dossier | {"cycles": published_cycles(request, results, campaign_id, unit_id)}


def published_dossier_of(results: RoundResults, campaign_id: UUID, unit_id: UUID) -> Document:
    """The dossier over the rounds in force; 410 when every published round was withdrawn,
    404 when none was published."""
    in_force = results.in_force(str(campaign_id))
    if not in_force:
        raise nothing_in_force(results.publications(str(campaign_id)), "path.campaign_id")
    chosen = {doc["round"]: doc["run_id"] for doc in in_force}
    dossier = results.dossier(str(campaign_id), str(unit_id), chosen)
    return dossier | {"withdrawn": withdrawn_rounds(results, str(campaign_id))}


def published_cycles(
    request: Request, results: RoundResults, campaign_id: UUID, unit_id: UUID
) -> list[Document]:
    """The unit's published results across the program's cycles (历次评议)."""
    runtime = request.app.state.runtime
    campaign = runtime.campaigns.campaign(str(campaign_id))
    if campaign is None:
        return []
    trend = unit_trend(runtime.views, results, campaign, str(unit_id), published_runs(results))
    cycles: list[Document] = with_withdrawals(results, trend)["cycles"]
    return cycles


SVG = "image/svg+xml"


@router.get(
    "/public/campaigns/{campaign_id}/rounds/{round_number}/charts/ranking.svg",
    response_class=Response,
    responses={200: {"content": {SVG: {}}, "description": "SVG"}},
    **allow(PUBLIC),
)
def ranking_chart(
    campaign_id: UUID,
    round_number: RoundNumber,
    results: Results,
    category: Category = None,
    version: Version = None,
) -> Response:
    """A category's published ranking: bars to each score with interval whiskers; units
    under the minimum sample show 样本不足."""
    document = published_document(results, campaign_id, round_number, version)
    chosen, lines = category_lines(document, category)
    return Response(ranking_svg(f"{round_title(document)} {chosen}", lines), media_type=SVG)


@router.get(
    "/public/campaigns/{campaign_id}/rounds/{round_number}/charts/grades.svg",
    response_class=Response,
    responses={200: {"content": {SVG: {}}, "description": "SVG"}},
    **allow(PUBLIC),
)
def grades_chart(
    campaign_id: UUID, round_number: RoundNumber, results: Results, version: Version = None
) -> Response:
    """How many units got each grade in the published results."""
    document = published_document(results, campaign_id, round_number, version)
    title = f"{round_title(document)} 等级分布"
    return Response(grades_svg(title, document["grade_counts"]), media_type=SVG)


def published_document(
    results: RoundResults, campaign_id: UUID, round_number: int, version: int | None
) -> Document:
    """The results of the published version asked for (default the one in force)."""
    _, _, run = _published(results, campaign_id, round_number, version)
    document: Document = results.results(run)
    return document


def category_lines(document: Document, category: str | None) -> tuple[str, list[Any]]:
    """The category asked for (default the first) and its ranking's lines."""
    chosen = category or (document["categories"][0]["category"] if document["categories"] else "")
    lines = next((c["entries"] for c in document["categories"] if c["category"] == chosen), None)
    if lines is None:
        raise CategoryNotFound(NO_SUCH_CATEGORY, field="query.category")
    return chosen, lines


def round_title(document: Document) -> str:
    return f"{document['campaign_name'] or ''} 第{document['round']}轮".strip()
