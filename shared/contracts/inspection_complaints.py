"""Published inspection facts: complaints (投诉举报) from the conduct hotline, 12345, boxes,
the web and media exposure, and the units' appearances on the hotline (政风行风热线上线).

No contract carries a complainant's name or contact: those stay sealed in inspection. The
fact scoring rules use is `ComplaintConcluded` (unit, campaign/round, outcome): a complaint
found true (verified) can make the unit 不满意 for its period.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args
from uuid import UUID

from shared.contracts.envelope import IntegrationPayload

ComplaintChannel = Literal["政风行风热线", "12345热线", "投诉箱", "网络", "媒体曝光", "来信来访"]
"""Where a complaint came in: the conduct hotline, the 12345 citizen hotline, a complaint
box, the web, media exposure, letters and visits."""
COMPLAINT_CHANNELS: tuple[str, ...] = get_args(ComplaintChannel)

ComplaintKind = Literal["emergency", "consultation", "complaint", "suggestion"]
COMPLAINT_KIND_LABELS: dict[str, str] = {
    "emergency": "紧急",
    "consultation": "咨询",
    "complaint": "投诉",
    "suggestion": "建议",
}

ComplaintOutcome = Literal["verified", "partly_verified", "unfounded", "malicious"]
COMPLAINT_OUTCOME_LABELS: dict[str, str] = {
    "verified": "属实",
    "partly_verified": "部分属实",
    "unfounded": "不属实",
    "malicious": "恶意投诉",
}

CallbackSatisfaction = Literal["满意", "基本满意", "不满意"]
CALLBACK_SATISFACTIONS: tuple[str, ...] = get_args(CallbackSatisfaction)


class _Counted(IntegrationPayload):
    """Where a fact belongs: the unit, the jurisdiction the complaint was taken in, and the
    campaign and round it counts toward, if any."""

    unit_id: UUID | None
    jurisdiction_id: UUID
    campaign_id: UUID | None = None
    round: int | None = None
    actor: str


class ComplaintReceived(_Counted):
    """A complaint was taken in (登记); the unit complained about may be named later."""

    event_type = "inspection.complaints.received"
    complaint_id: UUID
    channel: ComplaintChannel
    kind: ComplaintKind
    summary: str
    received_on: date
    deadline_days: int
    anonymous: bool


class ComplaintDispatched(_Counted):
    """转办: sent to a unit, to answer by `due_on` (working days by kind)."""

    event_type = "inspection.complaints.dispatched"
    complaint_id: UUID
    unit_id: UUID
    unit_jurisdiction_id: UUID
    """Where the unit is located (may lie below the jurisdiction the complaint was taken in)."""
    dispatched_on: date
    due_on: date


class ComplaintReplied(_Counted):
    """The unit's reply (办理结果)."""

    event_type = "inspection.complaints.replied"
    complaint_id: UUID
    unit_id: UUID
    reply: str
    replied_on: date


class ComplaintConcluded(_Counted):
    """The investigation's outcome, with the reason; what scoring rules count."""

    event_type = "inspection.complaints.concluded"
    complaint_id: UUID
    unit_id: UUID
    outcome: ComplaintOutcome
    reason: str


class ComplaintCallbackRecorded(_Counted):
    """回访: the complainant's satisfaction with how the complaint was handled."""

    event_type = "inspection.complaints.callback_recorded"
    complaint_id: UUID
    unit_id: UUID
    satisfaction: CallbackSatisfaction


class HotlineAppeared(_Counted):
    """The unit went on the conduct hotline (政风行风热线上线) on a day."""

    event_type = "inspection.complaints.hotline_appeared"
    appearance_id: UUID
    unit_id: UUID
    appeared_on: date
    topic: str | None = None
