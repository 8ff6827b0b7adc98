"""What a complaint records after it is received and dispatched. Each fact repeats the
unit, jurisdiction, campaign and round, so its contract is complete on its own, and applies
itself to the complaint's state by assignment only, so every stored fact loads whatever
today's rules say.

These are bases: `Complaint` nests a subclass of each, which eventsourcing makes the
aggregate's own event (`Complaint.Concluded`, …), stored under the aggregate's topics as
when the facts were declared inside it. Never trigger these bases directly."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from shared.contracts.inspection_complaints import CallbackSatisfaction, ComplaintOutcome


class Fact(Aggregate.Event):
    """What every later fact of a complaint carries."""

    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID | None
    round: int | None
    actor: str


class Replied(Fact):
    reply: str
    replied_on: str

    def apply(self, aggregate: Any) -> None:
        aggregate.reply = self.reply
        aggregate.replied_on = self.replied_on
        aggregate.status = "replied"


class Concluded(Fact):
    outcome: ComplaintOutcome
    reason: str

    def apply(self, aggregate: Any) -> None:
        aggregate.outcome = self.outcome
        aggregate.outcome_reason = self.reason
        aggregate.concluded_by = self.actor
        aggregate.status = "concluded"


class OutcomeCorrected(Fact):
    """A new outcome for a concluded complaint, with the reason; the earlier one stays in
    the complaint's history. The status (concluded or closed) is what it was."""

    outcome: ComplaintOutcome
    reason: str

    def apply(self, aggregate: Any) -> None:
        aggregate.outcome = self.outcome
        aggregate.outcome_reason = self.reason


class CallbackRecorded(Fact):
    satisfaction: CallbackSatisfaction

    def apply(self, aggregate: Any) -> None:
        aggregate.satisfaction = self.satisfaction
        aggregate.status = "closed"
