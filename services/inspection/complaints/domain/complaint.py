"""The complaint aggregate (投诉举报): received, dispatched to a unit with a deadline,
answered, concluded with an outcome, and closed by a callback, each step once, in that
order; a conclusion may then be corrected, with a reason, as often as it needs to be. The
complainant's name and contact arrive sealed: the aggregate never holds plaintext."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.inspection.complaints.domain import events
from services.inspection.complaints.domain.rules import (
    DEFAULT_DEADLINES,
    REASON_MAX,
    REPLY_MAX,
    SUMMARY_MAX,
    ComplaintOutOfTurn,
    InvalidComplaint,
    counted_in,
    deadline_for,
    one_of,
    text,
)
from services.inspection.dates import Window, within
from services.inspection.status_words import status_word
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


class Complaint(Aggregate):
    class Received(Aggregate.Created):
        jurisdiction_id: UUID
        unit_id: UUID | None
        campaign_id: UUID | None
        round: int | None
        channel: ComplaintChannel
        kind: ComplaintKind
        summary: str
        received_on: str
        deadline_days: int
        anonymous: bool
        complainant_name_sealed: str | None
        complainant_contact_sealed: str | None
        complainant_contact_hash: str | None
        key_id: str | None
        actor: str

    class Dispatched(Aggregate.Event):
        unit_id: UUID
        jurisdiction_id: UUID
        campaign_id: UUID | None
        round: int | None
        unit_jurisdiction_id: UUID
        dispatched_on: str
        due_on: str
        actor: str

    # Later facts are declared, with how each applies itself, in `events`; nesting them here
    # makes them the aggregate's own, stored under its topics (`Complaint.Concluded`).

    class Replied(events.Replied):
        pass

    class Concluded(events.Concluded):
        pass

    class OutcomeCorrected(events.OutcomeCorrected):
        pass

    class CallbackRecorded(events.CallbackRecorded):
        pass

    @classmethod
    def receive(
        cls,
        *,
        jurisdiction_id: UUID,
        unit_id: UUID | None,
        campaign_id: UUID | None,
        round: int | None,
        channel: str,
        kind: str,
        summary: str,
        received_on: date,
        deadline_days: int | None,
        sealed: tuple[str, str, str, str] | None,
        actor: str,
        today: date,
        default_deadlines: Mapping[str, int] = DEFAULT_DEADLINES,
        window: Window | None = None,
    ) -> Complaint:
        """`sealed`: (name sealed, contact sealed, contact fingerprint, key id) of a named
        complainant, None for an anonymous complaint. `window`: the days of the campaign
        round it is counted toward (its cycle's, with no round named), as for a hotline
        appearance: a complaint received in another year counts in none of this round's."""
        if received_on > today:
            raise InvalidComplaint("不能晚于今天 (lies in the future)", field="received_on")
        within(received_on, window, "received_on", InvalidComplaint)
        checked_kind = one_of(kind, COMPLAINT_KIND_LABELS, "kind")
        campaign, counted_round = counted_in(campaign_id, round)
        name, contact, contact_hash, key_id = sealed or (None, None, None, None)
        return cls(
            jurisdiction_id=jurisdiction_id,
            unit_id=unit_id,
            campaign_id=campaign,
            round=counted_round,
            channel=cast(ComplaintChannel, one_of(channel, COMPLAINT_CHANNELS, "channel")),
            kind=cast(ComplaintKind, checked_kind),
            summary=text(summary, "summary", SUMMARY_MAX),
            received_on=received_on.isoformat(),
            deadline_days=deadline_for(checked_kind, deadline_days, default_deadlines),
            anonymous=sealed is None,
            complainant_name_sealed=name,
            complainant_contact_sealed=contact,
            complainant_contact_hash=contact_hash,
            key_id=key_id,
            actor=actor,
        )

    @event(Received)
    def __init__(
        self,
        jurisdiction_id: UUID,
        unit_id: UUID | None,
        campaign_id: UUID | None,
        round: int | None,
        channel: ComplaintChannel,
        kind: ComplaintKind,
        summary: str,
        received_on: str,
        deadline_days: int,
        anonymous: bool,
        complainant_name_sealed: str | None,
        complainant_contact_sealed: str | None,
        complainant_contact_hash: str | None,
        key_id: str | None,
        actor: str,
    ) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.unit_id = unit_id
        self.campaign_id = campaign_id
        self.round = round
        self.channel = channel
        self.kind = kind
        self.summary = summary
        self.received_on = received_on
        self.deadline_days = deadline_days
        self.anonymous = anonymous
        self.complainant_name_sealed = complainant_name_sealed
        self.complainant_contact_sealed = complainant_contact_sealed
        self.complainant_contact_hash = complainant_contact_hash
        self.key_id = key_id
        self.received_by = actor
        self.status = "received"
        self.unit_jurisdiction_id: UUID | None = None
        self.dispatched_on: str | None = None
        self.due_on: str | None = None
        self.reply: str | None = None
        self.replied_on: str | None = None
        self.outcome: ComplaintOutcome | None = None
        self.outcome_reason: str | None = None
        self.concluded_by: str | None = None
        self.satisfaction: CallbackSatisfaction | None = None

    def _context(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "jurisdiction_id": self.jurisdiction_id,
            "campaign_id": self.campaign_id,
            "round": self.round,
        }

    def _require(self, status: str, action: str) -> None:
        if self.status != status:
            raise ComplaintOutOfTurn(
                f"投诉状态为{status_word(self.status)}, 不能执行此操作 "
                f"(cannot {action} a complaint that is {self.status})",
                field="complaint_id",
            )

    def dispatch(
        self,
        unit_id: UUID,
        *,
        unit_jurisdiction_id: UUID,
        today: date,
        due_on: date,
        actor: str,
    ) -> None:
        """`due_on` is computed by the caller from the working-day calendar; the unit's
        jurisdiction (where it is located now) lets its key read the complaint."""
        self._require("received", "dispatch")
        if due_on < today:
            raise InvalidComplaint(
                "答复期限不能早于转办日期 (a deadline cannot lie before the dispatch)",
                field="due_on",
            )
        self._dispatched(
            unit_id=unit_id,
            jurisdiction_id=self.jurisdiction_id,
            campaign_id=self.campaign_id,
            round=self.round,
            unit_jurisdiction_id=unit_jurisdiction_id,
            dispatched_on=today.isoformat(),
            due_on=due_on.isoformat(),
            actor=actor,
        )

    @event(Dispatched)
    def _dispatched(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        round: int | None,
        unit_jurisdiction_id: UUID,
        dispatched_on: str,
        due_on: str,
        actor: str,
    ) -> None:
        self.unit_id = unit_id
        self.unit_jurisdiction_id = unit_jurisdiction_id
        self.dispatched_on = dispatched_on
        self.due_on = due_on
        self.status = "dispatched"

    def answer(self, reply: str, *, today: date, actor: str) -> None:
        self._require("dispatched", "reply to")
        assert self.unit_id is not None  # dispatched
        self.trigger_event(
            self.Replied,
            **self._context(),
            reply=text(reply, "reply", REPLY_MAX),
            replied_on=today.isoformat(),
            actor=actor,
        )

    def conclude(self, outcome: str, reason: str, actor: str) -> None:
        if self.status not in ("dispatched", "replied"):
            raise ComplaintOutOfTurn(
                f"投诉状态为{status_word(self.status)}, 不能办结 "
                f"(cannot conclude a complaint that is {self.status})",
                field="complaint_id",
            )
        self.trigger_event(
            self.Concluded,
            **self._context(),
            outcome=_outcome(outcome),
            reason=text(reason, "reason", REASON_MAX),
            actor=actor,
        )

    def correct_outcome(self, outcome: str, reason: str, actor: str) -> None:
        """更正调查结论: a concluded (or closed) complaint's outcome replaced, with the
        reason; consumers take it as the complaint's outcome from then on."""
        if self.status not in ("concluded", "closed"):
            raise ComplaintOutOfTurn(
                f"投诉状态为{status_word(self.status)}, 不能更正办理结果 "
                f"(cannot correct the outcome of a complaint that is {self.status})",
                field="complaint_id",
            )
        new = (_outcome(outcome), text(reason, "reason", REASON_MAX))
        if new == (self.outcome, self.outcome_reason):
            raise InvalidComplaint(
                "与已记录的办理结果和原因相同 (is the outcome and reason on record)",
                field="outcome",
            )
        self.trigger_event(
            self.OutcomeCorrected, **self._context(), outcome=new[0], reason=new[1], actor=actor
        )

    def call_back(self, satisfaction: str, actor: str) -> None:
        self._require("concluded", "call back on")
        if self.anonymous:
            raise ComplaintOutOfTurn(
                "匿名投诉人无法回访 (an anonymous complainant cannot be called back)",
                field="complaint_id",
            )
        level = one_of(satisfaction, CALLBACK_SATISFACTIONS, "satisfaction")
        self.trigger_event(
            self.CallbackRecorded,
            **self._context(),
            satisfaction=cast(CallbackSatisfaction, level),
            actor=actor,
        )


def _outcome(value: str) -> ComplaintOutcome:
    return cast(ComplaintOutcome, one_of(value, COMPLAINT_OUTCOME_LABELS, "outcome"))
