"""The inspection part of the fold tests' world (`test_fold_world`): findings, complaints,
hotline appearances, assessments, vetoes, a cancellation, a rectification order and tasks,
some inside round 2's window, some outside, some named for a round."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from shared.contracts.inspection import (
    FindingCorrected,
    FindingRecordedV1,
    FindingWithdrawn,
)
from shared.contracts.inspection_assessments import (
    AssessmentScoreCorrected,
    AssessmentScoreRecorded,
    AssessmentScoreWithdrawn,
    ResultCancelled,
    VetoDecided,
    VetoRevoked,
)
from shared.contracts.inspection_complaints import (
    ComplaintCallbackRecorded,
    ComplaintConcluded,
    ComplaintDispatched,
)
from shared.contracts.inspection_rectification import (
    RectificationEscalated,
    RectificationOrdered,
    RectificationReported,
    RectificationRerated,
    RectificationVerified,
)
from shared.contracts.inspection_tasks import AccountabilityRecorded, TaskAssigned, TaskCompleted

from .test_fold_builders import (
    ACTOR,
    CAMPAIGN,
    CITY,
    IN_WINDOW,
    OTHER_CAMPAIGN,
    ROUND,
    Feed,
    assessment,
    finding,
    hotline,
    order_fact,
    received,
    task_fact,
    uid,
)


def build_inspection(feed: Feed) -> None:
    feed(
        FindingRecordedV1(
            finding_id=uid("finding:A"),
            unit_id=uid("市公安局"),
            method="明察",
            summary="窗口人员脱岗",
            found_at=IN_WINDOW,
            actor="inspector:明察组",
        )
    )
    feed(
        finding(
            "finding:B",
            "市供电公司",
            IN_WINDOW,
            item="服务态度",
            severity="较重",
            deduction=Decimal("2.50"),
            method="电话暗访",
        )
    )
    feed(finding("finding:A-early", "市公安局", datetime(2024, 5, 20, tzinfo=UTC)))
    feed(finding("finding:C", "市教育局", IN_WINDOW))
    feed(FindingWithdrawn(finding_id=uid("finding:C"), reason="核实有误", actor=ACTOR, version=2))
    feed(
        FindingCorrected(
            finding_id=uid("finding:A"),
            summary="窗口人员上班时间脱岗半小时",
            reason="补充",
            actor=ACTOR,
            version=2,
        )
    )
    feed(finding("finding:X", "县卫健委", IN_WINDOW))
    # A complaint taken in without a unit, then dispatched, concluded and called back.
    feed(received("complaint:A", date(2024, 9, 1)))
    feed(
        ComplaintDispatched(
            complaint_id=uid("complaint:A"),
            unit_id=uid("市公安局"),
            jurisdiction_id=CITY,
            actor=ACTOR,
            unit_jurisdiction_id=CITY,
            dispatched_on=date(2024, 9, 2),
            due_on=date(2024, 9, 9),
        )
    )
    feed(
        ComplaintConcluded(
            complaint_id=uid("complaint:A"),
            unit_id=uid("市公安局"),
            jurisdiction_id=CITY,
            actor=ACTOR,
            outcome="verified",
            reason="经查属实",
        )
    )
    feed(
        ComplaintCallbackRecorded(
            complaint_id=uid("complaint:A"),
            unit_id=uid("市公安局"),
            jurisdiction_id=CITY,
            actor=ACTOR,
            satisfaction="不满意",
        )
    )
    feed(
        received(
            "complaint:other", date(2024, 9, 1), "市公安局", campaign_id=OTHER_CAMPAIGN, round=ROUND
        )
    )
    feed(
        received(
            "complaint:B-named",
            date(2024, 3, 1),
            "市供电公司",
            campaign_id=CAMPAIGN,
            round=ROUND,
            channel="12345热线",
        )
    )
    feed(received("complaint:nobody", date(2024, 9, 1)))
    feed(hotline("hotline:A1", "市公安局", date(2024, 7, 1)))
    feed(hotline("hotline:A2", "市公安局", date(2024, 12, 31)))
    feed(hotline("hotline:A1", "市公安局", date(2024, 7, 1)))
    feed(hotline("hotline:B-early", "市供电公司", date(2024, 6, 30)))
    feed(
        hotline(
            "hotline:B-named", "市供电公司", date(2024, 6, 30), campaign_id=CAMPAIGN, round=ROUND
        )
    )
    feed(
        assessment(
            AssessmentScoreRecorded,
            "市公安局",
            "organisation",
            component_name="组织与资料",
            score=Decimal("8.5"),
            maximum=Decimal("10"),
            assessor="考评组",
            basis="台账齐全",
            evidence=[],
            reason="半年考评",
        )
    )
    feed(
        assessment(
            AssessmentScoreCorrected,
            "市公安局",
            "organisation",
            2,
            score=Decimal("9.00"),
            maximum=Decimal("10"),
            assessor="考评组",
            basis="补充材料",
            evidence=[],
            reason="复核",
        )
    )
    feed(
        assessment(
            AssessmentScoreRecorded,
            "市供电公司",
            "organisation",
            component_name="组织与资料",
            score=Decimal("7"),
            maximum=Decimal("10"),
            assessor="考评组",
            basis="",
            evidence=[],
            reason="半年考评",
        )
    )
    feed(assessment(AssessmentScoreWithdrawn, "市供电公司", "organisation", 2, reason="重复录入"))
    feed(
        assessment(
            AssessmentScoreRecorded,
            "市公安局",
            "organisation",
            round=1,
            component_name="组织与资料",
            score=Decimal("6"),
            maximum=Decimal("10"),
            assessor="考评组",
            basis="",
            evidence=[],
            reason="上半年",
        )
    )
    for name, unit_name in (("veto:A", "市公安局"), ("veto:B", "市供电公司")):
        feed(
            VetoDecided(
                veto_id=uid(name),
                unit_id=uid(unit_name),
                jurisdiction_id=CITY,
                campaign_id=CAMPAIGN,
                round=ROUND,
                basis="发生重大安全责任事故",
                authority="市委",
                decided_on=date(2024, 10, 1),
                actor=ACTOR,
                version=1,
            )
        )
    feed(
        VetoRevoked(
            veto_id=uid("veto:B"),
            unit_id=uid("市供电公司"),
            jurisdiction_id=CITY,
            campaign_id=CAMPAIGN,
            round=ROUND,
            reason="复议撤销",
            actor=ACTOR,
            version=2,
        )
    )
    feed(
        ResultCancelled(
            cancellation_id=uid("cancel:C"),
            unit_id=uid("市教育局"),
            jurisdiction_id=CITY,
            campaign_id=CAMPAIGN,
            round=ROUND,
            reason="拉票",
            decided_by="市纠风办",
            actor=ACTOR,
        )
    )
    feed(
        order_fact(
            RectificationOrdered,
            "市供电公司",
            "issued",
            1,
            issued_on=date(2024, 9, 20),
            working_days=15,
            requirements="限期整改",
        )
    )
    feed(
        order_fact(
            RectificationReported,
            "市供电公司",
            "reported",
            2,
            text="已整改",
            reported_on=date(2024, 10, 1),
        )
    )
    feed(
        order_fact(
            RectificationVerified,
            "市供电公司",
            "second_handling",
            3,
            outcome="returned",
            reason="整改不到位",
            verified_on=date(2024, 10, 8),
            second_handling=True,
        )
    )
    feed(
        order_fact(
            RectificationEscalated,
            "市供电公司",
            "second_handling",
            4,
            step="催办",
            reason="逾期",
            escalated_on=date(2024, 10, 20),
        )
    )
    feed(
        order_fact(
            RectificationEscalated,
            "市供电公司",
            "second_handling",
            5,
            step="通报",
            reason="仍逾期",
            escalated_on=date(2024, 10, 30),
        )
    )
    feed(
        order_fact(
            RectificationRerated,
            "市供电公司",
            "second_handling",
            6,
            rating="基本满意",
            raters="评议代表",
            reason="回访",
            rated_on=date(2024, 11, 5),
        )
    )
    feed(
        task_fact(
            TaskAssigned,
            "task:A",
            "市公安局",
            1,
            title="户籍办理提速",
            kind="key_project",
            due_on=date(2024, 11, 30),
            milestones=(),
            methods=("跟踪",),
        )
    )
    feed(
        task_fact(
            TaskCompleted,
            "task:A",
            "市公安局",
            2,
            completed_on=date(2024, 11, 20),
            reason="按期完成",
        )
    )
    for version in (3, 4):
        feed(
            task_fact(
                AccountabilityRecorded,
                "task:A",
                "市公安局",
                version,
                person="张某",
                measure="诫勉谈话",
                reason="推诿",
            )
        )
    feed(
        task_fact(
            TaskAssigned,
            "task:B-next",
            "市供电公司",
            1,
            title="线路改造",
            kind="task",
            due_on=date(2025, 3, 31),
            milestones=(),
            methods=(),
        )
    )
