"""Publication (发布) and withdrawal (撤回) of a round's results by the office that runs the
campaign, and the round's publication history (every version and withdrawal), read by
offices, auditors and admins. The public reads only what is in force (`public_api`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import Request, Response

from services.reporting.errors import (
    DIGEST_MISMATCH,
    DigestMismatch,
    RoundNotFound,
    rounds_of_campaign,
)
from services.reporting.rounds.api import (
    CAMPAIGN,
    READ,
    App,
    Results,
    RoundNumber,
    publication_out,
    views_campaign,
)
from services.reporting.rounds.catch_up import scoring_caught_up
from services.reporting.rounds.schemas import (
    PublicationOut,
    PublishedOut,
    PublishIn,
    WithdrawIn,
    WithdrawnOut,
)
from shared.auth import CurrentPrincipal
from shared.http import RuntimeDep
from shared.policy import Policy, PolicyRouter, allow
from shared.views import Document
from shared.web.idempotency import IdempotencyKey

# The same tag as the round results': one section of the API's documentation.
router = PolicyRouter(tags=["reporting: round results"])


def campaign_round(request: Request, campaign_id: UUID, round_number: int) -> Document:
    """The campaign, when it has this round: a round past its rounds is 404
    `round_not_found` on every publication route, read or write, as scoring answers it."""
    campaign = views_campaign(request, campaign_id)
    rounds = len(campaign.get("round_windows") or [])
    if round_number > rounds:
        raise RoundNotFound(rounds_of_campaign(rounds), field="path.round_number")
    return campaign


@router.post(
    "/campaigns/{campaign_id}/rounds/{round_number}/publications",
    status_code=201,
    response_model=PublishedOut,
    responses={200: {"description": "This run is already the published version"}},
    **allow(Policy.write("office", scope=CAMPAIGN)),
)
def publish(
    request: Request,
    campaign_id: UUID,
    round_number: RoundNumber,
    body: PublishIn,
    caller: CurrentPrincipal,
    app: App,
    results: Results,
    response: Response,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """发布: releases the round's final run to the evaluated units and the public. Publishing
    another run later is a correction: a new version with a `reason`; the earlier version
    stays visible as superseded. A retry with the same `Idempotency-Key` answers what the
    first request was answered, even after a later correction.

    Reporting first applies scoring's log up to its head as it stands at the request, so a
    final run replaced a moment ago is refused (409 `run_replaced`); if it cannot within
    `PINGYI_REPORTING_PUBLISH_CATCH_UP_SECONDS` (5 s), 503 `scoring_not_caught_up` with
    Retry-After, and nothing is published."""

    def release() -> tuple[Document, str, str | None]:
        run = results.run(str(body.run_id))
        if body.results_digest is not None and body.results_digest != run["results_digest"]:
            raise DigestMismatch(
                DIGEST_MISMATCH,
                field="results_digest",
                results_digest=run["results_digest"],
            )
        return run, results.snapshot_digest(run["run_id"]), results.round_final(run)

    campaign_round(request, campaign_id, round_number)
    asked = body.model_dump(mode="json") | {
        "campaign_id": str(campaign_id),
        "round": round_number,
    }
    answer = app.publish(
        caller,
        campaign_id,
        round_number,
        release,
        body.reason,
        key=idempotency_key,
        request=asked,
        catch_up=lambda: scoring_caught_up(runtime),
    )
    response.status_code = answer["status_code"]
    published: dict[str, Any] = answer["body"]
    return published


@router.get(
    "/campaigns/{campaign_id}/rounds/{round_number}/publications",
    response_model=PublicationOut,
    **allow(READ),
)
def publications(
    request: Request, campaign_id: UUID, round_number: RoundNumber, results: Results
) -> dict[str, Any]:
    """The round's publication: every version, the one in force marked current, and every
    withdrawal (a withdrawn round is still read here, with its history). A round of the
    campaign with nothing published yet answers 200 with no versions (`versions: []`,
    `version`, `run_id` and `published_at` null), as every list of the project answers
    when empty; a round past the campaign's rounds is 404 `round_not_found`."""
    found = results.publication(str(campaign_id), round_number)
    if found is not None:
        return publication_out(results, found)
    campaign = campaign_round(request, campaign_id, round_number)
    return {
        "campaign_id": str(campaign_id),
        "round": round_number,
        "jurisdiction_id": str(campaign["jurisdiction_id"]),
        "campaign_name": results.campaign_name(str(campaign_id)),
        "version": None,
        "run_id": None,
        "published_at": None,
        "versions": [],
        "withdrawn": None,
        "withdrawals": [],
    }


@router.post(
    "/campaigns/{campaign_id}/rounds/{round_number}/withdrawals",
    status_code=201,
    response_model=WithdrawnOut,
    **allow(Policy.write("office", scope=CAMPAIGN)),
)
def withdraw(
    request: Request,
    campaign_id: UUID,
    round_number: RoundNumber,
    body: WithdrawIn,
    caller: CurrentPrincipal,
    app: App,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """撤回: takes the round's publication in force out of public view (a round published
    in error, or before the embargo was agreed), with a reason. Every public route of the
    round then answers 410 `publication_withdrawn` naming when and why; offices still read
    the runs and the history. Publishing the round again later is a new publication. Nothing
    published, or withdrawn already, is 409. A retry with the same `Idempotency-Key` and
    body answers the first answer; another body with that key is 409."""
    campaign_round(request, campaign_id, round_number)
    asked = body.model_dump(mode="json") | {
        "campaign_id": str(campaign_id),
        "round": round_number,
    }
    answer = app.withdraw(
        caller, campaign_id, round_number, body.reason, key=idempotency_key, request=asked
    )
    response.status_code = answer["status_code"]
    withdrawn: dict[str, Any] = answer["body"]
    return withdrawn
