"""Assessment aggregates: scores an assessment team gives (评议组评分) and the decisions that
override scores: a one-vote veto (一票否决), a unit's results cancelled (取消评议成绩) and a
representative's violation. Nothing is edited: corrections, withdrawals and revocations are
further events naming who made them and why.

Split by subject (rules, scores, decisions). Every name stays importable from here, and
events stored before the split under this module's topics
(`services.inspection.assessments.domain:AssessmentScore.Recorded`, …) still resolve through
these re-exports, so they load as they did."""

from __future__ import annotations

from services.inspection.assessments.domain.decisions import (
    RepresentativeViolation,
    ResultCancellation,
    Veto,
)
from services.inspection.assessments.domain.rules import (
    ASSESSOR_MAX,
    CODE_MAX,
    EVIDENCE_MAX,
    EVIDENCE_PATTERN,
    NAME_MAX,
    REASON_MAX,
    SCORE_MAX,
    TEXT_MAX,
    AssessmentScoreExists,
    AssessmentScoreNotFound,
    AssessmentScoreWithdrawn,
    CancellationExists,
    CancellationNotFound,
    InvalidAssessment,
    VetoAlreadyRevoked,
    VetoExists,
    VetoNotFound,
    cancellation_id,
    evidence_hashes,
    round_number,
    score_id,
    score_values,
    text,
    veto_id,
)
from services.inspection.assessments.domain.scores import AssessmentScore

__all__ = [
    "ASSESSOR_MAX",
    "CODE_MAX",
    "EVIDENCE_MAX",
    "EVIDENCE_PATTERN",
    "NAME_MAX",
    "REASON_MAX",
    "SCORE_MAX",
    "TEXT_MAX",
    "AssessmentScore",
    "AssessmentScoreExists",
    "AssessmentScoreNotFound",
    "AssessmentScoreWithdrawn",
    "CancellationExists",
    "CancellationNotFound",
    "InvalidAssessment",
    "RepresentativeViolation",
    "ResultCancellation",
    "Veto",
    "VetoAlreadyRevoked",
    "VetoExists",
    "VetoNotFound",
    "cancellation_id",
    "evidence_hashes",
    "round_number",
    "score_id",
    "score_values",
    "text",
    "veto_id",
]
