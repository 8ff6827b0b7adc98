"""Wave requests and answers."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.survey.schemas.choices import ChannelIn, KindIn
from shared.contracts.survey import (
    AgencyQuota,
    Channel,
    EnrolledUnit,
    IntegrityRules,
    RespondentGroup,
    SurveyPoint,
    TemplateSnapshot,
    WaveKind,
)
from shared.types import JsonBool, JsonInt, Line, Moment, Prose


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Code = Line


class PointIn(In):
    code: Code = Field(min_length=1, max_length=50, examples=["YH-01"])
    name: Line = Field(min_length=1, max_length=200, examples=["源汇区政务服务中心"])
    jurisdiction_id: UUID = Field(description="The county (or district) the point lies in")
    target: JsonInt = Field(ge=0, le=10_000_000, description="目标样本量")
    quota: JsonInt | None = Field(default=None, ge=0, le=10_000_000, description="最多接受的份数")


class GroupIn(In):
    code: Code = Field(min_length=1, max_length=50, examples=["service_user"])
    name: Line = Field(min_length=1, max_length=100, examples=["服务对象"])
    target_percent: JsonInt = Field(ge=0, le=100, examples=[50])


class AgencyIn(In):
    agency_id: UUID
    quota: JsonInt | None = Field(default=None, ge=0, le=100_000_000, description="最多接受的份数")


class IntegrityIn(In):
    identical_across_ids: JsonBool = False
    burst_seconds: JsonInt = Field(default=60, ge=0, le=86_400)
    burst_size: JsonInt = Field(default=10, ge=0, le=100_000)
    straight_lining_min_units: JsonInt = Field(default=0, ge=0, le=10_000)
    point_departure_percent: JsonInt = Field(default=30, ge=0, le=100)
    point_departure_min_sample: JsonInt = Field(default=30, ge=0, le=1_000_000)
    over_quota: JsonBool = True


class WaveIn(In):
    """A wave of a campaign round (`campaign_id`, `round`): its units and their categories
    come from the campaign's enrolment within `jurisdiction_id` (or the `unit_ids` named,
    which must be enrolled). Without a campaign, a standalone wave names its `unit_ids`."""

    name: Line = Field(min_length=1, max_length=200, examples=["2026年上半年民主评议问卷测评"])
    jurisdiction_id: UUID
    kind: KindIn = Field(default=WaveKind.SATISFACTION_SURVEY, examples=["satisfaction_survey"])
    campaign_id: UUID | None = None
    round: JsonInt | None = Field(default=None, ge=1, le=20, description="半年轮次, 1-based")
    unit_ids: list[UUID] = Field(default_factory=list, max_length=2000)
    agency_id: UUID | None = Field(default=None, description="One agency without a quota")
    agencies: list[AgencyIn] = Field(default_factory=list, max_length=50)
    template_id: UUID | None = Field(default=None, description="Default: the four-level template")
    template_version: JsonInt | None = Field(default=None, ge=1)
    opens_at: Moment | None = Field(default=None, description="Default: the round's first day")
    closes_at: Moment | None = Field(default=None, description="Default: the round's last day")
    channels: list[ChannelIn] = Field(default_factory=list, max_length=5)
    points: list[PointIn] = Field(default_factory=list, max_length=2000)
    groups: list[GroupIn] = Field(default_factory=list, max_length=50)
    panel_draw_id: UUID | None = Field(default=None, description="代表评议: the drawn panel")
    panel_body_id: UUID | None = Field(
        default=None,
        description="代表评议 by appointed representatives: the appointing body (an office's "
        "jurisdiction id, or a department's unit id)",
    )
    panel_cycle: Line | None = Field(
        default=None, max_length=50, examples=["2026"], description="The appointment cycle"
    )
    public: JsonBool = Field(default=False, description="Open to online public voting")
    voter_check: Literal["sms_code", "none"] | None = Field(
        default=None,
        description="What a public vote must carry besides the voter's number: `sms_code` "
        "(default for a public wave), a code sent by text message to the voter's mobile; "
        "`none`, nothing (any well-formed number votes). Only a public wave has one.",
    )
    integrity: IntegrityIn = Field(default_factory=IntegrityIn)

    def spec(self) -> dict[str, Any]:
        spec = self.model_dump()
        if spec["voter_check"] is None:
            # Left out, a request fingerprints as it did before waves chose a check.
            del spec["voter_check"]
        return spec


class AccreditIn(In):
    agency_id: UUID
    quota: JsonInt | None = Field(default=None, ge=0, le=100_000_000)


class QuotaIn(In):
    """调整配额: an accredited agency's new quota (null: none) and why."""

    agency_id: UUID
    quota: JsonInt | None = Field(
        ge=0, le=100_000_000, description="Required; null lifts the quota"
    )
    reason: Prose = Field(min_length=1, max_length=500, examples=["根据样本量调整配额"])


AGENCY_ID = (
    "The wave's agency, the one named at its opening; to another agency accredited to the "
    "wave, null (it reads its own line of `agencies` only)"
)


class WaveOut(BaseModel):
    wave_id: UUID
    name: str
    jurisdiction_id: UUID
    agency_id: UUID | None = Field(description=AGENCY_ID)
    agencies: list[AgencyQuota]
    unit_ids: list[UUID]
    status: str
    campaign_id: UUID | None
    round: int | None
    kind: WaveKind
    template: TemplateSnapshot
    units: list[EnrolledUnit]
    opens_at: str | None
    closes_at: str | None
    channels: list[Channel]
    points: list[SurveyPoint]
    groups: list[RespondentGroup]
    panel_size: int
    public: bool
    voter_check: Literal["sms_code", "none"] | None = Field(
        description="Of a public wave: `sms_code` (a vote carries a code texted to the "
        "voter's phone) or `none` (unverified: any well-formed number votes); null for a "
        "private wave"
    )
    integrity: IntegrityRules
    questionnaires: int | None = Field(
        description="Accepted into the wave (as stored, not lagging); null to an inspector's "
        "or a unit's key, which reads the wave's facts and none of its figures"
    )
    quarantined_at_intake: int | None = Field(
        description="Questionnaires quarantined as they were accepted (as stored, not "
        "lagging; still counted once released, rejected or withdrawn), the whole wave's; to "
        "an agency, those of its own pushes only"
    )
    batches: int | None = Field(
        description="Batches accepted (as stored, not lagging; a withdrawn one still "
        "counted), the whole wave's; to an agency, those it pushed only"
    )
    closed_reason: str | None


class WaveSummaryOut(BaseModel):
    wave_id: UUID
    name: str
    jurisdiction_id: UUID
    agency_id: UUID | None = Field(description=AGENCY_ID)
    unit_ids: list[UUID]
    status: str
    voter_check: Literal["sms_code", "none"] | None = Field(
        description="Of a public wave: `sms_code` (a vote carries a code texted to the "
        "voter's phone) or `none` (unverified); null for a private wave"
    )
    response_count: int | None = Field(
        description="Questionnaires recorded, as applied to the view; to an agency, those it "
        "pushed; null to an inspector's or a unit's key"
    )


class StatusCounts(BaseModel):
    """How many questionnaires stand in each status (every one recorded is in one)."""

    counted: int = Field(description="Standing and not in quarantine: what scoring counts")
    quarantined: int = Field(description="Flagged, awaiting an office's review; still standing")
    rejected: int = Field(description="Rejected on review: no longer standing")
    voided: int = Field(description="Voided by the office (entered in error)")
    withdrawn: int = Field(description="Of a withdrawn batch")


class WaveDetailOut(WaveOut):
    """Every figure is null to an inspector's or a unit's key (the wave's facts only: no
    agency, no count, no closing reason; progress is closed to them too)."""

    questionnaires: int | None = Field(
        description="Counted (`questionnaires_by_status.counted`): neither in quarantine nor "
        "voided, rejected or withdrawn; from the view (may lag a batch). An agency reads "
        "its own"
    )
    questionnaires_by_status: StatusCounts | None = Field(
        description="Every questionnaire recorded, by where it stands; from the view, with "
        "`response_count`. An agency reads its own, as in progress"
    )
    accepted: int | None = Field(
        description="Every questionnaire ever accepted into the wave, whatever became of it "
        "(as stored, not lagging: what `questionnaires` said before it was the counted ones). "
        "An agency reads its own"
    )
    response_count: int | None = Field(
        description="Questionnaires recorded, as applied to the view"
    )


class CloseIn(In):
    reason: Prose = Field(min_length=1, max_length=500, examples=["问卷回收完毕"])
