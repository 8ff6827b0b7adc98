"""The complaint and hotline aggregates moved from one module into a package
(domain/complaint.py, domain/hotline.py). Events stored before that name the old module in
their topic and in the aggregate's `originator_topic`; they must load, and publish, exactly
as events stored today."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from services.inspection.complaints.domain import Complaint, HotlineAppearance
from services.inspection.integration import to_payload
from services.inspection.main import InspectionService
from shared.contracts import inspection_complaints as contract
from tests.harness import IN_MEMORY
from tests.stored_events import store_as_before_the_split

OLD_MODULE = "services.inspection.complaints.domain"
TODAY = date(2026, 5, 12)


def _closed_complaint() -> Complaint:
    complaint = Complaint.receive(
        jurisdiction_id=uuid4(),
        unit_id=None,
        campaign_id=uuid4(),
        round=1,
        channel="政风行风热线",
        kind="complaint",
        summary="办理社保转移窗口推诿",
        received_on=TODAY,
        deadline_days=None,
        sealed=("name-sealed", "contact-sealed", "contact-hash", "key-1"),
        actor="office:a",
        today=TODAY,
    )
    complaint.dispatch(
        uuid4(), unit_jurisdiction_id=uuid4(), today=TODAY, due_on=TODAY, actor="office:a"
    )
    complaint.answer("已当场办结", today=TODAY, actor="unit:b")
    complaint.conclude("verified", "经核查属实", "office:a")
    complaint.call_back("基本满意", "office:a")
    return complaint


def _appearance() -> HotlineAppearance:
    return HotlineAppearance.record(
        unit_id=uuid4(),
        jurisdiction_id=uuid4(),
        campaign_id=None,
        round=None,
        appeared_on=TODAY,
        topic="社保服务专场",
        actor="office:a",
        today=TODAY,
    )


def test_events_stored_under_the_old_module_load_as_before() -> None:
    app = InspectionService(IN_MEMORY)
    complaint, appearance = _closed_complaint(), _appearance()
    store_as_before_the_split(
        app, OLD_MODULE, *complaint.collect_events(), *appearance.collect_events()
    )
    loaded = app.complaint(complaint.id)
    assert (loaded.status, loaded.version, loaded.satisfaction) == ("closed", 5, "基本满意")
    assert (loaded.unit_id, loaded.reply, loaded.outcome) == (
        complaint.unit_id,
        "已当场办结",
        "verified",
    )
    assert loaded.complainant_contact_sealed == "contact-sealed"
    again = app.hotline_appearance(appearance.id)
    assert isinstance(again, HotlineAppearance)
    assert (again.topic, again.appeared_on) == ("社保服务专场", TODAY.isoformat())


def test_events_stored_under_the_old_module_publish_their_contracts() -> None:
    app = InspectionService(IN_MEMORY)
    store_as_before_the_split(
        app, OLD_MODULE, *_closed_complaint().collect_events(), *_appearance().collect_events()
    )
    stored = app.recorder.select_notifications(start=1, limit=20)
    assert all(n.topic.startswith(f"{OLD_MODULE}:") for n in stored)
    published = [to_payload(app.mapper.to_domain_event(n)) for n in stored]
    assert [type(p) for p in published] == [
        contract.ComplaintReceived,
        contract.ComplaintDispatched,
        contract.ComplaintReplied,
        contract.ComplaintConcluded,
        contract.ComplaintCallbackRecorded,
        contract.HotlineAppeared,
    ]
