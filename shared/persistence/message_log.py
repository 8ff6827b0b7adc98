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

The pieces: where a store is and whether it is there (`message_log_stores`), cutting a log
into ranges (`message_log_splits`), and here the reading itself, page by page; every public
name of the three is importable from here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import closing

import psycopg
from psycopg import sql

from shared.contracts.wire import EncodedMessage, compose
from shared.persistence.message_log_splits import split_points
from shared.persistence.message_log_stores import (
    REBUILDING,
    SQLITE_TABLE,
    VERIFYING,
    MessageLogError,
    StoreMissing,
    UnencodedRow,
    _no_store,
    _sqlite_path,
    _sqlite_readonly,
    has_store,
    last_position,
    missing_stores,
    schema_of,
    store_location,
)
from shared.persistence.read_ahead import read_ahead
from shared.settings import CommonSettings

__all__ = [
    "REBUILDING",
    "SQLITE_TABLE",
    "VERIFYING",
    "MessageLogError",
    "StoreMissing",
    "UnencodedRow",
    "has_store",
    "last_position",
    "missing_stores",
    "read_bodies",
    "read_messages",
    "schema_of",
    "split_points",
    "store_location",
]

PAGE = 1000
PAGE_BYTES = 16 << 20
"""About the most a page of bodies holds: a log of batch parts (hundreds of KiB each) is
read a few dozen rows at a time, a log of single messages `PAGE` rows at a time."""
FIRST_PAGE = 16
"""Rows in the first page, before the bodies' size is known."""
_HEAD = b'{"event_type":"'


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
    pass_over: Collection[str] = (),
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

    `pass_over`: event types whose messages are read but not handed on, dropped here by the
    same first bytes, the previous position kept exact as with `leave_out`. For types that
    are few and small among large bodies that are kept (a range of the survey log passing
    over its decisions): the store's test reads the first bytes of every large body out of
    line before sending it whole, which cost a range's read of batch parts about 30 %.

    `after`: read from the position after it (a range of the log, `split_points`); the
    first message's previous position is then not known here and reads None.

    Pages of at most `page` rows and about `PAGE_BYTES` (a batch part is hundreds of KiB),
    each read in a thread while the caller works through the one before (`read_ahead`)."""
    if not has_store(common, service):
        raise StoreMissing(_no_store(common, service))
    rows = _pg_rows if common.mode == "production" else _sqlite_rows
    prefixes = tuple(_HEAD + kind.encode() + b'"' for kind in sorted(leave_out))
    passed = tuple(_HEAD + kind.encode() + b'"' for kind in sorted(pass_over))
    pages = read_ahead(rows(common, service, after, stop, page, prefixes), f"read-{service}")
    previous: int | None = None
    for batch in pages:
        for position, body, left_out in batch:
            if left_out or (passed and body and body.startswith(passed)):
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


def _upper(stop: int | None) -> int:
    return 2**63 - 1 if stop is None else stop
