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
from collections.abc import Collection, Iterable, Iterator
from contextlib import closing
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from shared.contracts.wire import EncodedMessage, compose
from shared.persistence.read_ahead import read_ahead
from shared.settings import CommonSettings

__all__ = [
    "MessageLogError",
    "StoreMissing",
    "UnencodedRow",
    "has_store",
    "last_position",
    "read_bodies",
    "read_messages",
    "split_points",
    "store_location",
]

SQLITE_TABLE = "stored_events"
PAGE = 1000
PAGE_BYTES = 16 << 20
"""About the most a page of bodies holds: a log of batch parts (hundreds of KiB each) is
read a few dozen rows at a time, a log of single messages `PAGE` rows at a time."""
FIRST_PAGE = 16
"""Rows in the first page, before the bodies' size is known."""
_HEAD = b'{"event_type":"'


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


def _no_store(common: CommonSettings, service: str) -> str:
    """Chinese first, as the audit commands that print it word their own refusals."""
    where = store_location(common, service)
    return f"{where} 没有 {service} 的事件库 (no {service} event store at {where})"


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
        raise StoreMissing(_no_store(common, service))
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
    common: CommonSettings,
    service: str,
    *,
    stop: int | None = None,
    page: int = PAGE,
    leave_out: Collection[str] = (),
    after: int = 0,
) -> Iterator[tuple[int, int | None, bytes]]:
    """(position, previous position, stored body) of each published message, in position
    order up to and including `stop`: for readers that decode the bodies themselves (the
    scoring engine's `decode_stored`, about twice as fast as decoding the composed bytes).
    Raises as `read_messages` does.

    `leave_out`: event types whose messages are not read at all. The store drops them by
    the body's first bytes (a body is canonical JSON, so it starts with its event type), and
    sends only their positions: the previous position of every message read stays exact.
    For a reader that looks for a few kinds among many (replay's first pass: the decisions
    among the questionnaires).

    `after`: read from the position after it (a range of the log, `split_points`); the
    first message's previous position is then not known here and reads None.

    Pages of at most `page` rows and about `PAGE_BYTES` (a batch part is hundreds of KiB),
    each read in a thread while the caller works through the one before (`read_ahead`)."""
    if not has_store(common, service):
        raise StoreMissing(_no_store(common, service))
    rows = _pg_rows if common.mode == "production" else _sqlite_rows
    prefixes = tuple(_HEAD + kind.encode() + b'"' for kind in sorted(leave_out))
    pages = read_ahead(rows(common, service, after, stop, page, prefixes), f"read-{service}")
    previous: int | None = None
    for batch in pages:
        for position, body, left_out in batch:
            if left_out:
                previous = position
                continue
            if body is None:
                raise UnencodedRow(
                    f"{service} 位置 {position} 存储时没有消息体 (那时还没有消息列): 请用该服务"
                    f"自己的代码读取 ({service} position {position} was stored without its "
                    "message body (before the message column existed); read it with the "
                    "service's own code)"
                )
            if not body:
                continue  # an internal event: in the log, never published
            yield position, previous, body
            previous = position


def _refuse_memory(common: CommonSettings) -> None:
    if common.mode == "memory":
        raise MessageLogError(
            "内存模式的日志只在运行中的进程内 (memory mode keeps its logs inside the running "
            "process only)"
        )


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


Row = tuple[int, bytes | None, bool]
"""(position, body, left out): the body None when the row has none, or is left out."""
Pages = Iterator[list[Row]]


def _next_limit(rows: list[Row], page: int) -> int:
    """Rows for the next page: as many as fit in `PAGE_BYTES` at the size of the last
    page's bodies, at most `page`."""
    size = sum(len(body) for _, body, _ in rows if body)
    if not size:
        return page
    return max(1, min(page, PAGE_BYTES * len(rows) // size))


def _sqlite_rows(
    common: CommonSettings,
    service: str,
    after: int,
    stop: int | None,
    page: int,
    prefixes: tuple[bytes, ...],
) -> Pages:
    left_out = " OR ".join(f"substr(message, 1, {len(p)}) = ?" for p in prefixes) or "0"
    statement = (
        f"SELECT rowid, CASE WHEN {left_out} THEN NULL ELSE message END, {left_out} "
        f"FROM {SQLITE_TABLE} WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?"
    )
    with closing(_sqlite_readonly(_sqlite_path(common, service))) as conn:
        limit = min(page, FIRST_PAGE)
        while True:
            found = conn.execute(statement, (*prefixes, *prefixes, after, _upper(stop), limit))
            batch = [
                (int(position), None if body is None else bytes(body), bool(skip))
                for position, body, skip in found.fetchall()
            ]
            yield batch
            if len(batch) < limit:
                return
            after, limit = batch[-1][0], _next_limit(batch, page)


def _pg_rows(
    common: CommonSettings,
    service: str,
    after: int,
    stop: int | None,
    page: int,
    prefixes: tuple[bytes, ...],
) -> Pages:
    # The test once per row, in the inner query; the outer one leaves the body unread
    # (a large one is stored out of line: only its first bytes are fetched for the test).
    left_out = sql.SQL(" OR ").join(
        sql.SQL("substring(message from 1 for {}) = {}").format(len(p), sql.Literal(p))
        for p in prefixes
    )
    statement = sql.SQL(
        "SELECT notification_id, CASE WHEN skip THEN NULL ELSE message END, skip FROM ("
        "SELECT notification_id, message, {} AS skip FROM {} WHERE notification_id > %s "
        "AND notification_id <= %s ORDER BY notification_id LIMIT %s) AS page "
        "ORDER BY notification_id"
    ).format(
        left_out if prefixes else sql.SQL("false"),
        sql.Identifier(schema_of(service), f"{service}_events"),
    )
    with psycopg.connect(common.database_url, connect_timeout=10) as conn:
        limit = min(page, FIRST_PAGE)
        while True:
            with conn.cursor(binary=True) as cursor:
                found = cursor.execute(statement, (after, _upper(stop), limit)).fetchall()
            batch = [
                (int(position), None if body is None else bytes(body), bool(skip))
                for position, body, skip in found
            ]
            yield batch
            if len(batch) < limit:
                return
            after, limit = batch[-1][0], _next_limit(batch, page)


def split_points(
    common: CommonSettings, service: str, stop: int, parts: int, min_bytes: int = 0
) -> list[int]:
    """Positions that cut the log up to `stop` into about `parts` ranges of about as many
    stored bytes each (rows of batch parts weigh hundreds of KiB, single messages a few):
    read a range as `read_bodies(after=cut, stop=next cut)`, from 0 to `stop`. Fewer cuts
    where ranges would be empty, none if the log holds fewer than `min_bytes`. The sizes
    are the stored bodies' lengths, which PostgreSQL knows without reading a body stored
    out of line."""
    if not has_store(common, service):
        raise StoreMissing(_no_store(common, service))
    if parts < 2:
        return []
    if common.mode == "production":
        statement = sql.SQL(_SPLIT).format(
            position=sql.SQL("notification_id"),
            size=sql.SQL("coalesce(octet_length(message), 0)"),
            table=sql.Identifier(schema_of(service), f"{service}_events"),
            stop=sql.Literal(stop),
            parts=sql.Literal(parts),
            shares=sql.SQL(", ").join(sql.SQL("({})").format(k) for k in range(1, parts)),
        )
        with psycopg.connect(common.database_url, connect_timeout=10) as conn:
            found = conn.execute(statement).fetchall()
    else:
        text = _SPLIT.format(
            position="rowid",
            size="coalesce(length(message), 0)",
            table=SQLITE_TABLE,
            stop=int(stop),
            parts=int(parts),
            shares=", ".join(f"({k})" for k in range(1, parts)),
        )
        with closing(_sqlite_readonly(_sqlite_path(common, service))) as conn:
            found = conn.execute(text).fetchall()
    if not found or int(found[0][1] or 0) < min_bytes:
        return []
    cuts = sorted({int(row[0]) for row in found if row[0] is not None})
    return [cut for cut in cuts if 0 < cut < stop]


_SPLIT = (
    # For each share k of `parts`, the first position whose running total of bytes
    # reaches k/parts of the whole.
    "WITH sized AS (SELECT {position} AS position, sum({size}) OVER (ORDER BY {position}) "
    "AS upto FROM {table} WHERE {position} <= {stop}), "
    "whole AS (SELECT max(upto) AS total FROM sized), "
    "shares (k) AS (VALUES {shares}) "
    "SELECT min(position), max(total) FROM sized, whole, shares "
    "WHERE upto * {parts} >= total * k GROUP BY k ORDER BY k"
)


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


def missing_stores(
    common: CommonSettings, services: Iterable[str], doing: str = "to verify from"
) -> str | None:
    """Why a command that reads these services' logs cannot start here (stores not where the
    settings point, or there but not readable), or None. Never creates a store: a command run
    from the wrong folder must say so, not report on an empty store it made."""
    if common.mode == "memory":
        # A fresh in-memory store is empty: "0 of 0 identical" would pass without a check.
        return "memory mode keeps no stored scores to replay"
    missing = []
    for name in services:
        try:
            found = has_store(common, name)
        except (sqlite3.Error, psycopg.Error, OSError) as error:
            where = store_location(common, name)
            return (
                f"the {name} event store at {where} cannot be read: {type(error).__name__}: {error}"
            )
        if not found:
            missing.append(name)
    if not missing:
        return None
    where = "; ".join(f"{name}: {store_location(common, name)}" for name in missing)
    hint = (
        f" (is {common.data_dir.resolve()} the data directory? pass --data-dir or set"
        " PINGYI_DATA_DIR)"
        if common.mode == "embedded"
        else " (check PINGYI_DATABASE_URL and the services' schemas)"
    )
    return f"no event store {doing}: {where}{hint}"
