"""Questionnaires as a spreadsheet (问卷导入): the file is the request body (CSV in UTF-8 or
GB18030, or XLSX), one row per questionnaire, checked like a JSON batch row by row."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import Depends, Query, Response

from services.survey.api.deps import WAVE, SurveyApp
from services.survey.schemas.batches import BatchOut, parse_rows
from services.survey.uploads import MAX_BYTES, UploadLayout, layout_template, parse_questionnaires
from shared.auth import CurrentPrincipal
from shared.idempotency import IdempotencyKey
from shared.policy import Policy, PolicyRouter, allow
from shared.tabular import CSV, XLSX
from shared.types import Line
from shared.web.download import disposition
from shared.web.upload import Upload, upload_body, upload_reader

router = PolicyRouter(tags=["questionnaires 问卷"])
UploadDep = Annotated[Upload, Depends(upload_reader(MAX_BYTES))]
EXAMPLE = "问卷编号,采集时间,测评点,渠道,市教育局\nLH-0001,2026-05-12 10:30,YC-01,测评点,满意\n"


def layout_of(app: Any, wave_id: UUID) -> UploadLayout:
    wave = app.wave(wave_id)
    template = wave.template
    names = {str(u.unit_id): u.name for u in wave.units}
    return UploadLayout(
        units=[(str(u), names.get(str(u), str(u))) for u in wave.unit_ids],
        dimensions=[(d.code, d.name) for d in template.dimensions],
        opinions=template.opinions,
        recommendations=template.recommendations,
    )


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
    filename: Annotated[Line, Query(max_length=200, examples=["问卷.xlsx"])] = "upload",
    all_or_nothing: bool = False,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """上传问卷 (the header row as in `questionnaires:template`): every bad row is reported
    with its spreadsheet row number, column and reason; good rows are recorded unless
    `all_or_nothing`. 413 past 20 MB or 20,000 rows, 415 for other formats."""
    items, errors = parse_questionnaires(upload.data, filename, layout_of(app, wave_id))
    numbers = [row for row, _ in items]
    rows, refused = parse_rows([item for _, item in items], "rows", numbers)
    refused += [
        {
            "row": e.row,
            "questionnaire_id": None,
            "field": e.field,
            "reason": e.reason,
            "code": e.code,
        }
        for e in errors
    ]
    return app.record_batch(
        caller,
        wave_id,
        rows,
        refused,
        idempotency_key,
        all_or_nothing=all_or_nothing,
        prefix="rows",
    )


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
    """问卷录入模板: an empty sheet with the wave's columns, for agencies to fill."""
    content = layout_template(layout_of(app, wave_id), fmt)
    media = XLSX if fmt == "xlsx" else f"{CSV}; charset=utf-8"
    return Response(content=content, media_type=media, headers=disposition(f"问卷录入模板.{fmt}"))
