"""Whether the database answered this process's last ping, for the routes that read it before
they can say anything: an API key is looked up in the database (the security view, or the
registry's own event store) before the request goes anywhere.

While PostgreSQL is away such a lookup waits out the pool's timeout
(PINGYI_DATABASE_WAIT_TIMEOUT, 10 s by default) for a 503, and every request arriving
meanwhile waits as long. So each serving process (production mode) pings the database in
the background every `PING_INTERVAL_SECONDS` (one `SELECT 1` on a pooled connection: nothing
on a request's path), and the pings /readyz, /metrics and /syncz make feed the same state.
While the last ping failed, a keyed request is answered at once with 503
`database_unavailable` and Retry-After; the first ping that succeeds clears it.

A request already waiting for a pooled connection when the database goes (all of them in
use, or broken and being replaced) would still wait out the pool's timeout: every failed
ping ends the waits queued on the pools given to `watch` (`end_waits`), and those requests
answer 503 too. A busy pool is not an outage: the ping then asks on a connection of its own
(`PostgresViewStore.ping`), so a merely busy pool's waiters wait on.

What a request pays for it while the database is up: one attribute read."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

from eventsourcing.application import Application
from eventsourcing.postgres import PostgresRecorder
from psycopg_pool import ConnectionPool

from shared.persistence.pools import end_waits
from shared.service.health import DatabaseUnreachable
from shared.views import PostgresViewStore, ViewStore

log = logging.getLogger(__name__)

PING_INTERVAL_SECONDS = 1.0
"""Pause between two background pings. A ping takes at most 3 s (a stopped PostgreSQL refuses in
about 1 s: `PostgresViewStore.ping`), so an outage is known within a few seconds."""


def request_pools(views: ViewStore, application: Application[Any]) -> list[ConnectionPool[Any]]:
    """The pools a request waits on, when they are PostgreSQL's: the view store's and the
    event store's."""
    pools: list[ConnectionPool[Any]] = []
    if isinstance(views, PostgresViewStore):
        pools.append(views._pool)
    if isinstance(application.recorder, PostgresRecorder):
        pools.append(application.recorder.datastore.pool)
    return pools


class DatabaseReachability:
    """The outcome of the last ping of the database, whoever made it."""

    def __init__(self, ping: Callable[[], None]) -> None:
        self._ping = ping
        self.problem: str | None = None
        """None while the last ping succeeded (or none was made yet), else why it failed
        (`unreachable: ...`, as the probes say it)."""
        self.checked_at: float | None = None
        self._task: asyncio.Task[None] | None = None
        self._pools: tuple[ConnectionPool[Any], ...] = ()

    def watch(self, *pools: ConnectionPool[Any]) -> None:
        """End the waits queued on `pools` whenever a ping fails."""
        self._pools = (*self._pools, *pools)

    def ping(self) -> str | None:
        """Ping now (blocking: call it from a worker thread), record and return the problem."""
        try:
            self._ping()
        except Exception as exc:
            problem: str | None = f"unreachable: {exc}"
        else:
            problem = None
        self.note(problem)
        return problem

    def note(self, problem: str | None) -> None:
        """Record a ping's outcome (made here or by a probe)."""
        if problem is not None and self.problem is None:
            log.warning("database unreachable; keyed requests answer 503", extra={"error": problem})
        elif problem is None and self.problem is not None:
            log.info("database reachable again")
        self.problem = problem
        self.checked_at = time.monotonic()
        if problem is not None:
            ended = sum(
                end_waits(pool, f"the database is away ({problem})") for pool in self._pools
            )
            if ended:
                log.info(
                    "requests waiting for a pooled connection answer 503", extra={"requests": ended}
                )

    def require(self) -> None:
        """Raise `DatabaseUnreachable` when the last ping failed."""
        if self.problem is not None:
            raise DatabaseUnreachable(
                "数据库未响应, 暂时无法核对 API 密钥, 请稍后重试 (the database did not answer "
                "its last ping, so the API key cannot be checked now; retry later)"
            )

    def start(self) -> None:
        """Ping in the background until `stop` (call from the event loop)."""
        if self._task is None:
            self._task = asyncio.create_task(self._watch(), name="database-reachability")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _watch(self) -> None:
        while True:
            await asyncio.to_thread(self.ping)
            await asyncio.sleep(PING_INTERVAL_SECONDS)
