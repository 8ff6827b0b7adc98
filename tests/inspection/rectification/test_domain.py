"""Rectification orders in memory: deadlines on the working-day calendar, the report and
verification cycle (second handling on a second return), escalation only when overdue and
in order, re-rating, contract mapping of every event, and stored events that still load."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.inspection.integration import to_payload
from services.inspection.main import InspectionService
from services.inspection.rectification.application import china_today
from services.inspection.rectification.domain import RectificationOrder
from services.inspection.workdays import WorkCalendar
from shared.contracts import inspection_rectification as contract
from shared.errors import PingyiError
from shared.principals import Principal
from tests.harness import IN_MEMORY
from tests.stored_events import created, following, store

UNIT = uuid4()
COUNTY = uuid4()
OFFICE = Principal(uuid4(), "源汇区纠风办", "office", COUNTY)
UNIT_KEY = Principal(uuid4(), "源汇区民政局", "unit", COUNTY)
FOUND = datetime(2025, 1, 2, 10, 30, tzinfo=UTC)


@pytest.fixture
def app(tmp_path: Path) -> InspectionService:
    calendar = tmp_path / "calendar.yaml"
    # A Saturday made a working day and a Monday a local holiday, for the arithmetic below.
    calendar.write_text("holidays: [2025-01-06]\nworkdays: [2025-01-04]\n", encoding="utf-8")
    return InspectionService(env=IN_MEMORY | {"PINGYI_INSPECTION_CALENDAR": str(calendar)})


def finding(app: InspectionService, unit_id: UUID = UNIT) -> str:
    made = app.record_finding(
        OFFICE,
        unit_id=unit_id,
        jurisdiction_id=COUNTY,
        method="暗访",
        summary="窗口无人值守",
        found_at=FOUND,
        key=None,
    )
    return str(made["finding_id"])


def issue(app: InspectionService, **overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "unit_id": UNIT,
        "jurisdiction_id": COUNTY,
        "finding_ids": [UUID(finding(app))],
        "issued_on": date(2025, 1, 3),
        "working_days": 2,
        "requirements": "  限期整改并书面报告  ",
        "campaign_id": None,
        "round": None,
        "unit_principal_id": UNIT_KEY.principal_id,
        "key": None,
    }
    return app.issue_rectification(OFFICE, **(spec | overrides))


def refused(call: Any) -> tuple[str, str | None]:
    with pytest.raises(PingyiError) as caught:
        call()
    return caught.value.code, caught.value.field


def test_a_notice_is_not_issued_before_its_findings_were_found(app: InspectionService) -> None:
    """FOUND is 2 January 2025 (China): a notice dated the 1st is refused, one of the 2nd is
    not; the latest of several findings decides."""
    with pytest.raises(PingyiError) as caught:
        issue(app, issued_on=date(2025, 1, 1))
    assert (caught.value.code, caught.value.field) == ("invalid_rectification", "issued_on")
    assert caught.value.reason == (
        "不能早于问题发现日期 2025-01-02 (lies before the finding was found (2025-01-02))"
    )
    assert issue(app, issued_on=date(2025, 1, 2))["issued_on"] == "2025-01-02"
    later = app.record_finding(
        OFFICE,
        unit_id=UNIT,
        jurisdiction_id=COUNTY,
        method="明察",
        summary="公示栏信息过期",
        found_at=FOUND + timedelta(days=30),
        key=None,
    )
    both = [UUID(finding(app)), UUID(str(later["finding_id"]))]
    assert refused(lambda: issue(app, finding_ids=both)) == ("invalid_rectification", "issued_on")


def test_deadline_counts_working_days_of_the_calendar_file(app: InspectionService) -> None:
    order = issue(app)
    # Friday 3 January + 2 working days: Saturday 4th (a make-up day), then Tuesday 7th
    # (Sunday off, Monday 6th a holiday in the file).
    assert order["deadline"] == "2025-01-07"
    assert order["status"] == "issued" and order["requirements"] == "限期整改并书面报告"
    assert order["overdue"] is True and order["overdue_working_days"] > 0
    assert [h["event"] for h in order["history"]] == ["ordered"]


def test_issue_refuses_findings_it_cannot_cover(app: InspectionService) -> None:
    other = UUID(finding(app, uuid4()))
    assert refused(lambda: issue(app, finding_ids=[other])) == (
        "invalid_rectification",
        "finding_ids.0",
    )
    withdrawn = finding(app)
    app.withdraw_finding(OFFICE, UUID(withdrawn), "不属于该单位", None)
    mine = UUID(finding(app))
    assert refused(lambda: issue(app, finding_ids=[mine, UUID(withdrawn)])) == (
        "finding_withdrawn",
        "finding_ids.1",
    )
    assert refused(lambda: issue(app, finding_ids=[mine, mine])) == (
        "invalid_rectification",
        "finding_ids.1",
    )
    assert refused(lambda: issue(app, finding_ids=[uuid4()])) == (
        "finding_not_found",
        "finding_ids.0",
    )
    tomorrow = china_today() + timedelta(days=1)
    assert refused(lambda: issue(app, issued_on=tomorrow)) == ("invalid_rectification", "issued_on")
    assert refused(lambda: issue(app, round=2)) == ("invalid_rectification", "round")
    blank = ("invalid_rectification", "requirements")
    assert refused(lambda: issue(app, requirements=" ")) == blank


def test_a_report_dated_before_its_notice_names_the_notice_day(app: InspectionService) -> None:
    # docs/inspection.md, "Dates": every "lies before" reason names the earlier record's day.
    order_id = UUID(issue(app)["order_id"])
    with pytest.raises(PingyiError) as caught:
        app.report_rectification(UNIT_KEY, order_id, "已整改", date(2025, 1, 2), None)
    assert (caught.value.field, caught.value.reason) == (
        "reported_on",
        "不能早于整改通知下发日期 2025-01-03 (lies before the order was issued (2025-01-03))",
    )


def test_a_report_after_a_return_is_not_dated_before_the_return(app: InspectionService) -> None:
    """After a return (二次办理) the report answers the return: dated on or after it."""
    order_id = UUID(issue(app)["order_id"])
    app.report_rectification(UNIT_KEY, order_id, "已整改", date(2025, 1, 6), None)
    app.verify_rectification(OFFICE, order_id, "returned", "未落实", None, None)
    with pytest.raises(PingyiError) as caught:
        app.report_rectification(UNIT_KEY, order_id, "再次整改", date(2025, 1, 7), None)
    assert (caught.value.field, caught.value.reason) == (
        "reported_on",
        f"不能早于整改退回日期 {china_today().isoformat()} "
        f"(lies before the order was returned ({china_today().isoformat()}))",
    )
    again = app.report_rectification(UNIT_KEY, order_id, "再次整改", china_today(), None)
    assert again["status"] == "reported"


def test_report_verify_second_handling_and_rerating(app: InspectionService) -> None:
    order_id = UUID(issue(app)["order_id"])
    rerate = lambda: app.rerate_rectification(OFFICE, order_id, "满意", "投诉人", "回访", None)  # noqa: E731
    assert refused(rerate) == ("rectification_state_conflict", "order_id")
    verify = lambda **k: app.verify_rectification(  # noqa: E731
        OFFICE, order_id, k.get("outcome", "returned"), "未落实", k.get("days"), None
    )
    assert refused(verify) == ("rectification_state_conflict", "order_id")
    early = date(2025, 1, 2)
    assert refused(lambda: app.report_rectification(UNIT_KEY, order_id, "已整改", early, None)) == (
        "invalid_rectification",
        "reported_on",
    )
    reported = app.report_rectification(UNIT_KEY, order_id, "已整改", None, None)
    assert reported["status"] == "reported"
    first = verify()
    assert (first["status"], first["deadline"], first["returns"]) == ("returned", "2025-01-07", 1)
    app.report_rectification(UNIT_KEY, order_id, "再次整改", None, None)
    assert refused(verify) == ("invalid_rectification", "working_days")
    second = verify(days=5)
    assert second["status"] == "second_handling" and second["second_handling"] is True
    assert second["deadline"] == WorkCalendar().add_working_days(china_today(), 5).isoformat()
    assert second["overdue"] is False
    app.report_rectification(UNIT_KEY, order_id, "二次办理完成", None, None)
    done = verify(outcome="accepted")
    assert done["status"] == "accepted" and done["overdue"] is False
    rated = rerate()
    assert (rated["rating"], rated["ratings"]) == ("满意", 1)
    assert [h["event"] for h in rated["history"]] == [
        "ordered",
        "reported",
        "returned",
        "reported",
        "returned",
        "reported",
        "accepted",
        "rerated",
    ]
    assert refused(lambda: app.report_rectification(UNIT_KEY, order_id, "x", None, None)) == (
        "rectification_state_conflict",
        "order_id",
    )
    # Re-rated again (docs/inspection.md): no limit, the latest is the order's rating, and
    # every re-rating stays in the history.
    again = app.rerate_rectification(OFFICE, order_id, "不满意", "评议代表", "再次回访", None)
    assert (again["rating"], again["ratings"]) == ("不满意", 2)
    assert [(h["detail"], h["reason"]) for h in again["history"][-2:]] == [
        ("满意（投诉人）", "回访"),
        ("不满意（评议代表）", "再次回访"),
    ]


def test_escalation_only_when_overdue_and_in_order(app: InspectionService) -> None:
    current = issue(app, issued_on=china_today(), working_days=3)["order_id"]
    assert refused(
        lambda: app.escalate_rectification(OFFICE, UUID(current), "催办", "逾期", None, None)
    ) == ("rectification_not_overdue", "order_id")
    order_id = UUID(issue(app)["order_id"])

    def escalate(step: str, person: str | None = None) -> dict[str, Any]:
        return app.escalate_rectification(OFFICE, order_id, step, "逾期未报送", person, None)

    assert refused(lambda: escalate("通报")) == ("escalation_out_of_order", "step")
    assert escalate("催办")["escalation"] == "催办"
    assert escalate("催办")["escalation"] == "催办"
    assert refused(lambda: escalate("约谈", "张局长")) == ("escalation_out_of_order", "step")
    with pytest.raises(PingyiError) as caught:
        escalate("约谈", "张局长")
    # Each language its own 'or': no English word in the Chinese.
    assert caught.value.reason == "下一步应为 催办或通报 (the next step is 催办 or 通报)"
    assert escalate("通报")["escalation"] == "通报"
    assert refused(lambda: escalate("约谈")) == ("invalid_rectification", "person")
    summoned = escalate("约谈", "张某某（局长）")
    assert summoned["escalation"] == "约谈"
    assert summoned["history"][-1]["detail"] == "约谈：张某某（局长）"
    assert refused(lambda: escalate("催办")) == ("escalation_out_of_order", "step")
    app.report_rectification(UNIT_KEY, order_id, "已整改", None, None)
    assert refused(lambda: escalate("约谈", "张某某")) == ("rectification_not_overdue", "order_id")


def test_every_event_maps_to_its_contract(app: InspectionService) -> None:
    campaign = uuid4()
    order_id = UUID(issue(app, campaign_id=campaign, round=1)["order_id"])
    app.escalate_rectification(OFFICE, order_id, "催办", "逾期", None, None)
    app.report_rectification(UNIT_KEY, order_id, "已整改", None, None)
    app.verify_rectification(OFFICE, order_id, "accepted", "整改到位", None, None)
    app.rerate_rectification(OFFICE, order_id, "基本满意", "评议代表", "回访", None)
    payloads = [to_payload(e) for e in app.events.get(order_id)]
    assert [type(p) for p in payloads] == [
        contract.RectificationOrdered,
        contract.RectificationEscalated,
        contract.RectificationReported,
        contract.RectificationVerified,
        contract.RectificationRerated,
    ]
    for version, payload in enumerate(payloads, start=1):
        assert isinstance(payload, contract._OrderFact)
        assert (payload.order_id, payload.unit_id, payload.jurisdiction_id) == (
            order_id,
            UNIT,
            COUNTY,
        )
        assert (payload.campaign_id, payload.round, payload.version) == (campaign, 1, version)
        assert payload.deadline == date(2025, 1, 7) and len(payload.finding_ids) == 1
    assert [p.status for p in payloads] == [  # type: ignore[attr-defined]
        "issued",
        "issued",
        "reported",
        "accepted",
        "accepted",
    ]
    ordered, escalated, reported, verified, rerated = payloads
    assert isinstance(ordered, contract.RectificationOrdered)
    assert ordered.unit_principal_id == UNIT_KEY.principal_id and ordered.working_days == 2
    assert isinstance(escalated, contract.RectificationEscalated) and escalated.step == "催办"
    assert isinstance(reported, contract.RectificationReported) and reported.text == "已整改"
    assert isinstance(verified, contract.RectificationVerified)
    assert (verified.outcome, verified.reason, verified.second_handling) == (
        "accepted",
        "整改到位",
        False,
    )
    assert isinstance(rerated, contract.RectificationRerated)
    assert (rerated.rating, rerated.raters) == ("基本满意", "评议代表")


def test_stored_events_breaking_todays_rules_still_load(app: InspectionService) -> None:
    issued = created(
        RectificationOrder,
        RectificationOrder.Issued,
        unit_id=UNIT,
        jurisdiction_id=COUNTY,
        finding_ids=(),
        issued_on="2025-01-03",
        working_days=0,
        deadline="2025-01-03",
        requirements="",
        campaign_id=None,
        round=0,
        unit_principal_id=None,
        actor="office:x",
    )
    context = {
        "unit_id": UNIT,
        "jurisdiction_id": COUNTY,
        "finding_ids": (),
        "campaign_id": None,
        "round": 0,
        "deadline": "2025-01-03",
        "actor": "office:x",
    }
    escalated = following(
        issued,
        RectificationOrder.Escalated,
        **context,
        status="accepted",
        step="约谈",
        reason="",
        escalated_on="2025-01-01",
        person=None,
    )
    rerated = following(
        escalated,
        RectificationOrder.Rerated,
        **context,
        status="issued",
        rating="很好",
        raters="",
        reason="",
        rated_on="2025-01-01",
    )
    store(app, issued, escalated, rerated)
    order = app.rectification(issued.originator_id)
    assert (order.escalation, order.rating, order.ratings, order.version) == ("约谈", "很好", 1, 3)
