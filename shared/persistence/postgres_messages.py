"""The message column of our PostgreSQL events tables (`shared.persistence.messages`): the
statements that write it with the events, read it back for the relay, and add it to a table
from before it existed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from eventsourcing.persistence import OperationalError, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from psycopg import Cursor, sql
from psycopg.errors import LockNotAvailable
from psycopg.rows import DictRow, tuple_row

from shared.persistence.messages import MESSAGE_COLUMN, LogRow

_MESSAGE = sql.Identifier(MESSAGE_COLUMN)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MessageStatements:
    insert: sql.Composed
    select: sql.Composed
    select_until: sql.Composed
    add_column: sql.Composed
    compress_lz4: sql.Composed
    """Both large columns: the event's state (a part's holds its questionnaires) and the body."""

    @classmethod
    def build(cls, datastore: PostgresDatastore, table_name: str) -> MessageStatements:
        table = sql.SQL("{}.{}").format(
            sql.Identifier(datastore.schema), sql.Identifier(table_name)
        )
        # One array per column, sent in binary: no composite type to build per row, and no
        # hex-escaping of every byte of state and body (in text format that cost the client
        # about 17 µs of CPU per kilobyte, and the server more).
        insert = sql.SQL(
            "INSERT INTO {table} (originator_id, originator_version, topic, state, {message}) "
            "SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[], "
            "%b::bytea[]) RETURNING notification_id"
        ).format(
            table=table, message=_MESSAGE, id_type=sql.Identifier(datastore.originator_id_type)
        )
        # The stored state is only needed where there is no body to publish.
        select = sql.SQL(
            "SELECT notification_id, originator_id, originator_version, topic, "
            "CASE WHEN {message} IS NULL THEN state END, {message} FROM {table} "
            "WHERE notification_id >= %s"
        ).format(table=table, message=_MESSAGE)
        order = sql.SQL(" ORDER BY notification_id LIMIT %s")
        return cls(
            insert=insert,
            select=select + order,
            select_until=select + sql.SQL(" AND notification_id <= %s") + order,
            add_column=sql.SQL(
                "ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {message} bytea"
            ).format(table=table, message=_MESSAGE),
            compress_lz4=sql.SQL(
                "ALTER TABLE {table} ALTER COLUMN state SET COMPRESSION lz4, "
                "ALTER COLUMN {message} SET COMPRESSION lz4"
            ).format(table=table, message=_MESSAGE),
        )


def insert_rows(
    curs: Cursor[DictRow],
    statements: MessageStatements,
    events: Sequence[StoredEvent],
    bodies: Sequence[bytes | None],
) -> list[int]:
    """Insert events with their bodies; their notification ids, in order."""
    columns = (
        [e.originator_id for e in events],
        [e.originator_version for e in events],
        [e.topic for e in events],
        [e.state for e in events],
        list(bodies),
    )
    curs.execute(statements.insert, columns)
    return [int(row["notification_id"]) for row in curs.fetchall()]


def add_message_column(
    datastore: PostgresDatastore,
    statements: MessageStatements,
    table_name: str,
) -> None:
    """Add the column to a table from before it (a catalogue change: old rows stay NULL).
    Looked up first, so a table that has it takes no lock at all."""
    with datastore.transaction(commit=True) as curs:
        curs.execute(
            "SELECT 1 FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = %s AND column_name = %s",
            (datastore.schema, table_name, MESSAGE_COLUMN),
        )
        if curs.fetchone() is None:
            # Never queue behind the writes for long (ALTER TABLE takes the strongest lock).
            timeout = sql.Literal(f"{datastore.lock_timeout}s")
            curs.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(timeout))
            curs.execute(statements.add_column)


def compress_messages_with_lz4(
    datastore: PostgresDatastore, statements: MessageStatements, table_name: str
) -> bool:
    """Have PostgreSQL compress new states and bodies with lz4 rather than its default pglz:
    a batch part's body (about 100 KB) cost the server 3.8 ms to store with pglz and 0.35
    ms with lz4, and its state (its questionnaires) as much again: about 7 µs of the
    server's CPU per questionnaire each (bench/README.md); reading back costs the same. Old
    rows keep their compression. A catalogue change, made only where a column is not lz4
    yet; False where the server has no lz4 (built without it, or before PostgreSQL 14),
    which changes nothing else, and where the table is too busy to change within
    `LZ4_LOCK_WAIT` (replicas of an older version writing during a rolling start): the
    next start tries again. Waiting longer would hold up every write queued behind the
    change, for a saving, never for correctness."""
    try:
        return _compress_with_lz4(datastore, statements, table_name)
    except (LockNotAvailable, OperationalError) as error:
        # The library hands psycopg's lock timeout on as its own OperationalError.
        lock_timeout = LockNotAvailable
        if not (isinstance(error, lock_timeout) or isinstance(error.__cause__, lock_timeout)):
            raise
        logger.warning("%s busy: its columns stay pglz until the next start", table_name)
        return False


LZ4_LOCK_WAIT = "1s"


def _compress_with_lz4(
    datastore: PostgresDatastore, statements: MessageStatements, table_name: str
) -> bool:
    with datastore.transaction(commit=True) as curs:
        curs.execute(
            "SELECT a.attname, a.attcompression FROM pg_attribute a"
            " JOIN pg_class c ON c.oid = a.attrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND c.relname = %s AND a.attname = ANY(%s)",
            (datastore.schema, table_name, ["state", MESSAGE_COLUMN]),
        )
        found = {row["attname"]: row["attcompression"] for row in curs.fetchall()}
        if len(found) < 2:
            return False
        if set(found.values()) == {"l"}:
            return True
        curs.execute(
            "SELECT count(*) AS n FROM pg_settings WHERE name = 'default_toast_compression'"
            " AND 'lz4' = ANY(enumvals)"
        )
        row = curs.fetchone()
        if row is None or not row["n"]:
            return False
        curs.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(LZ4_LOCK_WAIT)))
        curs.execute(statements.compress_lz4)
        return True


def select_rows(
    datastore: PostgresDatastore,
    statements: MessageStatements,
    start: int,
    limit: int,
    stop: int | None,
) -> list[LogRow]:
    statement, params = (
        (statements.select, (start, limit))
        if stop is None
        else (statements.select_until, (start, stop, limit))
    )
    with (
        datastore.get_connection() as conn,
        conn.cursor(row_factory=tuple_row, binary=True) as curs,
    ):
        curs.execute(statement, params, prepare=True)
        rows: list[LogRow] = curs.fetchall()
        return rows
