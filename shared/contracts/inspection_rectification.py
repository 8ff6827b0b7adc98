"""Published inspection facts: rectification (整改).

A rectification order (整改通知书) is issued to one unit for one or more findings, with a
deadline in working days; the unit reports what it did; an inspector or office verifies it
(accepted, or returned: a second return sends it to second handling 二次办理 with a new
deadline); an overdue order is escalated (催办, then 通报, then 约谈); raters' re-rating of
the fix (满意/基本满意/不满意) is recorded. An order issued in error is withdrawn (撤销, not
once accepted): `inspection.rectification.withdrawn` v1, after which it is as never issued.

Every message carries the order's context as it stands after the change (unit,
jurisdiction, campaign and round when given at issue, findings, deadline, status), so a
consumer holds an order's current state from any one message without asking inspection.
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args
from uuid import UUID

from shared.contracts.envelope import IntegrationPayload

RectificationStatus = Literal["issued", "reported", "returned", "second_handling", "accepted"]
"""issued: waiting for the unit's report; reported: waiting for verification; returned: sent
back once, waiting for a new report by the same deadline; second_handling: sent back a
second time (二次办理), waiting for a report by a new deadline; accepted: done."""
RECTIFICATION_STATUSES: tuple[str, ...] = get_args(RectificationStatus)

EscalationStep = Literal["催办", "通报", "约谈"]
"""Escalation of an overdue order, in this order: urge (催办), public notice (通报), summons
interview of the responsible leader (约谈, seed 004)."""
ESCALATION_STEPS: tuple[str, ...] = get_args(EscalationStep)

Rerating = Literal["满意", "基本满意", "不满意"]
"""How the complainant or raters judge the fix (as in 好差评)."""
RERATINGS: tuple[str, ...] = get_args(Rerating)

VerificationOutcome = Literal["accepted", "returned"]


class _OrderFact(IntegrationPayload):
    order_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    finding_ids: tuple[UUID, ...]
    deadline: date
    status: RectificationStatus
    actor: str
    version: int
    """The order's version after this change (the issue is version 1)."""
    campaign_id: UUID | None = None
    round: int | None = None


class RectificationOrdered(_OrderFact):
    event_type = "inspection.rectification.ordered"
    issued_on: date
    working_days: int
    requirements: str
    unit_principal_id: UUID | None = None
    """The unit's key (role unit) that sees and reports on the order, if one was named."""


class RectificationReported(_OrderFact):
    event_type = "inspection.rectification.reported"
    text: str
    reported_on: date


class RectificationVerified(_OrderFact):
    event_type = "inspection.rectification.verified"
    outcome: VerificationOutcome
    reason: str
    verified_on: date
    second_handling: bool
    """True when this return sent the order to second handling (with a new deadline)."""
    deadline_counted_from: date | None = None
    deadline_working_days: int | None = None
    """When this return set a new deadline: the day it was counted from and its working
    days, so a consumer can count it again on a calendar supplied later (inspection's own
    list does). None when it set none, and on returns published before they were said."""


class RectificationEscalated(_OrderFact):
    event_type = "inspection.rectification.escalated"
    step: EscalationStep
    reason: str
    escalated_on: date
    person: str | None = None
    """For 约谈: the responsible leader summoned."""


class RectificationRerated(_OrderFact):
    event_type = "inspection.rectification.rerated"
    rating: Rerating
    raters: str
    """Who rated (e.g. 投诉人, 评议代表), recorded by an office on their behalf."""
    reason: str
    rated_on: date


class RectificationWithdrawn(IntegrationPayload):
    """撤销: an order issued in error, withdrawn with the reason. It stays on record, but
    stands for nothing: consumers treat it as never issued (scoring drops its re-rating and
    escalations), and nothing changes it afterwards. Its own shape, not an `_OrderFact`: an
    order's status is never `withdrawn` in the other messages, whose status values stay as
    they were; `withdrawn_from` says where the order stood."""

    event_type = "inspection.rectification.withdrawn"
    schema_version = 1
    order_id: UUID
    unit_id: UUID
    jurisdiction_id: UUID
    finding_ids: tuple[UUID, ...]
    deadline: date
    withdrawn_from: RectificationStatus
    """The order's status when it was withdrawn (never accepted: a verified order stands)."""
    reason: str
    withdrawn_on: date
    actor: str
    version: int
    """The order's version after this change."""
    campaign_id: UUID | None = None
    round: int | None = None
