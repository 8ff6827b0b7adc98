"""Campaign-round scoring HTTP API: the scheme a campaign is scored by, runs, standings
and what-if (the scheme documents' routes: `rounds.scheme_api`). Every route's policy sits
beside it."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Path, Response

from services.scoring.engine.scheme.categories import category_warnings
from services.scoring.rounds.application import RoundScoring, assignment_out, round_run_out
from services.scoring.rounds.domain import CampaignNotFound, RoundNotFound
from services.scoring.rounds.flag_words import flag_names
from services.scoring.rounds.keys import keyed_request
from services.scoring.rounds.schemas import (
    CampaignSchemeOut,
    RoundRunIn,
    RoundRunOut,
    RoundRunSummary,
    SchemeAssignmentIn,
    StandingsOut,
    WhatIfIn,
    WhatIfOut,
)
from shared.auth import CurrentPrincipal
from shared.http import RuntimeDep, application_of
from shared.policy import Policy, PolicyRouter, ScopeTarget, allow, path, target_id
from shared.runtime import ServiceRuntime
from shared.types import UrlInt
from shared.web.idempotency import BodyFingerprint, IdempotencyKey

router = PolicyRouter(tags=["scoring: campaign rounds"])
KEY_REUSED: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "A conflict; among them an Idempotency-Key used before with "
        "another request (the error names `Idempotency-Key`, and nothing is stored)"
    }
}

RoundsApp = Annotated[RoundScoring, Depends(application_of(RoundScoring))]
CAMPAIGN = path("campaign_id", "campaign")
RoundNumber = Annotated[UrlInt, Path(ge=1, le=100, description="The round, 1-based")]


def _app(runtime: ServiceRuntime) -> RoundScoring:
    application = runtime.application
    assert isinstance(application, RoundScoring)
    return application


def _campaign(
    runtime: ServiceRuntime, campaign_id: UUID | str, field: str = "campaign_id"
) -> dict[str, Any]:
    found = runtime.campaigns.campaign(str(campaign_id))
    if found is None:
        raise CampaignNotFound("没有这次评议活动 (no such campaign)", field=field)
    return found


def resolve_campaign(runtime: ServiceRuntime, campaign_id: str, field: str) -> ScopeTarget:
    """A campaign is in the scope of the jurisdiction that runs it."""
    found = _campaign(runtime, target_id(campaign_id, field), field)
    return ScopeTarget(str(found["jurisdiction_id"]))


def resolve_round_run(runtime: ServiceRuntime, run_id: str, field: str) -> ScopeTarget:
    run = _app(runtime).round_run(target_id(run_id, field), field)
    return ScopeTarget(str(run.jurisdiction_id))


def _round(runtime: ServiceRuntime, campaign_id: UUID, round_number: int) -> dict[str, Any]:
    """The campaign, if it has the round. A not-found error names the input as request
    validation names it (`path.round_number`), as reporting's do; the policy's resolvers
    name their target as the kernel passes it."""
    campaign = _campaign(runtime, campaign_id, "path.campaign_id")
    rounds = len(campaign.get("round_windows") or [])
    if round_number > rounds:
        has = "1 round" if rounds == 1 else f"{rounds} rounds"
        raise RoundNotFound(
            f"没有第 {round_number} 轮, 该评议活动共 {rounds} 轮 "
            f"(no round {round_number}: the campaign has {has})",
            field="path.round_number",
        )
    return campaign


@router.put(
    "/campaigns/{campaign_id}/scheme",
    response_model=CampaignSchemeOut,
    responses=KEY_REUSED,
    **allow(Policy.write("office", scope=CAMPAIGN)),
)
def assign_scheme(
    campaign_id: UUID,
    body: SchemeAssignmentIn,
    caller: CurrentPrincipal,
    app: RoundsApp,
    runtime: RuntimeDep,
    body_fingerprint: BodyFingerprint,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Name the scheme version the campaign is scored by (a change is kept with its reason).
    A retry with the same `Idempotency-Key` and body answers what the first request was
    answered, even after a later assignment, and assigns nothing; the same key with another
    body or campaign is 409."""
    assigned = app.assign_scheme(
        caller,
        campaign_id,
        body.scheme_id,
        body.version,
        body.reason,
        key=idempotency_key,
        request=keyed_request(body_fingerprint, campaign_id=campaign_id),
    )
    return _with_warnings(runtime, app, assigned)


@router.get(
    "/campaigns/{campaign_id}/scheme",
    response_model=CampaignSchemeOut,
    **allow(Policy.read("office", scope=CAMPAIGN)),
)
def campaign_scheme(campaign_id: UUID, app: RoundsApp, runtime: RuntimeDep) -> dict[str, Any]:
    return _with_warnings(runtime, app, assignment_out(app.campaign_scheme(campaign_id)))


def _with_warnings(runtime: ServiceRuntime, app: RoundScoring, out: Any) -> dict[str, Any]:
    """The assignment, and what in the scheme in force cannot hold for this campaign, as
    it stands now (its categories may be amended after the assignment)."""
    current = out["current"]
    scheme = app.scheme(current["scheme_id"], current["version"])
    campaign = _campaign(runtime, out["campaign_id"])
    warnings = category_warnings(scheme, campaign.get("categories") or ())
    result: dict[str, Any] = {**out, "warnings": warnings}
    return result


@router.post(
    "/campaigns/{campaign_id}/rounds/{round_number}/score-runs",
    status_code=201,
    response_model=RoundRunOut,
    responses={
        200: {"description": "The same scheme and inputs were scored before: the stored run"},
        **KEY_REUSED,
    },
    **allow(Policy.write("office", scope=CAMPAIGN)),
)
def request_round_run(
    campaign_id: UUID,
    round_number: RoundNumber,
    body: RoundRunIn,
    caller: CurrentPrincipal,
    app: RoundsApp,
    runtime: RuntimeDep,
    response: Response,
    body_fingerprint: BodyFingerprint,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """计算本轮得分: a provisional run, or the round's final result (`final`), under the
    scheme in force. The round's result is its latest final run: a final asked for again
    with the same scheme and inputs as that one answers 200 with it; any other final is a
    new run (201) that becomes the round's result. A retry with the same `Idempotency-Key`
    and body answers the run (and status) the first request was answered, even when answers
    arrived since; the same key with another body, campaign or round is 409 and records
    nothing."""
    campaign = _round(runtime, campaign_id, round_number)
    run, created = app.request_round_run(
        caller,
        campaign_id,
        round_number,
        UUID(str(campaign["jurisdiction_id"])),
        final=body.final,
        reason=body.reason,
        key=idempotency_key,
        request=keyed_request(body_fingerprint, campaign_id=campaign_id, round=round_number),
    )
    if not created:
        response.status_code = 200
    return app.round_run_answer(run)


@router.get(
    "/campaigns/{campaign_id}/rounds/{round_number}/score-runs",
    response_model=list[RoundRunSummary],
    **allow(Policy.read("office", scope=CAMPAIGN)),
)
def list_round_runs(
    campaign_id: UUID, round_number: RoundNumber, app: RoundsApp, runtime: RuntimeDep
) -> list[dict[str, Any]]:
    """The round's runs, oldest first, without their results."""
    _round(runtime, campaign_id, round_number)
    runs = app.round_runs(campaign_id, round_number)
    return [round_run_out(run, with_results=False) for run in runs]


@router.get(
    "/round-runs/{run_id}",
    response_model=RoundRunOut,
    **allow(Policy.read("office", scope=path("run_id", "round_run"))),
)
def get_round_run(run_id: UUID, app: RoundsApp) -> dict[str, Any]:
    return app.round_run_answer(app.round_run(run_id, "path.run_id"))


@router.get(
    "/campaigns/{campaign_id}/rounds/{round_number}/standings",
    response_model=StandingsOut,
    **allow(Policy.read("office", scope=CAMPAIGN)),
)
def standings(
    campaign_id: UUID, round_number: RoundNumber, app: RoundsApp, runtime: RuntimeDep
) -> dict[str, Any]:
    """当前排名: the round as it stands now under the scheme in force (nothing stored)."""
    _round(runtime, campaign_id, round_number)
    scheme = app.scheme_in_force(campaign_id)
    found = app.standings(campaign_id, round_number, scheme)
    return {"scheme": scheme.ref(), **found, "flag_names": flag_names(found["results"], scheme)}


@router.post(
    "/campaigns/{campaign_id}/rounds/{round_number}/what-if",
    response_model=WhatIfOut,
    responses=KEY_REUSED,
    **allow(Policy.read("office", scope=CAMPAIGN)),
)
def what_if(
    campaign_id: UUID,
    round_number: RoundNumber,
    body: WhatIfIn,
    caller: CurrentPrincipal,
    app: RoundsApp,
    runtime: RuntimeDep,
    body_fingerprint: BodyFingerprint,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """假如: the differences per unit under a draft scheme; nothing is stored or published.
    As on every POST, a retry with the same `Idempotency-Key` and body answers what the
    first request was answered (kept with the key's record, the only thing stored, and
    only when a key is sent); the same key with another body, campaign or round is 409."""
    _round(runtime, campaign_id, round_number)
    return app.what_if(
        caller,
        campaign_id,
        round_number,
        body.document,
        key=idempotency_key,
        request=keyed_request(body_fingerprint, campaign_id=campaign_id, round=round_number),
    )
