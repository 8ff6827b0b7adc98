"""Complaint and hotline appearance aggregates: validation with codes and fields, the order
of steps, sealing of the complainant, deadlines in working days, loading events stored under
looser rules, and the contract each event publishes."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.inspection.complaints.application import Commands
from services.inspection.complaints.domain import (
    DEFAULT_DEADLINES,
    Complaint,
    ComplaintOutOfTurn,
    HotlineAppearance,
    InvalidComplaint,
    InvalidHotlineAppearance,
    deadline_for,
)
from services.inspection.dates import Window
from services.inspection.integration import to_payload
from services.inspection.main import InspectionService
from services.inspection.workdays import china_today as today
from shared.contracts import inspection_complaints as contract
from shared.principals import Principal
from tests.harness import IN_MEMORY
from tests.stored_events import created, following, store

TODAY = date(2026, 5, 12)
OFFICE = Principal(uuid4(), "郾城区纠风办", "office", uuid4())


def receive(**overrides: Any) -> Complaint:
    spec: dict[str, Any] = {
        "jurisdiction_id": uuid4(),
        "unit_id": None,
        "campaign_id": None,
        "round": None,
        "channel": "政风行风热线",
        "kind": "complaint",
        "summary": "  办理社保转移窗口推诿，三次往返未办结  ",
        "received_on": TODAY,
        "deadline_days": None,
        "sealed": None,
        "actor": "office:abc",
        "today": TODAY,
    }
    return Complaint.receive(**(spec | overrides))


def dispatched(complaint: Complaint) -> Complaint:
    complaint.dispatch(
        uuid4(), unit_jurisdiction_id=uuid4(), today=TODAY, due_on=TODAY, actor="office:abc"
    )
    return complaint


@pytest.mark.parametrize(
    ("kind", "days"), [("emergency", 0), ("consultation", 5), ("complaint", 15), ("suggestion", 15)]
)
def test_default_deadlines_by_kind(kind: str, days: int) -> None:
    assert receive(kind=kind).deadline_days == days


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channel": "微博"}, "channel"),
        ({"kind": "praise"}, "kind"),
        ({"summary": "   "}, "summary"),
        ({"summary": "诉" * 2001}, "summary"),
        ({"received_on": TODAY + timedelta(days=1)}, "received_on"),
        ({"kind": "emergency", "deadline_days": 3}, "deadline_days"),
        ({"kind": "complaint", "deadline_days": 2}, "deadline_days"),
        ({"kind": "consultation", "deadline_days": 11}, "deadline_days"),
        ({"round": 1}, "round"),
        ({"campaign_id": uuid4(), "round": 0}, "round"),
    ],
)
def test_invalid_complaints_name_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidComplaint) as raised:
        receive(**overrides)
    assert (raised.value.field, raised.value.status_code) == (field, 422)
    assert raised.value.code == "invalid_complaint"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"round": 1}, "填写轮次须同时填写 campaign_id (a round needs its campaign)"),
        ({"campaign_id": uuid4(), "round": 0}, "须在 1 至 100 之间 (must be between 1 and 100)"),
    ],
)
def test_a_round_refused_reads_chinese_first(overrides: dict[str, Any], reason: str) -> None:
    with pytest.raises(InvalidComplaint) as raised:
        receive(**overrides)
    assert raised.value.reason == reason


def test_a_deadline_may_move_within_its_bounds() -> None:
    assert receive(kind="complaint", deadline_days=20).deadline_days == 20
    assert receive(kind="emergency", deadline_days=1).deadline_days == 1


def test_steps_happen_once_and_in_order() -> None:
    complaint = receive(sealed=("n", "c", "h", "k"))
    assert complaint.summary == "办理社保转移窗口推诿，三次往返未办结"
    for step in (
        lambda: complaint.answer("已办结", today=TODAY, actor="unit:x"),
        lambda: complaint.conclude("verified", "属实", "office:abc"),
        lambda: complaint.call_back("满意", "office:abc"),
    ):
        with pytest.raises(ComplaintOutOfTurn) as raised:
            step()
        assert (raised.value.status_code, raised.value.field) == (409, "complaint_id")
    dispatched(complaint)
    with pytest.raises(ComplaintOutOfTurn):
        dispatched(complaint)
    complaint.answer(" 已约谈窗口负责人 ", today=TODAY, actor="unit:x")
    assert (complaint.status, complaint.reply) == ("replied", "已约谈窗口负责人")
    with pytest.raises(InvalidComplaint) as bad:
        complaint.conclude("true", "属实", "office:abc")
    assert bad.value.field == "outcome"
    complaint.conclude("partly_verified", " 部分属实 ", "office:abc")
    assert (complaint.outcome, complaint.outcome_reason) == ("partly_verified", "部分属实")
    with pytest.raises(InvalidComplaint) as bad:
        complaint.call_back("很满意", "office:abc")
    assert bad.value.field == "satisfaction"
    complaint.call_back("基本满意", "office:abc")
    assert (complaint.status, complaint.satisfaction) == ("closed", "基本满意")


def test_a_complaint_may_be_concluded_without_a_reply_but_not_called_back_anonymously() -> None:
    complaint = dispatched(receive())
    complaint.conclude("unfounded", "经核实不属实", "inspector:x")
    with pytest.raises(ComplaintOutOfTurn):
        complaint.call_back("满意", "office:abc")


def test_an_outcome_is_corrected_with_a_reason_as_a_new_fact() -> None:
    complaint = dispatched(receive())
    with pytest.raises(ComplaintOutOfTurn):
        complaint.correct_outcome("verified", "属实", "office:abc")
    complaint.conclude("verified", "经调取监控核实属实", "inspector:x")
    with pytest.raises(InvalidComplaint) as same:
        complaint.correct_outcome("verified", " 经调取监控核实属实 ", "office:abc")
    assert same.value.field == "outcome"
    with pytest.raises(InvalidComplaint) as blank:
        complaint.correct_outcome("unfounded", " ", "office:abc")
    assert blank.value.field == "reason"
    complaint.correct_outcome("unfounded", "复核发现监控画面系他人", "office:abc")
    assert (complaint.status, complaint.outcome, complaint.outcome_reason) == (
        "concluded",
        "unfounded",
        "复核发现监控画面系他人",
    )
    assert complaint.concluded_by == "inspector:x"  # who concluded; the correction is history
    *_, concluded, corrected = complaint.collect_events()
    published = to_payload(corrected)
    assert isinstance(published, contract.ComplaintConcluded)
    assert (published.outcome, published.reason, published.actor) == (
        "unfounded",
        "复核发现监控画面系他人",
        "office:abc",
    )
    assert published.complaint_id == complaint.id == concluded.originator_id


def test_hotline_appearance_validates() -> None:
    spec: dict[str, Any] = {
        "unit_id": uuid4(),
        "jurisdiction_id": uuid4(),
        "campaign_id": uuid4(),
        "round": 1,
        "appeared_on": TODAY,
        "topic": "  ",
        "actor": "office:abc",
        "today": TODAY,
    }
    assert HotlineAppearance.record(**spec).topic is None
    # Its own error, not a complaint's: an appearance is not a complaint.
    with pytest.raises(InvalidHotlineAppearance) as raised:
        HotlineAppearance.record(**(spec | {"appeared_on": TODAY + timedelta(days=1)}))
    assert (raised.value.code, raised.value.field) == ("invalid_hotline_appearance", "appeared_on")
    assert raised.value.reason == "不能晚于今天 (lies in the future)"
    with pytest.raises(InvalidHotlineAppearance) as raised:
        HotlineAppearance.record(**(spec | {"campaign_id": None}))
    assert raised.value.field == "round"


def test_a_hotline_appearance_lies_within_its_campaign_round() -> None:
    spec: dict[str, Any] = {
        "unit_id": uuid4(),
        "jurisdiction_id": uuid4(),
        "campaign_id": uuid4(),
        "round": 1,
        "appeared_on": date(2026, 5, 12),
        "topic": "社保服务专场",
        "actor": "office:abc",
        "today": date(2026, 11, 30),
    }
    first_half = Window(date(2026, 1, 1), date(2026, 6, 30))
    assert HotlineAppearance.record(**spec, window=first_half).appeared_on == "2026-05-12"
    second_half = Window(date(2026, 7, 1), date(2026, 12, 31))
    with pytest.raises(InvalidHotlineAppearance) as raised:
        HotlineAppearance.record(**spec, window=second_half)
    assert raised.value.field == "appeared_on"
    assert raised.value.reason == (
        "不在评议活动本轮期间 2026-07-01 至 2026-12-31 内 "
        "(lies outside the campaign round (2026-07-01 to 2026-12-31))"
    )


def test_a_complaint_counted_toward_a_round_was_received_within_it() -> None:
    """As a hotline appearance: a complaint received in 2020 counts in no 2026 round."""
    counted = {"campaign_id": uuid4(), "round": 1, "today": date(2026, 11, 30)}
    first_half = Window(date(2026, 1, 1), date(2026, 6, 30))
    assert receive(**counted, window=first_half).received_on == "2026-05-12"
    assert receive(**counted, window=first_half, received_on=date(2026, 1, 1)).round == 1
    for day in (date(2020, 5, 12), date(2025, 12, 31), date(2026, 7, 1)):
        with pytest.raises(InvalidComplaint) as raised:
            receive(**counted, window=first_half, received_on=day)
        assert (raised.value.code, raised.value.field) == ("invalid_complaint", "received_on")
        assert raised.value.reason == (
            "不在评议活动本轮期间 2026-01-01 至 2026-06-30 内 "
            "(lies outside the campaign round (2026-01-01 to 2026-06-30))"
        )


def test_an_emergency_deadline_outside_its_bounds_reads_well() -> None:
    with pytest.raises(InvalidComplaint) as raised:
        deadline_for("emergency", 5, DEFAULT_DEADLINES)
    assert raised.value.reason == (
        "紧急类须在 0 至 1 个工作日内答复 (an emergency is answered in 0 to 1 working days)"
    )
    with pytest.raises(InvalidComplaint) as raised:
        deadline_for("complaint", 1, DEFAULT_DEADLINES)
    assert raised.value.reason == (
        "投诉类须在 5 至 30 个工作日内答复 (a complaint is answered in 5 to 30 working days)"
    )


def test_events_stored_under_looser_rules_still_load() -> None:
    app = InspectionService(IN_MEMORY)
    received = created(
        Complaint,
        Complaint.Received,
        jurisdiction_id=uuid4(),
        unit_id=None,
        campaign_id=None,
        round=None,
        channel="微博",  # no longer a channel
        kind="complaint",
        summary="   ",
        received_on=(TODAY + timedelta(days=400)).isoformat(),
        deadline_days=99,
        anonymous=True,
        complainant_name_sealed=None,
        complainant_contact_sealed=None,
        complainant_contact_hash=None,
        key_id=None,
        actor="office:abc",
    )
    context = {"unit_id": uuid4(), "jurisdiction_id": received.jurisdiction_id}
    context |= {"campaign_id": None, "round": None}
    sent = following(
        received,
        Complaint.Dispatched,
        **context,
        unit_jurisdiction_id=uuid4(),
        dispatched_on=TODAY.isoformat(),
        due_on=(TODAY - timedelta(days=3)).isoformat(),
        actor="office:abc",
    )
    concluded = following(
        sent, Complaint.Concluded, **context, outcome="verified", reason="", actor="x"
    )
    called = following(
        concluded, Complaint.CallbackRecorded, **context, satisfaction="满意", actor="x"
    )
    # The same outcome again with a blank reason: today's command refuses both.
    corrected = following(
        called, Complaint.OutcomeCorrected, **context, outcome="verified", reason="", actor="y"
    )
    store(app, received, sent, concluded, called, corrected)
    loaded = app.complaint(received.originator_id)
    assert (loaded.status, loaded.deadline_days, loaded.satisfaction) == ("closed", 99, "满意")
    assert (loaded.outcome, loaded.outcome_reason, loaded.concluded_by) == ("verified", "", "x")


def test_named_complainants_are_sealed_and_shown_masked() -> None:
    app = InspectionService(IN_MEMORY)
    out = app.receive_complaint(
        OFFICE,
        jurisdiction_id=uuid4(),
        unit_id=None,
        campaign_id=None,
        round=None,
        channel="12345热线",
        kind="consultation",
        summary="咨询社保转移手续",
        received_on=today(),
        deadline_days=None,
        complainant={"name": "张三丰", "contact": "+86 138-0000-5678"},
        key=None,
    )
    assert out["complainant"] == {"name": "张**", "contact": "138****5678"}
    complaint = app.complaint(UUID(out["complaint_id"]))
    stored = [repr(e) for e in app.events.get(complaint.id)]
    assert not any("张三丰" in s or "13800005678" in s for s in stored)
    assert complaint.complainant_contact_hash is not None
    without = app.describe_complaint(complaint, complainant=False)
    assert without["complainant"] is None
    with pytest.raises(InvalidComplaint) as raised:
        app.receive_complaint(
            OFFICE,
            jurisdiction_id=uuid4(),
            unit_id=None,
            campaign_id=None,
            round=None,
            channel="网络",
            kind="complaint",
            summary="投诉",
            received_on=today(),
            deadline_days=None,
            complainant={"name": "李四", "contact": "12"},
            key=None,
        )
    assert raised.value.field == "complainant.contact"


def test_dispatch_counts_working_days_on_the_calendar(tmp_path: Path) -> None:
    calendar = tmp_path / "calendar.yaml"
    day = today()
    # Every day of the next month a holiday but one weekday from the 3rd on (a weekend day
    # is no working day whatever the file says): 1 working day ends there.
    open_day = next(
        day + timedelta(days=n) for n in range(3, 10) if (day + timedelta(days=n)).weekday() < 5
    )
    holidays = [
        day + timedelta(days=n) for n in range(1, 40) if day + timedelta(days=n) != open_day
    ]
    calendar.write_text(
        "holidays: [" + ", ".join(d.isoformat() for d in holidays) + "]\n", encoding="utf-8"
    )
    app = InspectionService({**IN_MEMORY, "PINGYI_INSPECTION_CALENDAR": str(calendar)})
    assert isinstance(app, Commands)
    out = app.receive_complaint(
        OFFICE,
        jurisdiction_id=uuid4(),
        unit_id=None,
        campaign_id=None,
        round=None,
        channel="政风行风热线",
        kind="emergency",
        summary="停电无人抢修",
        received_on=day,
        deadline_days=1,
        complainant=None,
        key=None,
    )
    sent = app.dispatch_complaint(
        OFFICE, UUID(out["complaint_id"]), unit_id=uuid4(), unit_jurisdiction_id=uuid4(), key=None
    )
    assert (sent["dispatched_on"], sent["due_on"]) == (day.isoformat(), open_day.isoformat())


def test_every_event_maps_to_its_contract_without_personal_data() -> None:
    campaign = uuid4()
    complaint = receive(campaign_id=campaign, round=2, sealed=("n", "c", "h", "k"))
    unit, located = uuid4(), uuid4()
    complaint.dispatch(
        unit, unit_jurisdiction_id=located, today=TODAY, due_on=TODAY, actor="office:abc"
    )
    complaint.answer("已整改", today=TODAY, actor="unit:x")
    complaint.conclude("verified", "经核实属实", "inspector:y")
    complaint.call_back("不满意", "office:abc")
    appearance = HotlineAppearance.record(
        unit_id=unit,
        jurisdiction_id=located,
        campaign_id=campaign,
        round=2,
        appeared_on=TODAY,
        topic="社保服务专场",
        actor="office:abc",
        today=TODAY,
    )
    payloads = [to_payload(e) for e in [*complaint.collect_events(), *appearance.collect_events()]]
    kinds = [type(p) for p in payloads]
    assert kinds == [
        contract.ComplaintReceived,
        contract.ComplaintDispatched,
        contract.ComplaintReplied,
        contract.ComplaintConcluded,
        contract.ComplaintCallbackRecorded,
        contract.HotlineAppeared,
    ]
    for payload in payloads:
        dumped = payload.model_dump() if payload else {}
        assert (dumped["campaign_id"], dumped["round"]) == (campaign, 2)
        assert not {"name", "contact", "complainant"} & set(dumped)
    received, sent, _, concluded, _, appeared = payloads
    assert isinstance(received, contract.ComplaintReceived) and received.anonymous is False
    assert isinstance(sent, contract.ComplaintDispatched)
    assert (sent.unit_id, sent.unit_jurisdiction_id) == (unit, located)
    assert isinstance(concluded, contract.ComplaintConcluded)
    assert (concluded.unit_id, concluded.outcome, concluded.reason) == (
        unit,
        "verified",
        "经核实属实",
    )
    assert concluded.actor == "inspector:y"
    assert isinstance(appeared, contract.HotlineAppeared) and appeared.unit_id == unit
