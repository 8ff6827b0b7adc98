"""API models for units (参评单位), their lifecycle and their dated history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, WithJsonSchema

from services.registry.domain import InvalidRegistration, UnitKind, normalize_credit_code
from services.registry.domain.common import STATUS_LABELS, UNIT_KIND_LABELS
from services.registry.schemas.common import In
from shared.contracts.registry import UnitStatus
from shared.types import Day, Line, Prose
from shared.web.choices import Named

KINDS = Named(UNIT_KIND_LABELS)
KindIn = Annotated[
    UnitKind,
    BeforeValidator(KINDS.read),
    WithJsonSchema(KINDS.schema("单位类型 (kind): a code or its Chinese name")),
]
"""A kind as its code (`service_window`) or its Chinese name (`窗口单位`), as the import's
单位类型 column reads it; the code is stored."""
STATUSES = Named(STATUS_LABELS)
StatusIn = Annotated[
    UnitStatus,
    BeforeValidator(STATUSES.read),
    WithJsonSchema(STATUSES.schema("登记状态 (status): a code or its Chinese name")),
]
"""A unit status as its code (`dissolved`) or the Chinese word refusals name it by (`已撤销`)."""


def _credit_code(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return normalize_credit_code(value)
    except InvalidRegistration as error:
        raise ValueError(error.reason) from None


CreditCode = Annotated[
    Annotated[Line, Field(max_length=40)] | None,
    AfterValidator(_credit_code),
    Field(
        default=None,
        description="统一社会信用代码, 18 characters with the GB 32100-2015 check character",
        examples=["11411100417832267Q"],
    ),
]
EffectiveOn = Annotated[
    Day | None,
    Field(
        default=None,
        description="The day the change holds from (Asia/Shanghai); today if omitted, "
        "never in the future, never before the unit's last change",
        examples=["2025-01-01"],
    ),
]
Reason = Annotated[Prose, Field(min_length=1, max_length=500, examples=["机构改革, 两局合并"])]
VerticalSuperior = Annotated[
    Line | None,
    Field(
        default=None,
        max_length=200,
        description="垂直管理: the superior body's name, for a unit managed from above",
        examples=["国家税务总局河南省税务局"],
    ),
]


class UnitIn(In):
    jurisdiction_id: UUID
    name: Line = Field(min_length=1, max_length=200, examples=["漯河市发展和改革委员会"])
    short_name: Line | None = Field(default=None, max_length=50, examples=["市发改委"])
    kind: KindIn = Field(examples=["government_department"])
    category: Line = Field(min_length=1, max_length=100, examples=["政府部门及其它机构"])
    parent_id: UUID | None = Field(
        default=None,
        description="上级单位. For a sub-unit (重点科室/重点岗位/基层站所/窗口单位): its active "
        "parent unit; the sub-unit's jurisdiction is the parent's or below it. Required for "
        "重点科室 and 重点岗位 (422 naming parent_id without it)",
    )
    vertical_superior: VerticalSuperior
    credit_code: CreditCode
    effective_on: EffectiveOn


class UnitOut(BaseModel):
    unit_id: UUID
    jurisdiction_id: UUID
    name: str = Field(examples=["漯河市发展和改革委员会"])
    short_name: str | None
    kind: str
    category: str
    parent_id: UUID | None = None
    vertical_superior: str | None = None
    credit_code: str | None = None
    status: UnitStatus = "active"
    aliases: list[str] = Field(default=[], description="Earlier names and short names")
    merged_into: UUID | None = None
    split_into: list[UUID] = []
    predecessor_ids: list[UUID] = Field(
        default=[], description="The units this one was merged or split from"
    )
    registered_on: date | None = Field(
        default=None, description="生效日期: the day the unit exists from"
    )
    last_change_on: date | None = None


class UnitBatchIn(In):
    units: list[UnitIn] = Field(min_length=1, max_length=2000)


class UnitBatchOut(BaseModel):
    units: list[UnitOut]
    position: int | None


class RenameIn(In):
    name: Line = Field(min_length=1, max_length=200, examples=["漯河市发展和改革局"])
    short_name: Line | None = Field(
        default=None,
        max_length=50,
        description='The new short name; omitted keeps the current one, "" clears it',
        examples=["市发改局"],
    )
    effective_on: EffectiveOn
    reason: Reason


class MoveIn(In):
    jurisdiction_id: UUID = Field(description="The jurisdiction the unit moves to")
    effective_on: EffectiveOn
    reason: Reason


class EffectiveDateIn(In):
    effective_on: Day = Field(
        description="生效日期: the day the unit began (Asia/Shanghai), never in the future",
        examples=["2010-01-01"],
    )
    reason: Reason


class DissolveIn(In):
    effective_on: EffectiveOn
    reason: Reason


class MergeIn(In):
    source_unit_ids: list[UUID] = Field(min_length=2, max_length=50)
    name: Line = Field(min_length=1, max_length=200, examples=["源汇区发改局(区统计局)"])
    short_name: Line | None = Field(default=None, max_length=50)
    kind: KindIn | None = Field(default=None, description="Defaults to the first source's")
    category: Line | None = Field(
        default=None, max_length=100, description="Defaults to the first source's"
    )
    jurisdiction_id: UUID | None = Field(
        default=None, description="Required when the sources sit in different jurisdictions"
    )
    vertical_superior: VerticalSuperior
    credit_code: CreditCode
    effective_on: EffectiveOn
    reason: Reason


class SplitPartIn(In):
    name: Line = Field(min_length=1, max_length=200, examples=["源汇区市场监督管理局"])
    short_name: Line | None = Field(default=None, max_length=50)
    kind: KindIn | None = Field(default=None, description="Defaults to the source's")
    category: Line | None = Field(default=None, max_length=100)
    jurisdiction_id: UUID | None = Field(default=None, description="Defaults to the source's")
    vertical_superior: VerticalSuperior
    credit_code: CreditCode


class SplitIn(In):
    units: list[SplitPartIn] = Field(min_length=2, max_length=50)
    effective_on: EffectiveOn
    reason: Reason


class MergeOut(BaseModel):
    unit: UnitOut
    sources: list[UnitOut]


class SplitOut(BaseModel):
    source: UnitOut
    units: list[UnitOut]


class MoveOut(UnitOut):
    carried_sub_unit_ids: list[UUID] = Field(
        default=[], description="Sub-units in the unit's own jurisdiction, moved along with it"
    )


Change = Literal[
    "registered",
    "renamed",
    "moved",
    "dissolved",
    "merged_into",
    "formed_by_merger",
    "split",
    "formed_by_split",
    "effective_date_corrected",
]


class HistoryEntryOut(BaseModel):
    effective_on: date
    recorded_at: datetime
    change: Change
    reason: str | None
    actor: str | None
    details: dict[str, Any]
    state: UnitOut = Field(description="The unit as it stood from this change on")


class UnitHistoryOut(BaseModel):
    unit_id: UUID
    entries: list[HistoryEntryOut]
