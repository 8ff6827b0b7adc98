"""Registry API models for evaluation representatives (评议代表) and their appointments."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from services.registry.schemas.common import CycleText, In
from shared.types import Day, DecimalNumber, Line, Prose

SECTOR_DESCRIPTION = (
    "界别 sector, code or Chinese label: service_user 服务对象, npc_deputy 人大代表, "
    "cppcc_member 政协委员, industry_representative 行评代表, civil_servant 机关干部, "
    "community_cadre 社区群干, enterprise 企业代表, other 其他"
)
Purpose = Literal["general", "school_special", "hospital_special"]


class PersonIn(In):
    jurisdiction_id: UUID = Field(description="The pool's jurisdiction (评议人员库所属辖区)")
    name: Line = Field(min_length=1, max_length=50, examples=["张丽华"])
    sector: Line = Field(
        min_length=1, max_length=30, description=SECTOR_DESCRIPTION, examples=["人大代表"]
    )
    contact: Line | None = Field(
        default=None,
        max_length=100,
        description="联系方式: a mainland mobile number (optionally after +86, 86 or 0086; "
        "spaces and dashes allowed), a landline with its area code (0395-3123456) or an email "
        "address; anything else is refused with 422 naming `contact`. Stored only as a keyed "
        "hash and an encrypted copy; shown back masked (138****5678) to offices and admins, "
        "in every answer about the person.",
        examples=["13812345678"],
    )


class PeopleBatchIn(In):
    people: list[PersonIn] = Field(min_length=1, max_length=5000)


class AppointmentOut(BaseModel):
    body: str = Field(examples=["office:3f2c…"])
    body_kind: str
    body_id: UUID
    cycle: str
    purpose: str
    purpose_label: str = Field(examples=["综合评议"])


class TrainingOut(BaseModel):
    held_on: Day
    topic: str
    hours: Decimal


class PersonOut(BaseModel):
    person_id: UUID
    jurisdiction_id: UUID
    name: str
    sector: str
    sector_label: str = Field(examples=["人大代表"])
    has_contact: bool
    contact_masked: str | None = Field(
        default=None,
        description="Only for office and admin callers, the same on every answer (reads and "
        "writes); null when the person has no contact or for other callers",
        examples=["138****5678"],
    )
    disqualified: bool
    disqualified_reason: str | None
    appointments: list[AppointmentOut]
    trainings: list[TrainingOut] | None = Field(
        default=None, description="In GET /people/{person_id} only"
    )


class PeopleBatchOut(BaseModel):
    people: list[PersonOut]


class TrainingIn(In):
    held_on: Day = Field(
        examples=["2026-03-15"], description="The day it was held: today (in China) or earlier"
    )
    topic: Line = Field(min_length=1, max_length=200, examples=["民主评议政风行风评议代表业务培训"])
    hours: DecimalNumber = Field(gt=0, le=200, max_digits=5, decimal_places=1, examples=["3.5"])


class AppointingBodyIn(In):
    kind: Literal["office", "department"] = Field(
        description="office: the jurisdiction's 纠风办; department: a registered unit (参评部门)"
    )
    jurisdiction_id: UUID | None = Field(default=None, description="For kind=office")
    unit_id: UUID | None = Field(default=None, description="For kind=department")


class AppointmentIn(In):
    body: AppointingBodyIn
    cycle: CycleText = Field(examples=["2026-2027"])
    purpose: Purpose = Field(
        default="general",
        description="general 综合评议; school_special 学校专项评议; hospital_special 医院专项评议",
    )


class DisqualificationIn(In):
    reason: Prose = Field(
        min_length=1, max_length=500, examples=["接受被评单位宴请, 违反评议代表工作纪律"]
    )


class OneThirdOut(BaseModel):
    cycle: str
    previous_cycles: list[str]
    representatives: int = Field(description="Appointed by the body in the cycle, not disqualified")
    newly_appointed: int
    reappointed: int
    required_new: int = Field(description="ceil(representatives / 3)")
    passes: bool
    new_person_ids: list[UUID]


class OverlapOut(BaseModel):
    shared_with_special_exemption: list[UUID]
    violations: list[UUID]


class RulesReportOut(BaseModel):
    body: str = Field(examples=["office:3f2c…"])
    cycle: str = Field(examples=["2026-2027"])
    one_third_new: OneThirdOut
    overlap: OverlapOut
    disqualified: list[UUID] = Field(
        description="Appointed by the body in the cycle, since disqualified"
    )
