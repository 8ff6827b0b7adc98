"""What a supervised task records after its assignment. Each fact carries the task's context
(unit, jurisdiction, campaign, round, actor), so its contract is complete on its own, and
applies itself to the task's state by assignment only, so every stored fact loads whatever
today's rules say.

These are bases: `SupervisedTask` nests a subclass of each, which eventsourcing makes the
aggregate's own event (`SupervisedTask.ReportSubmitted`, …), stored under the aggregate's
topics as when the facts were declared inside it. Never trigger these bases directly."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from shared.contracts.inspection_tasks import SupervisionMethod


class Fact(Aggregate.Event):
    """What every fact of a task carries."""

    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID | None
    round: int | None
    actor: str


class SupervisionRecorded(Fact):
    method: SupervisionMethod
    supervised_on: str
    note: str

    def apply(self, aggregate: Any) -> None:
        aggregate.supervision.append(
            {
                "method": self.method,
                "supervised_on": self.supervised_on,
                "note": self.note,
                "actor": self.actor,
            }
        )


def _under_way(aggregate: Any) -> None:
    """A task is in progress once anything shows work on it: a monthly report or a
    milestone reported or confirmed. Derived on loading, so stored tasks follow this rule
    (as reporting's bulletins always counted them: 推进中)."""
    if aggregate.status == "started":
        aggregate.status = "in_progress"


class ReportSubmitted(Fact):
    month: str
    progress: str
    difficulties: str

    def apply(self, aggregate: Any) -> None:
        aggregate.reports[self.month] = {
            "month": self.month,
            "progress": self.progress,
            "difficulties": self.difficulties,
            "actor": self.actor,
            "corrections": [],
        }
        _under_way(aggregate)


class ReportCorrected(Fact):
    month: str
    progress: str
    difficulties: str
    reason: str

    def apply(self, aggregate: Any) -> None:
        report = aggregate.reports.setdefault(
            self.month, {"month": self.month, "actor": self.actor, "corrections": []}
        )
        report["corrections"] = [
            *report.get("corrections", []),
            {
                "progress": report.get("progress"),
                "difficulties": report.get("difficulties"),
                "reason": self.reason,
                "actor": self.actor,
            },
        ]
        report["progress"] = self.progress
        report["difficulties"] = self.difficulties


class MilestoneReported(Fact):
    index: int
    reached_on: str
    note: str

    def apply(self, aggregate: Any) -> None:
        if 0 <= self.index < len(aggregate.milestones):
            aggregate.milestones[self.index] |= {
                "reported_on": self.reached_on,
                "reported_note": self.note,
                "reported_by": self.actor,
            }
        _under_way(aggregate)


class MilestoneConfirmed(Fact):
    index: int
    reached_on: str
    note: str

    def apply(self, aggregate: Any) -> None:
        if 0 <= self.index < len(aggregate.milestones):
            aggregate.milestones[self.index] |= {
                "confirmed_on": self.reached_on,
                "confirmed_note": self.note,
                "confirmed_by": self.actor,
            }
        _under_way(aggregate)


class Completed(Fact):
    completed_on: str
    reason: str

    def apply(self, aggregate: Any) -> None:
        aggregate.status = "completed"
        aggregate.completion = {
            "completed_on": self.completed_on,
            "reason": self.reason,
            "actor": self.actor,
        }


class AccountabilityRecorded(Fact):
    person: str
    measure: str
    reason: str

    def apply(self, aggregate: Any) -> None:
        aggregate.accountability.append(
            {
                "person": self.person,
                "measure": self.measure,
                "reason": self.reason,
                "actor": self.actor,
            }
        )
