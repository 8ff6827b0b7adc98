"""A service's published messages, read straight from its stored event log, without that
service's code: the offline reader behind `pingyi audit export` and the store checks of
`pingyi replay --verify`.

Every publishing service stores, with each event, the body of the message it publishes
(`shared.persistence.messages`); the message is that body with the event id and the two
positions spliced in (`shared.contracts.wire.compose`), so these bytes are exactly what the
relay publishes and what consumers apply. Reading them needs only the table: the SQLite file
`<data_dir>/<service>.sqlite` (table `stored_events`) in embedded mode, or the table
`<schema>.<service>_events` in PostgreSQL (schema `PINGYI_<SERVICE>_POSTGRES_SCHEMA`, else
the service's name). Nothing is created: a store that is not there is an error, never an
empty log, so a command pointed at the wrong place cannot pass by reading nothing.

A row stored before the message column existed has no body (NULL); only its service's
mapping can turn it into a message, so such a row stops the reader (`UnencodedRow`), naming
its position, rather than being skipped.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from shared.contracts.wire import EncodedMessage, compose
from shared.settings import CommonSettings

__all__ = [
    "MessageLogError",
    "StoreMissing",
    "UnencodedRow",
    "has_store",
    "last_position",
    "read_bodies",
    "read_messages",
    "store_location",
]

SQLITE_TABLE = "stored_events"
PAGE = 1000


class MessageLogError(Exception):
    """The log cannot be read as asked."""


class StoreMissing(MessageLogError):
    """No event store of that service where the settings point."""


class UnencodedRow(MessageLogError):
    """A row without a stored message body: only the service's own mapping can read it."""


def schema_of(service: str) -> str:
    """The service's PostgreSQL schema, as its settings (`PINGYI_<SERVICE>_POSTGRES_SCHEMA`)
    would name it, without importing them."""
    return os.environ.get(f"PINGYI_{service.upper()}_POSTGRES_SCHEMA") or service


def store_location(common: CommonSettings, service: str) -> str:
    """Where the service's log is looked for, in words for an error message."""
    if common.mode == "production":
        return f"table {schema_of(service)}.{service}_events in {_safe_url(common)}"
    return str(_sqlite_path(common, service))


def has_store(common: CommonSettings, service: str) -> bool:
    """Whether the service's event log exists (without creating anything)."""
    _refuse_memory(common)
    if common.mode == "production":
        with psycopg.connect(common.database_url, connect_timeout=10) as conn:
            row = conn.execute("SELECT to_regclass(%s)", (_pg_table_text(service),)).fetchone()
            return row is not None and row[0] is not None
    path = _sqlite_path(common, service)
    if not path.is_file():
        return False
    with closing(_sqlite_readonly(path)) as conn:
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (SQLITE_TABLE,)
        ).fetchone()
        return found is not None


def last_position(common: CommonSettings, service: str) -> int | None:
    """The highest position in the log (published or internal), None when empty: a stop to
    read a fixed prefix with while the service goes on writing."""
    if not has_store(common, service):
        raise StoreMissing(f"no {service} event store at {store_location(common, service)}")
    if common.mode == "production":
        statement = sql.SQL("SELECT max(notification_id) FROM {}").format(
            sql.Identifier(schema_of(service), f"{service}_events")
        )
        with psycopg.connect(common.database_url, connect_timeout=10) as conn:
            row = conn.execute(statement).fetchone()
    else:
        with closing(_sqlite_readonly(_sqlite_path(common, service))) as conn:
            row = conn.execute(f"SELECT max(rowid) FROM {SQLITE_TABLE}").fetchone()
    return None if row is None or row[0] is None else int(row[0])


def read_messages(
    common: CommonSettings, service: str, *, stop: int | None = None, page: int = PAGE
) -> Iterator[EncodedMessage]:
    """The service's published messages in position order, up to and including `stop`.
    Raises `StoreMissing` when there is no log, `UnencodedRow` at a row without a body."""
    for position, previous, body in read_bodies(common, service, stop=stop, page=page):
        yield EncodedMessage(position, previous, data=compose(service, position, previous, body))


def read_bodies(
    common: CommonSettings, service: str, *, stop: int | None = None, page: int = PAGE
) -> Iterator[tuple[int, int | None, bytes]]:
    """(position, previous position, stored body) of each published message, in position
    order up to and including `stop`: for readers that decode the bodies themselves (the
    scoring engine's `decode_stored`, about twice as fast as decoding the composed bytes).
    Raises as `read_messages` does."""
    if not has_store(common, service):
        raise StoreMissing(f"no {service} event store at {store_location(common, service)}")
    rows = _pg_rows if common.mode == "production" else _sqlite_rows
    previous: int | None = None
    for position, body in rows(common, service, stop, page):
        if body is None:
            raise UnencodedRow(
                f"{service} position {position} was stored without its message body (before "
                "the message column existed); read it with the service's own code"
            )
        if not body:
            continue  # an internal event: in the log, never published
        yield position, previous, body
        previous = position


def _refuse_memory(common: CommonSettings) -> None:
    if common.mode == "memory":
        raise MessageLogError("memory mode keeps its logs inside the running process only")


def _sqlite_path(common: CommonSettings, service: str) -> Path:
    return common.data_dir / f"{service}.sqlite"


def _sqlite_readonly(path: Path) -> sqlite3.Connection:
    """Never `rwc`: a missing or mistyped path must not become a new, empty database. `rw`
    first, because only a connection that may write removes the WAL's side files when it
    closes (a read-only one leaves `-shm` and `-wal` behind); `ro` where the copy is
    read-only. Only SELECTs are run either way."""
    uri = path.resolve().as_uri()
    try:
        return sqlite3.connect(f"{uri}?mode=rw", uri=True, timeout=30)
    except sqlite3.OperationalError:
        return sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30)


Rows = Iterator[tuple[int, bytes | None]]


def _sqlite_rows(common: CommonSettings, service: str, stop: int | None, page: int) -> Rows:
    statement = (
        f"SELECT rowid, message FROM {SQLITE_TABLE} WHERE rowid > ? AND rowid <= ? "
        "ORDER BY rowid LIMIT ?"
    )
    with closing(_sqlite_readonly(_sqlite_path(common, service))) as conn:
        after = 0
        while True:
            batch = conn.execute(statement, (after, _upper(stop), page)).fetchall()
            for position, body in batch:
                yield int(position), None if body is None else bytes(body)
            if len(batch) < page:
                return
            after = int(batch[-1][0])


def _pg_rows(common: CommonSettings, service: str, stop: int | None, page: int) -> Rows:
    statement = sql.SQL(
        "SELECT notification_id, message FROM {} WHERE notification_id > %s "
        "AND notification_id <= %s ORDER BY notification_id LIMIT %s"
    ).format(sql.Identifier(schema_of(service), f"{service}_events"))
    with psycopg.connect(common.database_url, connect_timeout=10) as conn:
        after = 0
        while True:
            with conn.cursor(binary=True) as cursor:
                batch = cursor.execute(statement, (after, _upper(stop), page)).fetchall()
            for position, body in batch:
                yield int(position), None if body is None else bytes(body)
            if len(batch) < page:
                return
            after = int(batch[-1][0])


def _upper(stop: int | None) -> int:
    return 2**63 - 1 if stop is None else stop


def _pg_table_text(service: str) -> str:
    """The table's name for `to_regclass`, each part quoted as an identifier."""
    parts = (schema_of(service), f"{service}_events")
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def _safe_url(common: CommonSettings) -> str:
    """The database URL without its password, for messages."""
    params = conninfo_to_dict(common.database_url)
    return f"{params.get('host', '')}:{params.get('port', '5432')}/{params.get('dbname', '')}"
