"""Reporting API models (responses only: reporting takes no input besides paths)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field


class SchemeOut(BaseModel):
    scheme_id: str
    version: int
    scheme_hash: str


class EntryOut(BaseModel):
    rank: int | None = Field(description="名次; null for units without valid answers")
    unit_id: UUID
    unit_name: str
    score: str | None = Field(description="Decimal as text, exactly as scoring computed it")
    satisfaction_rate: str | None
    valid_count: int
    counts: dict[str, int] = Field(
        examples=[{"满意": 80, "基本满意": 15, "不满意": 3, "不了解": 2}]
    )
    result_digest: str


class RunOut(BaseModel):
    """Which scoring run a ranking shows, and what it was computed from."""

    wave_id: UUID
    wave_name: str
    jurisdiction_id: UUID
    run_id: UUID
    final: bool
    scheme: SchemeOut
    upstream_positions: dict[str, int]
    inputs_digest: str
    results_digest: str
    computed_at: str
    position: int = Field(description="Position of the ScoreComputed message in scoring's log")


class CategoryRanking(BaseModel):
    category: str
    entries: list[EntryOut]


class WaveRankingsOut(RunOut):
    categories: list[CategoryRanking]


class CategoryRankingOut(RunOut, CategoryRanking):
    pass


class RunHistoryOut(BaseModel):
    run_id: UUID
    final: bool
    position: int
    computed_at: str
    inputs_digest: str
    results_digest: str
    published: bool = Field(description="false for a provisional run that came after a final one")


class WaveOut(RunOut):
    categories: list[str]
    runs: list[RunHistoryOut]
