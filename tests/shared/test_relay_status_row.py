"""What /readyz says of a relay running in its own process, from the row it writes: a row
written lately by a relay whose publishes fail is not current."""

from __future__ import annotations

import time
from typing import Any

from shared.messaging.relay_status import STATUS_COLLECTION, STATUS_SCOPE, read_status
from shared.views import MemoryViewStore, ViewStore


def _row(**fields: Any) -> ViewStore:
    views: ViewStore = MemoryViewStore()
    row = {"state": "publishing", "updated_at": time.time(), "last_error": None, **fields}
    with views.transaction(STATUS_SCOPE) as tx:
        tx.put(STATUS_COLLECTION, "survey", row)
    return views


def test_a_fresh_row_of_a_publishing_relay_is_current() -> None:
    status = read_status(_row(current=True), "survey")
    assert status is not None and status["current"] is True


def test_a_fresh_row_of_a_failing_relay_is_not_current() -> None:
    failing = _row(current=False, last_error="NotFoundError: stream not found")
    status = read_status(failing, "survey")
    assert status is not None and status["current"] is False
    assert status["last_error"] == "NotFoundError: stream not found"


def test_a_row_written_before_rows_said_current_goes_by_its_last_error() -> None:
    status = read_status(_row(last_error="TimeoutError: no ack"), "survey")
    assert status is not None and status["current"] is False
    status = read_status(_row(), "survey")
    assert status is not None and status["current"] is True


def test_an_old_row_is_not_current_whatever_it_says() -> None:
    status = read_status(_row(current=True, updated_at=time.time() - 60), "survey")
    assert status is not None and status["current"] is False
