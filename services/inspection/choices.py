"""Inspection's choices a request may name by code or by Chinese name (`shared.web.choices`),
as survey's and the registry's do: in a JSON body and a query filter alike, full width,
spaces and Latin case ignored. What is stored, published and answered is the code.

Most of inspection's vocabularies are Chinese words already (暗访, 较重, 实地督办): their
name is their code, said once (`self_named`). The English-coded ones take the names offices
write: a complaint's kind (投诉) and outcome (属实), a task's kind (重点项目), a
verification's outcome (通过, 退回), and the states a list is filtered by (已下发, 推进中)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BeforeValidator, WithJsonSchema

from services.inspection.status_words import STATUS_WORDS
from shared.choices import C
from shared.contracts.inspection import (
    EVALUATION_CONTENTS,
    INSPECTION_METHODS,
    SEVERITIES,
    EvaluationContent,
    InspectionMethod,
    Severity,
)
from shared.contracts.inspection_complaints import (
    CALLBACK_SATISFACTIONS,
    COMPLAINT_CHANNELS,
    COMPLAINT_KIND_LABELS,
    COMPLAINT_OUTCOME_LABELS,
    CallbackSatisfaction,
    ComplaintChannel,
    ComplaintKind,
    ComplaintOutcome,
)
from shared.contracts.inspection_rectification import (
    ESCALATION_STEPS,
    RERATINGS,
    EscalationStep,
    Rerating,
    VerificationOutcome,
)
from shared.contracts.inspection_tasks import SUPERVISION_METHODS, SupervisionMethod, TaskKind
from shared.web.choices import Named

NAMED = "a code or its Chinese name"
SELF_NAMED = "full-width forms and spaces are read as the word"


def self_named(codes: Iterable[C]) -> Named[C]:
    """A vocabulary whose codes are the Chinese words themselves (listed once, `暗访`)."""
    return Named({code: code for code in codes})


def states(*codes: str) -> Named[str]:
    """A list's status filter, named as a state conflict's reason names the state."""
    return Named({code: STATUS_WORDS[code] for code in codes})


TASK_KIND_LABELS: dict[str, str] = {"task": "工作任务", "key_project": "重点项目"}
"""As reporting's bulletins name them."""
VERIFICATION_OUTCOME_LABELS: dict[str, str] = {"accepted": "通过", "returned": "退回"}

METHODS = self_named(INSPECTION_METHODS)
CONTENTS = self_named(EVALUATION_CONTENTS)
SEVERITY_WORDS = self_named(SEVERITIES)
CHANNELS = self_named(COMPLAINT_CHANNELS)
SATISFACTIONS = self_named(CALLBACK_SATISFACTIONS)
SUPERVISIONS = self_named(SUPERVISION_METHODS)
STEPS = self_named(ESCALATION_STEPS)
RATINGS = self_named(RERATINGS)
COMPLAINT_KINDS = Named(COMPLAINT_KIND_LABELS)
OUTCOMES = Named(COMPLAINT_OUTCOME_LABELS)
TASK_KINDS = Named(TASK_KIND_LABELS)
VERDICTS = Named(VERIFICATION_OUTCOME_LABELS)
RECORD_STATES = states("active", "withdrawn")
"""A finding's or an assessment score's status."""
VETO_STATES = states("active", "revoked")

MethodIn = Annotated[
    InspectionMethod,
    BeforeValidator(METHODS.read),
    WithJsonSchema(METHODS.schema(f"检查方式 (method): {SELF_NAMED}")),
]
ContentIn = Annotated[
    EvaluationContent,
    BeforeValidator(CONTENTS.read),
    WithJsonSchema(CONTENTS.schema(f"评价内容 (evaluation content): {SELF_NAMED}")),
]
SeverityIn = Annotated[
    Severity,
    BeforeValidator(SEVERITY_WORDS.read),
    WithJsonSchema(SEVERITY_WORDS.schema(f"严重程度 (severity): {SELF_NAMED}")),
]
ChannelIn = Annotated[
    ComplaintChannel,
    BeforeValidator(CHANNELS.read),
    WithJsonSchema(CHANNELS.schema(f"投诉渠道 (channel): {SELF_NAMED}")),
]
SatisfactionIn = Annotated[
    CallbackSatisfaction,
    BeforeValidator(SATISFACTIONS.read),
    WithJsonSchema(SATISFACTIONS.schema(f"回访满意度 (satisfaction): {SELF_NAMED}")),
]
SupervisionIn = Annotated[
    SupervisionMethod,
    BeforeValidator(SUPERVISIONS.read),
    WithJsonSchema(SUPERVISIONS.schema(f"督办方式 (supervision method): {SELF_NAMED}")),
]
StepIn = Annotated[
    EscalationStep,
    BeforeValidator(STEPS.read),
    WithJsonSchema(STEPS.schema(f"问责步骤 (escalation step): {SELF_NAMED}")),
]
RatingIn = Annotated[
    Rerating,
    BeforeValidator(RATINGS.read),
    WithJsonSchema(RATINGS.schema(f"整改评价 (re-rating): {SELF_NAMED}")),
]
ComplaintKindIn = Annotated[
    ComplaintKind,
    BeforeValidator(COMPLAINT_KINDS.read),
    WithJsonSchema(COMPLAINT_KINDS.schema(f"诉求类别 (kind): {NAMED}")),
]
OutcomeIn = Annotated[
    ComplaintOutcome,
    BeforeValidator(OUTCOMES.read),
    WithJsonSchema(OUTCOMES.schema(f"核查结果 (outcome): {NAMED}")),
]
TaskKindIn = Annotated[
    TaskKind,
    BeforeValidator(TASK_KINDS.read),
    WithJsonSchema(TASK_KINDS.schema(f"任务类别 (kind): {NAMED}")),
]
VerdictIn = Annotated[
    VerificationOutcome,
    BeforeValidator(VERDICTS.read),
    WithJsonSchema(VERDICTS.schema(f"核查结论 (outcome): {NAMED}")),
]
RecordStateIn = Annotated[
    Literal["active", "withdrawn"],
    BeforeValidator(RECORD_STATES.read),
    WithJsonSchema(RECORD_STATES.schema(f"状态 (status): {NAMED}")),
]
VetoStateIn = Annotated[
    Literal["active", "revoked"],
    BeforeValidator(VETO_STATES.read),
    WithJsonSchema(VETO_STATES.schema(f"状态 (status): {NAMED}")),
]
