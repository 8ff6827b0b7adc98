"""Published survey facts: waves, the questionnaires collected in them, and every later
decision about a questionnaire (correction, void, quarantine, release, rejection, batch
withdrawal). Each decision is its own message, so a consumer rebuilds what counts from the
log alone.

What counts for scoring: a questionnaire recorded without flags, or released from quarantine,
and neither voided, rejected nor in a withdrawn batch; a correction replaces its answers.
A wave's close is ordered after every questionnaire accepted into it (the close and the
batches write the same wave aggregate), so nothing is recorded into a wave after its
`survey.wave.closed` message.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.envelope import IntegrationPayload


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


class Answers(_Part):
    """Everything a questionnaire says, as the template asked it."""

    ratings: dict[UUID, str]
    dimension_ratings: dict[UUID, dict[str, str]] = Field(default_factory=dict)
    opinions: tuple[Opinion, ...] = ()
    recommended_key_targets: tuple[UUID, ...] = ()


class WaveOpenedV1(IntegrationPayload):
    """The first shape: a wave was a list of units for one agency."""

    event_type = "survey.wave.opened"
    schema_version = 1
    wave_id: UUID
    jurisdiction_id: UUID
    name: str
    agency_id: UUID
    unit_ids: tuple[UUID, ...]
    actor: str


class WaveOpenedV2(IntegrationPayload):
    """v2: the wave's campaign round, kind, template, enrolled units with categories,
    window, channels, survey points, respondent groups, agencies with quotas, panel and
    integrity rules. `agency_id` and `unit_ids` stay for v1 readers (the first agency; the
    units in order)."""

    event_type = "survey.wave.opened"
    schema_version = 2
    wave_id: UUID
    jurisdiction_id: UUID
    name: str
    agency_id: UUID
    unit_ids: tuple[UUID, ...]
    actor: str
    campaign_id: UUID | None = None
    round: int | None = None
    kind: WaveKind = WaveKind.SATISFACTION_SURVEY
    template: TemplateSnapshot | None = None
    units: tuple[EnrolledUnit, ...] = ()
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    channels: tuple[Channel, ...] = ()
    points: tuple[SurveyPoint, ...] = ()
    groups: tuple[RespondentGroup, ...] = ()
    agencies: tuple[AgencyQuota, ...] = ()
    panel: tuple[UUID, ...] = ()
    public: bool = False
    integrity: IntegrityRules = IntegrityRules()

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        """A v1 wave: a four-level satisfaction survey for one agency without quota."""
        return data | {"agencies": [{"agency_id": data["agency_id"], "quota": None}]}


VoterCheck = Literal["sms_code", "none"]
"""What a public wave's vote carries besides the voter's number: `sms_code`, a code texted to
the voter's mobile; `none`, nothing (any well-formed number votes)."""


class WaveOpened(IntegrationPayload):
    """v3 adds `voter_check`, how the public wave verifies its voters (None: a private wave,
    which takes no public votes). Every v2 field stays, as it was."""

    event_type = "survey.wave.opened"
    schema_version = 3
    wave_id: UUID
    jurisdiction_id: UUID
    name: str
    agency_id: UUID
    unit_ids: tuple[UUID, ...]
    actor: str
    campaign_id: UUID | None = None
    round: int | None = None
    kind: WaveKind = WaveKind.SATISFACTION_SURVEY
    template: TemplateSnapshot | None = None
    units: tuple[EnrolledUnit, ...] = ()
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    channels: tuple[Channel, ...] = ()
    points: tuple[SurveyPoint, ...] = ()
    groups: tuple[RespondentGroup, ...] = ()
    agencies: tuple[AgencyQuota, ...] = ()
    panel: tuple[UUID, ...] = ()
    public: bool = False
    integrity: IntegrityRules = IntegrityRules()
    voter_check: VoterCheck | None = None

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        """A v2 wave was opened before waves chose a voter check: a public one took votes
        unverified (`none`), as survey itself reads such a wave."""
        return data | {"voter_check": "none" if data.get("public") else None}


class WaveAgencyAccredited(IntegrationPayload):
    event_type = "survey.wave.agency_accredited"
    wave_id: UUID
    agency_id: UUID
    quota: int | None
    actor: str


class WaveClosedV1(IntegrationPayload):
    event_type = "survey.wave.closed"
    schema_version = 1
    wave_id: UUID
    actor: str


class WaveClosed(IntegrationPayload):
    """v2 adds the reason and how many questionnaires and batches the close covers: every
    one recorded into the wave precedes this message in survey's log."""

    event_type = "survey.wave.closed"
    schema_version = 2
    wave_id: UUID
    actor: str
    reason: str = ""
    questionnaires: int | None = None
    batches: int | None = None

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        return data | {"reason": "", "questionnaires": None, "batches": None}


class ResponseRecordedV1(IntegrationPayload):
    event_type = "survey.response.recorded"
    schema_version = 1
    wave_id: UUID
    response_id: UUID
    questionnaire_id: str
    survey_point: str | None
    collected_at: datetime
    ratings: dict[UUID, Rating]


class ResponseRecordedV2(IntegrationPayload):
    """v2: a questionnaire with every answer the template asks for, where and how it was
    collected, the batch it came in, and its integrity flags; ratings keyed by unit id."""

    event_type = "survey.response.recorded"
    schema_version = 2
    wave_id: UUID
    response_id: UUID
    questionnaire_id: str
    survey_point: str | None
    collected_at: datetime
    ratings: dict[UUID, str]
    dimension_ratings: dict[UUID, dict[str, str]] = Field(default_factory=dict)
    opinions: tuple[Opinion, ...] = ()
    recommended_key_targets: tuple[UUID, ...] = ()
    channel: Channel | None = None
    group: str | None = None
    district_id: UUID | None = None
    device: str | None = None
    respondent_id: UUID | None = None
    agency_id: UUID | None = None
    batch_id: UUID | None = None
    flags: tuple[Flag, ...] = ()

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        return data


class ResponseRecorded(IntegrationPayload):
    """v3: a questionnaire with every answer the template asks for, where and how it was
    collected, the batch it came in, and the integrity flags that put it in quarantine (no
    flags: it counts at once).

    The overall answers travel as `row`: one per unit in the order of the wave's `unit_ids`
    (`survey.wave.opened`), None where a unit was not rated — a fifth of the bytes of a
    dict keyed by unit ids. Messages upcast from v1/v2 carry `ratings` instead (and no row);
    `ratings_in(unit_ids)` gives the dict either way."""

    event_type = "survey.response.recorded"
    schema_version = 3
    wave_id: UUID
    response_id: UUID
    questionnaire_id: str
    survey_point: str | None
    collected_at: datetime
    row: tuple[str | None, ...] | None = None
    ratings: dict[UUID, str] = Field(default_factory=dict)
    dimension_ratings: dict[UUID, dict[str, str]] = Field(default_factory=dict)
    opinions: tuple[Opinion, ...] = ()
    recommended_key_targets: tuple[UUID, ...] = ()
    channel: Channel | None = None
    group: str | None = None
    district_id: UUID | None = None
    device: str | None = None
    respondent_id: UUID | None = None
    agency_id: UUID | None = None
    batch_id: UUID | None = None
    flags: tuple[Flag, ...] = ()

    @classmethod
    def upcast_from_previous(cls, data: dict[str, Any]) -> dict[str, Any]:
        return data | {"row": None}

    def ratings_in(self, unit_ids: Sequence[UUID | str]) -> dict[str, str]:
        """unit id (text) -> overall answer, from the row given the wave's units, or from
        the dict of an upcast message."""
        if self.row is None:
            return {str(unit): answer for unit, answer in self.ratings.items()}
        return row_ratings(unit_ids, self.row)

    def answers_in(self, unit_ids: Sequence[UUID | str]) -> Answers:
        ratings = {UUID(str(unit)): answer for unit, answer in self.ratings_in(unit_ids).items()}
        return Answers(
            ratings=ratings,
            dimension_ratings=self.dimension_ratings,
            opinions=self.opinions,
            recommended_key_targets=self.recommended_key_targets,
        )


def row_ratings(unit_ids: Sequence[UUID | str], row: Sequence[str | None]) -> dict[str, str]:
    """A compact row as unit id (text) -> answer. A row longer or shorter than the wave's
    units is a producer's bug: refused, so a consumer stalls on it visibly."""
    if len(row) != len(unit_ids):
        raise ValueError(f"a row of {len(row)} answers for a wave of {len(unit_ids)} units")
    return {str(unit): answer for unit, answer in zip(unit_ids, row, strict=True) if answer}


class ResponseCorrected(IntegrationPayload):
    """The questionnaire's answers from now on (whole, not a patch), as version `version`."""

    event_type = "survey.response.corrected"
    wave_id: UUID
    response_id: UUID
    version: int
    answers: Answers
    reason: str
    actor: str


class ResponseVoided(IntegrationPayload):
    event_type = "survey.response.voided"
    wave_id: UUID
    response_id: UUID
    reason: str
    actor: str


class ResponseQuarantined(IntegrationPayload):
    """Flagged after it was recorded (e.g. by a point-distribution check over the wave)."""

    event_type = "survey.response.quarantined"
    wave_id: UUID
    response_id: UUID
    flags: tuple[Flag, ...]
    actor: str


class ResponseReleased(IntegrationPayload):
    """An office reviewer found the flags unfounded: the questionnaire counts."""

    event_type = "survey.response.released"
    wave_id: UUID
    response_id: UUID
    reason: str
    actor: str


class ResponseRejected(IntegrationPayload):
    """An office reviewer upheld the flags: the questionnaire never counts."""

    event_type = "survey.response.rejected"
    wave_id: UUID
    response_id: UUID
    reason: str
    actor: str


class BatchWithdrawn(IntegrationPayload):
    """An agency's batch stops counting (e.g. the agency was found cheating); every
    questionnaire it brought is named."""

    event_type = "survey.batch.withdrawn"
    wave_id: UUID
    batch_id: UUID
    agency_id: UUID
    response_ids: tuple[UUID, ...]
    reason: str
    actor: str
