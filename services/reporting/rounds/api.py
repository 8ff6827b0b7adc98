"""Round results for the offices that run a campaign, and what the round routes share (the
campaign's scope, the round number, a run to choose). Publication (发布) and withdrawal (撤回)
are `publication_api`'s.

Everything here is embargoed: offices (in scope of the campaign), auditors and admins read
every run, provisional ones included; evaluated units and the public read only what an
office has published (`public_api`).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Path, Query, Request
from fastapi.responses import StreamingResponse

from services.reporting.application import ReportingApplication
from services.reporting.errors import NO_SUCH_CAMPAIGN, CampaignNotFound
from services.reporting.rounds.files import Format, results_file, run_edition
from services.reporting.rounds.read import RoundResults
from services.reporting.rounds.schemas import DossierOut, ResultsOut, RoundOut
from services.reporting.rounds.views import ROUND_HEADS
from services.reporting.trends.read import office_runs, unit_trend
from shared.http import ViewsDep, application_of
from shared.policy import Policy, PolicyRouter, ScopeTarget, allow, path, target_id
from shared.runtime import ServiceRuntime
from shared.types import UrlInt
from shared.views import Document
from shared.web.pagination import Pagination

router = PolicyRouter(tags=["reporting: round results"])

CAMPAIGN = path("campaign_id", "campaign")
READ = Policy.read("office", scope=CAMPAIGN)
RoundNumber = Annotated[UrlInt, Path(ge=1, le=100, description="The round, 1-based")]
RunChoice = Annotated[
    UUID | None, Query(description="A run of this round; default the current one")
]
App = Annotated[ReportingApplication, Depends(application_of(ReportingApplication))]


def results_of(request: Request) -> RoundResults:
    return RoundResults(request.app.state.runtime.views)


Results = Annotated[RoundResults, Depends(results_of)]


def resolve_campaign(runtime: ServiceRuntime, campaign_id: str, field: str) -> ScopeTarget:
    """A campaign is in the scope of the jurisdiction that runs it (the registry copy)."""
    found = runtime.campaigns.campaign(str(target_id(campaign_id, field)))
    if found is None:
        raise CampaignNotFound(NO_SUCH_CAMPAIGN, field=field)
    return ScopeTarget(str(found["jurisdiction_id"]))


def publication_out(results: RoundResults, doc: Document) -> dict[str, Any]:
    """A round's publication with each version marked current, superseded or withdrawn."""
    return doc | {
        "campaign_name": results.campaign_name(doc["campaign_id"]),
        "withdrawn": doc.get("withdrawn"),
        "withdrawals": doc.get("withdrawals", []),
        "versions": [v | {"status": version_status(doc, v)} for v in doc["versions"]],
    }


def version_status(doc: Document, version: Document) -> str:
    if version.get("withdrawn"):
        return "withdrawn"
    return "current" if version["version"] == doc["version"] else "superseded"


@router.get("/campaigns/{campaign_id}/rounds", response_model=list[RoundOut], **allow(READ))
def list_rounds(
    campaign_id: UUID, results: Results, views: ViewsDep, page: Pagination
) -> list[dict[str, Any]]:
    """The campaign's scored rounds (by round), each with its runs and what is published."""
    heads = page.fetch(views, ROUND_HEADS, where={"campaign_id": str(campaign_id)})
    published = {doc["round"]: doc for doc in results.publications(str(campaign_id))}
    return [head | _published_state(published.get(head["round"])) for head in heads]


def _published_state(doc: Document | None) -> dict[str, Any]:
    """What of a round is published: the version in force, or the withdrawal in force."""
    if doc is None:
        return {"published_version": None, "published_run_id": None, "withdrawn": None}
    if doc.get("withdrawn"):
        return {
            "published_version": None,
            "published_run_id": None,
            "withdrawn": doc["withdrawn"],
        }
    return {
        "published_version": doc["version"],
        "published_run_id": doc["run_id"],
        "withdrawn": None,
    }


@router.get(
    "/campaigns/{campaign_id}/rounds/{round_number}/results",
    response_model=ResultsOut,
    **allow(READ),
)
def round_results(
    campaign_id: UUID, round_number: RoundNumber, results: Results, run_id: RunChoice = None
) -> dict[str, Any]:
    """名次 per category with grades, rank ranges, 样本不足 flags and per-level shares; the
    lists (先进, 通报批评, 约谈 …) under the scheme's names; the round's publication."""
    run = results.office_run(str(campaign_id), round_number, _text(run_id))
    publication = results.publication(str(campaign_id), round_number)
    return results.results(run) | {
        "publication": None if publication is None else publication_out(results, publication)
    }


@router.get(
    "/campaigns/{campaign_id}/rounds/{round_number}/results.xlsx",
    response_class=StreamingResponse,
    **allow(READ),
)
def round_results_xlsx(
    campaign_id: UUID, round_number: RoundNumber, results: Results, run_id: RunChoice = None
) -> StreamingResponse:
    """The results as a workbook: one sheet per category, Chinese headers, frozen header
    row, numbers as numbers."""
    return _file(results, campaign_id, round_number, run_id, "xlsx")


@router.get(
    "/campaigns/{campaign_id}/rounds/{round_number}/results.csv",
    response_class=StreamingResponse,
    **allow(READ),
)
def round_results_csv(
    campaign_id: UUID, round_number: RoundNumber, results: Results, run_id: RunChoice = None
) -> StreamingResponse:
    """The results as CSV (UTF-8 with BOM, so Excel reads the Chinese)."""
    return _file(results, campaign_id, round_number, run_id, "csv")


def _file(
    results: RoundResults,
    campaign_id: UUID,
    round_number: int,
    run_id: UUID | None,
    fmt: Format,
) -> StreamingResponse:
    run = results.office_run(str(campaign_id), round_number, _text(run_id))
    _, edition = run_edition(results, run)
    return results_file(results, run, fmt, edition)


@router.get("/campaigns/{campaign_id}/units/{unit_id}", response_model=DossierOut, **allow(READ))
def unit_dossier(
    request: Request, campaign_id: UUID, unit_id: UUID, results: Results
) -> dict[str, Any]:
    """单位档案: every component and deduction, overrides, intervals, rank, grade and lists
    in each scored round's current run, the unit's trend across the rounds, and across the
    cycles of the program (`cycles`)."""
    heads = results.heads(str(campaign_id))
    chosen = {head["round"]: head["current_run_id"] for head in heads}
    dossier = results.dossier(str(campaign_id), str(unit_id), chosen)
    campaign = views_campaign(request, campaign_id)
    trend = unit_trend(
        request.app.state.runtime.views, results, campaign, str(unit_id), office_runs(results)
    )
    return dossier | {"cycles": trend["cycles"]}


def views_campaign(request: Request, campaign_id: UUID) -> Document:
    found = request.app.state.runtime.campaigns.campaign(str(campaign_id))
    if found is None:
        raise CampaignNotFound(NO_SUCH_CAMPAIGN, field="path.campaign_id")
    campaign: Document = found
    return campaign


def _text(value: UUID | None) -> str | None:
    return None if value is None else str(value)
