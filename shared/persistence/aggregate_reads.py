"""Many aggregates read from the event store at once: `get_many(app, ids)`.

The eventsourcing library's `Repository.get` reads one aggregate per call: a query for its
latest snapshot (if the application keeps snapshots) and one for its events after it. A
request that judges hundreds of aggregates (an enrolment import's units) pays a round trip
for each. Here the same two reads are made for many originators at once, one query per
table (the snapshots', then the events'), on PostgreSQL and SQLite; the memory recorders, and
any recorder not known here, are read one id at a time through the repository.

Each aggregate is folded as `Repository.get` folds it, without a version (the current
state): the store's own mapper turns each stored event into a domain event (decompression,
decryption, upcasting), the latest snapshot (if any) and then the events after it are
projected with the library's `project_aggregate`. The repository's cache, if the application
has one, is neither read nor filled: the result is what a fresh `get` reconstructs.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, project_aggregate
from eventsourcing.persistence import AggregateRecorder, EventStore, StoredEvent
from eventsourcing.sqlite import SQLiteAggregateRecorder

SQLITE_IDS_PER_STATEMENT = 400
"""Ids (two parameters each) per SQLite statement: within the 999 parameters of an old
SQLite build. PostgreSQL takes them all as arrays in one statement."""

Rows = dict[UUID, list[StoredEvent]]


def get_many(app: Application[Any], ids: Iterable[UUID]) -> dict[UUID, Any]:
    """The current aggregate of each id that has events; an id without any is absent."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    snapshots = app.snapshots
    stores = [app.events] if snapshots is None else [app.events, snapshots]
    if not all(_batched(store.recorder) for store in stores):
        return _one_at_a_time(app, wanted)
    latest: Rows = {} if snapshots is None else _latest(snapshots.recorder, wanted)
    after = {key: rows[0].originator_version for key, rows in latest.items()}
    events = _events_after(app.events.recorder, wanted, after)
    found: dict[UUID, Any] = {}
    for key in wanted:
        folded = project_aggregate(
            None,
            chain(
                _domain_events(snapshots, latest.get(key, [])),
                _domain_events(app.events, events.get(key, [])),
            ),
        )
        if folded is not None:
            found[key] = folded
    return found


def _one_at_a_time(app: Application[Any], wanted: list[UUID]) -> dict[UUID, Any]:
    found: dict[UUID, Any] = {}
    for key in wanted:
        try:
            found[key] = app.repository.get(key)
        except AggregateNotFoundError:
            continue
    return found


def _domain_events(store: EventStore[Any] | None, rows: list[StoredEvent]) -> Iterator[Any]:
    if store is None:
        return iter(())
    return map(store.mapper.to_domain_event, rows)


def _postgres_module() -> Any:
    # Only loaded when a recorder of it exists: memory and SQLite modes never import psycopg.
    return sys.modules.get("eventsourcing.postgres")


def _batched(recorder: AggregateRecorder) -> bool:
    if isinstance(recorder, SQLiteAggregateRecorder):
        return True
    postgres = _postgres_module()
    return postgres is not None and isinstance(recorder, postgres.PostgresAggregateRecorder)


def _latest(recorder: AggregateRecorder, wanted: list[UUID]) -> Rows:
    """Each id's snapshot of the highest version, as `get(desc=True, limit=1)` reads it."""
    if isinstance(recorder, SQLiteAggregateRecorder):
        return _sqlite_latest(recorder, wanted)
    from shared.persistence.aggregate_reads_postgres import as_postgres, latest_rows

    return _grouped(latest_rows(as_postgres(recorder), wanted))


def _events_after(recorder: AggregateRecorder, wanted: list[UUID], after: dict[UUID, int]) -> Rows:
    """Each id's events above its snapshot's version (all of them without one), in order."""
    if isinstance(recorder, SQLiteAggregateRecorder):
        return _sqlite_events(recorder, wanted, after)
    from shared.persistence.aggregate_reads_postgres import as_postgres, event_rows

    return _grouped(event_rows(as_postgres(recorder), wanted, after))


def _grouped(rows: Iterable[StoredEvent]) -> Rows:
    grouped: Rows = {}
    for row in rows:
        grouped.setdefault(_uuid(row.originator_id), []).append(row)
    return grouped


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _chunks(wanted: Sequence[UUID]) -> Iterator[Sequence[UUID]]:
    for start in range(0, len(wanted), SQLITE_IDS_PER_STATEMENT):
        yield wanted[start : start + SQLITE_IDS_PER_STATEMENT]


def _sqlite_select(recorder: SQLiteAggregateRecorder, statement: str, params: list[Any]) -> Rows:
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(statement, params)
        return _grouped(
            StoredEvent(
                originator_id=recorder.convert_originator_id(row["originator_id"]),
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=row["state"],
            )
            for row in c.fetchall()
        )


def _sqlite_latest(recorder: SQLiteAggregateRecorder, wanted: list[UUID]) -> Rows:
    table = recorder.events_table_name
    found: Rows = {}
    for part in _chunks(wanted):
        marks = ",".join("?" * len(part))
        # The highest version of each id is found in the primary key's index alone; only
        # that row's state is read.
        statement = (
            f"SELECT t.originator_id, t.originator_version, t.topic, t.state FROM {table} t "
            f"JOIN (SELECT originator_id AS id, MAX(originator_version) AS v FROM {table} "
            f"WHERE originator_id IN ({marks}) GROUP BY originator_id) m "
            "ON t.originator_id = m.id AND t.originator_version = m.v"
        )
        found |= _sqlite_select(recorder, statement, [key.hex for key in part])
    return found


def _sqlite_events(
    recorder: SQLiteAggregateRecorder, wanted: list[UUID], after: dict[UUID, int]
) -> Rows:
    table = recorder.events_table_name
    found: Rows = {}
    for part in _chunks(wanted):
        pairs = ",".join("(?,?)" for _ in part)
        statement = (
            f"WITH w(id, above) AS (VALUES {pairs}) "
            f"SELECT e.originator_id, e.originator_version, e.topic, e.state FROM {table} e "
            "JOIN w ON e.originator_id = w.id "
            "WHERE w.above IS NULL OR e.originator_version > w.above "
            "ORDER BY e.originator_id, e.originator_version"
        )
        params = [value for key in part for value in (key.hex, after.get(key))]
        found |= _sqlite_select(recorder, statement, params)
    return found
