"""Response models of the import endpoints (what /docs shows)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from shared.web.upload import upload_body

UPLOAD_BODY: dict[str, Any] = upload_body(
    "单位名称,单位类型,类别\n教育,政府部门,政府部门及其它机构\n"
)


class ImportIssue(BaseModel):
    row: int | None = Field(
        description="Spreadsheet row number, header row included (Excel 行号)", examples=[3]
    )
    column: str | None = Field(description="The Chinese column header", examples=["单位类型"])
    reason: str = Field(examples=["未知单位类型 (unknown unit kind)"])
    value: str | None = Field(default=None, examples=["政府部"])


class CreatedItem(BaseModel):
    row: int = Field(examples=[2])
    id: str = Field(examples=["7d0b8f0e-3f59-4c1e-9a43-3b0e8f3e0d21"])
    name: str = Field(examples=["区发改局(区统计局)"])


class ImportReport(BaseModel):
    dry_run: bool
    rows: int = Field(description="Data rows read (header excluded)", examples=[37])
    valid: int = Field(description="Rows without any problem", examples=[37])
    errors: list[ImportIssue] = Field(
        description="The first 1,000 problems; quoted cells are cut to 200 characters"
    )
    errors_omitted: int = Field(default=0, description="Problems found beyond those listed")
    warnings: list[ImportIssue] = Field(
        description="Not blocking, e.g. an unknown column that was ignored"
    )
    warnings_omitted: int = Field(default=0, description="Warnings beyond those listed")
    preview: list[dict[str, Any]] = Field(
        description="The first rows as they would be imported",
        examples=[[{"row": 2, "name": "区教育局"}]],
    )
    created: list[CreatedItem] | None = Field(
        default=None, description="After a real import: what each row created"
    )
