"""The PostgreSQL statements of `shared.persistence.aggregate_reads`: many originators' rows
in one statement, the ids sent as one array. Apart from it so that memory and SQLite modes
never import psycopg. Like our recorders' reads, a lost connection is retried, a pool timeout
is not (`retry_lost_connection`)."""

from __future__ import annotations

import functools
from typing import Any
from uuid import UUID

from eventsourcing.persistence import AggregateRecorder, StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from psycopg import sql

from shared.persistence.postgres import retry_lost_connection


def as_postgres(recorder: AggregateRecorder) -> PostgresAggregateRecorder:
    assert isinstance(recorder, PostgresAggregateRecorder), recorder  # `_batched` chose it
    return recorder


@functools.lru_cache(maxsize=64)
def _statements(schema: str, table: str, id_type: str) -> tuple[bytes, bytes]:
    """(latest row of each id, rows of each id above a version), composed once: a lookup of
    one or two ids is as frequent as the library's own `select_events`, and as cheap."""
    names = {
        "table": sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table)),
        "ids": sql.SQL("%s::{}[]").format(sql.Identifier(id_type)),
    }
    # Per id, the library's own `ORDER BY originator_version DESC LIMIT 1` on the primary
    # key's index.
    latest = sql.SQL(
        "SELECT s.originator_id, s.originator_version, s.topic, s.state "
        "FROM unnest({ids}) AS w(id) CROSS JOIN LATERAL ("
        "SELECT originator_id, originator_version, topic, state FROM {table} "
        "WHERE originator_id = w.id ORDER BY originator_version DESC LIMIT 1) s"
    ).format(**names)
    above = sql.SQL(
        "SELECT e.originator_id, e.originator_version, e.topic, e.state "
        "FROM unnest({ids}, %s::bigint[]) AS w(id, above) "
        "JOIN {table} e ON e.originator_id = w.id "
        "WHERE w.above IS NULL OR e.originator_version > w.above "
        "ORDER BY e.originator_id, e.originator_version"
    ).format(**names)
    return latest.as_bytes(), above.as_bytes()


def _prepared(recorder: PostgresAggregateRecorder) -> tuple[bytes, bytes]:
    store = recorder.datastore
    return _statements(store.schema, recorder.events_table_name, store.originator_id_type)


def _ids(recorder: PostgresAggregateRecorder, wanted: list[UUID]) -> list[Any]:
    as_uuid = recorder.datastore.originator_id_type == "uuid"
    return [key if as_uuid else str(key) for key in wanted]


@retry_lost_connection
def latest_rows(recorder: PostgresAggregateRecorder, wanted: list[UUID]) -> list[StoredEvent]:
    """Each id's row of the highest version (none for an id without rows)."""
    return _select(recorder, _prepared(recorder)[0], [_ids(recorder, wanted)])


@retry_lost_connection
def event_rows(
    recorder: PostgresAggregateRecorder, wanted: list[UUID], after: dict[UUID, int]
) -> list[StoredEvent]:
    """Each id's rows above `after[id]` (all of them when it has none), by id and version."""
    params = [_ids(recorder, wanted), [after.get(key) for key in wanted]]
    return _select(recorder, _prepared(recorder)[1], params)


def _select(
    recorder: PostgresAggregateRecorder, statement: bytes, params: list[Any]
) -> list[StoredEvent]:
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(statement, params, prepare=True)
        return [
            StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=bytes(row["state"]),
            )
            for row in curs.fetchall()
        ]
