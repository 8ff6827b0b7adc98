from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from services.registry.domain import UnitKind
from services.registry.schemas.common import In


class UnitIn(In):
    jurisdiction_id: UUID
    name: str = Field(min_length=1, max_length=200, examples=["漯河市发展和改革委员会"])
    short_name: str | None = Field(default=None, max_length=50, examples=["市发改委"])
    kind: UnitKind = Field(examples=["government_department"])
    category: str = Field(min_length=1, max_length=100, examples=["政府部门及其它机构"])


class UnitOut(BaseModel):
    unit_id: UUID
    jurisdiction_id: UUID
    name: str
    short_name: str | None
    kind: str
    category: str


class UnitBatchIn(In):
    units: list[UnitIn] = Field(min_length=1, max_length=2000)


class UnitBatchOut(BaseModel):
    units: list[UnitOut]
    position: int | None
