"""Which request committed which positions, kept in PostgreSQL for a relay in another process.

`pingyi serve` runs each service's relay in a child process (`shared.messaging.relay_process`),
which cannot see the API process's in-memory `CommitLedger`. When traces are exported
(`PINGYI_OTLP_ENDPOINT` set), the API process also writes every commit's first and last
position and the W3C `traceparent` of its `commit` span to `<schema>.<service>_trace_links`;
the relay process reads the links of each page it publishes (one query per page) and parents
its publish spans on them, so one trace runs from the request through NATS to the consumers.
With export off nothing is written or read: no query per commit.

A link is written after the commit, by a background thread that batches what the request
threads queued, never inside the event-store transaction: there the insert would lengthen
the events table's EXCLUSIVE lock, which every writer of the service waits on, and a failing
insert would fail the request. Best effort: a link lost (database away, queue full) only
means that commit's publish starts a trace of its own, as it did before links existed.

The price is a race: the relay hears of a commit by NOTIFY, possibly before its link is
written. A page whose newest positions lie beyond every link is looked up again, up to
`LATE_LINK_TRIES` times `LATE_LINK_WAIT` seconds later; positions below the newest link are
taken as unlinked for good.
The table keeps the links of the last `KEEP_POSITIONS` positions; older ones are pruned.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence

import psycopg
from opentelemetry.trace import SpanContext, TraceFlags
from psycopg import sql

from shared.integrity.rows import Reconnecting
from shared.persistence.message_log import schema_of
from shared.persistence.schema_setup import lock_schema_until_commit
from shared.settings import CommonSettings
from shared.telemetry import LEDGER_COMMITS, CommitLedger

log = logging.getLogger(__name__)

KEEP_POSITIONS = 200_000
"""Links kept, counted in log positions: a relay further behind than this publishes the
oldest positions under spans of their own."""
PRUNE_EVERY_SECONDS = 30.0
QUEUE_LIMIT = 10_000
"""Links waiting to be written; beyond that (the database is away) new ones are dropped."""
BATCH = 500
LATE_LINK_WAIT = 0.05
LATE_LINK_TRIES = 4

Origins = Callable[[int], SpanContext | None]


def traceparent(context: SpanContext) -> str:
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def parse_traceparent(value: str) -> SpanContext | None:
    parts = value.split("-")
    if len(parts) != 4:
        return None
    try:
        trace_id, span_id, flags = int(parts[1], 16), int(parts[2], 16), int(parts[3], 16)
    except ValueError:
        return None
    context = SpanContext(trace_id, span_id, is_remote=True, trace_flags=TraceFlags(flags))
    return context if context.is_valid else None


class LinkTable(Reconnecting):
    def __init__(self, database_url: str, service: str) -> None:
        super().__init__(database_url)
        self.service = service
        self._schema = sql.Identifier(schema_of(service))
        self._table = sql.Identifier(schema_of(service), f"{service}_trace_links")

    def setup(self) -> None:
        with self._conn.transaction():
            lock_schema_until_commit(self._conn, schema_of(self.service))
            self._conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(self._schema))
            self._conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (first_position bigint PRIMARY KEY, "
                    "last_position bigint NOT NULL, traceparent text NOT NULL)"
                ).format(self._table)
            )

    def insert(self, links: Sequence[tuple[int, int, str]]) -> None:
        rows = sql.SQL(", ").join(sql.SQL("(%s, %s, %s)") for _ in links)
        statement = sql.SQL(
            "INSERT INTO {} (first_position, last_position, traceparent) VALUES {} "
            "ON CONFLICT (first_position) DO NOTHING"
        ).format(self._table, rows)
        self._conn.execute(statement, [value for link in links for value in link])

    def prune(self, keep: int) -> None:
        self._conn.execute(
            sql.SQL(
                "DELETE FROM {0} WHERE first_position < (SELECT max(first_position) FROM {0}) - %s"
            ).format(self._table),
            (keep,),
        )

    def between(self, first: int, last: int) -> tuple[list[tuple[int, int, str]], int | None]:
        """The links overlapping positions `first`..`last`, and the newest link's first
        position (one statement)."""
        statement = sql.SQL(
            "SELECT first_position, last_position, traceparent FROM {0} "
            "WHERE first_position <= %s AND last_position >= %s "
            "UNION ALL SELECT max(first_position), NULL, NULL FROM {0} "
            "ORDER BY 2 NULLS FIRST, 1"
        ).format(self._table)
        rows = self._conn.execute(statement, (last, first)).fetchall()
        newest = rows[0][0] if rows and rows[0][1] is None else None
        return [(int(r[0]), int(r[1]), str(r[2])) for r in rows if r[1] is not None], newest


class DurableLedger(CommitLedger):
    """A `CommitLedger` that also writes each commit's link to PostgreSQL (API processes in
    production while traces are exported). `record` only queues: the request thread never
    waits for the database."""

    def __init__(self, database_url: str, service: str, capacity: int = LEDGER_COMMITS) -> None:
        super().__init__(capacity)
        self._table = LinkTable(database_url, service)
        self._queue: queue.Queue[tuple[int, int, str]] = queue.Queue(QUEUE_LIMIT)
        self.dropped = 0
        self.written = 0
        self._thread = threading.Thread(
            target=self._write_links, name=f"trace-links-{service}", daemon=True
        )
        self._thread.start()

    def record(self, positions: Sequence[int], context: SpanContext) -> None:
        super().record(positions, context)
        if not positions or not context.is_valid:
            return
        try:
            self._queue.put_nowait((min(positions), max(positions), traceparent(context)))
        except queue.Full:
            self.dropped += 1

    def _write_links(self) -> None:
        ready = False
        pruned = time.monotonic()
        try:
            self._table.setup()  # before the first commit, so the relay finds the table
            ready = True
        except psycopg.Error as exc:
            log.warning("trace links table not made yet: %s", exc)
        while True:
            links = [self._queue.get()]
            while len(links) < BATCH:
                try:
                    links.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                if not ready:
                    self._table.setup()
                    ready = True
                self._table.insert(links)
                self.written += len(links)
                if time.monotonic() - pruned > PRUNE_EVERY_SECONDS:
                    pruned = time.monotonic()
                    self._table.prune(KEEP_POSITIONS)
            except psycopg.Error as exc:
                self.dropped += len(links)
                log.warning("trace links not written: %s", exc)
                time.sleep(0.5)  # the database is away: don't spin on it


class LinkReader:
    """The relay process's side: the commits of a page's positions, read from the table."""

    def __init__(self, database_url: str, service: str) -> None:
        self._table = LinkTable(database_url, service)
        self._warned = False

    def origins(self, positions: Sequence[int]) -> Origins | None:
        """Who committed each of `positions` (those of one page, in order), as far as the
        links tell; None when they tell nothing (no table, the database away)."""
        if not positions:
            return None
        first, last = positions[0], positions[-1]
        try:
            for attempt in range(LATE_LINK_TRIES + 1):
                links, newest = self._between(first, last)
                missing = _unlinked(links, positions)
                if not missing or (newest is not None and missing[-1] <= newest):
                    break
                if attempt < LATE_LINK_TRIES:
                    time.sleep(LATE_LINK_WAIT)  # committed, its link still on its way
        except psycopg.Error as exc:
            if not self._warned:
                log.warning("trace links not read: %s", exc)
                self._warned = True
            return None
        return _lookup(links)

    def _between(self, first: int, last: int) -> tuple[list[tuple[int, int, str]], int | None]:
        try:
            return self._table.between(first, last)
        except psycopg.errors.UndefinedTable:
            return [], None  # no API process has made the table yet: as if no link yet

    def close(self) -> None:
        self._table.close()


def _unlinked(links: Sequence[tuple[int, int, str]], positions: Sequence[int]) -> list[int]:
    known = _ledger(links)
    return [p for p in positions if known.context_of(p) is None]


def _ledger(links: Sequence[tuple[int, int, str]]) -> CommitLedger:
    known = CommitLedger(capacity=max(1, len(links)))
    for first, last, value in links:
        context = parse_traceparent(value)
        if context is not None:
            known.record([first, last], context)
    return known


def _lookup(links: Sequence[tuple[int, int, str]]) -> Origins:
    return _ledger(links).context_of


def open_reader(common: CommonSettings, service: str) -> LinkReader | None:
    """The relay process's reader, when traces are exported in production."""
    if common.mode != "production" or common.otlp_endpoint is None:
        return None
    return LinkReader(common.database_url, service)
