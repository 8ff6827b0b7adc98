"""Our PostgreSQL recorders against a real database: a 9 MB insert completes without
pipeline mode (which hangs on it with psycopg 3.3.9), ids come back in insert order across
chunks, a conflict writes nothing, and the watchdog ends a write session that overruns."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    ProcessRecorder,
    StoredEvent,
    Tracking,
)
from eventsourcing.postgres import PostgresFactory
from eventsourcing.utils import Environment

from shared.persistence.postgres import PingyiApplicationRecorder, PingyiProcessRecorder
from shared.persistence.watchdog import WriteTimeoutError
from shared.settings import CommonSettings, eventsourcing_env
from tests.pipeline_guard import forbid_pipeline_mode

pytestmark = pytest.mark.infra


@pytest.fixture
def factory(database_url: str) -> Iterator[PostgresFactory]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA survey")  # the runtime's view store does this first
    common = CommonSettings(mode="production", database_url=database_url)
    env = Environment("survey", eventsourcing_env(common, "survey", None))
    built = InfrastructureFactory.construct(env)
    assert isinstance(built, PostgresFactory)
    yield built
    built.close()


@pytest.fixture
def no_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    forbid_pipeline_mode(monkeypatch)


def events(count: int, state_bytes: int) -> list[StoredEvent]:
    return [StoredEvent(uuid4(), 1, "t", os.urandom(state_bytes)) for _ in range(count)]


@pytest.mark.timeout(120)
def test_a_9_mb_batch_is_inserted_without_pipeline_mode_in_order(
    factory: PostgresFactory, no_pipeline: None
) -> None:
    recorder = factory.application_recorder()
    assert isinstance(recorder, PingyiApplicationRecorder)
    batch = events(1000, 9 * 1024)  # 1,000 questionnaires of 80 ratings weigh about this

    ids = recorder.insert_events(batch)

    assert ids == list(range(1, 1001))
    stored = recorder.select_notifications(start=None, limit=2000)
    assert [(n.originator_id, n.state) for n in stored] == [
        (e.originator_id, e.state) for e in batch
    ]
    assert recorder.watchdog.completed == 1 and not recorder.watchdog.in_flight()


def test_small_chunks_keep_insert_order_and_a_late_conflict_writes_nothing(
    factory: PostgresFactory, no_pipeline: None
) -> None:
    recorder = factory.application_recorder()
    assert isinstance(recorder, PingyiApplicationRecorder)
    recorder.max_statement_bytes = 10 * 1024  # about ten events per statement
    first = events(95, 1024)
    assert recorder.insert_events(first) == list(range(1, 96))

    clash = [*events(40, 1024), first[-1]]  # the conflict is in the last statement
    with pytest.raises(IntegrityError):
        recorder.insert_events(clash)

    assert recorder.max_notification_id() == 95
    assert recorder.select_events(clash[0].originator_id) == []
    assert recorder.insert_events(events(3, 10)) is not None


def test_the_process_recorder_writes_tracking_and_events_together(
    factory: PostgresFactory, no_pipeline: None
) -> None:
    recorder = factory.process_recorder()
    assert isinstance(recorder, PingyiProcessRecorder) and isinstance(recorder, ProcessRecorder)
    assert recorder.insert_events(events(2, 100), tracking=Tracking("registry", 7)) == [1, 2]
    assert recorder.insert_events([], tracking=Tracking("registry", 8)) is None
    assert recorder.max_tracking_id("registry") == 8

    with pytest.raises(IntegrityError):  # a position already applied: nothing is written
        recorder.insert_events(events(1, 100), tracking=Tracking("registry", 8))
    assert recorder.max_notification_id() == 2


def test_the_watchdog_ends_a_write_that_overruns_and_the_next_write_succeeds(
    factory: PostgresFactory, database_url: str
) -> None:
    recorder = factory.application_recorder()
    assert isinstance(recorder, PingyiApplicationRecorder)
    # The server-side bounds are long here, so only the watchdog can end the wait.
    recorder.configure(statement_timeout=60, stall_after=0.2, terminate_after=1.0)
    outcome: dict[str, BaseException] = {}

    def write() -> None:
        try:
            recorder.insert_events(events(1, 10))
        except BaseException as exc:
            outcome["error"] = exc

    with psycopg.connect(database_url) as holder:
        holder.execute("LOCK TABLE survey.survey_events IN EXCLUSIVE MODE")
        writer = threading.Thread(target=write)
        writer.start()
        writer.join(timeout=30)  # the lock timeout (10 s) would end it later than this
        assert not writer.is_alive()
        holder.rollback()

    assert isinstance(outcome.get("error"), WriteTimeoutError)
    assert recorder.watchdog.terminated == 1 and recorder.watchdog.timed_out == 1
    assert recorder.insert_events(events(1, 10)) == [1]


def _compression(conn: psycopg.Connection[tuple[object, ...]]) -> dict[object, object]:
    rows = conn.execute(
        "SELECT a.attname, a.attcompression FROM pg_attribute a"
        " JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'survey' AND c.relname = 'survey_events'"
        " AND a.attname IN ('state', 'message')"
    ).fetchall()
    return dict(rows)


def test_message_bodies_are_compressed_with_lz4(
    factory: PostgresFactory, database_url: str
) -> None:
    """A part's body and state (about 100 KB each) cost the server a tenth of the CPU to
    store with lz4; a table made before (pglz) is switched when the service starts, and
    its rows read the same either way."""
    recorder = factory.application_recorder()
    assert isinstance(recorder, PingyiApplicationRecorder)
    body = b'{"event_type":"survey.batch.recorded"' + b'"0123456789ABCDEF",' * 5000
    with psycopg.connect(database_url, autocommit=True) as conn:
        assert _compression(conn) == {"state": "l", "message": "l"}
        conn.execute("ALTER TABLE survey.survey_events ALTER COLUMN message SET COMPRESSION pglz")
        insert = (
            "INSERT INTO survey.survey_events (originator_id, originator_version, topic, state,"
            " message) VALUES (%s, 1, 't', '', %s) RETURNING notification_id"
        )
        old = conn.execute(insert, (uuid4(), body)).fetchone()
        recorder.create_table()  # as at the next start
        assert _compression(conn) == {"state": "l", "message": "l"}
        new = conn.execute(insert, (uuid4(), body)).fetchone()
        assert old is not None and new is not None
        found = conn.execute(
            "SELECT pg_column_compression(message), message FROM survey.survey_events"
            " WHERE notification_id = ANY(%s) ORDER BY notification_id",
            ([old[0], new[0]],),
        ).fetchall()
    assert [(method, bytes(stored)) for method, stored in found] == [
        ("pglz", body),
        ("lz4", body),
    ]


def test_a_busy_table_starts_the_service_all_the_same(
    factory: PostgresFactory, database_url: str
) -> None:
    """Switching to lz4 waits a moment for the table, never the service's start: while an
    older replica holds the table, the start goes on with pglz and the next one switches."""
    recorder = factory.application_recorder()
    assert isinstance(recorder, PingyiApplicationRecorder)
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE survey.survey_events ALTER COLUMN message SET COMPRESSION pglz")
        with psycopg.connect(database_url) as busy:
            busy.execute("SELECT count(*) FROM survey.survey_events")  # holds its lock
            recorder.create_table()
            assert _compression(conn) == {"state": "l", "message": "p"}
        recorder.create_table()
        assert _compression(conn) == {"state": "l", "message": "l"}
