"""Questionnaires: pushes, the quarantine list, corrections, voids, reviews, batches and
collection progress."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Query

from services.survey.api.deps import (
    AGENCY_OWN,
    WAVE,
    WAVE_POINTS,
    RawBody,
    SurveyApp,
    SurveyRouter,
)
from services.survey.domain.errors import InvalidRange
from services.survey.schemas.batch_results import BatchOut
from services.survey.schemas.batches import BatchIn
from services.survey.schemas.questionnaires import (
    BatchStateOut,
    CorrectionIn,
    QuestionnaireOut,
    ReasonIn,
    ReviewIn,
    ReviewOut,
    VersionsOut,
)
from services.survey.schemas.views import ProgressOut, QuestionnaireRowOut, ScanOut
from services.survey.views.waves import (
    PROGRESS,
    agency_part,
    collected_between,
    county_part,
    with_quotas,
)
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.http import ViewsDep
from shared.policy import Policy, allow
from shared.registry_view import RegistryView
from shared.types import Line, Moment
from shared.web.idempotency import BodyFingerprint, IdempotencyKey
from shared.web.pagination import Pagination, part_in_scope, party_where

router = SurveyRouter(tags=["questionnaires 问卷"])
Status = Literal["counted", "quarantined", "rejected", "voided", "withdrawn"]


@router.post(
    "/waves/{wave_id}/questionnaires:batch",
    response_model=BatchOut,
    **allow(Policy.write("agency", scope=WAVE), large_body=True),
)
def record_batch(
    wave_id: UUID,
    body: BatchIn,
    caller: CurrentPrincipal,
    app: SurveyApp,
    views: ViewsDep,
    body_fingerprint: BodyFingerprint,
    raw: RawBody,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """推送问卷, up to 10,000 a request. Each row is checked on its own: every bad row is
    listed in `problems` (row, field, reason) and the good ones are recorded, unless
    `all_or_nothing` (then 422 with every problem and nothing recorded). A questionnaire
    pushed again with the same answers (as first recorded, or as corrected) counts as a
    duplicate; with other answers it is a problem (`questionnaire_conflict`: correct it
    instead); one voided, rejected or withdrawn is a problem (`not_counted`) whatever its
    answers. Questionnaires the wave's
    integrity rules flag are recorded in quarantine. A row that names a key twice in one
    object is a problem (`duplicate_key`, at each place); such a key outside the rows
    refuses the body (422 `duplicate_key`)."""
    rows, refused, salvaged = body.rows(body.repeated(raw))
    return app.record_batch(
        caller,
        wave_id,
        rows,
        refused,
        idempotency_key,
        all_or_nothing=body.all_or_nothing,
        salvaged=salvaged,
        body_fingerprint=body_fingerprint,
        districts=RegistryView(views).subtree,
    )


@router.get(
    "/waves/{wave_id}/questionnaires",
    response_model=list[QuestionnaireRowOut],
    **allow(Policy.read("office", "agency", scope=WAVE)),
)
def list_questionnaires(
    wave_id: UUID,
    caller: CurrentPrincipal,
    views: ViewsDep,
    page: Pagination,
    status: Status | None = None,
    survey_point: Annotated[Line | None, Query(max_length=200)] = None,
    collected_from: Annotated[
        Moment | None,
        Query(
            description="Only those collected at or after this time (ISO 8601 with its "
            "offset; `+` written `%2B` in a URL)",
            examples=["2024-11-05T00:00:00+08:00"],
        ),
    ] = None,
    collected_to: Annotated[
        Moment | None,
        Query(
            description="Only those collected at or before this time",
            examples=["2024-11-05T23:59:59+08:00"],
        ),
    ] = None,
) -> list[dict[str, Any]]:
    """The wave's questionnaires with their standing, when each was collected
    (`collected_at`) and recorded (`recorded_at`), by questionnaire id, paged; `status=
    quarantined` is the quarantine list an office reviews. An agency sees those it pushed.
    From the view (may lag). `collected_from` and `collected_to` keep those collected in
    that range (both ends included); the range is no index of the view, so a narrow one
    of a large wave costs a read of the wave's rows under the other filters."""
    if collected_from is not None and collected_to is not None and collected_to < collected_from:
        raise InvalidRange(
            "采集时间范围的起点须不晚于终点 "
            "(the range must start before it ends (collected_from after collected_to))",
            field="query.collected_to",
        )
    where: dict[str, Any] = {"wave_id": str(wave_id)} | party_where(caller, AGENCY_OWN)
    if status is not None:
        where["status"] = status
    if survey_point is not None:
        where["survey_point"] = survey_point
    return collected_between(views, page, where, collected_from, collected_to)


@router.get(
    "/waves/{wave_id}/questionnaires/{response_id}",
    response_model=QuestionnaireOut,
    **allow(Policy.read("office", "agency", scope=WAVE)),
)
def get_questionnaire(
    wave_id: UUID, response_id: UUID, caller: CurrentPrincipal, app: SurveyApp
) -> dict[str, Any]:
    """One questionnaire as stored: its current answers, standing, flags and history."""
    return app.questionnaire_out(app.questionnaire_in(wave_id, response_id, caller))


@router.get(
    "/waves/{wave_id}/questionnaires/{response_id}/versions",
    response_model=VersionsOut,
    **allow(Policy.read("office", "agency", scope=WAVE)),
)
def questionnaire_versions(
    wave_id: UUID, response_id: UUID, caller: CurrentPrincipal, app: SurveyApp
) -> dict[str, Any]:
    """Every version of the answers, each correction with its actor, reason and changes."""
    return app.versions(wave_id, response_id, caller)


@router.post(
    "/waves/{wave_id}/questionnaires/{response_id}/corrections",
    response_model=QuestionnaireOut,
    **allow(Policy.write("office", "agency", scope=WAVE)),
)
def correct_questionnaire(
    wave_id: UUID,
    response_id: UUID,
    body: CorrectionIn,
    caller: CurrentPrincipal,
    app: SurveyApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """更正问卷: the whole answers as they should read, with the reason. The first answers
    and every correction stay in the log. Retried with the same Idempotency-Key and body, it
    answers as the first time. A body that names a key twice in one object (a unit in
    `ratings`) is 422 `duplicate_key`, naming each place."""
    return app.correct(caller, wave_id, response_id, body.answers(), body.reason, idempotency_key)


@router.post(
    "/waves/{wave_id}/questionnaires/{response_id}/void",
    response_model=QuestionnaireOut,
    **allow(Policy.write("office", "agency", scope=WAVE)),
)
def void_questionnaire(
    wave_id: UUID,
    response_id: UUID,
    body: ReasonIn,
    caller: CurrentPrincipal,
    app: SurveyApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """作废问卷 with the reason: it stops counting; nothing is deleted. Retried with the same
    Idempotency-Key and body, it answers as the first time."""
    return app.void(caller, wave_id, response_id, body.reason, idempotency_key)


@router.post(
    "/waves/{wave_id}/quarantine:review",
    response_model=ReviewOut,
    **allow(Policy.write("office", scope=WAVE)),
)
def review_quarantine(
    wave_id: UUID,
    body: ReviewIn,
    caller: CurrentPrincipal,
    app: SurveyApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Release (counts from now on) or reject (never counts) quarantined questionnaires,
    all of those named or none; a questionnaire that cannot be is named by its place
    (`response_ids.N`) and id. Retried with the same Idempotency-Key and body, it answers
    as the first time."""
    return app.review(
        caller, wave_id, body.response_ids, body.decision, body.reason, idempotency_key
    )


@router.post(
    "/waves/{wave_id}/integrity:scan",
    response_model=ScanOut,
    **allow(Policy.write("office", scope=WAVE)),
)
def scan_wave(
    wave_id: UUID, caller: CurrentPrincipal, app: SurveyApp, views: ViewsDep
) -> dict[str, Any]:
    """Compare each survey point's answer distribution with the rest of the wave's (total
    variation distance, see docs/survey-integrity.md); the counted questionnaires of points
    past the wave's threshold go to quarantine."""
    return app.scan_points(caller, wave_id, views)


@router.get(
    "/waves/{wave_id}/batches/{batch_id}",
    response_model=BatchStateOut,
    **allow(Policy.read("office", "agency", scope=WAVE)),
)
def get_batch(
    wave_id: UUID, batch_id: UUID, caller: CurrentPrincipal, app: SurveyApp
) -> dict[str, Any]:
    """The batch and whether it was withdrawn. An agency reads the batches it pushed only
    (another's answer 404, as its questionnaires do)."""
    party = party_where(caller, AGENCY_OWN).get("agency_id")
    return app.batch_state(wave_id, batch_id, party if isinstance(party, str) else None)


@router.post(
    "/waves/{wave_id}/batches/{batch_id}/withdraw",
    response_model=BatchStateOut,
    **allow(Policy.write("office", scope=WAVE)),
)
def withdraw_batch(
    wave_id: UUID,
    batch_id: UUID,
    body: ReasonIn,
    caller: CurrentPrincipal,
    app: SurveyApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """撤回批次 (e.g. the agency was found cheating): its questionnaires stop counting;
    nothing is deleted. Retried with the same Idempotency-Key and body, it answers as the
    first time."""
    return app.withdraw_batch(caller, wave_id, batch_id, body.reason, idempotency_key)


@router.get(
    "/waves/{wave_id}/progress",
    response_model=ProgressOut,
    **allow(Policy.read("office", "agency", scope=WAVE_POINTS)),
)
def wave_progress(
    wave_id: UUID,
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    app: SurveyApp,
    views: ViewsDep,
) -> dict[str, Any]:
    """回收进度: collected against target by survey point, county, channel, respondent group
    and agency — the questionnaires that stand, a voided one or one of a withdrawn batch no
    longer counting toward a target — and how many questionnaires stand in each status
    (every one recorded). From the view (live, may lag a batch by a moment). The office of
    a county where a wider wave has survey points reads its counties' part (`part`): their
    points and counties, the total of those, and the questionnaires collected there by
    channel, group, agency and status. An agency reads its own questionnaires only, in every
    count, and its own line of `by_agency` (`views.agencies`)."""
    wave = app.wave(wave_id)
    doc = views.get(PROGRESS, str(wave_id))
    if doc is None:
        return {"wave_id": str(wave_id), "pending": True}
    doc = with_quotas(doc, wave.agencies)
    counties = {str(point.jurisdiction_id) for point in wave.points}
    part = part_in_scope(auth, caller, str(wave.jurisdiction_id), counties, AGENCY_OWN)
    if part is not None:
        doc = county_part(doc, part)
    own = party_where(caller, AGENCY_OWN).get("agency_id")
    return doc if own is None else agency_part(doc, str(own))
