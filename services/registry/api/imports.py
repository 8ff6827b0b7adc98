"""导入导出: units, enrolments and representatives from and to XLSX or CSV with Chinese headers.

An import sends the file as the raw request body. `dry_run=true` answers 200 with every bad
row (row, column, reason) and a preview, and changes nothing; without it, any problem means
422 with the same list and nothing imported, otherwise every row goes to one command (all
or nothing, Idempotency-Key honoured) and the answer is 201.

The Content-Type decides the format, as for survey's uploads (`shared.tabular.formats`):
the XLSX type is read as XLSX; `text/csv` (or `text/plain`, `application/csv` and their
kin) as CSV in its `charset` (UTF-8 or GB18030; none: found from the bytes). No type,
`application/octet-stream`, curl's `application/x-www-form-urlencoded` and
`application/vnd.ms-excel` name no format: the bytes do. Another type or charset is 415
`unsupported_file`, a body that is not what its type says 422 `unreadable_file`, both
naming `Content-Type`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query, Request, Response

from services.registry.api.deps import ListedUnitsDep, RegistryApp, RegistryViewDep
from services.registry.api.units import UnitHistoryDep
from services.registry.application import RegistryApplication
from services.registry.domain import CampaignNotFound
from services.registry.domain.common import no_such
from services.registry.importing import enrolments, representatives, units
from services.registry.importing.enrolments import enrolment_sheet, enrolment_spec
from services.registry.importing.flow import already_done, finish, read_upload
from services.registry.importing.representatives import representative_sheet, representative_spec
from services.registry.importing.rows import parse_file
from services.registry.importing.schemas import UPLOAD_BODY, ImportReport
from services.registry.importing.unit_export import unit_sheet
from services.registry.importing.units import unit_spec
from services.registry.projections.campaigns import CampaignReadModel
from shared.auth import CurrentPrincipal
from shared.http import ViewsDep
from shared.policy import Policy, PolicyRouter, allow, query
from shared.tabular import Sheet
from shared.types import Line
from shared.web.download import render
from shared.web.idempotency import IdempotencyKey
from shared.web.upload import Upload

router = PolicyRouter(tags=["import/export 导入导出"])
POOL = query("jurisdiction_id", "known_jurisdiction", "defer")
CAMPAIGN = query("campaign_id", "campaign", "defer")

UploadDep = Annotated[Upload, Depends(read_upload)]
DryRun = Annotated[bool, Query(description="true: report only, import nothing (试导入)")]
SheetName = Annotated[
    Line | None,
    Query(max_length=31, description="XLSX sheet to read; the first by default", examples=["名单"]),
]
Format = Annotated[
    Literal["csv", "xlsx"],
    Query(alias="format", description="csv: UTF-8 with BOM, opens in Excel; xlsx: a workbook"),
]
IMPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "Dry run: the report (试导入报告)"},
    201: {"description": "Imported: the report and what each row created"},
    413: {"description": "File larger than 5 MB or more than 5000 rows"},
    415: {
        "description": "The Content-Type (or its charset) is neither CSV nor XLSX, or the "
        "file is a legacy .xls: `unsupported_file` naming `Content-Type`"
    },
    422: {
        "description": "Bad rows: nothing imported; the same report with every problem. "
        "Or `unreadable_file`: a body that is not what its Content-Type says (naming "
        "`Content-Type`), or a damaged or empty file (naming `file`)"
    },
}


@router.post(
    "/imports/units",
    status_code=201,
    response_model=ImportReport,
    response_model_exclude_none=True,
    responses=IMPORT_RESPONSES,
    **allow(Policy.write("office", scope=POOL), UPLOAD_BODY, large_body=True),
)
def import_units(
    upload: UploadDep,
    caller: CurrentPrincipal,
    app: RegistryApp,
    views: ViewsDep,
    listed: ListedUnitsDep,
    response: Response,
    jurisdiction_id: UUID,
    dry_run: DryRun = False,
    sheet: SheetName = None,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """导入参评单位. Columns: 单位名称, 单位类型 (政府部门/其它机构/公共服务企业/重点科室/重点岗位/
    基层站所/窗口单位/政府投资项目), 类别 (e.g. 政府部门及其它机构); optional 简称, 上级单位 (name
    or credit code of a unit already registered here or above; required for 重点科室 and
    重点岗位), 垂直管理上级, 统一社会信用代码. A unit (or the jurisdiction itself) registered
    a moment ago is found at once by its full name or credit code; by a 简称 or former name
    given a moment ago, once the registry's views have it (seconds)."""
    replay = not dry_run and already_done(app, caller.principal_id, units.SCOPE, idempotency_key)
    spec = unit_spec(
        app,
        views,
        listed,
        jurisdiction_id,
        dry_run=dry_run,
        replay=replay,
        visible=lambda jurisdiction: app.sees_jurisdiction(caller, jurisdiction),
    )
    parsed = parse_file(upload.data, upload.content_type, sheet, spec)
    if dry_run:
        response.status_code = 200
    return finish(
        parsed,
        dry_run,
        lambda items: app.register_units(caller, items, idempotency_key, listed),
        lambda result: [{"id": unit["unit_id"], "name": unit["name"]} for unit in result["units"]],
    )


@router.get(
    "/exports/units",
    response_class=Response,
    responses={200: {"content": {}}},
    **allow(Policy.read("office", scope=POOL)),
)
def export_units(
    views: ViewsDep,
    history: UnitHistoryDep,
    app: RegistryApp,
    jurisdiction_id: UUID,
    fmt: Format = "csv",
) -> Response:
    """导出参评单位: the jurisdiction's active units in the columns /imports/units reads, as CSV
    (UTF-8 with BOM, opens in Excel) or XLSX (frozen header row). A 生效日期 that was never
    stated is left blank, so re-importing the file leaves it unstated."""

    def stated(unit_ids: list[str]) -> dict[str, bool]:
        # From the registry's view, in one query; from the unit itself only where the
        # messages cannot tell (a day published that is the day of entry: see
        # `projections.units._stated_on_registration`).
        said = history.stated(unit_ids)
        return {
            unit_id: _unit_says_stated(app, unit_id)
            if said.get(unit_id) is None
            else bool(said[unit_id])
            for unit_id in unit_ids
        }

    return _file(unit_sheet(views, jurisdiction_id, stated), fmt)


def _unit_says_stated(app: RegistryApplication, unit_id: str) -> bool:
    return bool(app.unit(UUID(unit_id)).effective_on_stated)


@router.post(
    "/imports/enrolments",
    status_code=201,
    response_model=ImportReport,
    response_model_exclude_none=True,
    responses=IMPORT_RESPONSES,
    **allow(Policy.write("office", scope=CAMPAIGN), UPLOAD_BODY, large_body=True),
)
def import_enrolments(
    upload: UploadDep,
    caller: CurrentPrincipal,
    app: RegistryApp,
    views: ViewsDep,
    response: Response,
    campaign_id: UUID,
    dry_run: DryRun = False,
    sheet: SheetName = None,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """导入参评单位名单 (enrol registered units in a campaign). Columns: 单位名称 or
    统一社会信用代码 (either identifies the unit, looked up in the campaign's jurisdiction
    first, then below it), 类别 (one of the campaign's categories, e.g. 城市管理和执法监督类).
    A unit registered a moment ago is found at once by its full name or credit code, also
    in a jurisdiction below that was itself registered a moment ago."""
    campaign = app.campaign(campaign_id)
    replay = not dry_run and already_done(
        app, caller.principal_id, enrolments.SCOPE, idempotency_key
    )
    spec = enrolment_spec(app, views, campaign, replay=replay)
    parsed = parse_file(upload.data, upload.content_type, sheet, spec)
    if dry_run:
        response.status_code = 200
    return finish(
        parsed,
        dry_run,
        lambda items: app.enrol_units(caller, campaign_id, items, idempotency_key),
        lambda result: [
            {"id": item["unit_id"], "name": item["unit_name"]} for item in result["enrolments"]
        ],
    )


@router.post(
    "/imports/representatives",
    status_code=201,
    response_model=ImportReport,
    response_model_exclude_none=True,
    responses=IMPORT_RESPONSES,
    **allow(Policy.write("office", scope=POOL), UPLOAD_BODY, large_body=True),
)
def import_representatives(
    upload: UploadDep,
    caller: CurrentPrincipal,
    app: RegistryApp,
    response: Response,
    jurisdiction_id: UUID,
    dry_run: DryRun = False,
    sheet: SheetName = None,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """导入评议代表 into the jurisdiction's pool (评议人员库). Columns: 姓名, 界别 (or 类别:
    服务对象/人大代表/政协委员/行评代表/机关干部/社区群干/企业代表/其他), optional 联系方式
    (stored hashed and encrypted only; reports show it masked, 138****5678)."""
    replay = not dry_run and already_done(
        app, caller.principal_id, representatives.SCOPE, idempotency_key
    )
    spec = representative_spec(app, caller, jurisdiction_id, replay=replay)
    parsed = parse_file(upload.data, upload.content_type, sheet, spec)
    if dry_run:
        response.status_code = 200
    return finish(
        parsed,
        dry_run,
        lambda people: app.register_people(caller, people, idempotency_key),
        lambda result: [
            {"id": person["person_id"], "name": person["name"]} for person in result["people"]
        ],
    )


@router.get(
    "/exports/enrolments",
    response_class=Response,
    responses={200: {"content": {}}},
    **allow(Policy.read("office", scope=CAMPAIGN)),
)
def export_enrolments(
    view: RegistryViewDep,
    request: Request,
    campaign_id: UUID,
    fmt: Format = "csv",
) -> Response:
    """导出参评单位名单: the campaign's enrolled units (单位名称, 统一社会信用代码, 类别), the
    columns /imports/enrolments reads."""
    views = request.app.state.runtime.views
    reads = CampaignReadModel(views)
    # One state for the campaign, its enrolments and their units' names.
    with views.snapshot():
        campaign = reads.campaign(str(campaign_id))
        if campaign is None:
            raise CampaignNotFound(no_such("campaign"), field="campaign_id")
        sheet = enrolment_sheet(view, campaign, reads.enrolments(campaign))
    return _file(sheet, fmt)


@router.get(
    "/exports/representatives",
    response_class=Response,
    responses={200: {"content": {}}},
    **allow(Policy.read("office", scope=POOL)),
)
def export_representatives(
    view: RegistryViewDep,
    request: Request,
    jurisdiction_id: UUID,
    fmt: Format = "csv",
) -> Response:
    """导出评议人员库: the pool's representatives who are not disqualified (姓名, 界别). 联系方式
    is never exported."""
    name = (view.jurisdiction(str(jurisdiction_id)) or {}).get("name", "")
    views = request.app.state.runtime.views
    return _file(representative_sheet(views, jurisdiction_id, name), fmt)


def _file(sheet: Sheet, fmt: str) -> Response:
    content, media_type, headers = render(sheet, fmt)
    return Response(content=content, media_type=media_type, headers=headers)
