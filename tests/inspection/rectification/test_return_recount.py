"""A deadline a return set (`working_days` on the verification) is recounted, when read, on a
year's calendar supplied later, as an issue's is: the return records the day and working
days it counted from (`Verified` v2, and the published verification's optional fields). A
return stored or published before it recorded them keeps its stored deadline, and the list's
documents folded before need no rebuild (docs/inspection.md, "Years the calendar does not
know")."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.inspection.main import InspectionService
from services.inspection.rectification.domain import RectificationOrder
from services.inspection.rectification.views import (
    HANDLERS,
    RECTIFICATIONS,
    RECTIFICATIONS_VIEW,
    deadline_count,
)
from services.inspection.workdays import WorkCalendar, china_today, library_knows
from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts import inspection_rectification as contract
from shared.settings import CommonSettings
from shared.views.memory import MemoryViewStore
from tests.harness import IN_MEMORY, Cluster
from tests.inspection.recount_helpers import (
    deadline,
    issue_through_service,
    post,
    read_both,
    reported_order,
)

NEW_FIELDS = ("deadline_counted_from", "deadline_working_days")


def _returned(cluster: Cluster, today: date, working_days: int) -> str:
    """An order issued today, reported, and returned with `working_days` for a new deadline."""
    inspection = cluster["inspection"]
    order = issue_through_service(cluster, today.isoformat(), f"{today.isoformat()}T00:00:00+08:00")
    path = f"/rectifications/{order['order_id']}"
    post(inspection, f"{path}/report", {"text": "已整改"})
    verification = {"outcome": "returned", "reason": "材料不全", "working_days": working_days}
    returned = post(inspection, f"{path}/verification", verification)
    assert returned["status"] == "returned"
    return str(returned["order_id"])


def _read(cluster: Cluster, order_id: str) -> list[tuple[Any, ...]]:
    """The deadline of the order as read from the store and as listed from the view."""
    return [deadline(order) for order in read_both(cluster, order_id)]


@pytest.mark.parametrize("common", ["embedded"], indirect=True)
def test_a_returns_deadline_moves_once_the_years_calendar_is_supplied(
    common: CommonSettings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The return counts from today (China): enough working days to reach into next year,
    # whose holidays no installed chinesecalendar knows yet (counted Monday to Friday).
    today, weekdays = china_today(), WorkCalendar()
    following = today.year + 1
    days = 2 + next(
        n for n in range(1, 367) if weekdays.add_working_days(today, n).year > today.year
    )
    stored = weekdays.add_working_days(today, days)
    monkeypatch.delenv("PINGYI_INSPECTION_CALENDAR", raising=False)
    with Cluster(common, ["registry", "inspection"]) as cluster:
        order_id = _returned(cluster, today, days)
        basis = "calendar" if library_knows(following) else "weekdays_only"
        years = weekdays.years_counted(today, stored)
        assert (
            _read(cluster, order_id) == [(stored.isoformat(), stored.isoformat(), basis, years)] * 2
        )

    # The office supplies both years (1 January of each), and the stored day is a day off
    # in the file: the return's working days counted again end later.
    file = tmp_path / "calendar.yaml"
    listed = [date(today.year, 1, 1), date(following, 1, 1), stored]
    file.write_text(f"holidays: [{', '.join(d.isoformat() for d in listed)}]\n", encoding="utf-8")
    monkeypatch.setenv("PINGYI_INSPECTION_CALENDAR", str(file))
    calendar = WorkCalendar.from_file(file)
    moved = calendar.add_working_days(today, days)
    assert moved > stored
    with Cluster(common, ["registry", "inspection"]) as cluster:
        recounted = (moved.isoformat(), stored.isoformat(), "calendar")
        expected = (*recounted, calendar.years_counted(today, moved))
        assert _read(cluster, order_id) == [expected, expected]


def _renewed() -> RectificationOrder:
    """Issued Monday 2 June 2003 (a year chinesecalendar does not carry), reported, and
    returned on Tuesday 3 June with 1 working day: due Wednesday 4 June, counted on weekdays."""
    order = reported_order(date(2003, 6, 2))
    order.verify("returned", "材料不全", 1, "office:a", date(2003, 6, 3), WorkCalendar())
    return order


def _stored_returns(app: InspectionService, *, before_v2: bool) -> RectificationOrder:
    """The order's events stored as this code writes them, or as the code before the return
    recorded its count wrote the return (v1: neither field, no class_version)."""
    order = _renewed()
    records = [app.mapper.to_stored_event(event) for event in order.collect_events()]
    verified = records[-1]
    state = app.mapper.transcoder.decode(verified.state)
    assert (state["class_version"], state["deadline_working_days"]) == (2, 1)
    if before_v2:
        for name in ("class_version", *NEW_FIELDS):
            state.pop(name)
        records[-1] = replace(verified, state=app.mapper.transcoder.encode(state))
    app.recorder.insert_events(records)
    return app.rectification(order.id)


def test_an_old_stored_return_keeps_its_stored_deadline(tmp_path: Path) -> None:
    file = tmp_path / "calendar.yaml"
    file.write_text("holidays: [2003-01-01, 2003-06-04]\n", encoding="utf-8")
    calendar = WorkCalendar.from_file(file)

    app = InspectionService(IN_MEMORY)
    old = _stored_returns(app, before_v2=True)
    assert (old.status, old.returns, old.deadline) == ("returned", 1, date(2003, 6, 4))
    assert old.deadline_in_force(calendar) == date(2003, 6, 4)  # its count unknown: stands
    assert old.is_overdue(date(2003, 6, 5), calendar)

    new = _stored_returns(InspectionService(IN_MEMORY), before_v2=False)
    assert new.deadline == date(2003, 6, 4)
    assert new.deadline_in_force(calendar) == date(2003, 6, 5)  # 1 working day after 3 June
    assert not new.is_overdue(date(2003, 6, 5), calendar)


CONTEXT: dict[str, Any] = {
    "order_id": "5b0f4c2e-3a1d-4e8f-9c6b-2d7e1f0a9b31",
    "unit_id": "0c3a9e5f-7b2d-4c1e-8f6a-3b9d2e7c1a40",
    "jurisdiction_id": "7e2d1c0b-9a8f-4e7d-b6c5-4a3b2c1d0e9f",
    "finding_ids": ["1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"],
    "actor": "office:a",
}
ORDERED = CONTEXT | {
    "deadline": "2003-06-09",
    "status": "issued",
    "version": 1,
    "issued_on": "2003-06-02",
    "working_days": 5,
    "requirements": "限期整改并书面报告",
}
REPORTED = CONTEXT | {
    "deadline": "2003-06-09",
    "status": "reported",
    "version": 2,
    "text": "已整改",
    "reported_on": "2003-06-02",
}
# A return setting a new deadline, as published before it said what it counted from.
OLD_RETURN = CONTEXT | {
    "deadline": "2003-06-04",
    "status": "returned",
    "version": 3,
    "outcome": "returned",
    "reason": "材料不全",
    "verified_on": "2003-06-03",
    "second_handling": False,
}


def _message(position: int, event_type: str, payload: dict[str, Any]) -> IntegrationMessage:
    return IntegrationMessage(
        event_id=IntegrationMessage.event_id_for("inspection", position),
        event_type=event_type,
        schema_version=1,
        origin="inspection",
        position=position,
        previous_position=position - 1 if position > 1 else None,
        occurred_at=datetime(2003, 6, 3, 2, tzinfo=UTC) + timedelta(minutes=position),
        payload=payload,
    )


def _fold(views: MemoryViewStore, position: int, event_type: str, payload: dict[str, Any]) -> None:
    message = _message(position, event_type, payload)
    parsed = parse_payload(message)
    with views.transaction(RECTIFICATIONS_VIEW.name) as tx:
        HANDLERS[type(parsed)](tx, parsed, message)


def _listed(views: MemoryViewStore) -> dict[str, Any]:
    doc = views.get(RECTIFICATIONS, CONTEXT["order_id"])
    assert doc is not None
    return doc


def test_the_list_recounts_a_return_only_when_its_message_said_the_count() -> None:
    old = parse_payload(_message(3, "inspection.rectification.verified", OLD_RETURN))
    assert isinstance(old, contract.RectificationVerified)
    assert (old.deadline_counted_from, old.deadline_working_days) == (None, None)

    views = MemoryViewStore()
    views.declare(RECTIFICATIONS_VIEW.collections)
    _fold(views, 1, "inspection.rectification.ordered", ORDERED)
    assert deadline_count(_listed(views)) == ("2003-06-02", 5)
    _fold(views, 2, "inspection.rectification.reported", REPORTED)
    assert deadline_count(_listed(views)) == ("2003-06-02", 5)
    _fold(views, 3, "inspection.rectification.verified", OLD_RETURN)
    assert deadline_count(_listed(views)) is None  # stands as stored

    said = OLD_RETURN | {"version": 4, "deadline_counted_from": "2003-06-03"}
    _fold(views, 4, "inspection.rectification.verified", said | {"deadline_working_days": 1})
    assert deadline_count(_listed(views)) == ("2003-06-03", 1)


def test_documents_folded_before_the_count_was_kept_are_read_as_then() -> None:
    """No rebuild: a document of the release before (`deadline_from_issue`) or the one
    before that (neither) still says the issue's count while its deadline is the issue's."""
    base = {"issued_on": "2003-06-02", "working_days": 5, "returns": 0}
    assert deadline_count(base) == ("2003-06-02", 5)
    assert deadline_count(base | {"returns": 1}) is None
    assert deadline_count(base | {"returns": 1, "deadline_from_issue": True}) == ("2003-06-02", 5)
    assert deadline_count(base | {"deadline_from_issue": False}) is None

    # Its next change writes the count it read, so the document says it from then on.
    views = MemoryViewStore()
    views.declare(RECTIFICATIONS_VIEW.collections)
    _fold(views, 1, "inspection.rectification.ordered", ORDERED)
    doc = _listed(views)
    for name in NEW_FIELDS:
        doc.pop(name)
    with views.transaction(RECTIFICATIONS_VIEW.name) as tx:
        tx.put(RECTIFICATIONS, CONTEXT["order_id"], doc | {"deadline_from_issue": True})
    _fold(views, 2, "inspection.rectification.reported", REPORTED)
    doc = _listed(views)
    assert (doc["deadline_counted_from"], doc["deadline_working_days"]) == ("2003-06-02", 5)
