"""Supervised tasks (督办) over HTTP. Offices assign, supervise, confirm and hold to account
in their jurisdiction; the owner unit's keys report monthly and say when a milestone is
reached, and see only their unit's tasks (a legacy unit key naming no unit: only the tasks
it is the named reporter of, `reporter_id`)."""

from __future__ import annotations

from collections.abc import Callable
from itertools import takewhile
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Path, Query

from services.inspection.campaigns import CAMPAIGN_IN_BODY, counted
from services.inspection.choices import TaskKindIn
from services.inspection.tasks.application import TaskCommands
from services.inspection.tasks.domain import InvalidTask, SupervisedTask, TaskNotFound
from services.inspection.tasks.schemas import (
    AccountabilityIn,
    CompletionIn,
    MilestoneReachedIn,
    Month,
    ReportCorrectionIn,
    ReportIn,
    StatusIn,
    SupervisionIn,
    TaskIn,
    TaskListItem,
    TaskOut,
)
from services.inspection.tasks.views import DONE, TASKS, kind_status
from services.inspection.workdays import china_today
from shared.auth import AuthenticatorDep, CurrentPrincipal
from shared.contracts.inspection_tasks import TASK_KINDS
from shared.http import RuntimeDep, ViewsDep, application_of
from shared.policy import Policy, PolicyRouter, ScopeTarget, allow, body, path, query, target_id
from shared.principals import Principal
from shared.runtime import ServiceRuntime
from shared.types import UrlInt
from shared.views import Document
from shared.web.idempotency import IdempotencyKey
from shared.web.pagination import Pagination, scope_where, within

router = PolicyRouter(tags=["tasks"])
TASK = path("task_id", "task", hidden=True)
"""The task a route names: one outside the caller's scope answers exactly as no task."""
PARTIES = {"unit": "reporter_id"}
STATUSES = ("started", "in_progress", "completed")

TaskApp = Annotated[TaskCommands, Depends(application_of(TaskCommands))]


def resolve_task(runtime: ServiceRuntime, task_id: str, field: str) -> ScopeTarget:
    """A task stays in the jurisdiction it was assigned in and is its owner unit's: the unit's
    keys reach it. A legacy unit key (naming no unit) reaches it only as its reporter."""
    application = runtime.application
    assert isinstance(application, TaskCommands)
    task: SupervisedTask = application.supervised_task(target_id(task_id, field), field)
    reporters = frozenset() if task.reporter_id is None else frozenset({str(task.reporter_id)})
    return ScopeTarget(
        str(task.jurisdiction_id),
        parties={"unit": reporters},
        unit_id=str(task.unit_id),
        not_found=TaskNotFound(field=field),
    )


@router.post(
    "/tasks",
    status_code=201,
    response_model=TaskOut,
    **allow(Policy.write("office", scope=(body("unit_id", "unit"), CAMPAIGN_IN_BODY))),
)
def assign_task(
    body: TaskIn,
    caller: CurrentPrincipal,
    runtime: RuntimeDep,
    app: TaskApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """立项督办: a task or key project for a unit in the caller's jurisdiction."""
    unit = runtime.registry.unit(str(body.unit_id))
    assert unit is not None  # the policy resolved it
    return app.assign_task(
        caller,
        body.model_dump(),
        jurisdiction_id=UUID(unit["jurisdiction_id"]),
        reporter=_seen_key(runtime, caller, body.reporter_id),
        key=idempotency_key,
        checks=_assignable(runtime, body.campaign_id, body.round, body.unit_id),
        unit_lineage=runtime.registry.lineage(unit["jurisdiction_id"]),
    )


def _assignable(
    runtime: ServiceRuntime, campaign_id: UUID | None, round_: int | None, unit_id: UUID
) -> Callable[[], None]:
    """The checks of a new task, run once its Idempotency-Key is looked up (a keyed retry
    answers as the first request did, whatever became of the unit since): the campaign's,
    and that the unit has not ended, since a merged, split or dissolved unit can carry out
    no task (its successors are named instead)."""
    campaign = counted(runtime, campaign_id, round_, unit_id)

    def check() -> None:
        campaign()
        unit = str(unit_id)
        if not runtime.registry.is_active_unit(unit):
            raise InvalidTask(
                "该单位已合并、分立或撤销, 不能承担督办任务, 请改为督办承继它的单位 "
                "(the unit has ended and can carry out no task: assign it to a unit that took "
                "it over)",
                field="unit_id",
                successors=runtime.registry.successors(unit),
            )

    return check


def _seen_key(
    runtime: ServiceRuntime, caller: Principal, principal_id: UUID | None
) -> dict[str, Any] | None:
    """The registry's record of a key, if the caller may see it (bound within its
    jurisdiction): one outside it is answered exactly as a key that does not exist."""
    if principal_id is None:
        return None
    doc = runtime.registry.principal(str(principal_id))
    place = None if doc is None else doc.get("jurisdiction_id")
    if caller.sees_everything or (
        place is not None and runtime.authenticator.in_scope(caller, place)
    ):
        return doc
    return None


def _listed(doc: Document, today: str) -> Document:
    due = None if doc["due_order"] == DONE else doc["due_order"]
    return doc | {"next_due_on": due, "overdue": due is not None and due < today}


@router.get(
    "/tasks",
    response_model=list[TaskListItem],
    **allow(Policy.read("office", "unit", scope=query("unit_id", "unit"), filtered=True)),
)
def list_tasks(
    caller: CurrentPrincipal,
    auth: AuthenticatorDep,
    views: ViewsDep,
    page: Pagination,
    unit_id: Annotated[UUID | None, Query()] = None,
    kind: Annotated[TaskKindIn | None, Query()] = None,
    status: Annotated[StatusIn | None, Query()] = None,
    overdue: Annotated[bool | None, Query(description="Only tasks overdue today (or not)")] = None,
) -> list[dict[str, Any]]:
    """Tasks the caller may see (an office: its jurisdiction's; a unit key: its unit's; a
    legacy unit key naming no unit: those it reports for), earliest open due date first,
    completed last; paged (`limit`, `cursor`).

    `overdue` depends on today, which no index holds: the page is read in due order and
    `overdue=true` stops at the first task not overdue (they all come first), while
    `overdue=false` drops the overdue ones from the page read, so such a page may be short."""
    kinds = [kind] if kind is not None else list(TASK_KINDS)
    if overdue:
        statuses = [s for s in ("started", "in_progress") if status in (None, s)]
    else:
        statuses = [s for s in STATUSES if status in (None, s)]
    where = within(
        scope_where(auth, caller, parties=PARTIES),
        unit_id=None if unit_id is None else str(unit_id),
        kind_status={kind_status(k, s) for k in kinds for s in statuses},
    )
    today = china_today().isoformat()
    found = views.page(TASKS, where=where, cursor=page.cursor, limit=page.limit)
    items = [_listed(doc, today) for doc in found.items]
    if overdue is None:
        return page.send(items, found.next_cursor)
    if overdue:
        kept = list(takewhile(lambda d: d["overdue"], items))
        return page.send(kept, found.next_cursor if len(kept) == len(items) else None)
    return page.send([d for d in items if not d["overdue"]], found.next_cursor)


@router.get(
    "/tasks/{task_id}",
    response_model=TaskOut,
    **allow(Policy.read("office", "unit", scope=TASK)),
)
def get_task(task_id: UUID, app: TaskApp) -> dict[str, Any]:
    """One task with its milestones, supervision, monthly reports, completion and
    accountability records; `overdue` as of today."""
    return app.describe_task(task_id)


def _write(
    route: str, roles: tuple[str, ...], doc: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    decorator = router.post(
        route,
        status_code=201,
        response_model=TaskOut,
        **allow(Policy.write(*roles, scope=TASK)),  # type: ignore[arg-type]
    )

    def wrap(handler: Callable[..., Any]) -> Callable[..., Any]:
        handler.__doc__ = doc
        return decorator(handler)

    return wrap


@_write("/tasks/{task_id}/supervision", ("office",), "督办: a supervision action by a method.")
def supervise_task(
    task_id: UUID,
    body: SupervisionIn,
    caller: CurrentPrincipal,
    app: TaskApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return app.supervise_task(caller, task_id, body.model_dump(), idempotency_key)


@_write(
    "/tasks/{task_id}/reports",
    ("unit",),
    "每月双报: the month's progress and difficulties, once per month (a second is a 409).",
)
def submit_report(
    task_id: UUID,
    body: ReportIn,
    caller: CurrentPrincipal,
    app: TaskApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return app.submit_task_report(caller, task_id, body.model_dump(), idempotency_key)


@_write(
    "/tasks/{task_id}/reports/{month}/corrections",
    ("unit",),
    "更正: a month's report replaced with a reason; the earlier text stays on record.",
)
def correct_report(
    task_id: UUID,
    month: Annotated[Month, Path()],
    body: ReportCorrectionIn,
    caller: CurrentPrincipal,
    app: TaskApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return app.correct_task_report(caller, task_id, month, body.model_dump(), idempotency_key)


@_write(
    "/tasks/{task_id}/milestones/{index}/reached",
    ("office", "unit"),
    "A milestone reached: reported by the unit's key, confirmed by an office (or admin), "
    "each once (a second is 409 `milestone_reported` / `milestone_confirmed`); only a "
    "confirmed milestone stops counting toward overdue.",
)
def reach_milestone(
    task_id: UUID,
    index: Annotated[UrlInt, Path(ge=0, le=1000)],
    body: MilestoneReachedIn,
    caller: CurrentPrincipal,
    app: TaskApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return app.reach_task_milestone(caller, task_id, index, body.model_dump(), idempotency_key)


@_write(
    "/tasks/{task_id}/completion", ("office",), "The office confirms completion, with a reason."
)
def complete_task(
    task_id: UUID,
    body: CompletionIn,
    caller: CurrentPrincipal,
    app: TaskApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return app.complete_task(caller, task_id, body.model_dump(), idempotency_key)


@_write(
    "/tasks/{task_id}/accountability",
    ("office",),
    "问责专报: who was held to account, the measure and the reason.",
)
def hold_accountable(
    task_id: UUID,
    body: AccountabilityIn,
    caller: CurrentPrincipal,
    app: TaskApp,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    return app.hold_task_accountable(caller, task_id, body.model_dump(), idempotency_key)
