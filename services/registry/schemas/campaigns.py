"""API models for campaigns (评议活动), enrolments and key evaluation targets."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

from services.registry.domain import (
    CYCLE_LENGTHS,
    CYCLE_ROUNDS,
    KEY_TARGET_REASONS,
    PROGRAM_PATTERNS,
)
from services.registry.schemas.common import In
from shared.types import Day, Line, Prose
from shared.web.choices import Named

# A code or the Chinese name offices use (`shared.web.choices`); the code reaches the
# domain, and responses carry both.
PATTERNS = Named(PROGRAM_PATTERNS)
LENGTHS = Named(CYCLE_LENGTHS)
ROUNDS = Named(CYCLE_ROUNDS)
KEY_TARGET_REASON_CODES = Named(KEY_TARGET_REASONS)
PatternIn = Annotated[
    str,
    BeforeValidator(PATTERNS.read),
    WithJsonSchema(PATTERNS.schema("评议形式 (pattern): a code or its Chinese name")),
]
LengthIn = Annotated[
    str,
    BeforeValidator(LENGTHS.read),
    WithJsonSchema(LENGTHS.schema("周期 (length): a code or its Chinese name")),
]
RoundsIn = Annotated[
    str,
    BeforeValidator(ROUNDS.read),
    WithJsonSchema(ROUNDS.schema("轮次 (rounds): a code or its Chinese name")),
]
ReasonCodeIn = Annotated[
    str,
    BeforeValidator(KEY_TARGET_REASON_CODES.read),
    WithJsonSchema(
        KEY_TARGET_REASON_CODES.schema("重点评议理由 (reason_code): a code or its Chinese name")
    ),
]
AMENDMENT_REASON = "市政府纠风办会议决定调整"


class CycleIn(In):
    length: LengthIn = Field(examples=["two_years"])
    rounds: RoundsIn = Field(
        default="whole_cycle",
        description="whole_cycle 整个周期 (one evaluation) or half_year 每半年 (half-year "
        "rounds, as in 双评双比): the code or its Chinese name",
    )
    starts_on: Day = Field(examples=["2016-06-01"])
    ends_on: Day = Field(examples=["2017-11-30"])


class PhaseIn(In):
    name: Line = Field(min_length=1, max_length=100, examples=["动员准备"])
    starts_on: Day = Field(examples=["2016-06-01"])
    ends_on: Day = Field(examples=["2016-07-31"])


PHASES_EXAMPLE = [
    {"name": "动员准备", "starts_on": "2016-06-01", "ends_on": "2016-07-31"},
    {"name": "组织实施", "starts_on": "2016-08-01", "ends_on": "2017-07-31"},
    {"name": "考核总结", "starts_on": "2017-08-01", "ends_on": "2017-11-30"},
]


class CampaignIn(In):
    jurisdiction_id: UUID
    name: Line = Field(
        min_length=1, max_length=200, examples=["2016—2017年度漯河市民主评议政风行风工作"]
    )
    pattern: PatternIn = Field(examples=["民主评议政风行风"])
    cycle: CycleIn
    phases: list[PhaseIn] = Field(min_length=1, max_length=24, examples=[PHASES_EXAMPLE])
    categories: list[Line] = Field(
        min_length=1, max_length=20, examples=[["政府部门及其它机构", "公共服务行业"]]
    )


class PhasesAmendmentIn(In):
    phases: list[PhaseIn] = Field(min_length=1, max_length=24, examples=[PHASES_EXAMPLE])
    reason: Prose = Field(min_length=1, max_length=500, examples=[AMENDMENT_REASON])


class CategoriesAmendmentIn(In):
    categories: list[Line] = Field(
        min_length=1,
        max_length=20,
        examples=[["经济和社会事业发展类", "城市管理和执法监督类", "公共服务企业类"]],
    )
    reason: Prose = Field(min_length=1, max_length=500, examples=[AMENDMENT_REASON])


class PatternOut(BaseModel):
    code: str
    label: str


class WindowOut(BaseModel):
    starts_on: Day
    ends_on: Day


class CycleOut(BaseModel):
    length: str
    rounds: str
    starts_on: Day
    ends_on: Day
    round_windows: list[WindowOut]


class PhaseOut(BaseModel):
    name: str
    starts_on: Day
    ends_on: Day


class AmendmentOut(BaseModel):
    kind: str
    reason: str
    actor: str


class CampaignOut(BaseModel):
    campaign_id: UUID
    jurisdiction_id: UUID
    name: str
    pattern: PatternOut
    cycle: CycleOut
    phases: list[PhaseOut]
    categories: list[str]
    enrolment_counts: dict[str, int] = Field(description="Enrolled units per category")
    key_target_count: int
    amendments: list[AmendmentOut]
    opened_by: str


class EnrolmentIn(In):
    unit_id: UUID
    category: Line = Field(min_length=1, max_length=100, examples=["公共服务行业"])


class EnrolmentBatchIn(In):
    enrolments: list[EnrolmentIn] = Field(min_length=1, max_length=2000)


class KeyTargetOut(BaseModel):
    reason_code: str
    reason_label: str
    reason: str
    designated_by: str


class EnrolmentOut(BaseModel):
    campaign_id: UUID
    unit_id: UUID
    unit_name: str | None = Field(description="The unit's current name")
    jurisdiction_id: UUID | None
    category: str
    status: Literal["enrolled", "withdrawn"]
    withdrawn_reason: str | None
    key_target: KeyTargetOut | None = Field(description="Set while a 重点评议对象")


class HistoryOut(BaseModel):
    event: str
    at: str
    actor: str
    category: str | None = None
    reason_code: str | None = None
    reason: str | None = None


class EnrolmentDetailOut(EnrolmentOut):
    history: list[HistoryOut]


class EnrolmentBatchOut(BaseModel):
    campaign_id: UUID
    enrolments: list[EnrolmentOut]


class WithdrawalIn(In):
    reason: Prose = Field(min_length=1, max_length=500, examples=["单位已撤并, 不再参加本年度评议"])


class KeyTargetIn(In):
    unit_id: UUID
    reason_code: ReasonCodeIn = Field(examples=["concentrated_complaints"])
    reason: Prose = Field(
        min_length=1, max_length=500, examples=["2016年政风行风热线投诉集中, 群众反映强烈"]
    )


class RevocationIn(In):
    reason: Prose = Field(min_length=1, max_length=500, examples=["整改到位, 经研究不再列为重点"])
