"""What a supervised task accepts: bounds, the errors its commands raise, and the checks of
an assignment (kind, round, milestones, supervision methods, the reporting key) and of the
steps after it (a monthly report's month, a milestone reached, the method supervised by)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from typing import Any, cast
from uuid import UUID

from services.inspection.errors import InspectionError, InspectionNotFound, checked_text
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
    measure = "项"


class TaskCompletedAlready(InspectionError, ConflictError):
    code = "task_completed"


class ReportExists(InspectionError, ConflictError):
    code = "report_exists"


class ReportNotFound(InspectionNotFound):
    code = "report_not_found"
    thing = "monthly report"
    thing_zh = "月度进展报告"
    measure = "份"


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
    """Each milestone named, once, and due no later than the task itself. People know a
    milestone by its name: two of one name (whatever their days) could not be told apart by
    the unit that reports one reached or the office that confirms it."""
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
        named = _unlisted(text(name, f"{field}.name", NAME_MAX), cleaned, field)
        cleaned.append((named, milestone_due))
    return cleaned


def _unlisted(name: str, listed: list[tuple[str, date]], field: str) -> str:
    for earlier, (listed_name, _) in enumerate(listed):
        if listed_name == name:
            raise InvalidTask(
                f"节点重复列出, 与 milestones.{earlier} 同名 "
                f"(a milestone is listed twice: the same name as milestones.{earlier})",
                field=f"{field}.name",
            )
    return name


def unreported_month(month: str, assigned_on: date, today: date, reports: Collection[str]) -> str:
    """A month of the task's life (from the month it was assigned to this one) not yet
    reported: a report is corrected, with a reason, never sent twice."""
    cleaned = valid_month(month)
    if cleaned > today.isoformat()[:7]:
        raise InvalidTask("不能是将来的月份 (lies in the future)", field="month")
    assigned = assigned_on.isoformat()[:7]
    if cleaned < assigned:
        raise InvalidTask(
            f"不能早于任务交办月份 {assigned} (lies before the task was assigned ({assigned}))",
            field="month",
        )
    if cleaned in reports:
        raise ReportExists(
            "本月已报送, 如需修改请提交更正并说明原因 "
            "(this month is reported already; correct it with a reason)",
            field="month",
        )
    return cleaned


def check_reachable(milestones: list[dict[str, Any]], index: int, *, confirm: bool) -> None:
    """A milestone of the task, not confirmed yet; reported by the unit once (the office
    then confirms it, with the day it was reached)."""
    if not 0 <= index < len(milestones):
        raise MilestoneNotFound(field="index")
    milestone = milestones[index]
    if milestone["confirmed_on"] is not None:
        raise MilestoneConfirmedAlready(
            "该节点已确认 (the milestone is confirmed already)", field="index"
        )
    if not confirm and milestone.get("reported_on") is not None:
        raise MilestoneReportedAlready(
            f"单位已报告该节点于 {milestone['reported_on']} 完成, "
            "由督查机关确认 (并填写完成日期) "
            f"(the unit reported it reached on {milestone['reported_on']}; "
            "the office confirms it, with the day it was reached)",
            field="index",
        )


def milestone_note(note: str) -> str:
    """A note on a milestone may be blank, and is at most TEXT_MAX characters."""
    cleaned = note.strip()
    if len(cleaned) > TEXT_MAX:
        raise InvalidTask(
            f"不能超过 {TEXT_MAX} 个字 (must be at most {TEXT_MAX} characters)", field="note"
        )
    return cleaned


def planned_method(method: str, planned: tuple[SupervisionMethod, ...]) -> SupervisionMethod:
    """Supervision follows the plan the task was assigned with (its `methods`, e.g. 跟踪
    and 实地督办): another method is a slip, or a change of plan no event records yet."""
    chosen = valid_method(method, "method")
    if chosen not in planned:
        raise InvalidTask(
            "不是本任务计划的督办方式 "
            f"(is not planned for this task: its methods are {', '.join(planned)})",
            field="method",
            planned=list(planned),
        )
    return chosen


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
        raise InvalidTask("没有这个密钥 (no such key)", field="reporter_id")
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
