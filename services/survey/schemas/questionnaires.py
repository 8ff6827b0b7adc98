"""Questionnaire requests and answers (a push of many: `services.survey.schemas.batches`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints, WithJsonSchema

from services.survey.schemas.choices import ChannelIn
from services.survey.schemas.unit_keys import UNIT_IDS
from services.survey.schemas.waves import In
from shared.contracts.survey import ANSWERS
from shared.types import Line, Moment, Prose

UUID_TEXT = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
Answer = Annotated[
    Any,
    WithJsonSchema(
        {
            "type": "string",
            # Every scale's answers: nothing else can pass the wave's check, which is
            # stricter (its own scale's only), so no request string escapes the kernel's.
            "enum": list(ANSWERS),
            "description": 'An answer of the wave\'s scale, as text (numbers too: "95")',
            "examples": ["满意"],
        }
    ),
]
"""An answer as sent, checked against the wave's own scale and nothing else
(`domain.answers.Checker`): one not on it is a `scale` problem naming the wave's scale
and its answers, in a push's row, an upload's cell, a correction and a vote alike, whether
it is another scale's (非常满意 on a four-level wave), none at all (很好), a number or a
list. A request checked against every scale's answers first answered two mistakes of one
kind two ways. Taken as it is (no Python call per answer: a push has 800,000)."""

UnitKey = Annotated[
    str,
    StringConstraints(pattern=UUID_TEXT, to_lower=True),
    WithJsonSchema({"type": "string", "format": "uuid"}),
]
"""A unit id as a dict key, kept as its canonical text (what the wave's units are stored as)
instead of being parsed into a UUID and printed back."""

MAX_BATCH = 10_000


class OpinionIn(In):
    unit_id: UUID | None = Field(default=None, description="The unit the opinion is about")
    text: Prose = Field(min_length=1, max_length=2000, examples=["窗口服务态度需改进"])


class AnswersIn(In):
    ratings: Annotated[dict[UnitKey, Answer], UNIT_IDS] = Field(
        min_length=1, description="unit_id -> overall answer on the wave's scale"
    )
    dimension_ratings: Annotated[dict[UnitKey, dict[Line, Answer]], UNIT_IDS] = Field(
        default_factory=dict, description="unit_id -> dimension code -> answer"
    )
    opinions: list[OpinionIn] = Field(default_factory=list, max_length=200)
    recommended_key_targets: list[UUID] = Field(
        default_factory=list, max_length=100, description="推荐重点评议对象"
    )

    def answers(self) -> dict[str, Any]:
        return {
            "ratings": self.ratings,  # the model's own, made for this request
            "dimension_ratings": {
                unit: dict(values) for unit, values in self.dimension_ratings.items()
            },
            "opinions": [
                {"unit_id": None if o.unit_id is None else str(o.unit_id), "text": o.text}
                for o in self.opinions
            ],
            "recommended_key_targets": [str(unit) for unit in self.recommended_key_targets],
        }


def _row() -> Any:
    """The compact form of `ratings`, as a push's questionnaire and a correction take it."""
    return Field(
        default=None,
        max_length=2000,
        description="The compact form of `ratings`: one answer per unit in the wave's "
        "`unit_ids` order, null where a unit was not rated (about a sixth of the bytes)",
        examples=[["满意", "基本满意", None, "不满意"]],
    )


class QuestionnaireIn(AnswersIn):
    ratings: Annotated[dict[UnitKey, Answer], UNIT_IDS] = Field(
        default_factory=dict,
        description="unit_id -> overall answer on the wave's scale (or give `row`)",
    )
    row: list[Answer | None] | None = _row()
    questionnaire_id: Line = Field(
        min_length=1, max_length=100, description="The agency's own id for the questionnaire"
    )
    collected_at: Moment = Field(examples=["2026-05-12T10:30:00+08:00"])
    survey_point: Line | None = Field(
        default=None, min_length=1, max_length=200, description="The survey point's code"
    )
    channel: ChannelIn | None = None
    group: Line | None = Field(default=None, min_length=1, max_length=50)
    district_id: UUID | None = None
    device: Line | None = Field(default=None, min_length=1, max_length=100)
    respondent_id: UUID | None = Field(
        default=None, description="代表评议: the panel member who answered"
    )

    def command(self) -> dict[str, Any]:
        return {
            "questionnaire_id": self.questionnaire_id,
            "collected_at": self.collected_at,
            "survey_point": self.survey_point,
            "channel": None if self.channel is None else self.channel.value,
            "group": self.group,
            "district_id": self.district_id,
            "device": self.device,
            "respondent_id": self.respondent_id,
            "row": self.row,
        } | self.answers()


class CorrectionIn(AnswersIn):
    ratings: Annotated[dict[UnitKey, Answer], UNIT_IDS] = Field(
        default_factory=dict,
        description="unit_id -> overall answer on the wave's scale (or give `row`); at "
        "least one, as in a push",
    )
    row: list[Answer | None] | None = _row()
    reason: Prose = Field(min_length=1, max_length=500, examples=["录入错误，按纸质问卷更正"])

    def answers(self) -> dict[str, Any]:
        # A correction without `row` is the request it always was (a keyed retry of one
        # made before rows were taken still matches its first request).
        found = super().answers()
        return found if self.row is None else found | {"row": self.row}


class ReasonIn(In):
    reason: Prose = Field(min_length=1, max_length=500, examples=["该机构存在代填问卷行为"])


class ReviewIn(In):
    response_ids: list[UUID] = Field(min_length=1, max_length=1000)
    decision: Literal["release", "reject"]
    reason: Prose = Field(min_length=1, max_length=500, examples=["经核实为正常集中测评"])


class ReviewOut(BaseModel):
    wave_id: UUID
    decision: str
    response_ids: list[UUID]


class QuestionnaireOut(BaseModel):
    response_id: UUID
    wave_id: UUID
    questionnaire_id: str
    survey_point: str | None
    collected_at: str
    channel: str | None
    group: str | None
    device: str | None
    district_id: str | None = Field(default=None, description="The respondent's district")
    respondent_id: str | None = Field(
        default=None, description="代表评议: the panel member who answered"
    )
    agency_id: str | None
    batch_id: str | None
    voter_check: str | None = Field(
        default=None,
        description="A public vote: how its voter was checked when it was cast (`sms_code`: "
        "by a code texted to their phone; `none`: not at all); null for a questionnaire an "
        "agency pushed and for votes cast before votes recorded it (never checked)",
    )
    status: str
    flags: list[dict[str, str]]
    version: int
    answers: dict[str, Any]
    recorded_by: str
    recorded_at: str | None = Field(
        default=None,
        description="When the questionnaire was recorded (ISO 8601); null only in the replay "
        "of a decision answered before times were shown",
    )
    history: list[dict[str, Any]] = Field(
        description="Every decision in order: `event`, `at` (when, ISO 8601), `actor`, and "
        "its `reason` or `flags`"
    )


class VersionsOut(BaseModel):
    response_id: UUID
    versions: list[dict[str, Any]] = Field(
        description="`version`, `answers`, `at` (when they were made: the recording, then "
        "each correction; ISO 8601) and, for a correction, `reason`, `actor`, `changes`"
    )


class BatchStateOut(BaseModel):
    """The replay of a withdrawal answered before the batch said who and when lacks those:
    they read null then."""

    batch_id: UUID
    wave_id: UUID
    agency_id: UUID
    questionnaires: int
    recorded_by: str | None = None
    recorded_at: str | None = Field(default=None, description="When it was pushed (ISO 8601)")
    withdrawn: bool
    withdrawn_reason: str | None
    withdrawn_by: str | None = None
    withdrawn_at: str | None = Field(default=None, description="When it was withdrawn")


class VoteIn(In):
    """网上评议投票: the voter's mobile number or ID number is hashed with a key and never
    stored."""

    voter: Line = Field(min_length=6, max_length=40, examples=["13800138000"])
    ratings: Annotated[dict[UnitKey, Answer], UNIT_IDS] = Field(min_length=1, max_length=2000)
    code: Line | None = Field(
        default=None,
        max_length=20,
        examples=["204816"],
        description="短信验证码: the 6-digit code texted to `voter` (`POST /public/waves/"
        "{wave_id}/codes`); required by a wave whose `voter_check` is `sms_code`",
    )


class CodeIn(In):
    """获取短信验证码: the voter's mainland mobile number."""

    voter: Line = Field(min_length=6, max_length=40, examples=["13800138000"])


class CodeOut(BaseModel):
    wave_id: UUID
    sent_to: str = Field(description="The number the code went to, masked: 138****8000")
    expires_in_seconds: int
    resend_after_seconds: int


class VoteOut(BaseModel):
    wave_id: UUID
    response_id: UUID
    units: int
