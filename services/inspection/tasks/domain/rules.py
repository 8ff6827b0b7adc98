"""What a supervised task accepts: bounds, the errors its commands raise, and the checks of
an assignment (kind, round, milestones, supervision methods, the reporting key)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from typing import Any, cast
from uuid import UUID

from services.inspection.domain import InspectionError, InspectionNotFound, checked_text
from shared.contracts.inspection_tasks import (
    SUPERVISION_METHODS,
    TASK_KINDS,
    SupervisionMethod,
    TaskKind,
)
from shared.errors import ConflictError, InvalidError

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


class TaskNotFound(InspectionNotFound):
    code = "task_not_found"
    thing = "task"
    thing_zh = "督办任务"


class TaskCompletedAlready(InspectionError, ConflictError):
    code = "task_completed"


class ReportExists(InspectionError, ConflictError):
    code = "report_exists"


class ReportNotFound(InspectionNotFound):
    code = "report_not_found"
    thing = "monthly report"
    thing_zh = "月度进展报告"


class MilestoneNotFound(InspectionNotFound):
    code = "milestone_not_found"
    thing = "milestone"
    thing_zh = "节点"


class MilestoneConfirmedAlready(InspectionError, ConflictError):
    code = "milestone_confirmed"


class MilestoneReportedAlready(InspectionError, ConflictError):
    code = "milestone_reported"


@dataclass(frozen=True)
class Context:
    """What every fact of a task carries, so its contract is complete on its own."""

    unit_id: UUID
    jurisdiction_id: UUID
    campaign_id: UUID | None
    round: int | None


def text(value: str, field: str, limit: int) -> str:
    return checked_text(value, field, limit, InvalidTask)


def valid_month(value: str) -> str:
    found = MONTH.match(value.strip())
    if found is None or not 2000 <= int(found.group(1)) <= 2100:
        raise InvalidTask(
            "须为 2000 至 2100 年间的月份 YYYY-MM (must be a month YYYY-MM between 2000 and 2100)",
            field="month",
        )
    return found.group(0)


def valid_method(value: str, field: str) -> SupervisionMethod:
    if value not in SUPERVISION_METHODS:
        raise InvalidTask(
            f"须为所列值之一 (must be one of {', '.join(SUPERVISION_METHODS)})", field=field
        )
    return cast(SupervisionMethod, value)


def valid_kind(kind: str) -> TaskKind:
    if kind not in TASK_KINDS:
        raise InvalidTask(f"须为所列值之一 (must be one of {', '.join(TASK_KINDS)})", field="kind")
    return cast(TaskKind, kind)


def check_round(campaign_id: UUID | None, round: int | None) -> None:
    if round is not None and campaign_id is None:
        raise InvalidTask(
            "轮次计入评议活动, 须填写 campaign_id (a round counts toward a campaign: name it)",
            field="round",
        )
    if round is not None and round < 1:
        raise InvalidTask("须不小于 1 (must be at least 1)", field="round")


def valid_milestones(milestones: list[tuple[str, date]], due_on: date) -> list[tuple[str, date]]:
    """Each milestone named, and due no later than the task itself."""
    if len(milestones) > MILESTONES_MAX:
        raise InvalidTask(
            f"最多 {MILESTONES_MAX} 个节点 (at most {MILESTONES_MAX} milestones)",
            field="milestones",
        )
    cleaned: list[tuple[str, date]] = []
    for index, (name, milestone_due) in enumerate(milestones):
        field = f"milestones.{index}"
        if milestone_due > due_on:
            raise InvalidTask(
                "节点期限不能晚于任务期限 (is due after the task itself)", field=f"{field}.due_on"
            )
        cleaned.append((text(name, f"{field}.name", NAME_MAX), milestone_due))
    return cleaned


def valid_methods(methods: list[str]) -> list[SupervisionMethod]:
    """At least one supervision method, each known and listed once."""
    if not methods:
        raise InvalidTask(
            "至少填写一种督办方式 (name at least one supervision method)", field="methods"
        )
    chosen = [valid_method(m, f"methods.{i}") for i, m in enumerate(methods)]
    if len(set(chosen)) != len(chosen):
        raise InvalidTask("督办方式重复列出 (a method is listed twice)", field="methods")
    return chosen


def check_reporter(
    reporter: dict[str, Any] | None,
    reporter_id: UUID | None,
    unit_id: UUID,
    unit_lineage: Collection[str] | None = None,
) -> None:
    """The key named to report, if any: an active unit key, not another unit's, and (given
    `unit_lineage`, the unit's jurisdiction and those above it) bound where the unit is, as
    a rectification order's key must be: a legacy key (naming no unit) of a neighbouring
    county would otherwise read the task as its reporter."""
    if reporter_id is None:
        return
    if reporter is None:
        raise InvalidTask("查无此密钥 (no such key)", field="reporter_id")
    if reporter.get("role") != "unit" or reporter.get("revoked"):
        raise InvalidTask(
            "须为单位角色的有效密钥 (must be an active key of the unit role)", field="reporter_id"
        )
    if reporter.get("unit_id") not in (None, str(unit_id)):
        raise InvalidTask("该密钥属于另一单位 (the key is another unit's)", field="reporter_id")
    if unit_lineage is not None and reporter.get("jurisdiction_id") not in unit_lineage:
        raise InvalidTask(
            "该密钥未绑定在该单位所在辖区 (the key is not bound where the unit is)",
            field="reporter_id",
        )
