"""Supervised tasks (督办): a task or key project (重点项目) an office assigns to an owner
unit, with milestones and the supervision methods planned for it.

Status: started (assigned) -> in_progress (the unit's first monthly report) -> completed
(the office confirms completion, with a reason). Overdue is derived, never stored: a task
not completed is overdue on a day when one of its milestones not yet confirmed, or its own
due date, lies before that day. Dates are held as ISO text (the event store has no date
transcoding). Nothing is edited: a report's correction is a further event with its reason,
and every event names who made it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.inspection.domain import InspectionError, checked_text
from shared.contracts.inspection_tasks import (
    SUPERVISION_METHODS,
    TASK_KINDS,
    SupervisionMethod,
    TaskKind,
)
from shared.errors import ConflictError, InvalidError, NotFoundError

TITLE_MAX = 200
NAME_MAX = 200
TEXT_MAX = 4000
REASON_MAX = 500
MILESTONES_MAX = 50
CHINA = timezone(timedelta(hours=8))
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

Status = str  # "started" | "in_progress" | "completed"


class InvalidTask(InspectionError, InvalidError):
    code = "invalid_task"


class TaskNotFound(InspectionError, NotFoundError):
    code = "task_not_found"


class TaskCompletedAlready(InspectionError, ConflictError):
    code = "task_completed"


class ReportExists(InspectionError, ConflictError):
    code = "report_exists"


class ReportNotFound(InspectionError, NotFoundError):
    code = "report_not_found"


class MilestoneNotFound(InspectionError, NotFoundError):
    code = "milestone_not_found"


class MilestoneConfirmedAlready(InspectionError, ConflictError):
    code = "milestone_confirmed"


def _text(value: str, field: str, limit: int) -> str:
    return checked_text(value, field, limit, InvalidTask)


def _month(value: str) -> str:
    found = MONTH.match(value.strip())
    if found is None or not 2000 <= int(found.group(1)) <= 2100:
        raise InvalidTask("must be a month YYYY-MM between 2000 and 2100", field="month")
    return found.group(0)


def _method(value: str, field: str) -> SupervisionMethod:
    if value not in SUPERVISION_METHODS:
        raise InvalidTask(f"must be one of {', '.join(SUPERVISION_METHODS)}", field=field)
    return cast(SupervisionMethod, value)


@dataclass(frozen=True)
class Context:
    """What every fact of a task carries, so its contract is complete on its own."""

    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID | None
    round: int | None


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

    class _Fact(Aggregate.Event):
        unit_id: UUID
        jurisdiction_id: UUID
        campaign_id: UUID | None
        round: int | None
        actor: str

    class SupervisionRecorded(_Fact):
        method: SupervisionMethod
        supervised_on: str
        note: str

    class ReportSubmitted(_Fact):
        month: str
        progress: str
        difficulties: str

    class ReportCorrected(_Fact):
        month: str
        progress: str
        difficulties: str
        reason: str

    class MilestoneReported(_Fact):
        index: int
        reached_on: str
        note: str

    class MilestoneConfirmed(_Fact):
        index: int
        reached_on: str
        note: str

    class Completed(_Fact):
        completed_on: str
        reason: str

    class AccountabilityRecorded(_Fact):
        person: str
        measure: str
        reason: str

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
    ) -> SupervisedTask:
        if kind not in TASK_KINDS:
            raise InvalidTask(f"must be one of {', '.join(TASK_KINDS)}", field="kind")
        if round is not None and campaign_id is None:
            raise InvalidTask("a round counts toward a campaign: name it", field="round")
        if round is not None and round < 1:
            raise InvalidTask("must be at least 1", field="round")
        if len(milestones) > MILESTONES_MAX:
            raise InvalidTask(f"at most {MILESTONES_MAX} milestones", field="milestones")
        cleaned: list[tuple[str, date]] = []
        for index, (name, milestone_due) in enumerate(milestones):
            field = f"milestones.{index}"
            if milestone_due > due_on:
                raise InvalidTask("is due after the task itself", field=f"{field}.due_on")
            cleaned.append((_text(name, f"{field}.name", NAME_MAX), milestone_due))
        if not methods:
            raise InvalidTask("name at least one supervision method", field="methods")
        chosen = [_method(m, f"methods.{i}") for i, m in enumerate(methods)]
        if len(set(chosen)) != len(chosen):
            raise InvalidTask("a method is listed twice", field="methods")
        if reporter_id is not None:
            if reporter is None:
                raise InvalidTask("no such key", field="reporter_id")
            if reporter.get("role") != "unit" or reporter.get("revoked"):
                raise InvalidTask("must be an active key of the unit role", field="reporter_id")
            if reporter.get("unit_id") not in (None, str(unit_id)):
                raise InvalidTask("the key is another unit's", field="reporter_id")
        return cls(
            title=_text(title, "title", TITLE_MAX),
            kind=cast(TaskKind, kind),
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

    def supervise(self, method: str, supervised_on: date, note: str, actor: str) -> None:
        self._require_open()
        self._supervised(
            **self._context(actor),
            method=_method(method, "method"),
            supervised_on=supervised_on.isoformat(),
            note=_text(note, "note", TEXT_MAX),
        )

    def submit_report(self, month: str, progress: str, difficulties: str, actor: str) -> None:
        self._require_open()
        cleaned = _month(month)
        if cleaned in self.reports:
            raise ReportExists(
                "this month is reported already; correct it with a reason", field="month"
            )
        self._report_submitted(
            **self._context(actor),
            month=cleaned,
            progress=_text(progress, "progress", TEXT_MAX),
            difficulties=_text(difficulties, "difficulties", TEXT_MAX),
        )

    def correct_report(
        self, month: str, progress: str, difficulties: str, reason: str, actor: str
    ) -> None:
        cleaned = _month(month)
        current = self.reports.get(cleaned)
        if current is None:
            raise ReportNotFound("no report for this month", field="month")
        new = (_text(progress, "progress", TEXT_MAX), _text(difficulties, "difficulties", TEXT_MAX))
        if new == (current["progress"], current["difficulties"]):
            raise InvalidTask("is the same as the report", field="progress")
        self._report_corrected(
            **self._context(actor),
            month=cleaned,
            progress=new[0],
            difficulties=new[1],
            reason=_text(reason, "reason", REASON_MAX),
        )

    def reach_milestone(
        self, index: int, reached_on: date, note: str, actor: str, *, confirm: bool
    ) -> None:
        """The unit reports a milestone reached; the office (confirm=True) confirms it, with
        or without the unit's report before."""
        self._require_open()
        if not 0 <= index < len(self.milestones):
            raise MilestoneNotFound("no such milestone", field="index")
        if self.milestones[index]["confirmed_on"] is not None:
            raise MilestoneConfirmedAlready("the milestone is confirmed already", field="index")
        cleaned = note.strip()
        if len(cleaned) > TEXT_MAX:
            raise InvalidTask(f"must be at most {TEXT_MAX} characters", field="note")
        values: dict[str, Any] = {
            "index": index,
            "reached_on": reached_on.isoformat(),
            "note": cleaned,
        }
        if confirm:
            self._milestone_confirmed(**self._context(actor), **values)
        else:
            self._milestone_reported(**self._context(actor), **values)

    def complete(self, completed_on: date, reason: str, actor: str) -> None:
        self._require_open()
        self._completed(
            **self._context(actor),
            completed_on=completed_on.isoformat(),
            reason=_text(reason, "reason", REASON_MAX),
        )

    def hold_accountable(self, person: str, measure: str, reason: str, actor: str) -> None:
        self._accountability(
            **self._context(actor),
            person=_text(person, "person", NAME_MAX),
            measure=_text(measure, "measure", NAME_MAX),
            reason=_text(reason, "reason", TEXT_MAX),
        )

    # -- queries --------------------------------------------------------------------------

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
            raise TaskCompletedAlready("the task is completed", field="task_id")

    # -- mutators: they only assign -------------------------------------------------------

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

    @event(SupervisionRecorded)
    def _supervised(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        round: int | None,
        actor: str,
        method: SupervisionMethod,
        supervised_on: str,
        note: str,
    ) -> None:
        self.supervision.append(
            {"method": method, "supervised_on": supervised_on, "note": note, "actor": actor}
        )

    @event(ReportSubmitted)
    def _report_submitted(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        round: int | None,
        actor: str,
        month: str,
        progress: str,
        difficulties: str,
    ) -> None:
        self.reports[month] = {
            "month": month,
            "progress": progress,
            "difficulties": difficulties,
            "actor": actor,
            "corrections": [],
        }
        if self.status == "started":
            self.status = "in_progress"

    @event(ReportCorrected)
    def _report_corrected(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        round: int | None,
        actor: str,
        month: str,
        progress: str,
        difficulties: str,
        reason: str,
    ) -> None:
        report = self.reports.setdefault(month, {"month": month, "actor": actor, "corrections": []})
        report["corrections"] = [
            *report.get("corrections", []),
            {
                "progress": report.get("progress"),
                "difficulties": report.get("difficulties"),
                "reason": reason,
                "actor": actor,
            },
        ]
        report["progress"] = progress
        report["difficulties"] = difficulties

    @event(MilestoneReported)
    def _milestone_reported(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        round: int | None,
        actor: str,
        index: int,
        reached_on: str,
        note: str,
    ) -> None:
        if 0 <= index < len(self.milestones):
            self.milestones[index] |= {"reported_on": reached_on, "reported_note": note}

    @event(MilestoneConfirmed)
    def _milestone_confirmed(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        round: int | None,
        actor: str,
        index: int,
        reached_on: str,
        note: str,
    ) -> None:
        if 0 <= index < len(self.milestones):
            self.milestones[index] |= {"confirmed_on": reached_on, "confirmed_note": note}

    @event(Completed)
    def _completed(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        round: int | None,
        actor: str,
        completed_on: str,
        reason: str,
    ) -> None:
        self.status = "completed"
        self.completion = {"completed_on": completed_on, "reason": reason, "actor": actor}

    @event(AccountabilityRecorded)
    def _accountability(
        self,
        unit_id: UUID,
        jurisdiction_id: UUID,
        campaign_id: UUID | None,
        round: int | None,
        actor: str,
        person: str,
        measure: str,
        reason: str,
    ) -> None:
        self.accountability.append(
            {"person": person, "measure": measure, "reason": reason, "actor": actor}
        )
