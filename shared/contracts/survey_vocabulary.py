"""The survey contracts' vocabularies (answer scales and their answers, wave kinds,
channels, where a questionnaire stands) and the values their messages carry (a template's
snapshot, enrolled units, survey points, integrity rules, flags, answers).

Apart from `survey.py`, which defines the wave messages and re-exports every name here, so
`from shared.contracts.survey import Rating` stays the way to name them; the questionnaire
messages are in `survey_responses.py`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class Rating(StrEnum):
    """The four levels of the classic questionnaire answer (seed 000)."""

    SATISFIED = "满意"
    BASICALLY_SATISFIED = "基本满意"
    DISSATISFIED = "不满意"
    UNKNOWN = "不了解"


RATINGS: tuple[str, ...] = tuple(rating.value for rating in Rating)


class Scale(StrEnum):
    """Answer scales a template may use. Answers travel as the level's text, numbers too."""

    THREE_LEVEL = "three_level"
    FOUR_LEVEL = "four_level"
    FIVE_LEVEL = "five_level"
    NUMERIC_10 = "numeric_10"
    PERCENT = "percent"


SCALE_LEVELS: dict[Scale, tuple[str, ...]] = {
    Scale.THREE_LEVEL: ("满意", "基本满意", "不满意"),
    Scale.FOUR_LEVEL: RATINGS,
    Scale.FIVE_LEVEL: ("非常满意", "满意", "一般", "不满意", "非常不满意"),
    Scale.NUMERIC_10: tuple(str(n) for n in range(11)),
    Scale.PERCENT: tuple(str(n) for n in range(101)),
}
"""Every answer a scale accepts, best first for the worded scales, ascending for numbers."""

ANSWERS: tuple[str, ...] = tuple(
    dict.fromkeys(answer for levels in SCALE_LEVELS.values() for answer in levels)
)
"""Every answer some scale accepts: what a request may carry before the wave's own scale is
checked."""

SCALE_LABELS: dict[Scale, str] = {
    Scale.THREE_LEVEL: "三级：满意/基本满意/不满意",
    Scale.FOUR_LEVEL: "四级：满意/基本满意/不满意/不了解",
    Scale.FIVE_LEVEL: "五级好差评：非常满意/满意/一般/不满意/非常不满意",
    Scale.NUMERIC_10: "0–10 分",
    Scale.PERCENT: "百分制 0–100",
}


class WaveKind(StrEnum):
    OPINION_SOLICITATION = "opinion_solicitation"
    SATISFACTION_SURVEY = "satisfaction_survey"
    REPRESENTATIVE_EVALUATION = "representative_evaluation"
    HALF_YEAR_EVALUATION = "half_year_evaluation"
    ONLINE_PUBLIC_VOTING = "online_public_voting"
    RECTIFICATION_SATISFACTION = "rectification_satisfaction"


WAVE_KIND_LABELS: dict[WaveKind, str] = {
    WaveKind.OPINION_SOLICITATION: "征求意见",
    WaveKind.SATISFACTION_SURVEY: "问卷测评",
    WaveKind.REPRESENTATIVE_EVALUATION: "代表评议",
    WaveKind.HALF_YEAR_EVALUATION: "半年集中评议",
    WaveKind.ONLINE_PUBLIC_VOTING: "网上公开评议（大数据评议）",
    WaveKind.RECTIFICATION_SATISFACTION: "整改落实情况满意率测评",
}


class Channel(StrEnum):
    SURVEY_POINT = "survey_point"
    PAPER = "paper"
    ONLINE = "online"
    SERVICE_HALL_DEVICE = "service_hall_device"
    PHONE = "phone"


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.SURVEY_POINT: "测评点",
    Channel.PAPER: "纸质问卷",
    Channel.ONLINE: "网上",
    Channel.SERVICE_HALL_DEVICE: "服务大厅评价器",
    Channel.PHONE: "电话",
}

ResponseStatus = Literal["counted", "quarantined", "rejected", "voided", "withdrawn"]
"""Where a questionnaire stands: only `counted` questionnaires are scored."""


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Dimension(_Part):
    """One evaluation content rated per unit (e.g. 服务态度), answered on the template's scale."""

    code: str
    name: str


class TemplateSnapshot(_Part):
    """The template version a wave was opened with, copied whole so consumers need nothing
    else to read its questionnaires."""

    template_id: UUID
    version: int
    name: str
    scale: Scale
    dimensions: tuple[Dimension, ...] = ()
    opinions: bool = False
    recommendations: bool = False
    asks_group: bool = False
    asks_district: bool = False


class EnrolledUnit(_Part):
    """A unit evaluated in the wave, with its category in the campaign when the wave opened."""

    unit_id: UUID
    name: str
    category: str


class SurveyPoint(_Part):
    """A 测评点: `target` is the sample the office expects, `quota` the most it accepts (None:
    no cap)."""

    code: str
    name: str
    jurisdiction_id: UUID
    target: int = Field(ge=0)
    quota: int | None = Field(default=None, ge=0)


class RespondentGroup(_Part):
    code: str
    name: str
    target_percent: int = Field(ge=0, le=100)


class AgencyQuota(_Part):
    agency_id: UUID
    quota: int | None = Field(default=None, ge=0)


class IntegrityRules(_Part):
    """Per wave; a zero or False turns a check off. The pattern checks that honest waves
    also trip (many respondents answer 满意 throughout) are off unless an office turns them
    on. See docs/survey-integrity.md for each rule and statistic."""

    identical_across_ids: bool = False
    burst_seconds: int = Field(default=60, ge=0)
    burst_size: int = Field(default=10, ge=0)
    straight_lining_min_units: int = Field(default=0, ge=0)
    point_departure_percent: int = Field(default=30, ge=0, le=100)
    point_departure_min_sample: int = Field(default=30, ge=0)
    over_quota: bool = True


class Flag(_Part):
    """Why a questionnaire was put in quarantine: a rule code and a Chinese explanation."""

    code: str
    detail: str


class Opinion(_Part):
    """An 意见建议, tagged to a unit when it names one."""

    unit_id: UUID | None
    text: str


# The types of the answer fields every questionnaire shape repeats (`Answers`, the
# `survey.response.recorded` versions, a batch part's questionnaires and extras), each declared
# once here. Only the types: a field's name and default stay in each model, because pydantic
# puts a base class's fields first and these follow each shape's own leading fields (a shared
# base would reorder the published JSON), and mypy sees a default only where it is assigned.
DimensionRatings = dict[UUID, dict[str, str]]
"""unit id -> dimension code -> answer, for the units rated per evaluation content."""
Opinions = tuple[Opinion, ...]
KeyTargets = tuple[UUID, ...]
"""The units a questionnaire recommends as key targets (重点评议对象), by id."""
Flags = tuple[Flag, ...]


class Answers(_Part):
    """Everything a questionnaire says, as the template asked it."""

    ratings: dict[UUID, str]
    dimension_ratings: DimensionRatings = Field(default_factory=dict)
    opinions: Opinions = ()
    recommended_key_targets: KeyTargets = ()
