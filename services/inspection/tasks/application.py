"""Supervised tasks' commands and queries (a mixin of the inspection application). A task's
detail is read from the event store, so a write is visible the moment it is made; lists
come from the tasks view."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from services.inspection.campaigns import Checks, unchecked
from services.inspection.tasks.domain import SupervisedTask, TaskNotFound
from services.inspection.workdays import china_today
from shared.idempotency import Response, run_idempotent
from shared.principals import Principal as Caller
from shared.service.application import PublishingApplication


class TaskCommands(PublishingApplication):
    """督办: assign, supervise, report, reach milestones, complete, hold to account."""

    def supervised_task(self, task_id: UUID, field: str = "task_id") -> SupervisedTask:
        try:
            found: SupervisedTask = self.repository.get(task_id)
        except AggregateNotFoundError:
            raise TaskNotFound(field=field) from None
        if not isinstance(found, SupervisedTask):
            raise TaskNotFound(field=field)
        return found

    def assign_task(
        self,
        caller: Caller,
        spec: dict[str, Any],
        *,
        jurisdiction_id: UUID,
        reporter: dict[str, Any] | None,
        key: str | None,
        checks: Checks = unchecked,
        unit_lineage: Collection[str] | None = None,
    ) -> Response:
        """`checks`: the campaign checks, run once the key was looked up (`counted`).
        `reporter`: the registry's record of the key named to report, None if there is none
        the caller may see; `unit_lineage`: the unit's jurisdiction and those above it."""

        def command() -> tuple[list[Any], Response]:
            checks()
            task = SupervisedTask.assign(
                title=spec["title"],
                kind=spec["kind"],
                unit_id=spec["unit_id"],
                jurisdiction_id=jurisdiction_id,
                campaign_id=spec.get("campaign_id"),
                round=spec.get("round"),
                due_on=spec["due_on"],
                milestones=[(m["name"], m["due_on"]) for m in spec.get("milestones", [])],
                methods=list(spec["methods"]),
                reporter=reporter,
                reporter_id=spec.get("reporter_id"),
                actor=caller.actor,
                today=china_today(),
                unit_lineage=unit_lineage,
            )
            return [task], task_out(task)

        return self._task_idempotent(caller, "task", key, spec, command)

    def _task_change(
        self, caller: Caller, task_id: UUID, scope: str, key: str | None, request: Any, change: Any
    ) -> Response:
        def command() -> tuple[list[Any], Response]:
            task = self.supervised_task(task_id)
            change(task)
            return [task], task_out(task)

        return self._task_idempotent(caller, f"{scope}:{task_id}", key, request, command)

    def _task_idempotent(
        self, caller: Caller, scope: str, key: str | None, request: Any, command: Any
    ) -> Response:
        return run_idempotent(
            self,
            principal_id=caller.principal_id,
            scope=scope,
            key=key,
            request=request,
            command=command,
        )

    def supervise_task(
        self, caller: Caller, task_id: UUID, spec: dict[str, Any], key: str | None
    ) -> Response:
        def change(task: SupervisedTask) -> None:
            task.supervise(
                spec["method"],
                spec["supervised_on"],
                spec["note"],
                caller.actor,
                today=china_today(),
            )

        return self._task_change(caller, task_id, "supervision", key, spec, change)

    def submit_task_report(
        self, caller: Caller, task_id: UUID, spec: dict[str, Any], key: str | None
    ) -> Response:
        def change(task: SupervisedTask) -> None:
            task.submit_report(
                spec["month"],
                spec["progress"],
                spec["difficulties"],
                caller.actor,
                today=china_today(),
            )

        return self._task_change(caller, task_id, "report", key, spec, change)

    def correct_task_report(
        self, caller: Caller, task_id: UUID, month: str, spec: dict[str, Any], key: str | None
    ) -> Response:
        def change(task: SupervisedTask) -> None:
            task.correct_report(
                month, spec["progress"], spec["difficulties"], spec["reason"], caller.actor
            )

        request = spec | {"month": month}
        return self._task_change(caller, task_id, "report-correction", key, request, change)

    def reach_task_milestone(
        self, caller: Caller, task_id: UUID, index: int, spec: dict[str, Any], key: str | None
    ) -> Response:
        confirm = caller.role != "unit"

        def change(task: SupervisedTask) -> None:
            task.reach_milestone(
                index,
                spec["reached_on"],
                spec.get("note", ""),
                caller.actor,
                confirm=confirm,
                today=china_today(),
            )

        request = spec | {"index": index}
        return self._task_change(caller, task_id, "milestone", key, request, change)

    def complete_task(
        self, caller: Caller, task_id: UUID, spec: dict[str, Any], key: str | None
    ) -> Response:
        def change(task: SupervisedTask) -> None:
            task.complete(spec["completed_on"], spec["reason"], caller.actor, today=china_today())

        return self._task_change(caller, task_id, "completion", key, spec, change)

    def hold_task_accountable(
        self, caller: Caller, task_id: UUID, spec: dict[str, Any], key: str | None
    ) -> Response:
        def change(task: SupervisedTask) -> None:
            task.hold_accountable(spec["person"], spec["measure"], spec["reason"], caller.actor)

        return self._task_change(caller, task_id, "accountability", key, spec, change)

    def describe_task(self, task_id: UUID, today: date | None = None) -> Response:
        return task_out(self.supervised_task(task_id), today)


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def task_out(task: SupervisedTask, today: date | None = None) -> Response:
    """The task as it stands, with everything recorded on it; `overdue` as of `today`
    (China's today if not given)."""
    when = china_today() if today is None else today
    return {
        "task_id": str(task.id),
        "title": task.title,
        "kind": task.kind,
        "unit_id": str(task.unit_id),
        "jurisdiction_id": str(task.jurisdiction_id),
        "campaign_id": _optional(task.campaign_id),
        "round": task.round,
        "reporter_id": _optional(task.reporter_id),
        "due_on": task.due_on,
        "methods": list(task.methods),
        "status": task.status,
        "overdue": task.overdue_on(when),
        "next_due_on": task.next_due(),
        "milestones": [
            {
                "index": index,
                "name": m["name"],
                "due_on": m["due_on"],
                "reported_on": m.get("reported_on"),
                "reported_note": m.get("reported_note"),
                "reported_by": m.get("reported_by"),
                "confirmed_on": m.get("confirmed_on"),
                "confirmed_note": m.get("confirmed_note"),
                "confirmed_by": m.get("confirmed_by"),
            }
            for index, m in enumerate(task.milestones)
        ],
        "supervision": list(task.supervision),
        "reports": [task.reports[month] for month in sorted(task.reports)],
        "completion": task.completion,
        "accountability": list(task.accountability),
        "created_by": task.created_by,
        "created_at": task.created_on.isoformat(),
        "version": task.version,
    }
