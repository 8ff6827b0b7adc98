"""评议活动: campaigns, their enrolled units (参评单位) and key evaluation targets (重点评议对象).

Offices write inside their jurisdiction subtree, auditors read everything and write nothing.
Writes answer from the event-sourced campaign; reads come from the read model, which follows
the registry's log (GET /positions tells how far it is).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query, Request

from services.registry.api.deps import RegistryApp, RegistryViewDep
from services.registry.domain import CampaignNotFound, EnrolmentNotFound
from services.registry.domain.common import NOT_ENROLLED, no_such
from services.registry.projections.campaigns import (
    CAMPAIGNS,
    ENROLMENTS,
    CampaignReadModel,
    enrolment_segments,
)
from services.registry.schemas.campaigns import (
    CampaignIn,
    CampaignOut,
    CategoriesAmendmentIn,
    EnrolmentBatchIn,
    EnrolmentBatchOut,
    EnrolmentDetailOut,
    EnrolmentOut,
    KeyTargetIn,
    PhasesAmendmentIn,
    RevocationIn,
    WithdrawalIn,
)
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.http import ViewsDep
from shared.policy import PARTICIPANTS, Policy, PolicyRouter, allow, body, path
from shared.registry_view import UNITS
from shared.types import Line
from shared.views import Document
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination, narrowed, scope_where

router = PolicyRouter(tags=["campaigns 评议活动"])
CAMPAIGN = path("campaign_id", "campaign")
WRITE = allow(Policy.write("office", scope=CAMPAIGN))
READ = allow(Policy.read(*PARTICIPANTS, scope=CAMPAIGN))
# One unit's enrolment carries its history (key-target reasons, withdrawals): a unit's key
# reads its own only, not its neighbours' in the same campaign.
READ_ENROLMENT = allow(Policy.read(*PARTICIPANTS, scope=(CAMPAIGN, path("unit_id", "unit_ever"))))


def get_reads(request: Request) -> CampaignReadModel:
    return CampaignReadModel(request.app.state.runtime.views)


Reads = Annotated[CampaignReadModel, Depends(get_reads)]


def readable(reads: CampaignReadModel, campaign_id: UUID) -> Document:
    doc = reads.campaign(str(campaign_id))
    if doc is None:
        raise CampaignNotFound(no_such("campaign"), field="campaign_id")
    return doc


def with_unit(doc: Document, unit: Document | None) -> Document:
    found = unit or {}
    return doc | {"unit_name": found.get("name"), "jurisdiction_id": found.get("jurisdiction_id")}


@router.post(
    "/campaigns",
    status_code=201,
    response_model=CampaignOut,
    **allow(Policy.write("office", scope=body("jurisdiction_id", "jurisdiction"))),
)
def open_campaign(
    body: CampaignIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    reads: Reads,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """开展评议活动: open a campaign with its program pattern, cycle, phases and categories.

    Phases are listed in order, lie inside the cycle and do not overlap; a bad one is named
    in the error, e.g. `phases.1.starts_on`. Categories that differ only in spaces or
    全角/半角 forms are one category listed twice (422 naming `categories.<i>`).

    One campaign per jurisdiction, pattern and cycle (the days it starts and ends), whatever
    it is called: reporting links a pattern's campaigns cycle by cycle. Another is a 409
    `duplicate_campaign` naming `cycle`, with the `campaign_id` (and `name`) that holds it.
    """
    return app.open_campaign(caller, body.model_dump(), idempotency_key, reads.campaign_ids_in)


@router.get(
    "/campaigns",
    response_model=list[CampaignOut],
    **allow(Policy.read(*PARTICIPANTS, filtered=True)),
)
def list_campaigns(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    jurisdiction_id: Annotated[UUID | None, Query()] = None,
) -> list[Document]:
    """评议活动列表: the campaigns visible to the caller, newest cycle first, then by name in
    dictionary (pinyin, 音序) order (边界 before 代表 before 第二), then by id; paged (`limit`,
    `cursor`); scope and filter in one indexed query."""
    where = scope_where(auth, caller, unit_field=None)
    if jurisdiction_id is not None:
        where = narrowed(where, "jurisdiction_id", str(jurisdiction_id))
    return page.fetch(views, CAMPAIGNS, where=where)


@router.get("/campaigns/{campaign_id}", response_model=CampaignOut, **READ)
def get_campaign(campaign_id: UUID, reads: Reads) -> Document:
    """查看评议活动: one campaign with its phases, categories and enrolment counts."""
    return readable(reads, campaign_id)


@router.post("/campaigns/{campaign_id}/phases", response_model=CampaignOut, **WRITE)
def amend_phases(
    campaign_id: UUID,
    body: PhasesAmendmentIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """调整工作阶段: replace the phase list, with a reason; the old list stays in the history."""
    phases = [p.model_dump() for p in body.phases]
    return app.amend_phases(caller, campaign_id, phases, body.reason, idempotency_key)


@router.post("/campaigns/{campaign_id}/categories", response_model=CampaignOut, **WRITE)
def amend_categories(
    campaign_id: UUID,
    body: CategoriesAmendmentIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """调整参评类别: replace the category list, with a reason. A category that still has
    enrolled units cannot be dropped (409)."""
    return app.amend_categories(caller, campaign_id, body.categories, body.reason, idempotency_key)


@router.post(
    "/campaigns/{campaign_id}/enrolments",
    status_code=201,
    response_model=EnrolmentBatchOut,
    **WRITE,
)
def enrol_units(
    campaign_id: UUID,
    body: EnrolmentBatchIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """确定参评单位: enrol units, each with a category of the campaign, all or none.

    Only active units located in the campaign's jurisdiction (vertically managed ones too) or
    sub-units of such units; anything else is refused naming `enrolments.<i>.unit_id`.

    A sub-unit whose parent is enrolled is enrolled in its parent's category or in a category
    of sub-units only (基层站所和窗口单位, scored there and rolled up into the parent), never
    among the units of another category: 422 naming `enrolments.<i>.category` of whichever
    of the two is enrolled last. A category may be written with other spaces or 全角/半角
    forms; the campaign's own spelling is recorded.
    """
    items = [e.model_dump() for e in body.enrolments]
    return app.enrol_units(caller, campaign_id, items, idempotency_key)


@router.get("/campaigns/{campaign_id}/enrolments", response_model=list[EnrolmentOut], **READ)
def list_enrolments(
    campaign_id: UUID,
    reads: Reads,
    views: ViewsDep,
    page: Pagination,
    category: Annotated[Line | None, Query(max_length=100)] = None,
    status: Annotated[Literal["enrolled", "withdrawn"] | None, Query()] = None,
    key_target: Annotated[bool | None, Query()] = None,
) -> list[Document]:
    """参评单位名单: enrolled (and withdrawn) units with names, category and key-target flag,
    by the campaign's category order, then in enrolment order; paged (`limit`, `cursor`).
    Filters run in SQL, one query per category on a page; unit names are joined in one
    more query. `category` matches however its spaces and 全角/半角 forms are written, as
    enrolment does."""
    campaign = readable(reads, campaign_id)
    where: dict[str, str | set[str] | None] = {
        "category": category,
        "status": status,
        "is_key_target": None if key_target is None else str(key_target).lower(),
    }
    found = page.fetch_in_turn(views, ENROLMENTS, enrolment_segments(campaign, where))
    units = views.get_many(UNITS, {e["unit_id"] for e in found})
    return [with_unit(e, units.get(e["unit_id"])) for e in found]


@router.get(
    "/campaigns/{campaign_id}/enrolments/{unit_id}",
    response_model=EnrolmentDetailOut,
    **READ_ENROLMENT,
)
def get_enrolment(
    campaign_id: UUID,
    unit_id: UUID,
    reads: Reads,
    registry: RegistryViewDep,
) -> Document:
    """查看参评记录: one unit's enrolment with its history (enrolled, withdrawn, designated…)."""
    readable(reads, campaign_id)
    doc = reads.enrolment(str(campaign_id), str(unit_id))
    if doc is None:
        raise EnrolmentNotFound(NOT_ENROLLED, field="unit_id")
    return with_unit(doc, registry.unit(str(unit_id)))


@router.post(
    "/campaigns/{campaign_id}/enrolments/{unit_id}/withdrawal",
    response_model=EnrolmentOut,
    **WRITE,
)
def withdraw_unit(
    campaign_id: UUID,
    unit_id: UUID,
    body: WithdrawalIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """退出评议: withdraw a unit from the campaign, with a reason. It may be enrolled again."""
    return app.withdraw_unit(caller, campaign_id, unit_id, body.reason, idempotency_key)


@router.post(
    "/campaigns/{campaign_id}/key-targets",
    status_code=201,
    response_model=EnrolmentOut,
    **WRITE,
)
def designate_key_target(
    campaign_id: UUID,
    body: KeyTargetIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """确定重点评议对象: single out an enrolled unit (群众意见集中, 上年度考核一般 or 其他)."""
    return app.designate_key_target(
        caller, campaign_id, body.unit_id, body.reason_code, body.reason, idempotency_key
    )


@router.post(
    "/campaigns/{campaign_id}/key-targets/{unit_id}/revocation",
    response_model=EnrolmentOut,
    **WRITE,
)
def revoke_key_target(
    campaign_id: UUID,
    unit_id: UUID,
    body: RevocationIn,
    caller: CurrentPrincipal,
    app: RegistryApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """撤销重点评议对象: end a key-target designation, with a reason."""
    return app.revoke_key_target(caller, campaign_id, unit_id, body.reason, idempotency_key)
