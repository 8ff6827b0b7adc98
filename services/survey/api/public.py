"""Online public voting (网上公开评议): no API key; rate-limited per client address by the
edge like every public route, and codes besides per phone and per wave."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field

from services.survey.api.deps import SurveyApp, SurveyRouter
from services.survey.application.voters import voting_status
from services.survey.schemas.questionnaires import CodeIn, CodeOut, VoteIn, VoteOut
from shared.contracts.survey import SCALE_LEVELS, EnrolledUnit
from shared.policy import Policy, allow
from shared.web.idempotency import IdempotencyKey

router = SurveyRouter(tags=["public voting 网上评议"])


class PublicWaveOut(BaseModel):
    wave_id: UUID
    name: str
    status: str = Field(
        description="`open` when a vote now is taken; `not_open_yet` before the window, "
        "`closed` after it or after the office closed the wave"
    )
    opens_at: str | None
    closes_at: str | None
    voter_check: Literal["sms_code", "none"] = Field(
        description="`sms_code`: ask for a code (`POST .../codes`) and send it with the vote; "
        "`none`: votes are not checked (any well-formed number votes)"
    )
    answers: list[str]
    units: list[EnrolledUnit]


@router.get(
    "/public/waves/{wave_id}",
    response_model=PublicWaveOut,
    **allow(Policy.anyone()),
)
def public_wave(wave_id: UUID, app: SurveyApp) -> dict[str, Any]:
    """What a voter sees: the units, the answers allowed, and whether a vote is taken now
    (`status`: `open`, `not_open_yet`, `closed`). Only waves opened to the public exist
    here: a private wave answers 404 `wave_not_found`, as a missing one does."""
    wave = app.public_wave(wave_id)
    return {
        "wave_id": str(wave.id),
        "name": wave.name,
        "status": voting_status(wave, datetime.now(UTC)),
        "opens_at": None if wave.opens_at is None else wave.opens_at.isoformat(),
        "closes_at": None if wave.closes_at is None else wave.closes_at.isoformat(),
        "voter_check": wave.voter_check,
        "answers": list(SCALE_LEVELS[wave.template.scale]),
        "units": [u.model_dump(mode="json") for u in wave.units],
    }


@router.post(
    "/public/waves/{wave_id}/codes",
    status_code=202,
    response_model=CodeOut,
    **allow(Policy.anyone()),
)
def request_code(wave_id: UUID, body: CodeIn, app: SurveyApp) -> dict[str, Any]:
    """获取短信验证码: a 6-digit code texted to the voter's mainland mobile number, valid 10
    minutes and for one vote on this wave; five wrong tries kill it, and a new code replaces
    it. The answer is the same whether or not the number has voted. At most one code a
    minute and five an hour per number, and `sms_codes_per_wave_hour` per wave: past them
    429 `too_many_codes` with Retry-After. A wave whose `voter_check` is `none`: 409
    `code_not_needed`; outside its window: 409 `not_open_yet` / `wave_closed`; an ID
    number (or no number at all): 422 `invalid_code_request` naming `voter`; no SMS
    gateway configured, or the gateway failing: 503 `sms_unavailable` (nothing counts
    against the limits)."""
    return app.request_code(wave_id, body.voter)


@router.post(
    "/public/waves/{wave_id}/votes",
    status_code=201,
    response_model=VoteOut,
    **allow(Policy.anyone()),
)
def vote(
    wave_id: UUID,
    body: VoteIn,
    app: SurveyApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """投票: one vote per person per unit per campaign round. The voter is identified by a
    keyed hash of the mobile or ID number (never stored). On a wave whose `voter_check` is
    `sms_code`, the voter is a mobile number and `code` the one texted to it (`POST
    .../codes`): none, wrong, expired, used or spent is 422 `invalid_code` naming `code`
    (`context.why`); the code is used by the vote it verifies. A second vote on a unit
    answers 409 `already_voted`, naming the units only to a voter whose code was checked.
    Before the wave's window opens: 409
    `not_open_yet`; after it closes: 409 `wave_closed`. An Idempotency-Key is the voter's
    own (scoped to the voter and the wave): a retry with it and the same body answers as
    the first time. A body that names a key twice in one object (a unit in `ratings`) is
    422 `duplicate_key`, naming each place."""
    return app.vote(wave_id, body.voter, dict(body.ratings), idempotency_key, body.code)
