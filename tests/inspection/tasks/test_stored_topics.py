"""The supervised task moved from one module into a package (domain/task.py, its later facts
declared in domain/events.py). Events stored before that name the old module in their topic
and in the aggregate's `originator_topic`; they must load, and publish, exactly as events
stored today."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from services.inspection.integration import to_payload
from services.inspection.main import InspectionService
from services.inspection.tasks.domain import SupervisedTask
from services.inspection.workdays import china_today
from shared.contracts import inspection_tasks as contract
from tests.harness import IN_MEMORY
from tests.stored_events import store_as_before_the_split

OLD_MODULE = "services.inspection.tasks.domain"


def _every_fact() -> SupervisedTask:
    task = SupervisedTask.assign(
        title="四级便民服务网络建设",
        kind="key_project",
        unit_id=uuid4(),
        jurisdiction_id=uuid4(),
        campaign_id=uuid4(),
        round=1,
        due_on=date(2099, 12, 31),
        milestones=[("选址", date(2026, 6, 30))],
        methods=["跟踪"],
        reporter=None,
        reporter_id=None,
        actor="office:a",
        today=china_today(),
    )
    today = china_today()  # the task is assigned today: what follows lies in between
    month = today.isoformat()[:7]
    task.supervise("跟踪", today, "现场查看", "office:a", today=today)
    task.submit_report(month, "选址完成一半", "用地指标", "unit:b", today=today)
    task.correct_report(month, "选址完成", "用地指标", "数字有误", "unit:b")
    task.reach_milestone(0, date(2026, 5, 1), "已选址", "unit:b", confirm=False, today=today)
    task.reach_milestone(0, date(2026, 5, 3), "核实", "office:a", confirm=True, today=today)
    task.hold_accountable("张某", "诫勉谈话", "拖延上报", "office:a")
    task.complete(today, "验收合格", "office:a", today=today)
    return task


def test_events_stored_under_the_old_module_load_as_before() -> None:
    app = InspectionService(IN_MEMORY)
    task = _every_fact()
    store_as_before_the_split(app, OLD_MODULE, *task.collect_events())
    loaded = app.supervised_task(task.id)
    assert loaded.version == 8
    assert (loaded.status, loaded.completion) == ("completed", task.completion)
    assert loaded.reports == task.reports
    assert loaded.milestones == task.milestones
    assert (loaded.supervision, loaded.accountability) == (task.supervision, task.accountability)


def test_events_stored_under_the_old_module_publish_their_contracts() -> None:
    app = InspectionService(IN_MEMORY)
    store_as_before_the_split(app, OLD_MODULE, *_every_fact().collect_events())
    stored = app.recorder.select_notifications(start=1, limit=20)
    assert all(n.topic.startswith(f"{OLD_MODULE}:SupervisedTask.") for n in stored)
    published = [to_payload(app.mapper.to_domain_event(n)) for n in stored]
    assert [type(p) for p in published] == [
        contract.TaskAssigned,
        contract.SupervisionRecorded,
        contract.ProgressReportSubmitted,
        contract.ProgressReportCorrected,
        contract.MilestoneReported,
        contract.MilestoneConfirmed,
        contract.AccountabilityRecorded,
        contract.TaskCompleted,
    ]
