"""What complaints and hotline appearances accept: bounds, deadlines by kind, the errors
their commands raise, and the checks they share."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from services.inspection.errors import InspectionError, InspectionNotFound, checked_text
from shared.contracts.inspection_complaints import COMPLAINT_KIND_LABELS
from shared.errors import ConflictError, InvalidError

SUMMARY_MAX = 2000
REPLY_MAX = 2000
REASON_MAX = 500
TOPIC_MAX = 200
ROUND_MAX = 100

DEFAULT_DEADLINES: dict[str, int] = {
    "emergency": 0,
    "consultation": 5,
    "complaint": 15,
    "suggestion": 15,
}
"""Working days to answer, by kind (0: the same day)."""
DEADLINE_BOUNDS: dict[str, tuple[int, int]] = {
    "emergency": (0, 1),
    "consultation": (1, 10),
    "complaint": (5, 30),
    "suggestion": (5, 30),
}
"""How far an office may move a deadline for one complaint."""


class ComplaintNotFound(InspectionNotFound):
    code = "complaint_not_found"
    thing = "complaint"
    thing_zh = "投诉"
    measure = "件"


class AppearanceNotFound(InspectionNotFound):
    code = "hotline_appearance_not_found"
    thing = "hotline appearance"
    thing_zh = "热线上线记录"
    measure = "条"


class InvalidComplaint(InspectionError, InvalidError):
    code = "invalid_complaint"


class ComplaintOutOfTurn(InspectionError, ConflictError):
    code = "complaint_out_of_turn"


def text(value: str, field: str, limit: int) -> str:
    return checked_text(value, field, limit, InvalidComplaint)


def one_of(value: str, allowed: tuple[str, ...] | dict[str, str], field: str) -> str:
    if value not in allowed:
        raise InvalidComplaint(f"须为所列值之一 (must be one of {', '.join(allowed)})", field=field)
    return value


def counted_in(
    campaign_id: UUID | None,
    round_: int | None,
    error: type[InspectionError] = InvalidComplaint,
) -> tuple[UUID | None, int | None]:
    if round_ is not None and campaign_id is None:
        raise error("填写轮次须同时填写 campaign_id (a round needs its campaign)", field="round")
    if round_ is not None and not 1 <= round_ <= ROUND_MAX:
        raise error(
            f"须在 1 至 {ROUND_MAX} 之间 (must be between 1 and {ROUND_MAX})", field="round"
        )
    return campaign_id, round_


def deadline_for(kind: str, requested: int | None, defaults: Mapping[str, int]) -> int:
    """`defaults`: the deployment's working days by kind (settings), used when the office
    names none."""
    if requested is None:
        return defaults.get(kind, DEFAULT_DEADLINES[kind])
    low, high = DEADLINE_BOUNDS[kind]
    if not low <= requested <= high:
        article = "an" if kind[0] in "aeiou" else "a"
        raise InvalidComplaint(
            f"{COMPLAINT_KIND_LABELS[kind]}类须在 {low} 至 {high} 个工作日内答复 "
            f"({article} {kind} is answered in {low} to {high} working days)",
            field="deadline_days",
        )
    return requested
