"""What a rectification order records. After issue each fact applies itself to the order's
state by assignment only, so every stored fact loads whatever today's rules say.

These are bases: `RectificationOrder` nests a subclass of each, which eventsourcing makes
the aggregate's own event (`RectificationOrder.Issued`, `RectificationOrder.Reported`, …),
stored under the aggregate's topics (`…rectification.domain.order:RectificationOrder.<Event>`)
exactly as when the facts were declared inside it. Never trigger these bases directly."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate


class Issued(Aggregate.Created):
    unit_id: UUID
    jurisdiction_id: UUID
    finding_ids: tuple[UUID, ...]
    issued_on: str
    working_days: int
    deadline: str
    requirements: str
    campaign_id: UUID | None
    round: int | None
    unit_principal_id: UUID | None
    actor: str


class Fact(Aggregate.Event):
    """A later event, with the order's context and its status and deadline after it."""

    unit_id: UUID
    jurisdiction_id: UUID
    finding_ids: tuple[UUID, ...]
    campaign_id: UUID | None
    round: int | None
    deadline: str
    status: str
    actor: str


class Reported(Fact):
    text: str
    reported_on: str

    def apply(self, aggregate: Any) -> None:
        aggregate.report = self.text
        aggregate.reported = self.reported_on
        aggregate.status = self.status


class Verified(Fact):
    """v2 records what a return's new deadline was counted from (`deadline_counted_from`,
    `deadline_working_days`), so it is recounted when read as an issue's is; both None when
    the verification set no deadline (accepted, or returned keeping the deadline)."""

    class_version = 2
    outcome: str
    reason: str
    verified_on: str
    second_handling: bool
    deadline_counted_from: str | None
    deadline_working_days: int | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        # v1 stored a return's new deadline without its count: unknown, so it stands.
        state["deadline_counted_from"] = None
        state["deadline_working_days"] = None

    def apply(self, aggregate: Any) -> None:
        aggregate.status = self.status
        if self.deadline_working_days is not None:  # a return counted a new deadline
            aggregate.counted_from = self.deadline_counted_from
            aggregate.counted_days = self.deadline_working_days
        elif self.deadline != aggregate.due:  # set by a v1 return, its count unrecorded
            aggregate.counted_from = aggregate.counted_days = None
        aggregate.due = self.deadline
        if self.outcome == "returned":
            aggregate.returns += 1
            aggregate.returned = self.verified_on
        if self.second_handling:
            aggregate.second_handling = True


class Escalated(Fact):
    step: str
    reason: str
    escalated_on: str
    person: str | None

    def apply(self, aggregate: Any) -> None:
        aggregate.escalation = self.step


class Rerated(Fact):
    rating: str
    raters: str
    reason: str
    rated_on: str

    def apply(self, aggregate: Any) -> None:
        aggregate.rating = self.rating
        aggregate.ratings += 1


class Withdrawn(Fact):
    """撤销: status `withdrawn`, final; `withdrawn_from` is the status it had."""

    withdrawn_from: str
    reason: str
    withdrawn_on: str

    def apply(self, aggregate: Any) -> None:
        aggregate.status = self.status
        aggregate.withdrawn_reason = self.reason
