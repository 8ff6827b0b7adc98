"""Waves: open, list, read, accredit agencies, close."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.survey.api.deps import AGENCY_OWN, FACTS_ONLY, WAVE, SurveyApp, SurveyRouter
from services.survey.application import agency_wave_out, facts_out, wave_out
from services.survey.schemas.waves import (
    AccreditIn,
    CloseIn,
    QuotaIn,
    WaveDetailOut,
    WaveIn,
    WaveOut,
    WaveSummaryOut,
)
from services.survey.views.waves import PROGRESS, WAVES, visible_waves, wave_standing
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.http import ViewsDep
from shared.policy import PARTICIPANTS, Policy, allow, body
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination, party_where, scope_where

router = SurveyRouter(tags=["waves 测评批次"])


@router.post(
    "/waves",
    status_code=201,
    response_model=WaveOut,
    **allow(Policy.write("office", scope=body("jurisdiction_id", "jurisdiction"))),
)
def open_wave(
    body: WaveIn,
    caller: CurrentPrincipal,
    app: SurveyApp,
    views: ViewsDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """开启测评批次. With `campaign_id` (and `round` for half-year campaigns) the units and
    their categories are the campaign's enrolment in `jurisdiction_id` when the wave opens;
    the window defaults to the round's. Without a campaign, a standalone wave names its
    `unit_ids`. Agencies are accredited with optional quotas (`agencies`)."""
    return app.open_wave(caller, body.spec(), idempotency_key, views=views)


@router.get(
    "/waves",
    response_model=list[WaveSummaryOut],
    **allow(Policy.read(*PARTICIPANTS, filtered=True)),
)
def list_waves(
    caller: CurrentPrincipal, auth: AuthenticatorDep, views: ViewsDep, page: Pagination
) -> list[dict[str, Any]]:
    """Waves visible to the caller, by name, paged (`limit`, `cursor`), from the view (it may
    lag a write by a moment). An agency sees every wave it is accredited to; everyone else
    those in their jurisdiction subtree; one indexed query per page."""
    party = party_where(caller, {"agency": "agency_id"}).get("agency_id")
    agency = party if isinstance(party, str) else None
    found = visible_waves(views, page, scope_where(auth, caller, unit_field=None), agency)
    if caller.role in FACTS_ONLY:
        return [wave | {"agency_id": None, "response_count": None} for wave in found]
    return found


FIGURES = ("questionnaires_by_status", "accepted", "response_count")
"""What `GET /waves/{wave_id}` adds to the wave as stored: its figures from the view."""


@router.get(
    "/waves/{wave_id}",
    response_model=WaveDetailOut,
    **allow(Policy.read(*PARTICIPANTS, scope=WAVE)),
)
def get_wave(
    wave_id: UUID, caller: CurrentPrincipal, app: SurveyApp, views: ViewsDep
) -> dict[str, Any]:
    """The wave as stored (`accepted`: every questionnaire it ever took); `response_count`
    and the questionnaires by status (`questionnaires`: the counted ones) come from the view
    and may lag a batch. An agency reads only its own figures, as in progress: its own line
    of `agencies`, the questionnaires it pushed (`accepted`, `response_count`, by status),
    its own batches (`batches`) and its own questionnaires quarantined at intake
    (`quarantined_at_intake`), so that nothing it reads moves with another agency's work.
    An inspector or a unit (`FACTS_ONLY`) reads the wave's facts and no figure."""
    if caller.role in FACTS_ONLY:
        return facts_out(app.wave(wave_id)) | dict.fromkeys(FIGURES)
    own = party_where(caller, AGENCY_OWN).get("agency_id")
    agency = None if own is None else str(own)
    wave = app.wave(wave_id) if agency is None else app.wave_counted_per_agency(wave_id)
    by_status = wave_standing(views.get(PROGRESS, str(wave_id)), agency)
    standing = {"questionnaires": by_status["counted"], "questionnaires_by_status": by_status}
    if agency is not None:
        return (
            agency_wave_out(wave, agency) | standing | {"response_count": sum(by_status.values())}
        )
    doc = views.get(WAVES, str(wave_id))
    return (
        wave_out(wave)
        | standing
        | {
            "accepted": wave.questionnaires,
            "response_count": 0 if doc is None else doc["response_count"],
        }
    )


@router.post(
    "/waves/{wave_id}/agencies",
    response_model=WaveOut,
    **allow(Policy.write("office", scope=WAVE)),
)
def accredit_agency(
    wave_id: UUID,
    body: AccreditIn,
    caller: CurrentPrincipal,
    app: SurveyApp,
    views: ViewsDep,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Accredit one more agency to the wave, with its quota (a retry with the same
    Idempotency-Key answers as the first did)."""
    return app.accredit_agency(caller, wave_id, body.agency_id, body.quota, views, idempotency_key)


@router.post(
    "/waves/{wave_id}/agencies:quota",
    response_model=WaveOut,
    **allow(Policy.write("office", scope=WAVE)),
)
def change_quota(
    wave_id: UUID,
    body: QuotaIn,
    caller: CurrentPrincipal,
    app: SurveyApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """调整配额: change an accredited agency's quota on the open wave, with the reason (null
    lifts it). Lowering it below the agency's questionnaires that stand (what its quota
    screening counts) is `409 quota_below_collected`. Retried with the same
    Idempotency-Key and body, it answers as the first time."""
    return app.change_quota(
        caller, wave_id, body.agency_id, body.quota, body.reason, idempotency_key
    )


@router.post(
    "/waves/{wave_id}/close",
    response_model=WaveOut,
    **allow(Policy.write("office", scope=WAVE)),
)
def close_wave(
    wave_id: UUID,
    body: CloseIn,
    caller: CurrentPrincipal,
    app: SurveyApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """结束批次: after the close no questionnaire is accepted (a batch racing the close is
    either recorded before it or refused with `wave_closed`). Retried with the same
    Idempotency-Key and body, it answers as the first time."""
    return app.close_wave(caller, wave_id, body.reason, idempotency_key)
