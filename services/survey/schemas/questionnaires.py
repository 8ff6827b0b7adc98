"""Questionnaire requests and answers. A batch is validated row by row: one bad row is
reported with its row number and does not sink the others (unless `all_or_nothing`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)

from services.survey.schemas.waves import In
from shared.contracts.survey import ANSWERS, Channel
from shared.types import Line, Moment, Prose

UUID_TEXT = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
Answer = Literal[ANSWERS]  # type: ignore[valid-type]  # the tuple spreads at runtime
"""An answer's text on some scale (满意, 非常满意, "8", "95"...); the wave checks its own.
An enum rather than free text: checked at native speed, 160 times a questionnaire."""

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
    ratings: dict[UnitKey, Answer] = Field(
        min_length=1, description="unit_id -> overall answer on the wave's scale"
    )
    dimension_ratings: dict[UnitKey, dict[Line, Answer]] = Field(
        default_factory=dict, description="unit_id -> dimension code -> answer"
    )
    opinions: list[OpinionIn] = Field(default_factory=list, max_length=200)
    recommended_key_targets: list[UUID] = Field(
        default_factory=list, max_length=100, description="推荐重点评议对象"
    )

    def answers(self) -> dict[str, Any]:
        return {
            "ratings": dict(self.ratings),
            "dimension_ratings": {
                unit: dict(values) for unit, values in self.dimension_ratings.items()
            },
            "opinions": [
                {"unit_id": None if o.unit_id is None else str(o.unit_id), "text": o.text}
                for o in self.opinions
            ],
            "recommended_key_targets": [str(unit) for unit in self.recommended_key_targets],
        }


class QuestionnaireIn(AnswersIn):
    ratings: dict[UnitKey, Answer] = Field(
        default_factory=dict,
        description="unit_id -> overall answer on the wave's scale (or give `row`)",
    )
    row: list[Answer | None] | None = Field(
        default=None,
        max_length=2000,
        description="The compact form of `ratings`: one answer per unit in the wave's "
        "`unit_ids` order, null where a unit was not rated (about a sixth of the bytes)",
        examples=[["满意", "基本满意", None, "不满意"]],
    )
    questionnaire_id: Line = Field(
        min_length=1, max_length=100, description="The agency's own id for the questionnaire"
    )
    collected_at: Moment = Field(examples=["2026-05-12T10:30:00+08:00"])
    survey_point: Line | None = Field(
        default=None, min_length=1, max_length=200, description="The survey point's code"
    )
    channel: Channel | None = None
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


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its `$defs` inlined, to document a field that is
    validated later, row by row."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


QuestionnaireRow = Annotated[dict[str, Any], WithJsonSchema(inline_schema(QuestionnaireIn))]
"""A questionnaire as sent: documented as `QuestionnaireIn`, validated on its own so that one
bad row is reported by number instead of refusing the batch."""

QUESTIONNAIRES = TypeAdapter(list[QuestionnaireIn])
QUESTIONNAIRE = TypeAdapter(QuestionnaireIn)


class BatchIn(In):
    """推送问卷. Up to 10,000 questionnaires; each is checked on its own."""

    questionnaires: list[QuestionnaireRow] = Field(min_length=1, max_length=MAX_BATCH)
    all_or_nothing: bool = Field(
        default=False, description="Refuse the whole batch (422) if any row has a problem"
    )

    def rows(self) -> tuple[list[tuple[int, dict[str, Any]]], list[dict[str, Any]]]:
        """(index, command) of every row that parses, and a problem for each that does not."""
        return parse_rows(self.questionnaires, "questionnaires")


def parse_rows(
    raw: list[dict[str, Any]], prefix: str, numbers: list[int] | None = None
) -> tuple[list[tuple[int, dict[str, Any]]], list[dict[str, Any]]]:
    """Validate rows at once (the common, clean case), and only on a failure row by row.
    `numbers` are the rows' numbers as the caller knows them (sheet rows); else indexes."""
    rows = numbers or list(range(len(raw)))
    try:
        parsed = QUESTIONNAIRES.validate_python(raw)
    except ValidationError:
        pass
    else:
        return [(row, q.command()) for row, q in zip(rows, parsed, strict=True)], []
    good: list[tuple[int, dict[str, Any]]] = []
    problems: list[dict[str, Any]] = []
    for row, item in zip(rows, raw, strict=True):
        try:
            good.append((row, QUESTIONNAIRE.validate_python(item).command()))
        except ValidationError as error:
            qid = item.get("questionnaire_id") if isinstance(item, dict) else None
            problems.extend(row_problems(error, row, clip(qid), prefix))
    return good, problems


def row_problems(error: ValidationError, row: int, qid: Any, prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "row": row,
            "questionnaire_id": qid,
            "field": ".".join([prefix, str(row), *(str(part) for part in detail["loc"])]),
            "reason": clip(detail["msg"]),
            "code": detail["type"],
        }
        for detail in error.errors(include_url=False, include_input=False)
    ]


def clip(value: Any) -> Any:
    """What a problem report quotes back stays small (a 90 KB cell must not echo)."""
    if isinstance(value, str) and len(value) > 200:
        return value[:200] + "…"
    return value if isinstance(value, str | int | None) else None


class ProblemOut(BaseModel):
    row: int = Field(description="Index in `questionnaires` (or the sheet's row number)")
    questionnaire_id: Any = None
    field: str
    reason: str
    code: str


class BatchOut(BaseModel):
    wave_id: UUID
    batch_id: UUID | None = Field(description="None when nothing new was recorded")
    accepted: int = Field(description="Recorded, including those put in quarantine")
    quarantined: int
    quarantined_questionnaire_ids: list[str]
    duplicates: int
    duplicate_questionnaire_ids: list[str]
    rejected: int = Field(description="Rows refused, each listed in `problems`")
    problems: list[ProblemOut]


class CorrectionIn(AnswersIn):
    reason: Prose = Field(min_length=1, max_length=500, examples=["录入错误，按纸质问卷更正"])


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
    agency_id: str | None
    batch_id: str | None
    status: str
    flags: list[dict[str, str]]
    version: int
    answers: dict[str, Any]
    recorded_by: str
    history: list[dict[str, Any]]


class VersionsOut(BaseModel):
    response_id: UUID
    versions: list[dict[str, Any]]


class BatchStateOut(BaseModel):
    batch_id: UUID
    wave_id: UUID
    agency_id: UUID
    questionnaires: int
    withdrawn: bool
    withdrawn_reason: str | None


class VoteIn(In):
    """网上评议投票: the voter's mobile number or ID number is hashed with a key and never
    stored."""

    voter: Line = Field(min_length=6, max_length=40, examples=["13800138000"])
    ratings: dict[UnitKey, Answer] = Field(min_length=1, max_length=2000)


class VoteOut(BaseModel):
    wave_id: UUID
    response_id: UUID
    units: int
