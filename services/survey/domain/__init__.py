"""Survey aggregates: templates, waves, questionnaires, batches and public-vote claims."""

from services.survey.domain.answers import Checker, Problem, refusal
from services.survey.domain.canonical import canonical_answers
from services.survey.domain.errors import (
    AlreadyVoted,
    BatchNotFound,
    ConcurrentBatch,
    DecisionConflict,
    InvalidQuestionnaire,
    InvalidTemplate,
    InvalidWave,
    NotPublicWave,
    NotWaveAgency,
    Objections,
    QuestionnaireConflict,
    QuestionnaireNotFound,
    RejectedBatch,
    SurveyError,
    TemplateNotFound,
    UnknownUnitInWave,
    WaveClosedError,
    WaveNotFound,
)
from services.survey.domain.response import (
    Batch,
    BatchPart,
    PushClaims,
    Response,
    VoteClaim,
    split_parts,
)
from services.survey.domain.templates import BUILTIN_TEMPLATE, Template, template_content
from services.survey.domain.wave import Wave

__all__ = [
    "BUILTIN_TEMPLATE",
    "AlreadyVoted",
    "Batch",
    "BatchNotFound",
    "BatchPart",
    "Checker",
    "ConcurrentBatch",
    "DecisionConflict",
    "InvalidQuestionnaire",
    "InvalidTemplate",
    "InvalidWave",
    "NotPublicWave",
    "NotWaveAgency",
    "Objections",
    "Problem",
    "PushClaims",
    "QuestionnaireConflict",
    "QuestionnaireNotFound",
    "RejectedBatch",
    "Response",
    "SurveyError",
    "Template",
    "TemplateNotFound",
    "UnknownUnitInWave",
    "VoteClaim",
    "Wave",
    "WaveClosedError",
    "WaveNotFound",
    "canonical_answers",
    "refusal",
    "split_parts",
    "template_content",
]
