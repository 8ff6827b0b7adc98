"""What every assessment command checks: limits, errors, value rules and the derived ids
(one score in force per campaign, round, unit and component; one veto in force and one
cancellation per campaign, round and unit)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from itertools import count
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from services.inspection.errors import InspectionError, InspectionNotFound, checked_text
from shared.errors import ConflictError, InvalidError

CODE_MAX = 50
NAME_MAX = 100
ASSESSOR_MAX = 200
TEXT_MAX = 2000
REASON_MAX = 500
EVIDENCE_MAX = 50
SCORE_MAX = Decimal(10000)
EVIDENCE_PATTERN = r"^sha256:[0-9a-f]{64}$"
_EVIDENCE = re.compile(EVIDENCE_PATTERN)
_NAMESPACE = uuid5(NAMESPACE_URL, "pingyi:inspection:assessments")


class InvalidAssessment(InspectionError, InvalidError):
    code = "invalid_assessment"


class AssessmentScoreExists(InspectionError, ConflictError):
    code = "assessment_score_exists"


class AssessmentScoreNotFound(InspectionNotFound):
    code = "assessment_score_not_found"
    thing = "assessment score"
    thing_zh = "考核评分"
    measure = "项"


class AssessmentScoreWithdrawn(InspectionError, ConflictError):
    code = "assessment_score_withdrawn"


class VetoExists(InspectionError, ConflictError):
    code = "veto_exists"


class VetoNotFound(InspectionNotFound):
    code = "veto_not_found"
    thing = "veto"
    thing_zh = "一票否决"
    measure = "项"


class VetoAlreadyRevoked(InspectionError, ConflictError):
    code = "veto_revoked"


class CancellationExists(InspectionError, ConflictError):
    code = "cancellation_exists"


class CancellationNotFound(InspectionNotFound):
    code = "cancellation_not_found"
    thing = "cancellation"
    thing_zh = "取消评议成绩决定"
    measure = "项"


def text(value: str, field: str, limit: int) -> str:
    return checked_text(value, field, limit, InvalidAssessment)


COMPONENT_CODE_PATTERN = r"^[A-Za-z0-9_\-\u4e00-\u9fff]+$"
"""The characters of a scoring scheme's component code (its `assessment_code`): letters,
digits, _ and -, or Chinese. Scoring's own rule, restated: services share no code."""
_COMPONENT_CODE = re.compile(COMPONENT_CODE_PATTERN)
_FULL_WIDTH = {wide: wide - 0xFEE0 for wide in range(0xFF01, 0xFF5F)}
"""Full-width ASCII (ｄａｉｌｙ＿ｗｏｒｋ, as a Chinese input method types it) → ASCII."""


def component_code(value: str) -> str:
    """The code a score counts under. Scoring matches it to a scheme's `assessment_code`
    character for character, so a code no scheme can name would leave the score unused,
    silently: typed full width it is the half-width code (and so the same score id), and
    any other character is refused."""
    code = text(value.translate(_FULL_WIDTH), "component_code", CODE_MAX)
    if _COMPONENT_CODE.match(code) is None:
        raise InvalidAssessment(
            "须为评分方案中的指标代码 (assessment_code): 字母、数字、_ 和 -, 或汉字 "
            "(must be a component code as a scoring scheme names it (assessment_code): "
            "letters, digits, _ and -, or Chinese characters)",
            field="component_code",
        )
    return code


def round_number(value: int) -> int:
    if value < 1:
        raise InvalidAssessment("须不小于 1 (must be 1 or more)", field="round")
    return value


def score_values(score: Decimal, maximum: Decimal) -> tuple[Decimal, Decimal]:
    if not maximum.is_finite() or not Decimal(0) < maximum <= SCORE_MAX:
        raise InvalidAssessment(
            f"须大于 0 且不超过 {SCORE_MAX} (must be above 0 and at most {SCORE_MAX})",
            field="maximum",
        )
    if not score.is_finite() or not Decimal(0) <= score <= maximum:
        raise InvalidAssessment(
            "须在 0 与满分之间 (must lie between 0 and the maximum)", field="score"
        )
    return _plain(score), _plain(maximum)


def _plain(value: Decimal) -> Decimal:
    """As written with digits: `1E+1` (which JSON allows) would otherwise be stored,
    published and shown on bulletins as typed. Decimal places typed stay as typed."""
    exponent = value.as_tuple().exponent
    return value.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else value


def evidence_hashes(values: Sequence[str]) -> tuple[str, ...]:
    if len(values) > EVIDENCE_MAX:
        raise InvalidAssessment(
            f"最多 {EVIDENCE_MAX} 个哈希值 (at most {EVIDENCE_MAX} hashes)", field="evidence"
        )
    cleaned = tuple(value.strip().lower() for value in values)
    for value in cleaned:
        if not _EVIDENCE.match(value):
            raise InvalidAssessment(
                "每项须为 'sha256:' 加 64 位十六进制数 (each must be 'sha256:' and 64 hex digits)",
                field="evidence",
            )
    if len(set(cleaned)) != len(cleaned):
        raise InvalidAssessment("哈希值重复列出 (a hash is listed twice)", field="evidence")
    return cleaned


Lookup = Callable[[UUID], Any]
"""A stored record by id, or None: how a command sees what was recorded before it."""


def nothing_recorded(_: UUID) -> None:
    return None


def _generation(kind: str, generation: int) -> str:
    # Generation 0 keeps the name ids were derived from before there were generations; a
    # later one has its own prefix, so no subject's later id can equal another's first.
    return kind if generation == 0 else f"{kind}-{generation}"


def score_id(
    campaign_id: UUID, round: int, unit_id: UUID, component_code: str, generation: int = 0
) -> UUID:
    """One score in force per (campaign, round, unit, component): a second is a conflict. A
    withdrawn score gives way to the next generation's id."""
    kind = _generation("score", generation)
    return uuid5(_NAMESPACE, f"{kind}:{campaign_id}:{round}:{unit_id}:{component_code}")


def veto_id(campaign_id: UUID, round: int, unit_id: UUID, generation: int = 0) -> UUID:
    return uuid5(_NAMESPACE, f"{_generation('veto', generation)}:{campaign_id}:{round}:{unit_id}")


def free_id(
    derive: Callable[[int], UUID], lookup: Lookup, ended: Callable[[Any], bool]
) -> tuple[UUID, Any]:
    """(the id a new record of one subject takes, the record still in force there or None).

    A subject's ids are derived generation by generation; a record withdrawn or revoked
    stays on record under its id and no longer holds the subject, so a new one takes the
    next generation's id: a new record, with a new id, for every consumer to count."""
    for generation in count():
        candidate = derive(generation)
        found = lookup(candidate)
        if found is None or not ended(found):
            return candidate, found
    raise AssertionError("unreachable")  # pragma: no cover


def cancellation_id(campaign_id: UUID, round: int, unit_id: UUID) -> UUID:
    return uuid5(_NAMESPACE, f"cancellation:{campaign_id}:{round}:{unit_id}")
