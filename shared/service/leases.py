"""Leases: which replica of a service applies an upstream (or runs the relay) right now.

An orchestrator may run several replicas of one service. All of them serve the API; each
piece of background work — one (view, upstream) consumer, the relay — is done by whichever
replica holds its lease, so work spreads over the replicas and moves when one dies.

In production a lease is a PostgreSQL session-level advisory lock taken on one connection per
process: when a replica dies, PostgreSQL ends its session and the lock is free for the next
replica's attempt (within `retry_seconds`). Correctness never rests on the lease: an inbox
re-checks its position inside the applying transaction, so two appliers for a moment (a
lease holder cut off from the database while still running) cannot double-apply anything.
Embedded mode runs one process, whose leases are always held.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from typing import Any, Protocol

import psycopg

log = logging.getLogger(__name__)


class Lease(Protocol):
    """Who may do one piece of background work when several replicas run: apply an
    upstream (`shared.messaging.consumer`), or publish a service's log (the relay)."""

    async def acquire(self, stopping: asyncio.Event) -> bool:
        """Wait until held (True) or until `stopping` is set (False)."""
        ...

    def held(self) -> bool: ...

    async def release(self) -> None: ...


class AlwaysHeld:
    """The lease of work that only one process does anyway (embedded mode, one relay)."""

    async def acquire(self, stopping: asyncio.Event) -> bool:
        return not stopping.is_set()

    def held(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class PostgresLeases:
    """One connection per process holding every lease this process has won."""

    def __init__(self, conninfo: str, namespace: str, *, retry_seconds: float = 1.0) -> None:
        self._conninfo = conninfo
        self._namespace = namespace
        self.retry_seconds = retry_seconds
        self._conn: Any = None
        self._held: set[str] = set()
        self._lock = threading.Lock()
        self._checked_at = 0.0

    def lease(self, name: str) -> PostgresLease:
        return PostgresLease(self, f"{self._namespace}|{name}")

    def try_lock(self, key: str) -> bool:
        with self._lock:
            if key in self._held and self._conn is not None:
                return True  # advisory locks count re-entries; take each lease once
            try:
                conn = self._connection()
                row = conn.execute(
                    "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", (key,)
                ).fetchone()
            except psycopg.Error as exc:
                log.warning("lease attempt failed", extra={"lease": key, "error": str(exc)})
                self._drop()
                return False
            won = bool(row and row[0])
            if won:
                self._held.add(key)
            return won

    def holds(self, key: str) -> bool:
        with self._lock:
            if key not in self._held or self._conn is None:
                return False
            # A dead session has lost every lock; look at most every couple of seconds.
            if time.monotonic() - self._checked_at > 2.0:
                try:
                    self._conn.execute("SELECT 1")
                    self._checked_at = time.monotonic()
                except psycopg.Error:
                    self._drop()
                    return False
            return True

    def unlock(self, key: str) -> None:
        with self._lock:
            if key not in self._held:
                return
            self._held.discard(key)
            if self._conn is not None:
                with contextlib.suppress(psycopg.Error):
                    self._conn.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", (key,))

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _connection(self) -> Any:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5)
            self._held.clear()
        return self._conn

    def _drop(self) -> None:
        self._held.clear()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
        self._conn = None


class PostgresLease:
    def __init__(self, leases: PostgresLeases, key: str) -> None:
        self._leases = leases
        self.key = key

    async def acquire(self, stopping: asyncio.Event) -> bool:
        while not stopping.is_set():
            if await asyncio.to_thread(self._leases.try_lock, self.key):
                log.info("lease acquired", extra={"lease": self.key})
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self._leases.retry_seconds)
        return False

    def held(self) -> bool:
        return self._leases.holds(self.key)

    async def release(self) -> None:
        await asyncio.to_thread(self._leases.unlock, self.key)
