"""Questionnaires as a spreadsheet (问卷导入): the file is the request body (CSV in UTF-8 or
GB18030, or XLSX), one row per questionnaire, checked like a JSON batch row by row."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query, Response

from services.survey.api.deps import WAVE, SurveyApp, SurveyRouter
from services.survey.domain import Wave
from services.survey.schemas.batch_results import BatchOut
from services.survey.schemas.batches import parse_rows
from services.survey.uploads import (
    MAX_BYTES,
    ParsedSheet,
    RowError,
    UploadLayout,
    header_key,
    layout_template,
    parse_questionnaires,
)
from shared.auth import CurrentPrincipal
from shared.contracts.survey import WaveKind
from shared.http import ViewsDep
from shared.policy import Policy, allow
from shared.registry_view import RegistryView
from shared.tabular import CSV, XLSX
from shared.types import Line
from shared.views import ViewStore
from shared.web.download import disposition
from shared.web.idempotency import IdempotencyKey
from shared.web.upload import Upload, upload_body, upload_reader

router = SurveyRouter(tags=["questionnaires 问卷"])
UploadDep = Annotated[Upload, Depends(upload_reader(MAX_BYTES))]
EXAMPLE = "问卷编号,采集时间,测评点,渠道,市教育局\nLH-0001,2026-05-12 10:30,YC-01,测评点,满意\n"
ROWS = "rows"


def layout_of(app: Any, wave_id: UUID, views: ViewStore | None = None) -> UploadLayout:
    """The wave's sheet; `views` (survey's registry copy) to read districts by name."""
    wave: Wave = app.wave(wave_id)
    template = wave.template
    names = {str(u.unit_id): u.name for u in wave.units}
    # Each unit once: a wave that lists one twice takes no questionnaires, and intake says
    # why (`WaveUnitsRepeated`) instead of the header calling its column ambiguous.
    unit_ids = dict.fromkeys(str(u) for u in wave.unit_ids)
    asks_district = template.asks_district
    return UploadLayout(
        units=[(unit, names.get(unit, unit)) for unit in unit_ids],
        dimensions=[(d.code, d.name) for d in template.dimensions],
        opinions=template.opinions,
        recommendations=template.recommendations,
        district=asks_district,
        panel=wave.kind == WaveKind.REPRESENTATIVE_EVALUATION,
        districts=district_names(views, wave) if views is not None and asks_district else {},
        groups={header_key(g.name): g.code for g in wave.groups},
    )


def district_names(views: ViewStore, wave: Wave) -> dict[str, list[str]]:
    """The wave's jurisdiction and every one below it, by name, as survey's copy of the
    registry knows them: what a district cell may name instead of an id."""
    registry = RegistryView(views)
    found: dict[str, list[str]] = {}
    for jurisdiction_id in sorted(registry.subtree(str(wave.jurisdiction_id))):
        doc = registry.jurisdiction(jurisdiction_id)
        if doc is not None:
            found.setdefault(header_key(str(doc["name"])), []).append(jurisdiction_id)
    return found


@router.post(
    "/waves/{wave_id}/questionnaires:upload",
    response_model=BatchOut,
    **allow(Policy.write("agency", scope=WAVE), upload_body(EXAMPLE), large_body=True),
)
def upload_questionnaires(
    wave_id: UUID,
    upload: UploadDep,
    caller: CurrentPrincipal,
    app: SurveyApp,
    views: ViewsDep,
    filename: Annotated[Line | None, Query(max_length=200, examples=["问卷.xlsx"])] = None,
    all_or_nothing: bool = False,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """上传问卷 (the header row as in `questionnaires:template`): every bad row is reported
    with its spreadsheet row number, field, column and reason; good rows are recorded unless
    `all_or_nothing`. The format follows the Content-Type (CSV or XLSX; without one, or
    application/octet-stream, the file name and the bytes). 413 past 20 MB or 20,000 rows,
    415 for other formats, 422 `sheet_rejected` for a wrong header (nothing recorded)."""
    layout = layout_of(app, wave_id, views)
    sheet = parse_questionnaires(upload.data, filename, layout, upload.content_type)
    numbers = [row for row, _ in sheet.rows]
    items = [item for _, item in sheet.rows]
    rows, refused, salvaged = parse_rows(items, ROWS, numbers, sheet.partial)
    # A row's cells first (those that could not be read, an id repeated), then what the
    # model says of the rest; the wave's problems follow (rows kept in order by the intake).
    refused = [_row_problem(e) for e in sheet.errors] + [_with_column(p, sheet) for p in refused]
    return app.record_batch(
        caller,
        wave_id,
        rows,
        refused,
        idempotency_key,
        all_or_nothing=all_or_nothing,
        salvaged=salvaged,
        prefix=ROWS,
        columns=sheet.column,
        districts=RegistryView(views).subtree,
    )


def _with_column(found: dict[str, Any], sheet: ParsedSheet) -> dict[str, Any]:
    """A validation problem (field `rows.<row>.<the item's field>`) with its column."""
    field = str(found["field"]).removeprefix(f"{ROWS}.{found['row']}.")
    column = sheet.column(found["row"], field)
    return found if column is None else found | {"column": column}


def _row_problem(error: RowError) -> dict[str, Any]:
    field = f"{ROWS}.{error.row}" + (f".{error.field}" if error.field else "")
    return {
        "row": error.row,
        "questionnaire_id": error.questionnaire_id,
        "field": field,
        "column": error.column,
        "reason": error.reason,
        "code": error.code,
    }


@router.get(
    "/waves/{wave_id}/questionnaires:template",
    response_class=Response,
    **allow(Policy.read("office", "agency", scope=WAVE)),
)
def questionnaire_template(
    wave_id: UUID,
    app: SurveyApp,
    fmt: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "xlsx",
) -> Response:
    """问卷录入模板: an empty sheet with the wave's columns, for agencies to fill (区县 where
    the template asks for the district, 评议代表 in a representative evaluation)."""
    content = layout_template(layout_of(app, wave_id), fmt)
    media = XLSX if fmt == "xlsx" else f"{CSV}; charset=utf-8"
    return Response(content=content, media_type=media, headers=disposition(f"问卷录入模板.{fmt}"))
