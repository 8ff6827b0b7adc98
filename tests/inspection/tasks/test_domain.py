"""Supervised tasks (督办): the commands' rules, status and derived overdue, the round trip
through an in-memory store, and the contract each event publishes."""

from __future__ import annotations

from datetime import date, timedelta
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
    MilestoneReportedAlready,
    ReportExists,
    ReportNotFound,
    SupervisedTask,
    TaskCompletedAlready,
)
from services.inspection.workdays import china_today
from shared.contracts import inspection_tasks as contract
from tests.harness import IN_MEMORY
from tests.stored_events import created, following, store

OFFICE = "office:abc"
UNIT = "unit:def"
CAMPAIGN = uuid4()
# A task is assigned today: what it records later falls between then and today. Today is
# asked for when a test runs, not when the module is collected: a run that crosses midnight in
# Beijing would otherwise assign tasks on a day after its "today".


def today() -> date:
    return china_today()


def this_month() -> str:
    return today().isoformat()[:7]


def next_month() -> str:
    return (today().replace(day=28) + timedelta(days=4)).isoformat()[:7]


def assign(**overrides: Any) -> SupervisedTask:
    spec: dict[str, Any] = {
        "title": "  四级便民服务网络建设  ",
        "kind": "key_project",
        "unit_id": uuid4(),
        "jurisdiction_id": uuid4(),
        "campaign_id": CAMPAIGN,
        "round": 1,
        "due_on": date(2099, 12, 31),
        "milestones": [(" 选址 ", date(2026, 6, 30)), ("建成", date(2026, 10, 31))],
        "methods": ["跟踪", "实地督办"],
        "reporter": None,
        "reporter_id": None,
        "actor": OFFICE,
        "today": today(),
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
        ({"milestones": [("选址", date(2100, 1, 1))]}, "milestones.0.due_on"),
        ({"milestones": [(" ", date(2026, 1, 1))]}, "milestones.0.name"),
        (  # one milestone twice, however spaced and whatever its days
            {
                "milestones": [
                    ("选址", date(2026, 6, 1)),
                    ("建成", date(2026, 7, 1)),
                    (" 选址", date(2026, 7, 1)),
                ]
            },
            "milestones.2.name",
        ),
        ({"methods": []}, "methods"),
        ({"methods": ["跟踪", "跟踪"]}, "methods"),
        ({"methods": ["催办"]}, "methods.0"),
        ({"reporter_id": uuid4()}, "reporter_id"),
        ({"reporter_id": uuid4(), "reporter": {"role": "office", "revoked": False}}, "reporter_id"),
        ({"reporter_id": uuid4(), "reporter": {"role": "unit", "revoked": True}}, "reporter_id"),
        (  # a legacy unit key bound in a neighbouring county, not where the unit is
            {
                "reporter_id": uuid4(),
                "reporter": {"role": "unit", "revoked": False, "jurisdiction_id": "b"},
                "unit_lineage": ["a", "city"],
            },
            "reporter_id",
        ),
    ],
)
def test_assignment_refuses_bad_input(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidTask) as caught:
        assign(**overrides)
    assert caught.value.field == field


def test_a_reporter_bound_where_the_unit_is_or_above_it_is_taken() -> None:
    for place in ("a", "city"):
        reporter = {"role": "unit", "revoked": False, "jurisdiction_id": place}
        task = assign(reporter_id=uuid4(), reporter=reporter, unit_lineage=["a", "city"])
        assert task.reporter_id is not None


def test_first_report_starts_progress_and_a_month_is_reported_once() -> None:
    task = assign()
    task.submit_report(
        this_month(), "已完成三个社区选址", "两个乡镇用房尚未落实", UNIT, today=today()
    )
    assert task.status == "in_progress"
    refused(
        ReportExists, "month", task.submit_report, this_month(), "再报", "无", UNIT, today=today()
    )
    refused(
        InvalidTask, "month", task.submit_report, "2026-13", "进度", "困难", UNIT, today=today()
    )
    fresh = assign()
    refused(
        InvalidTask, "progress", fresh.submit_report, this_month(), " ", "困难", UNIT, today=today()
    )
    refused(ReportNotFound, "month", task.correct_report, next_month(), "a", "b", "c", UNIT)
    refused(InvalidTask, "reason", task.correct_report, this_month(), "新进度", "困难", " ", UNIT)
    task.correct_report(
        this_month(), "已完成四个社区选址", "两个乡镇用房尚未落实", "数字有误", UNIT
    )
    report = task.reports[this_month()]
    assert report["progress"] == "已完成四个社区选址"
    assert report["corrections"][0]["progress"] == "已完成三个社区选址"


def test_a_report_is_for_a_month_of_the_tasks_life() -> None:
    """From the month the task was assigned to this one: not a month ahead, nor one before
    the task existed."""
    task = assign()
    for month, reason in [
        (next_month(), "不能是将来的月份 (lies in the future)"),
        (
            "2027-05" if this_month() < "2027-05" else "2099-05",
            "不能是将来的月份 (lies in the future)",
        ),
        (
            "2019-05",
            f"不能早于任务交办月份 {task.assigned_on.isoformat()[:7]} "
            f"(lies before the task was assigned ({task.assigned_on.isoformat()[:7]}))",
        ),
    ]:
        with pytest.raises(InvalidTask) as caught:
            task.submit_report(month, "进度", "困难", UNIT, today=today())
        assert (caught.value.field, caught.value.reason) == ("month", reason)
    assert task.reports == {}


def test_the_days_a_task_records_are_not_ahead_nor_before_its_assignment() -> None:
    task = assign()
    ahead, before = today() + timedelta(days=1), task.assigned_on - timedelta(days=1)
    for call, field in [
        (
            lambda day: task.supervise("跟踪", day, "电话询问", OFFICE, today=today()),
            "supervised_on",
        ),
        (lambda day: task.complete(day, "完成", OFFICE, today=today()), "completed_on"),
    ]:
        for day, reason in [
            (date(2099, 11, 30), "不能晚于今天 (lies in the future)"),
            (ahead, "不能晚于今天 (lies in the future)"),
            (
                before,
                f"不能早于任务交办日期 {task.assigned_on.isoformat()} "
                f"(lies before the task was assigned ({task.assigned_on.isoformat()}))",
            ),
        ]:
            with pytest.raises(InvalidTask) as caught:
                call(day)
            assert (caught.value.field, caught.value.reason) == (field, reason)
    with pytest.raises(InvalidTask) as caught:
        task.reach_milestone(0, date(2099, 1, 1), "", UNIT, confirm=False, today=today())
    assert (caught.value.field, caught.value.reason) == (
        "reached_on",
        "不能晚于今天 (lies in the future)",
    )
    # A milestone may have been reached before the task was entered.
    task.reach_milestone(0, date(2026, 1, 5), "", UNIT, confirm=False, today=today())
    assert task.version == 2


def test_a_milestone_is_reported_once_and_confirmed_once_with_notes_and_actors() -> None:
    task = assign()
    task.reach_milestone(0, date(2026, 6, 28), "选址完成", UNIT, confirm=False, today=today())
    with pytest.raises(MilestoneReportedAlready) as caught:
        task.reach_milestone(0, date(2026, 6, 29), "其实是29日", UNIT, confirm=False, today=today())
    assert (caught.value.code, caught.value.field) == ("milestone_reported", "index")
    assert "2026-06-28" in caught.value.reason
    task.reach_milestone(0, date(2026, 6, 29), "核实为29日", OFFICE, confirm=True, today=today())
    assert task.milestones[0] | {} == {
        "name": "选址",
        "due_on": "2026-06-30",
        "reported_on": "2026-06-28",
        "reported_note": "选址完成",
        "reported_by": UNIT,
        "confirmed_on": "2026-06-29",
        "confirmed_note": "核实为29日",
        "confirmed_by": OFFICE,
    }
    assert task.version == 3


def test_milestones_count_once_confirmed_and_completion_closes_the_task() -> None:
    task = assign()
    task.reach_milestone(0, date(2026, 6, 28), "选址完成", UNIT, confirm=False, today=today())
    assert task.overdue_on(date(2026, 7, 1))  # reported, not yet confirmed
    task.reach_milestone(0, date(2026, 6, 28), "", OFFICE, confirm=True, today=today())
    assert task.next_due() == "2026-10-31" and not task.overdue_on(date(2026, 7, 1))
    for index, error in ((0, MilestoneConfirmedAlready), (5, MilestoneNotFound)):
        refused(
            error,
            "index",
            task.reach_milestone,
            index,
            date(2026, 7, 1),
            "",
            OFFICE,
            confirm=True,
            today=today(),
        )
    task.supervise("实地督办", today(), "到现场查看", OFFICE, today=today())
    refused(InvalidTask, "method", task.supervise, "催办", today(), "x", OFFICE, today=today())
    refused(InvalidTask, "reason", task.complete, today(), " ", OFFICE, today=today())
    task.complete(today(), "经实地核验已完成", OFFICE, today=today())
    assert task.status == "completed" and task.next_due() is None
    assert not task.overdue_on(date(2030, 1, 1))
    refused(
        TaskCompletedAlready, "task_id", task.supervise, "跟踪", today(), "x", OFFICE, today=today()
    )
    refused(
        TaskCompletedAlready,
        "task_id",
        task.submit_report,
        this_month(),
        "a",
        "b",
        UNIT,
        today=today(),
    )
    task.hold_accountable("某局分管副局长", "诫勉谈话", "节点任务逾期", OFFICE)  # still possible
    refused(InvalidTask, "measure", task.hold_accountable, "某人", " ", "原因", OFFICE)
    assert len(task.accountability) == 1


def test_round_trip_and_every_event_maps_to_its_contract() -> None:
    app = InspectionService(env=IN_MEMORY)
    task = assign(reporter_id=uuid4(), reporter={"role": "unit", "revoked": False})
    task.submit_report(this_month(), "进度", "困难", UNIT, today=today())
    task.correct_report(this_month(), "进度二", "困难", "更正", UNIT)
    task.supervise("跟踪", today(), "电话询问", OFFICE, today=today())
    task.reach_milestone(0, date(2026, 6, 1), "到了", UNIT, confirm=False, today=today())
    task.reach_milestone(0, date(2026, 6, 1), "", OFFICE, confirm=True, today=today())
    task.complete(today(), "完成", OFFICE, today=today())
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
    """Mutators only assign: a blank title, a milestone after the due date (and listed
    twice), a second report for a month and a confirmation of a milestone that does not
    exist all load."""
    app = InspectionService(env=IN_MEMORY)
    context = {"unit_id": uuid4(), "jurisdiction_id": uuid4(), "campaign_id": None, "round": None}
    first = created(
        SupervisedTask,
        SupervisedTask.Assigned,
        title=" ",
        kind="task",
        due_on="2026-01-01",
        milestones=(("", "2027-01-01"), ("", "2027-01-01")),  # listed twice, too
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
    assert [m["name"] for m in task.milestones] == ["", ""]


def test_a_task_is_not_assigned_overdue() -> None:
    """Due today is fine (overdue means due before the day); due before it is refused, the
    field and the day named."""
    assert not assign(due_on=today(), milestones=[]).overdue_on(today())
    with pytest.raises(InvalidTask) as caught:
        assign(due_on=today() - timedelta(days=1), milestones=[])
    assert (caught.value.field, caught.value.reason) == (
        "due_on",
        f"不能早于任务交办当天 {today().isoformat()} "
        f"(lies before the day the task is assigned ({today().isoformat()}))",
    )


def test_supervision_is_by_a_method_the_task_planned() -> None:
    task = assign()  # planned: 跟踪, 实地督办
    with pytest.raises(InvalidTask) as caught:
        task.supervise("电话", today(), "电话询问", OFFICE, today=today())
    assert (caught.value.field, caught.value.reason) == (
        "method",
        "不是本任务计划的督办方式 (is not planned for this task: its methods are 跟踪, 实地督办)",
    )
    assert caught.value.context == {"planned": ["跟踪", "实地督办"]}
    assert task.supervision == [] and task.version == 1
    task.supervise("实地督办", today(), "到现场查看", OFFICE, today=today())
    assert [s["method"] for s in task.supervision] == ["实地督办"]


@pytest.mark.parametrize("confirm", [False, True])
def test_a_milestone_reached_puts_the_task_in_progress(confirm: bool) -> None:
    task = assign()
    actor = OFFICE if confirm else UNIT
    task.reach_milestone(0, date(2026, 6, 28), "选址完成", actor, confirm=confirm, today=today())
    assert task.status == "in_progress"
    task.complete(today(), "完成", OFFICE, today=today())
    assert task.status == "completed"


def test_a_stored_task_with_only_a_milestone_loads_in_progress() -> None:
    """Stored before milestones counted as progress: loaded, it follows today's rule."""
    app = InspectionService(env=IN_MEMORY)
    context = {"unit_id": uuid4(), "jurisdiction_id": uuid4(), "campaign_id": None, "round": None}
    first = created(
        SupervisedTask,
        SupervisedTask.Assigned,
        title="三城联创",
        kind="task",
        due_on="2099-01-01",
        milestones=(("方案", "2098-01-01"),),
        methods=("跟踪",),
        reporter_id=None,
        actor=OFFICE,
        **context,
    )
    reached = following(
        first,
        SupervisedTask.MilestoneReported,
        index=0,
        reached_on="2026-01-01",
        note="",
        actor=UNIT,
        **context,
    )
    store(app, first, reached)
    task = app.supervised_task(first.originator_id)
    assert (task.status, task.version) == ("in_progress", 2)
