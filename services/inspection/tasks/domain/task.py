"""The supervised task aggregate (督办): assigned, supervised, reported on monthly, its
milestones reported and confirmed, completed, and people held accountable.

Status: started (assigned) -> in_progress (the unit's first monthly report, or a milestone
reported or confirmed) -> completed (the office confirms completion, with a reason).
Overdue is derived, never stored."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.inspection.dates import not_before, not_future
from services.inspection.tasks.domain import events
from services.inspection.tasks.domain.rules import (
    NAME_MAX,
    REASON_MAX,
    TEXT_MAX,
    TITLE_MAX,
    InvalidTask,
    ReportNotFound,
    Status,
    TaskCompletedAlready,
    check_reachable,
    check_reporter,
    check_round,
    milestone_note,
    planned_method,
    text,
    unreported_month,
    valid_kind,
    valid_methods,
    valid_milestones,
    valid_month,
)
from shared.contracts.inspection_tasks import SupervisionMethod, TaskKind
from shared.contracts.registry import china_date


class SupervisedTask(Aggregate):
    """A task or key project under supervision, at one owner unit."""

    class Assigned(Aggregate.Created):
        title: str
        kind: TaskKind
        unit_id: UUID
        jurisdiction_id: UUID
        campaign_id: UUID | None
        round: int | None
        due_on: str
        milestones: tuple[tuple[str, str], ...]
        methods: tuple[SupervisionMethod, ...]
        reporter_id: UUID | None
        actor: str

    # Later facts are declared, with how each applies itself, in `events`; nesting them here
    # makes them the aggregate's own, stored under its topics (`SupervisedTask.Completed`).

    class SupervisionRecorded(events.SupervisionRecorded):
        pass

    class ReportSubmitted(events.ReportSubmitted):
        pass

    class ReportCorrected(events.ReportCorrected):
        pass

    class MilestoneReported(events.MilestoneReported):
        pass

    class MilestoneConfirmed(events.MilestoneConfirmed):
        pass

    class Completed(events.Completed):
        pass

    class AccountabilityRecorded(events.AccountabilityRecorded):
        pass

    # -- commands -------------------------------------------------------------------------

    @classmethod
    def assign(
        cls,
        *,
        title: str,
        kind: str,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        round: int | None,
        due_on: date,
        milestones: list[tuple[str, date]],
        methods: list[str],
        reporter: dict[str, Any] | None,
        reporter_id: UUID | None,
        actor: str,
        today: date,
        unit_lineage: Collection[str] | None = None,
    ) -> SupervisedTask:
        """`today`: the day in China it is assigned, which its due date may not precede (a
        task overdue from the start is a typo or a record of the past, not a task)."""
        checked_kind = valid_kind(kind)
        check_round(campaign_id, round)
        not_before(
            due_on, today, ("任务交办当天", "the day the task is assigned"), "due_on", InvalidTask
        )
        cleaned = valid_milestones(milestones, due_on)
        chosen = valid_methods(methods)
        check_reporter(reporter, reporter_id, unit_id, unit_lineage)
        return cls(
            title=text(title, "title", TITLE_MAX),
            kind=checked_kind,
            unit_id=unit_id,
            jurisdiction_id=jurisdiction_id,
            campaign_id=campaign_id,
            round=round,
            due_on=due_on.isoformat(),
            milestones=tuple((name, due.isoformat()) for name, due in cleaned),
            methods=tuple(chosen),
            reporter_id=reporter_id,
            actor=actor,
        )

    def supervise(
        self, method: str, supervised_on: date, note: str, actor: str, *, today: date
    ) -> None:
        self._require_open()
        self.trigger_event(
            self.SupervisionRecorded,
            **self._context(actor),
            method=planned_method(method, self.methods),
            supervised_on=self._since_assigned(supervised_on, today, "supervised_on").isoformat(),
            note=text(note, "note", TEXT_MAX),
        )

    def submit_report(
        self, month: str, progress: str, difficulties: str, actor: str, *, today: date
    ) -> None:
        """A month of the task's life: from the month it was assigned to this one."""
        self._require_open()
        cleaned = unreported_month(month, self.assigned_on, today, self.reports)
        self.trigger_event(
            self.ReportSubmitted,
            **self._context(actor),
            month=cleaned,
            progress=text(progress, "progress", TEXT_MAX),
            difficulties=text(difficulties, "difficulties", TEXT_MAX),
        )

    def correct_report(
        self, month: str, progress: str, difficulties: str, reason: str, actor: str
    ) -> None:
        cleaned = valid_month(month)
        current = self.reports.get(cleaned)
        if current is None:
            raise ReportNotFound(field="month")
        new = (text(progress, "progress", TEXT_MAX), text(difficulties, "difficulties", TEXT_MAX))
        if new == (current["progress"], current["difficulties"]):
            raise InvalidTask("与已报送的内容相同 (is the same as the report)", field="progress")
        self.trigger_event(
            self.ReportCorrected,
            **self._context(actor),
            month=cleaned,
            progress=new[0],
            difficulties=new[1],
            reason=text(reason, "reason", REASON_MAX),
        )

    def reach_milestone(
        self, index: int, reached_on: date, note: str, actor: str, *, confirm: bool, today: date
    ) -> None:
        """The unit reports a milestone reached, once; the office (confirm=True) confirms
        it, once, with or without the unit's report before. A milestone may have been
        reached before the task was entered, so only the future is refused."""
        self._require_open()
        check_reachable(self.milestones, index, confirm=confirm)
        not_future(reached_on, today, "reached_on", InvalidTask)
        values: dict[str, Any] = {
            "index": index,
            "reached_on": reached_on.isoformat(),
            "note": milestone_note(note),
        }
        if confirm:
            self.trigger_event(self.MilestoneConfirmed, **self._context(actor), **values)
        else:
            self.trigger_event(self.MilestoneReported, **self._context(actor), **values)

    def complete(self, completed_on: date, reason: str, actor: str, *, today: date) -> None:
        self._require_open()
        self.trigger_event(
            self.Completed,
            **self._context(actor),
            completed_on=self._since_assigned(completed_on, today, "completed_on").isoformat(),
            reason=text(reason, "reason", REASON_MAX),
        )

    def hold_accountable(self, person: str, measure: str, reason: str, actor: str) -> None:
        self.trigger_event(
            self.AccountabilityRecorded,
            **self._context(actor),
            person=text(person, "person", NAME_MAX),
            measure=text(measure, "measure", NAME_MAX),
            reason=text(reason, "reason", TEXT_MAX),
        )

    def _since_assigned(self, day: date, today: date, field: str) -> date:
        """The office's own acts on the task fall between its assignment and today."""
        not_future(day, today, field, InvalidTask)
        return not_before(
            day, self.assigned_on, ("任务交办日期", "the task was assigned"), field, InvalidTask
        )

    # -- queries --------------------------------------------------------------------------

    @property
    def assigned_on(self) -> date:
        """The day in China the task was assigned (recorded)."""
        return china_date(self.created_on)

    def next_due(self) -> str | None:
        """The earliest due date still open (a milestone not confirmed, else the task's own);
        None once completed."""
        if self.status == "completed":
            return None
        open_dues: list[str] = [m["due_on"] for m in self.milestones if m["confirmed_on"] is None]
        return min([*open_dues, self.due_on])

    def overdue_on(self, today: date) -> bool:
        due = self.next_due()
        return due is not None and due < today.isoformat()

    def _context(self, actor: str) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "jurisdiction_id": self.jurisdiction_id,
            "campaign_id": self.campaign_id,
            "round": self.round,
            "actor": actor,
        }

    def _require_open(self) -> None:
        if self.status == "completed":
            raise TaskCompletedAlready("任务已办结 (the task is completed)", field="task_id")

    # -- the first event; later ones apply themselves, and only assign --------------------

    @event(Assigned)
    def __init__(
        self,
        title: str,
        kind: TaskKind,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        round: int | None,
        due_on: str,
        milestones: tuple[tuple[str, str], ...],
        methods: tuple[SupervisionMethod, ...],
        reporter_id: UUID | None,
        actor: str,
    ) -> None:
        self.title = title
        self.kind = kind
        self.unit_id = unit_id
        self.jurisdiction_id = jurisdiction_id
        self.campaign_id = campaign_id
        self.round = round
        self.due_on = due_on
        self.milestones: list[dict[str, Any]] = [
            {"name": name, "due_on": due, "reported_on": None, "confirmed_on": None}
            for name, due in milestones
        ]
        self.methods = tuple(methods)
        self.reporter_id = reporter_id
        self.created_by = actor
        self.status: Status = "started"
        self.completion: dict[str, Any] | None = None
        self.supervision: list[dict[str, Any]] = []
        self.reports: dict[str, dict[str, Any]] = {}
        self.accountability: list[dict[str, Any]] = []
