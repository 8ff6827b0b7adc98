"""Supervised tasks (督办): the commands' rules, status and derived overdue, the round trip
through an in-memory store, and the contract each event publishes."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from services.inspection.integration import to_payload
from services.inspection.main import InspectionService
from services.inspection.tasks.domain import (
    InspectionError,
    InvalidTask,
    MilestoneConfirmedAlready,
    MilestoneNotFound,
    ReportExists,
    ReportNotFound,
    SupervisedTask,
    TaskCompletedAlready,
)
from shared.contracts import inspection_tasks as contract
from tests.harness import IN_MEMORY
from tests.stored_events import created, following, store

OFFICE = "office:abc"
UNIT = "unit:def"
CAMPAIGN = uuid4()


def assign(**overrides: Any) -> SupervisedTask:
    spec: dict[str, Any] = {
        "title": "  四级便民服务网络建设  ",
        "kind": "key_project",
        "unit_id": uuid4(),
        "jurisdiction_id": uuid4(),
        "campaign_id": CAMPAIGN,
        "round": 1,
        "due_on": date(2026, 12, 31),
        "milestones": [(" 选址 ", date(2026, 6, 30)), ("建成", date(2026, 10, 31))],
        "methods": ["跟踪", "实地督办"],
        "reporter": None,
        "reporter_id": None,
        "actor": OFFICE,
    }
    return SupervisedTask.assign(**(spec | overrides))


def refused(error: type[InspectionError], field: str, call: Any, *args: Any, **kw: Any) -> None:
    with pytest.raises(error) as caught:
        call(*args, **kw)
    assert caught.value.field == field


def test_assignment_normalises_and_starts() -> None:
    task = assign()
    assert (task.title, task.status, task.kind) == (
        "四级便民服务网络建设",
        "started",
        "key_project",
    )
    assert [m["name"] for m in task.milestones] == ["选址", "建成"]
    assert task.next_due() == "2026-06-30"
    assert not task.overdue_on(date(2026, 6, 30)) and task.overdue_on(date(2026, 7, 1))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"kind": "project"}, "kind"),
        ({"campaign_id": None}, "round"),
        ({"round": 0}, "round"),
        ({"milestones": [("选址", date(2027, 1, 1))]}, "milestones.0.due_on"),
        ({"milestones": [(" ", date(2026, 1, 1))]}, "milestones.0.name"),
        ({"methods": []}, "methods"),
        ({"methods": ["跟踪", "跟踪"]}, "methods"),
        ({"methods": ["催办"]}, "methods.0"),
        ({"reporter_id": uuid4()}, "reporter_id"),
        ({"reporter_id": uuid4(), "reporter": {"role": "office", "revoked": False}}, "reporter_id"),
        ({"reporter_id": uuid4(), "reporter": {"role": "unit", "revoked": True}}, "reporter_id"),
    ],
)
def test_assignment_refuses_bad_input(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidTask) as caught:
        assign(**overrides)
    assert caught.value.field == field


def test_first_report_starts_progress_and_a_month_is_reported_once() -> None:
    task = assign()
    task.submit_report("2026-05", "已完成三个社区选址", "两个乡镇用房尚未落实", UNIT)
    assert task.status == "in_progress"
    refused(ReportExists, "month", task.submit_report, "2026-05", "再报", "无", UNIT)
    refused(InvalidTask, "month", task.submit_report, "2026-13", "进度", "困难", UNIT)
    refused(InvalidTask, "progress", task.submit_report, "2026-06", " ", "困难", UNIT)
    refused(ReportNotFound, "month", task.correct_report, "2026-06", "a", "b", "c", UNIT)
    refused(InvalidTask, "reason", task.correct_report, "2026-05", "新进度", "困难", " ", UNIT)
    task.correct_report("2026-05", "已完成四个社区选址", "两个乡镇用房尚未落实", "数字有误", UNIT)
    report = task.reports["2026-05"]
    assert report["progress"] == "已完成四个社区选址"
    assert report["corrections"][0]["progress"] == "已完成三个社区选址"


def test_milestones_count_once_confirmed_and_completion_closes_the_task() -> None:
    task = assign()
    task.reach_milestone(0, date(2026, 6, 28), "选址完成", UNIT, confirm=False)
    assert task.overdue_on(date(2026, 7, 1))  # reported, not yet confirmed
    task.reach_milestone(0, date(2026, 6, 28), "", OFFICE, confirm=True)
    assert task.next_due() == "2026-10-31" and not task.overdue_on(date(2026, 7, 1))
    refused(
        MilestoneConfirmedAlready,
        "index",
        task.reach_milestone,
        0,
        date(2026, 7, 1),
        "",
        OFFICE,
        confirm=True,
    )
    refused(
        MilestoneNotFound,
        "index",
        task.reach_milestone,
        5,
        date(2026, 7, 1),
        "",
        OFFICE,
        confirm=True,
    )
    task.supervise("实地督办", date(2026, 7, 2), "到现场查看", OFFICE)
    refused(InvalidTask, "method", task.supervise, "催办", date(2026, 7, 2), "x", OFFICE)
    refused(InvalidTask, "reason", task.complete, date(2026, 12, 1), " ", OFFICE)
    task.complete(date(2026, 12, 1), "经实地核验已完成", OFFICE)
    assert task.status == "completed" and task.next_due() is None
    assert not task.overdue_on(date(2030, 1, 1))
    refused(TaskCompletedAlready, "task_id", task.supervise, "电话", date(2026, 12, 2), "x", OFFICE)
    refused(TaskCompletedAlready, "task_id", task.submit_report, "2026-12", "a", "b", UNIT)
    task.hold_accountable("某局分管副局长", "诫勉谈话", "节点任务逾期", OFFICE)  # still possible
    refused(InvalidTask, "measure", task.hold_accountable, "某人", " ", "原因", OFFICE)
    assert len(task.accountability) == 1


def test_round_trip_and_every_event_maps_to_its_contract() -> None:
    app = InspectionService(env=IN_MEMORY)
    task = assign(reporter_id=uuid4(), reporter={"role": "unit", "revoked": False})
    task.submit_report("2026-05", "进度", "困难", UNIT)
    task.correct_report("2026-05", "进度二", "困难", "更正", UNIT)
    task.supervise("电话", date(2026, 5, 20), "电话询问", OFFICE)
    task.reach_milestone(0, date(2026, 6, 1), "到了", UNIT, confirm=False)
    task.reach_milestone(0, date(2026, 6, 1), "", OFFICE, confirm=True)
    task.complete(date(2026, 12, 1), "完成", OFFICE)
    task.hold_accountable("某人", "通报批评", "拖延", OFFICE)
    events = list(task.pending_events)
    app.save(task)
    again = app.supervised_task(task.id)
    assert (again.status, again.version, len(again.accountability)) == ("completed", 8, 1)
    payloads = [to_payload(e) for e in events]
    assert [type(p) for p in payloads] == [
        contract.TaskAssigned,
        contract.ProgressReportSubmitted,
        contract.ProgressReportCorrected,
        contract.SupervisionRecorded,
        contract.MilestoneReported,
        contract.MilestoneConfirmed,
        contract.TaskCompleted,
        contract.AccountabilityRecorded,
    ]
    for version, payload in enumerate(payloads, start=1):
        assert isinstance(payload, contract._TaskFact)
        assert (payload.task_id, payload.unit_id, payload.jurisdiction_id) == (
            task.id,
            task.unit_id,
            task.jurisdiction_id,
        )
        assert (payload.campaign_id, payload.round, payload.version) == (CAMPAIGN, 1, version)
    assigned = payloads[0]
    assert isinstance(assigned, contract.TaskAssigned)
    assert assigned.milestones[0] == contract.Milestone(name="选址", due_on=date(2026, 6, 30))
    assert assigned.methods == ("跟踪", "实地督办")


def test_stored_events_that_break_todays_rules_still_load() -> None:
    """Mutators only assign: a blank title, a milestone after the due date, a second report
    for a month and a confirmation of a milestone that does not exist all load."""
    app = InspectionService(env=IN_MEMORY)
    context = {"unit_id": uuid4(), "jurisdiction_id": uuid4(), "campaign_id": None, "round": None}
    first = created(
        SupervisedTask,
        SupervisedTask.Assigned,
        title=" ",
        kind="task",
        due_on="2026-01-01",
        milestones=(("", "2027-01-01"),),
        methods=(),
        reporter_id=None,
        actor=OFFICE,
        **context,
    )
    report = {"month": "2026-05", "progress": "", "difficulties": "", "actor": UNIT} | context
    second = following(first, SupervisedTask.ReportSubmitted, **report)
    third = following(second, SupervisedTask.ReportSubmitted, **report)
    fourth = following(
        third,
        SupervisedTask.MilestoneConfirmed,
        index=9,
        reached_on="2026-01-01",
        note="",
        actor=OFFICE,
        **context,
    )
    fifth = following(
        fourth,
        SupervisedTask.ReportCorrected,
        month="2026-09",
        progress="a",
        difficulties="b",
        reason="",
        actor=UNIT,
        **context,
    )
    store(app, first, second, third, fourth, fifth)
    task = app.supervised_task(first.originator_id)
    assert (task.title, task.status, task.version) == (" ", "in_progress", 5)
    assert sorted(task.reports) == ["2026-05", "2026-09"]
