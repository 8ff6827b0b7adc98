"""Jurisdiction summaries (辖区汇总) of a campaign round.

Offices read the summary of their jurisdiction and of any below it, auditors and admins of
any: an office that runs the campaign (its jurisdiction in the office's scope) sees the
round's current run, published or not, like its other `/campaigns/…` routes, with the
rectification and complaint casework; any other office sees only what was published. The
public and evaluated units read the published figures alone (`/public/summaries/…`), and
an embargoed round answers the same 404 `not_published` as every public route, a withdrawn
one (撤回) the same 410 `publication_withdrawn`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse

from services.reporting.documents import HTML, render
from services.reporting.error_pages import PageRoute
from services.reporting.errors import (
    NO_SUCH_CAMPAIGN,
    NO_SUCH_JURISDICTION,
    CampaignNotFound,
    JurisdictionNotFound,
)
from services.reporting.rounds.api import RoundNumber, publication_out
from services.reporting.rounds.public_api import PUBLIC, Version
from services.reporting.rounds.read import RoundResults
from services.reporting.summaries.read import casework, summarize
from shared.auth import CurrentPrincipal
from shared.policy import Policy, PolicyRouter, ScopeTarget, allow, in_scope, path
from shared.principals import Principal
from shared.runtime import ServiceRuntime
from shared.views import Document

router = PolicyRouter(route_class=PageRoute, tags=["reporting: jurisdiction summaries (辖区汇总)"])
READ = Policy.read("office", scope=path("jurisdiction_id", "jurisdiction"))
BASE = "/summaries/jurisdictions/{jurisdiction_id}/campaigns/{campaign_id}/rounds/{round_number}"


def _jurisdiction(runtime: ServiceRuntime, jurisdiction_id: UUID) -> None:
    if runtime.registry.jurisdiction(str(jurisdiction_id)) is None:
        raise JurisdictionNotFound(NO_SUCH_JURISDICTION, field="path.jurisdiction_id")


def _checked(runtime: ServiceRuntime, jurisdiction_id: UUID, campaign_id: UUID) -> Document:
    _jurisdiction(runtime, jurisdiction_id)
    campaign = runtime.campaigns.campaign(str(campaign_id))
    if campaign is None:
        raise CampaignNotFound(NO_SUCH_CAMPAIGN, field="path.campaign_id")
    found: Document = campaign
    return found


def _published(
    results: RoundResults, campaign_id: UUID, round_number: int, version: int | None
) -> tuple[Document, Document]:
    publication, shown = results.published(str(campaign_id), round_number, version)
    marked = publication_out(results, publication)
    status = next(v for v in marked["versions"] if v["version"] == shown["version"])
    return results.run(shown["run_id"], field="query.version"), status


def _runs_campaign(runtime: ServiceRuntime, caller: Principal, campaign: Document) -> bool:
    return in_scope(runtime, caller, ScopeTarget(str(campaign["jurisdiction_id"])))


@router.get(BASE, **allow(READ))
def jurisdiction_summary(
    request: Request,
    jurisdiction_id: UUID,
    campaign_id: UUID,
    round_number: RoundNumber,
    caller: CurrentPrincipal,
) -> dict[str, Any]:
    """The round's units located in the jurisdiction or below: units, grade distribution,
    mean score, list counts, per category and per jurisdiction directly below, and the
    round's rectification orders and complaints by status. `published` names the version
    shown, or is null when an office that runs the campaign reads its unpublished run."""
    runtime = request.app.state.runtime
    # One state: the run shown, its publication, its tallies and the subtree they are
    # summed over (a round published or a jurisdiction registered meanwhile is in all or
    # none of them).
    with runtime.views.snapshot():
        return _office_summary(runtime, jurisdiction_id, campaign_id, round_number, caller)


def _office_summary(
    runtime: ServiceRuntime,
    jurisdiction_id: UUID,
    campaign_id: UUID,
    round_number: int,
    caller: Principal,
) -> dict[str, Any]:
    campaign = _checked(runtime, jurisdiction_id, campaign_id)
    results = RoundResults(runtime.views)
    published: Document | None
    if _runs_campaign(runtime, caller, campaign):
        run = results.office_run(str(campaign_id), round_number, None)
        publication = results.publication(str(campaign_id), round_number)
        published = None
        if publication is not None and publication["run_id"] == run["run_id"]:
            marked = publication_out(results, publication)
            # None when the round was withdrawn (撤回): no version is current then.
            published = next((v for v in marked["versions"] if v["status"] == "current"), None)
    else:
        run, published = _published(results, campaign_id, round_number, None)
    summary = summarize(runtime.views, runtime.registry, run, str(jurisdiction_id))
    work = casework(
        runtime.views, runtime.registry, str(jurisdiction_id), str(campaign_id), round_number
    )
    return summary | {"published": published, "casework": work}


@router.get(f"/public{BASE}", **allow(PUBLIC))
def published_summary(
    request: Request,
    jurisdiction_id: UUID,
    campaign_id: UUID,
    round_number: RoundNumber,
    version: Version = None,
) -> dict[str, Any]:
    """The published round's figures for the units located in the jurisdiction or below
    (the version asked for, default the one in force): units, grades, mean score, lists."""
    runtime = request.app.state.runtime
    # No campaign check here: an unknown campaign and an embargoed round answer the same
    # `not_published`, so the public learns nothing of what is not published.
    with runtime.views.snapshot():  # one state, as the office's summary
        _jurisdiction(runtime, jurisdiction_id)
        results = RoundResults(runtime.views)
        run, published = _published(results, campaign_id, round_number, version)
        summary = summarize(runtime.views, runtime.registry, run, str(jurisdiction_id))
    return summary | {"published": published}


@router.get(f"/public/pages{BASE}", response_class=HTMLResponse, responses=HTML, **allow(PUBLIC))
def published_summary_page(
    request: Request,
    jurisdiction_id: UUID,
    campaign_id: UUID,
    round_number: RoundNumber,
    version: Version = None,
) -> HTMLResponse:
    """The published summary as a page: in all, per jurisdiction below and per category
    (units, ranked, 样本不足, mean score, grades), and the lists."""
    doc = published_summary(request, jurisdiction_id, campaign_id, round_number, version)
    campaign = doc["campaign_name"] or "评议活动"
    place = doc["jurisdiction_name"] or ""
    # Named once: 舞阳县's summary of 舞阳县2026年度… is not "舞阳县 舞阳县2026年度…".
    prefix = "" if campaign.startswith(place) else place
    title = f"{prefix} {campaign} 第{round_number}轮评议结果汇总".strip()
    query = f"?version={version}" if version else ""
    return render(
        "summary.html",
        title=title,
        doc=doc,
        grades=list(doc["grade_counts"]),
        whole=[doc | {"label": doc["jurisdiction_name"] or "本辖区"}],
        by_jurisdiction=[
            row | {"label": row["jurisdiction_name"]} for row in doc["by_jurisdiction"]
        ],
        by_category=[row | {"label": row["category"]} for row in doc["by_category"]],
        round_href=f"/public/pages/campaigns/{campaign_id}/rounds/{round_number}{query}",
        json_href=f"/public{BASE}".format(
            jurisdiction_id=jurisdiction_id, campaign_id=campaign_id, round_number=round_number
        )
        + query,
    )
