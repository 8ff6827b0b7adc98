"""SQLite event-store recorders (embedded mode) that store each event's message body with it
(`shared.persistence.messages`). Everything else is the eventsourcing library's.

Select them with the eventsourcing environment keys APPLICATION_RECORDER_TOPIC and
PROCESS_RECORDER_TOPIC (`shared.settings.eventsourcing_env` does).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import (
    SQLiteApplicationRecorder,
    SQLiteCursor,
    SQLiteDatastore,
    SQLiteProcessRecorder,
)

from shared.persistence.messages import MESSAGE_COLUMN, LogRow, bodies


class _StoredMessages(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        table = self.events_table_name
        self.insert_events_statement = (
            f"INSERT INTO {table} (originator_id, originator_version, topic, state, "
            f"{MESSAGE_COLUMN}) VALUES (?,?,?,?,?)"
        )
        self._select_rows = (
            f"SELECT rowid, originator_id, originator_version, topic, "
            f"CASE WHEN {MESSAGE_COLUMN} IS NULL THEN state END, {MESSAGE_COLUMN} "
            f"FROM {table} WHERE rowid >= ? "
        )

    def _create_table(self, c: SQLiteCursor) -> None:
        super()._create_table(c)
        c.execute(f"PRAGMA table_info({self.events_table_name})")
        if any(row["name"] == MESSAGE_COLUMN for row in c.fetchall()):
            return
        try:
            c.execute(f"ALTER TABLE {self.events_table_name} ADD COLUMN {MESSAGE_COLUMN} BLOB")
        except sqlite3.OperationalError as error:
            # Another opener of the same file (`pingyi up` opens a log from several services
            # at once) added it between our look and our change.
            if "duplicate column" not in str(error):
                raise

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        returning = []
        for event, message in zip(stored_events, bodies(stored_events, kwargs), strict=True):
            originator_id = event.originator_id
            c.execute(
                self.insert_events_statement,
                (
                    originator_id.hex if isinstance(originator_id, UUID) else originator_id,
                    event.originator_version,
                    event.topic,
                    event.state,
                    message,
                ),
            )
            returning.append(c.lastrowid)
        return returning

    def select_log_rows(self, start: int, limit: int, stop: int | None = None) -> list[LogRow]:
        statement, params = (
            (self._select_rows + "ORDER BY rowid LIMIT ?", (start, limit))
            if stop is None
            else (self._select_rows + "AND rowid <= ? ORDER BY rowid LIMIT ?", (start, stop, limit))
        )
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, params)
            return [
                (
                    row[0],
                    self.convert_originator_id(row[1]) if row[5] is None else row[1],
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                )
                for row in c.fetchall()
            ]


class PingyiSQLiteApplicationRecorder(_StoredMessages):
    """The application recorder of every service's event store in embedded mode."""


class PingyiSQLiteProcessRecorder(SQLiteProcessRecorder, _StoredMessages):
    """The process recorder (events plus the upstream tracking row in one transaction)."""
