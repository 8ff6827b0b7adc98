from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

from services.registry.domain import JurisdictionLevel
from services.registry.domain.common import LEVEL_LABELS
from services.registry.schemas.common import In
from shared.types import Line
from shared.web.choices import Named

LEVELS = Named(LEVEL_LABELS)
LevelIn = Annotated[
    JurisdictionLevel,
    BeforeValidator(LEVELS.read),
    WithJsonSchema(LEVELS.schema("级别 (level): a code or its Chinese name")),
]
"""A level as its code (`county`) or its Chinese name (`县`); the code is stored."""


class JurisdictionIn(In):
    name: Line = Field(min_length=1, max_length=100, examples=["漯河市"])
    level: LevelIn = Field(
        examples=["city"],
        description="province 省 → city 市 → county 县 / district 区 / zone 开发区; a zone may "
        "also sit below a county or district. The code or its Chinese name (县) is accepted; "
        "the code is stored and answered.",
    )
    parent_id: UUID | None = None


class JurisdictionOut(BaseModel):
    jurisdiction_id: UUID
    name: str = Field(examples=["源汇区"])
    level: str = Field(examples=["district"])
    parent_id: UUID | None


class JurisdictionNodeOut(JurisdictionOut):
    depth: int = Field(description="0 for the top of the returned subtree", examples=[1])
    path: list[str] = Field(
        description="Names from the top of the returned subtree down to this one",
        examples=[["漯河市", "源汇区"]],
    )
