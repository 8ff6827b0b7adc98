"""Registry API models for random draws (随机抽取)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field, field_validator

from services.registry.domain import InvalidRegistration
from services.registry.domain.person_values import SECTOR_LABELS, sector_code
from services.registry.schemas.common import CycleText, In
from services.registry.schemas.people import Purpose
from shared.types import JsonInt, Line


class DrawIn(In):
    jurisdiction_id: UUID = Field(description="Whose pool: this jurisdiction and everything below")
    campaign_id: UUID | None = Field(
        default=None, description="Optional: the campaign (评议活动) this panel serves; must exist"
    )
    cycle: CycleText = Field(examples=["2026-2027"])
    purpose: Purpose = "general"
    size: JsonInt = Field(ge=1, le=100_000, examples=[200])
    quotas: dict[Line, JsonInt] | None = Field(
        default=None,
        description="Sector (code or Chinese label) -> how many; must add up to size",
        examples=[{"人大代表": 40, "政协委员": 40, "服务对象": 120}],
    )
    commitment: Line = Field(
        min_length=64,
        max_length=64,
        pattern=r"^[0-9a-fA-F]{64}$",
        description="sha256 hex of the secret seed; the seed stays with the office until reveal",
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"],
    )

    @field_validator("quotas", mode="before")
    @classmethod
    def _one_key_per_sector(cls, value: Any) -> Any:
        """Two keys naming one sector ("人大代表" and "人大代表 ", a 全角 form, its code) would
        otherwise become one key, the last count silently winning: refused, naming both."""
        if not isinstance(value, dict):
            return value
        seen: dict[str, str] = {}
        for raw in value:
            try:
                code = sector_code(raw) if isinstance(raw, str) else None
            except InvalidRegistration:
                continue  # an unknown sector is refused later, naming its key
            if code is None:
                continue
            if code in seen:
                raise ValueError(
                    f"同一界别重复: {raw!r} 和 {seen[code]!r} 都是{SECTOR_LABELS[code]}, "
                    f"名额只填一次 ({raw!r} and {seen[code]!r} both name the sector {code}: "
                    "give its quota once)"
                )
            seen[code] = raw
        return value


class RevealIn(In):
    seed: Line = Field(
        min_length=16,
        max_length=200,
        description="The secret whose sha256 was committed, e.g. secrets.token_hex(32)",
        examples=["b7c1e0a94f2d4e8a9c3f5a1d2e6b7c8d"],
    )


class ChosenOut(BaseModel):
    person_id: UUID
    sector: str


class DrawOut(BaseModel):
    draw_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID | None
    cycle: str
    purpose: str
    size: int
    quotas: dict[str, int]
    commitment: str
    pool_rule: int = Field(
        description="2: one pool member per contact (a person registered by two counties "
        "is in a city's pool once, by the earliest registration); 1: draws committed before"
    )
    status: str = Field(description="committed 已承诺 → frozen 已冻结 → drawn 已抽取")
    committed_at: datetime | None
    frozen_at: datetime | None
    pool_size: int | None
    pool_digest: str | None
    pool_as_of_position: int | None
    pool: list[UUID] | None = Field(default=None, description="With ?include_pool=true")
    revealed_at: datetime | None
    seed: str | None
    excluded: list[UUID] = Field(description="Disqualified between the freeze and the reveal")
    chosen: list[ChosenOut]
