"""Registry API models."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.registry.domain import JurisdictionLevel, Role, UnitKind


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class JurisdictionIn(_In):
    name: str = Field(min_length=1, max_length=100, examples=["漯河市"])
    level: JurisdictionLevel = Field(examples=["city"])
    parent_id: UUID | None = None


class JurisdictionOut(BaseModel):
    jurisdiction_id: UUID
    name: str
    level: str
    parent_id: UUID | None


class UnitIn(_In):
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


class UnitBatchIn(_In):
    units: list[UnitIn] = Field(min_length=1, max_length=2000)


class UnitBatchOut(BaseModel):
    units: list[UnitOut]
    position: int | None


class PrincipalIn(_In):
    name: str = Field(min_length=1, max_length=100, examples=["某某调查公司"])
    role: Role
    jurisdiction_id: UUID | None = None


class PrincipalOut(BaseModel):
    principal_id: UUID
    name: str
    role: str
    jurisdiction_id: UUID | None
    revoked: bool = False
    api_key: str | None = Field(default=None, description="Shown once, at issue time")


class RevokeIn(_In):
    reason: str = Field(min_length=1, max_length=500)
