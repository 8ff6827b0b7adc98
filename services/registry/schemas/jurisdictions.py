from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from services.registry.domain import JurisdictionLevel
from services.registry.schemas.common import In


class JurisdictionIn(In):
    name: str = Field(min_length=1, max_length=100, examples=["漯河市"])
    level: JurisdictionLevel = Field(examples=["city"])
    parent_id: UUID | None = None


class JurisdictionOut(BaseModel):
    jurisdiction_id: UUID
    name: str
    level: str
    parent_id: UUID | None
