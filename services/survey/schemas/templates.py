"""Template requests and answers."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from services.survey.schemas.waves import In
from shared.contracts.survey import Dimension, Scale
from shared.types import JsonBool, Line, Prose


class DimensionIn(In):
    code: Line = Field(min_length=1, max_length=50, examples=["service_attitude"])
    name: Line = Field(min_length=1, max_length=100, examples=["服务态度"])


class TemplateIn(In):
    jurisdiction_id: UUID
    name: Line = Field(min_length=1, max_length=200, examples=["2026年政风行风满意度问卷"])
    scale: Scale = Field(examples=["four_level"])
    dimensions: list[DimensionIn] = Field(default_factory=list, max_length=30)
    opinions: JsonBool = Field(default=False, description="Asks for 意见建议")
    recommendations: JsonBool = Field(default=False, description="Asks for 推荐重点评议对象")
    asks_group: JsonBool = False
    asks_district: JsonBool = False

    def spec(self) -> dict[str, Any]:
        return self.model_dump()


class TemplateRevisionIn(In):
    name: Line = Field(min_length=1, max_length=200)
    scale: Scale
    dimensions: list[DimensionIn] = Field(default_factory=list, max_length=30)
    opinions: JsonBool = False
    recommendations: JsonBool = False
    asks_group: JsonBool = False
    asks_district: JsonBool = False
    reason: Prose = Field(min_length=1, max_length=500, examples=["增加“办事效率”评价内容"])

    def spec(self) -> dict[str, Any]:
        return self.model_dump(exclude={"reason"})


class TemplateOut(BaseModel):
    template_id: UUID
    version: int
    latest_version: int
    jurisdiction_id: UUID
    name: str
    scale: Scale
    dimensions: list[Dimension]
    opinions: bool
    recommendations: bool
    asks_group: bool
    asks_district: bool
