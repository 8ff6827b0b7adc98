"""Message bodies stored with the events, in SQLite and PostgreSQL: written in the saving
transaction (empty for internal events), read back as the relay publishes them, and a log
from before the column existed keeps working — the column is added, its old rows are mapped
as before and the position chain runs on across old and new rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from shared.contracts.wire import NOT_PUBLISHED
from shared.messaging.outbox import Outbox
from shared.persistence import config
from shared.persistence.messages import MessageLog
from tests.shared.ordering_app import (
    SERVICE,
    OrderingApplication,
    open_application,
    to_payload,
)
from tests.shared.relay_support import assert_exactly_the_log


def _sqlite(path: Path, *, ours: bool, publish: bool) -> OrderingApplication:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
    if ours:
        env["APPLICATION_RECORDER_TOPIC"] = config.SQLITE_APPLICATION_RECORDER_TOPIC
    app = OrderingApplication(env)
    if publish:
        app.publish_as(SERVICE, to_payload)
    return app


def _bodies(app: OrderingApplication) -> list[bytes | None]:
    recorder = app.recorder
    assert isinstance(recorder, MessageLog)
    return [row[5] for row in recorder.select_log_rows(1, 1000)]


def _assert_read_like_mapping(app: OrderingApplication) -> None:
    """The outbox over the stored bodies gives exactly the messages of the mapping."""
    stored = list(Outbox(SERVICE, app, to_payload).iterate())
    mapped = list(Outbox(SERVICE, app, to_payload, stored_bodies=False).iterate())
    assert [m.encode() for m in stored] == [m.encode() for m in mapped]
    assert_exactly_the_log(stored, mapped)


def test_sqlite_stores_a_body_per_event_and_none_for_internal_ones(tmp_path: Path) -> None:
    app = _sqlite(tmp_path / "log.sqlite", ours=True, publish=True)
    app.write([True, False, True], 0)
    bodies = _bodies(app)
    assert bodies[1] == NOT_PUBLISHED
    assert bodies[0] and bodies[0].startswith(b'{"event_type":"ordering.note.written"')
    _assert_read_like_mapping(app)
    app.close()


def test_an_sqlite_log_from_before_the_column_gets_it_and_keeps_its_chain(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite"
    old = _sqlite(path, ours=False, publish=False)  # the library's own recorder: no column
    old.write([True, False, True, True], 0)
    old.close()
    with sqlite3.connect(path) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(stored_events)")]
    assert "message" not in columns

    app = _sqlite(path, ours=True, publish=True)
    app.write([False, True, True], 4)
    assert _bodies(app)[:4] == [None] * 4
    assert all(body is not None for body in _bodies(app)[4:])
    _assert_read_like_mapping(app)
    log = list(Outbox(SERVICE, app, to_payload).iterate())
    assert [m.position for m in log] == [1, 3, 4, 6, 7]
    assert [m.previous_position for m in log] == [None, 1, 3, 4, 6]
    app.close()


@pytest.mark.infra
def test_a_postgres_log_from_before_the_column_gets_it(database_url: str) -> None:
    old = open_application(database_url, publish=False)
    old.write([True, True, False], 0)
    old.close()
    with psycopg.connect(database_url, autocommit=True) as conn:  # the table as it was before
        conn.execute(f"ALTER TABLE {SERVICE}.orderingapplication_events DROP COLUMN message")

    app = open_application(database_url)  # our recorder starts: the column comes back empty
    unencoded = open_application(database_url, publish=False)  # e.g. an old replica
    app.write([True, False], 3)
    unencoded.write([True], 5)
    app.write([True], 6)
    bodies = _bodies(app)
    assert bodies[:3] == [None] * 3 and bodies[5] is None
    assert bodies[3] and bodies[4] == NOT_PUBLISHED and bodies[6]
    _assert_read_like_mapping(app)
    assert [m.position for m in Outbox(SERVICE, app, to_payload).iterate()] == [1, 2, 4, 6, 7]
    app.close()
    unencoded.close()
