"""PostgreSQL event-store recorders that write without psycopg's pipeline mode.

eventsourcing 9.5.6 inserts events inside `conn.pipeline()` and waits in `Pipeline.sync()`.
With psycopg 3.3.9 that wait never ends once one statement's message is larger than a few
socket buffers (about 10 MB on the wire here, less under load): the pipeline stops flushing
libpq's output buffer after the last command is queued, the server waits for the rest of
the message (ClientRead) while holding the events table's EXCLUSIVE lock, and every later
write fails behind it. See docs/upstream/psycopg-pipeline-hang.

These recorders run the same transaction as the library (SET LOCAL lock_timeout, LOCK TABLE
... IN EXCLUSIVE MODE so that insert order is commit order, NOTIFY, the tracking row of a
process recorder, the insert, notification ids returned, IntegrityError on a conflict), in
ordinary request/response mode, with three additions: a SET LOCAL statement_timeout so the
server cancels a write that waits or runs too long, inserts split into statements of at most
`max_statement_bytes` of event state, and a `WriteWatchdog` that sees every write in flight.
Reads keep the library's code but retry only a lost connection, not a pool timeout, so a
request fails within the pool's wait while the database is away.

Select them with the eventsourcing environment keys APPLICATION_RECORDER_TOPIC and
PROCESS_RECORDER_TOPIC; `configure_recorder` applies the PINGYI_WRITE_* keys.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    InterfaceError,
    Notification,
    OperationalError,
    ProgrammingError,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
    PostgresProcessRecorder,
)
from psycopg import Cursor, sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import DictRow
from psycopg_pool import PoolTimeout

from shared.persistence.config import (
    CONNECTION_PARAMS_KEY,
    DEFAULT_STALL_AFTER,
    DEFAULT_STATEMENT_TIMEOUT,
    DEFAULT_TERMINATE_AFTER,
    STALL_AFTER_KEY,
    STATEMENT_TIMEOUT_KEY,
    TERMINATE_AFTER_KEY,
)
from shared.persistence.messages import LogRow, bodies
from shared.persistence.pools import check_all_when_one_is_broken
from shared.persistence.postgres_messages import (
    MessageStatements,
    add_message_column,
    compress_messages_with_lz4,
    insert_rows,
    select_rows,
)
from shared.persistence.schema_setup import schema_locked_while
from shared.persistence.watchdog import TrackedWrite, WriteTimeoutError, WriteWatchdog

RECONNECT_TIMEOUT = 10.0
RETRY_ATTEMPTS = 3
RETRY_WAIT = 0.2

# query_canceled (statement_timeout) and lock_not_available (lock_timeout)
_TIMEOUT_STATES = frozenset({"57014", "55P03"})
# admin_shutdown, crash_shutdown, cannot_connect_now: the server went away or is starting
_GONE_STATES = frozenset({"57P01", "57P02", "57P03"})

P = ParamSpec("P")
R = TypeVar("R")


def psycopg_cause(exc: BaseException) -> psycopg.Error | None:
    """The psycopg error behind an eventsourcing persistence error, if any."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, psycopg.Error):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def is_timeout(exc: BaseException) -> bool:
    cause = psycopg_cause(exc)
    return cause is not None and cause.sqlstate in _TIMEOUT_STATES


def is_connection_lost(exc: BaseException) -> bool:
    """A session that broke (server restarted, network cut); a new one may work at once. A
    pool timeout is not: the wait for a connection is already over."""
    cause = psycopg_cause(exc)
    if cause is None or isinstance(cause, PoolTimeout):
        return False
    if isinstance(cause, psycopg.InterfaceError):
        return True
    if isinstance(cause, psycopg.OperationalError):
        state = cause.sqlstate
        return state is None or state.startswith("08") or state in _GONE_STATES
    return False


def retry_lost_connection(func: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                retry = not isinstance(exc, WriteTimeoutError) and is_connection_lost(exc)
                if not retry or attempt == RETRY_ATTEMPTS:
                    raise
                time.sleep(RETRY_WAIT)
        raise AssertionError("unreachable")

    return wrapper


def _chunks(sizes: Sequence[int], max_bytes: int) -> Iterator[tuple[int, int]]:
    """(start, end) of consecutive rows whose `sizes` add up to at most `max_bytes` (a row
    larger than that goes alone)."""
    start, size = 0, 0
    for index, row_size in enumerate(sizes):
        if index > start and size + row_size > max_bytes:
            yield start, index
            start, size = index, 0
        size += row_size
    if start < len(sizes):
        yield start, len(sizes)


def connection_params(datastore: PostgresDatastore) -> dict[str, Any]:
    """The connection parameters of the event store's pool (the database URL's, sslmode and
    all: `PingyiPostgresFactory`), for a connection of its own beside the pool."""
    conninfo = datastore.pool.conninfo
    kwargs = datastore.pool.kwargs
    current = (kwargs() if callable(kwargs) else kwargs) or {}
    params = conninfo_to_dict(conninfo if isinstance(conninfo, str) else "")
    params |= {k: v for k, v in current.items() if k != "row_factory"}
    return {k: v for k, v in params.items() if v not in (None, "")}


class PingyiPostgresFactory(PostgresFactory):
    """The library's factory, whose datastore connects with only dbname, host, port, user and
    password, plus the rest of the database URL's parameters (`CONNECTION_PARAMS_KEY`,
    `shared.settings.eventsourcing_env`): without them `?sslmode=verify-full` would be
    dropped and the event store would connect in clear."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        extra = conninfo_to_dict(self.env.get(CONNECTION_PARAMS_KEY) or "")
        kwargs = self.datastore.pool.kwargs
        assert isinstance(kwargs, dict), kwargs  # the library passes a dict
        kwargs.update(extra)


def _session_terminator(datastore: PostgresDatastore) -> Callable[[int], None]:
    def terminate(backend_pid: int) -> None:
        # A connection of its own: the pool may be exhausted by the very writes that hang.
        params = connection_params(datastore)
        params.pop("connect_timeout", None)
        with psycopg.connect(**params, autocommit=True, connect_timeout=5) as conn:
            conn.execute("SELECT pg_terminate_backend(%s)", (backend_pid,))

    return terminate


# The library's methods without their retry loop (ten attempts, each of which may wait the
# whole pool timeout); ours wraps them in `retry_lost_connection`.
_select_events = inspect.unwrap(PostgresAggregateRecorder.select_events)
_select_notifications = inspect.unwrap(PostgresApplicationRecorder.select_notifications)
_max_notification_id = inspect.unwrap(PostgresApplicationRecorder.max_notification_id)


class _UnpipelinedWrites(PostgresApplicationRecorder):
    max_statement_bytes = 4 * 1024 * 1024

    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        # The library leaves psycopg_pool's five minutes: reconnection backs off exponentially
        # until then, so after a long outage the pool could lag the database by minutes.
        datastore.pool.reconnect_timeout = RECONNECT_TIMEOUT
        check_all_when_one_is_broken(datastore.pool)
        self.statement_timeout = DEFAULT_STATEMENT_TIMEOUT
        self.watchdog = WriteWatchdog(
            stall_after=DEFAULT_STALL_AFTER,
            terminate_after=DEFAULT_TERMINATE_AFTER,
            terminate=_session_terminator(datastore),
        )
        self.messages = MessageStatements.build(datastore, self.events_table_name)

    def configure(
        self, statement_timeout: float, stall_after: float, terminate_after: float
    ) -> None:
        self.statement_timeout = statement_timeout
        self.watchdog.stall_after = stall_after
        self.watchdog.terminate_after = terminate_after

    @retry_lost_connection
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if self.datastore.enable_db_functions:
            ids: Sequence[int] | None = super().insert_events(stored_events, **kwargs)
            return ids
        with self.watchdog.track(len(stored_events)) as write:
            try:
                return self._write(write, stored_events, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                if write.terminated:
                    raise WriteTimeoutError(
                        f"the write overran {self.watchdog.terminate_after} s and its "
                        "session was ended"
                    ) from exc
                if is_timeout(exc):
                    raise WriteTimeoutError(str(exc)) from exc
                raise

    def _write(
        self, write: TrackedWrite, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with (
            self.datastore.get_connection() as conn,
            self.watchdog.attach(write, conn.info.backend_pid),
            conn.transaction(),
            conn.cursor() as curs,
        ):
            # One round trip for the preamble: the table lock is held from here to commit.
            curs.execute(self._preamble(lock=bool(stored_events)))
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return None
            messages = bodies(stored_events, kwargs)
            sizes = [
                len(e.state) + len(m or b"") for e, m in zip(stored_events, messages, strict=True)
            ]
            ids: list[int] = []
            for start, end in _chunks(sizes, self.max_statement_bytes):
                ids.extend(self._insert_chunk(curs, stored_events[start:end], messages[start:end]))
            return ids

    def _preamble(self, *, lock: bool) -> sql.Composed:
        timeout = sql.SQL("SET LOCAL statement_timeout = {}").format(
            sql.Literal(f"{round(self.statement_timeout * 1000)}ms")
        )
        if not lock:
            return timeout
        notify = sql.SQL("NOTIFY {}").format(sql.Identifier(self.channel_name))
        return sql.SQL("; ").join([timeout, *self.lock_table_statements, notify])

    def _insert_chunk(
        self,
        curs: Cursor[DictRow],
        chunk: Sequence[StoredEvent],
        bodies: Sequence[bytes | None],
    ) -> list[int]:
        ids = insert_rows(curs, self.messages, chunk, bodies)
        if len(ids) != len(chunk):
            msg = f"Couldn't get all notification IDs (got {len(ids)}, expected {len(chunk)})"
            raise ProgrammingError(msg)
        return ids

    def create_table(self) -> None:
        with schema_locked_while(self.datastore):
            super().create_table()
            add_message_column(self.datastore, self.messages, self.events_table_name)
            compress_messages_with_lz4(self.datastore, self.messages, self.events_table_name)

    @retry_lost_connection
    def select_log_rows(self, start: int, limit: int, stop: int | None = None) -> list[LogRow]:
        return select_rows(self.datastore, self.messages, start, limit, stop)

    @retry_lost_connection
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        events: Sequence[StoredEvent] = _select_events(
            self, originator_id, gt=gt, lte=lte, desc=desc, limit=limit
        )
        return events

    @retry_lost_connection
    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        notifications: Sequence[Notification] = _select_notifications(
            self, start, limit, stop, topics, inclusive_of_start=inclusive_of_start
        )
        return notifications

    @retry_lost_connection
    def max_notification_id(self) -> int | None:
        max_id: int | None = _max_notification_id(self)
        return max_id


class PingyiApplicationRecorder(_UnpipelinedWrites):
    """The application recorder of every service's event store in production."""


class PingyiProcessRecorder(_UnpipelinedWrites, PostgresProcessRecorder):
    """The process recorder (events plus the upstream tracking row in one transaction)."""


def configure_recorder(
    recorder: ApplicationRecorder, env: Mapping[str, str]
) -> WriteWatchdog | None:
    """Apply the PINGYI_WRITE_* keys of an application's environment to its recorder and
    return its write watchdog (None for recorders without one, e.g. SQLite)."""
    if not isinstance(recorder, _UnpipelinedWrites):
        return None
    recorder.configure(
        statement_timeout=float(env.get(STATEMENT_TIMEOUT_KEY) or DEFAULT_STATEMENT_TIMEOUT),
        stall_after=float(env.get(STALL_AFTER_KEY) or DEFAULT_STALL_AFTER),
        terminate_after=float(env.get(TERMINATE_AFTER_KEY) or DEFAULT_TERMINATE_AFTER),
    )
    return recorder.watchdog
