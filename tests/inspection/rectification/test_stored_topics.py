"""The rectification order moved from one module into a package (domain/order.py). Events
stored before that name the old module in their topic and in the aggregate's
`originator_topic`; they must load, and publish, exactly as events stored today."""

from __future__ import annotations

from datetime import UTC, date, datetime

from eventsourcing.utils import get_topic, resolve_topic

from services.inspection.integration import to_payload
from services.inspection.main import InspectionService
from services.inspection.rectification.domain import RectificationOrder
from services.inspection.workdays import WorkCalendar
from shared.contracts import inspection_rectification as contract
from tests.harness import IN_MEMORY
from tests.inspection.recount_helpers import issued_order
from tests.stored_events import store, store_as_before_the_split

OLD_MODULE = "services.inspection.rectification.domain"
ISSUED = date(2026, 3, 2)
LATER = date(2026, 4, 1)
CALENDAR = WorkCalendar.from_file(None)


def _order_through_every_step() -> RectificationOrder:
    order = issued_order(ISSUED, datetime(2026, 3, 1, 9, tzinfo=UTC), calendar=CALENDAR)
    order.escalate("催办", "逾期未报", None, "office:a", LATER, CALENDAR)
    order.report_done("已安排专人值守", LATER, "unit:b", LATER)
    order.verify("returned", "未见制度", None, "office:a", LATER, CALENDAR)
    order.report_done("已建立值守制度", LATER, "unit:b", LATER)
    order.verify("returned", "制度未落实", 3, "office:a", LATER, CALENDAR)
    order.report_done("值守制度已落实", LATER, "unit:b", LATER)
    order.verify("accepted", "复查合格", None, "office:a", LATER, CALENDAR)
    order.rerate("满意", "评议代表五人", "回访满意", "office:a", LATER)
    return order


def test_events_stored_under_the_old_module_load_as_before() -> None:
    app = InspectionService(IN_MEMORY)
    order = _order_through_every_step()
    store_as_before_the_split(app, OLD_MODULE, *order.collect_events())
    loaded = app.rectification(order.id)
    assert loaded.version == 9
    assert (loaded.status, loaded.returns, loaded.second_handling) == ("accepted", 2, True)
    assert (loaded.escalation, loaded.rating, loaded.due) == ("催办", "满意", order.due)
    assert loaded.report == "值守制度已落实"


def test_events_stored_under_the_old_module_publish_their_contracts() -> None:
    app = InspectionService(IN_MEMORY)
    store_as_before_the_split(app, OLD_MODULE, *_order_through_every_step().collect_events())
    stored = app.recorder.select_notifications(start=1, limit=20)
    assert all(n.topic.startswith(f"{OLD_MODULE}:RectificationOrder.") for n in stored)
    published = [to_payload(app.mapper.to_domain_event(n)) for n in stored]
    reported, verified = contract.RectificationReported, contract.RectificationVerified
    assert [type(p) for p in published] == [
        contract.RectificationOrdered,
        contract.RectificationEscalated,
        *[reported, verified] * 3,
        contract.RectificationRerated,
    ]


def test_events_keep_the_topics_they_are_stored_under() -> None:
    """The order's checks moved to transitions.py; the events stayed nested in the aggregate
    of domain/order.py, so every event stored since the split still names its class."""
    events = _order_through_every_step().collect_events()
    topics = {get_topic(type(e)) for e in events}
    assert topics == {
        f"{OLD_MODULE}.order:RectificationOrder.{name}"
        for name in ("Issued", "Escalated", "Reported", "Verified", "Rerated")
    }
    assert get_topic(RectificationOrder.Withdrawn) == (
        f"{OLD_MODULE}.order:RectificationOrder.Withdrawn"
    )
    assert all(resolve_topic(get_topic(type(e))) is type(e) for e in events)


def test_facts_declared_in_events_module_store_and_load_under_the_aggregates_topics() -> None:
    """What each event holds and assigns moved to domain/events.py; the aggregate nests a
    subclass of each, so an order's events are stored under the same topics as when they
    were declared inline (literal below, as stored rows hold them), load from those rows,
    and stay `RectificationOrder.Fact`s."""
    app = InspectionService(IN_MEMORY)
    order = _order_through_every_step()
    withdrawn = issued_order(
        ISSUED,
        datetime(2026, 3, 1, 9, tzinfo=UTC),
        unit=order.unit_id,
        county=order.jurisdiction_id,
        requirements="限期整改",
        calendar=CALENDAR,
    )
    withdrawn.withdraw("通知书误发", "office:a", LATER)
    store(app, *order.collect_events(), *withdrawn.collect_events())
    stored = app.recorder.select_notifications(start=1, limit=20)
    prefix = "services.inspection.rectification.domain.order:RectificationOrder."
    assert [n.topic.removeprefix(prefix) for n in stored] == [
        "Issued",
        "Escalated",
        *["Reported", "Verified"] * 3,
        "Rerated",
        "Issued",
        "Withdrawn",
    ]
    assert app.rectification(order.id).rating == "满意"
    loaded = app.rectification(withdrawn.id)
    assert (loaded.status, loaded.withdrawn_reason) == ("withdrawn", "通知书误发")
    later = [app.mapper.to_domain_event(n) for n in stored if not n.topic.endswith("Issued")]
    assert all(isinstance(e, RectificationOrder.Fact) for e in later)
