"""Adding withdrawal changed no stored or published shape: rectification messages published
before it (written out here as they were on the wire) decode to the same contracts with the
same values, the withdrawal is a message of its own (`inspection.rectification.withdrawn`
v1), and an order whose events were stored before withdrawal existed loads and can be
withdrawn."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest

from services.inspection.integration import to_payload
from services.inspection.main import InspectionService
from services.inspection.workdays import WorkCalendar
from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts import inspection_rectification as contract
from tests.harness import IN_MEMORY
from tests.inspection.recount_helpers import issued_order
from tests.stored_events import store_as_before_the_split

ORDER = "5b0f4c2e-3a1d-4e8f-9c6b-2d7e1f0a9b31"
CONTEXT: dict[str, Any] = {
    "order_id": ORDER,
    "unit_id": "0c3a9e5f-7b2d-4c1e-8f6a-3b9d2e7c1a40",
    "jurisdiction_id": "7e2d1c0b-9a8f-4e7d-b6c5-4a3b2c1d0e9f",
    "finding_ids": ["1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9"],
    "deadline": "2025-01-10",
    "actor": "inspector:3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a",
    "campaign_id": "c0000000-0000-4000-8000-000000000001",
    "round": 1,
}
OLD_PAYLOADS: list[tuple[str, type[Any], dict[str, Any]]] = [
    (
        "inspection.rectification.ordered",
        contract.RectificationOrdered,
        CONTEXT
        | {
            "status": "issued",
            "version": 1,
            "issued_on": "2025-01-03",
            "working_days": 5,
            "requirements": "限期整改并书面报告",
            "unit_principal_id": None,
        },
    ),
    (
        "inspection.rectification.escalated",
        contract.RectificationEscalated,
        CONTEXT
        | {
            "status": "issued",
            "version": 2,
            "step": "催办",
            "reason": "逾期未报送",
            "escalated_on": "2025-01-13",
            "person": None,
        },
    ),
    (
        "inspection.rectification.reported",
        contract.RectificationReported,
        CONTEXT
        | {"status": "reported", "version": 3, "text": "已整改", "reported_on": "2025-01-14"},
    ),
    (
        "inspection.rectification.verified",
        contract.RectificationVerified,
        CONTEXT
        | {
            "status": "accepted",
            "version": 4,
            "outcome": "accepted",
            "reason": "整改到位",
            "verified_on": "2025-01-15",
            "second_handling": False,
        },
    ),
    (
        "inspection.rectification.rerated",
        contract.RectificationRerated,
        CONTEXT
        | {
            "status": "accepted",
            "version": 5,
            "rating": "满意",
            "raters": "投诉人",
            "reason": "电话回访",
            "rated_on": "2025-01-20",
        },
    ),
]


def _message(event_type: str, version: int, payload: dict[str, Any]) -> IntegrationMessage:
    return IntegrationMessage(
        event_id=IntegrationMessage.event_id_for("inspection", 7),
        event_type=event_type,
        schema_version=version,
        origin="inspection",
        position=7,
        previous_position=4,
        occurred_at=datetime(2025, 1, 20, 2, tzinfo=UTC),
        payload=payload,
    )


@pytest.mark.parametrize(("event_type", "model", "payload"), OLD_PAYLOADS)
def test_messages_published_before_withdrawal_decode_as_they_did(
    event_type: str, model: type[Any], payload: dict[str, Any]
) -> None:
    decoded = parse_payload(_message(event_type, 1, payload))
    assert type(decoded) is model and decoded.schema_version == 1
    # Nothing lost, nothing changed; optional fields added since (the verification's
    # deadline count) are left unset, at their defaults.
    assert decoded.model_dump(mode="json", exclude_unset=True) == payload


def test_the_withdrawal_is_a_message_of_its_own_version_1() -> None:
    payload = CONTEXT | {
        "withdrawn_from": "issued",
        "reason": "通知书误发",
        "withdrawn_on": "2025-01-06",
        "version": 2,
    }
    decoded = parse_payload(_message("inspection.rectification.withdrawn", 1, payload))
    assert isinstance(decoded, contract.RectificationWithdrawn)
    assert decoded.model_dump(mode="json") == payload
    assert "withdrawn" not in contract.RECTIFICATION_STATUSES  # the others' statuses as before


def test_an_order_stored_before_withdrawal_existed_loads_and_is_withdrawn() -> None:
    app = InspectionService(IN_MEMORY)
    unit, county = UUID(CONTEXT["unit_id"]), UUID(CONTEXT["jurisdiction_id"])
    order = issued_order(
        date(2025, 1, 3), datetime(2025, 1, 2, 2, tzinfo=UTC), unit=unit, county=county
    )
    order.escalate("催办", "逾期未报", None, "office:a", date(2025, 1, 20), WorkCalendar())
    store_as_before_the_split(
        app, "services.inspection.rectification.domain", *order.collect_events()
    )
    loaded = app.rectification(order.id)
    assert (loaded.status, loaded.withdrawn_reason) == ("issued", None)
    loaded.withdraw("通知书误发", "office:a", date(2025, 1, 21))
    app.save(loaded)
    again = app.rectification(order.id)
    assert (again.status, again.withdrawn_reason, again.version) == ("withdrawn", "通知书误发", 3)
    [stored] = app.recorder.select_notifications(start=3, limit=1)
    published = to_payload(app.mapper.to_domain_event(stored))
    assert isinstance(published, contract.RectificationWithdrawn)
    assert (published.withdrawn_from, published.version) == ("issued", 3)
