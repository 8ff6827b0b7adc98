"""Questionnaires (问卷) and the batches that bring them.

A questionnaire's identity is derived from the wave and the agency's own questionnaire id
(or, in a representative evaluation, the panel member), so the same questionnaire pushed
twice collides in the event store instead of being counted twice (严禁复制测评问卷).
Nothing is changed in place: a correction, a void, a quarantine decision and a batch
withdrawal are each a new event with its actor and reason (严禁修改统计数据).

Split by subject (questionnaire, batch, vote). Every name stays importable from here, and
events stored before the split under this module's topics
(`services.survey.domain.response:Response.Recorded`, …) still resolve through these
re-exports, so they load as they did.
"""

from __future__ import annotations

from services.survey.domain.response.batch import Batch
from services.survey.domain.response.content import (
    COUNTED,
    QUARANTINED,
    REJECTED,
    VOIDED,
    WITHDRAWN,
)
from services.survey.domain.response.part import BatchPart, PushClaims, split_parts
from services.survey.domain.response.questionnaire import (
    ANSWER_FIELDS,
    RESPONSE_NAMESPACE,
    Response,
)
from services.survey.domain.response.vote import VoteClaim

__all__ = [
    "ANSWER_FIELDS",
    "COUNTED",
    "QUARANTINED",
    "REJECTED",
    "RESPONSE_NAMESPACE",
    "VOIDED",
    "WITHDRAWN",
    "Batch",
    "BatchPart",
    "PushClaims",
    "Response",
    "VoteClaim",
    "split_parts",
]
