"""What our PostgreSQL connection pools (the event store's, the view store's) add to
psycopg_pool."""

from __future__ import annotations

from typing import Any

from psycopg_pool import ConnectionPool, PoolTimeout


def check_all_when_one_is_broken(pool: ConnectionPool[Any]) -> None:
    """After a database restart every idle pooled connection is broken. psycopg_pool's check
    before use finds them one checkout at a time, backing off 1, 2, 4… s between them, so the
    first request on an idle pool (4 connections) outwaits its pool timeout and fails. When
    one fails its check, check the others at once, so the next attempt gets a fresh one."""
    check = pool._check  # the check before use, if any (the event store: POSTGRES_PRE_PING)
    if check is None:
        return

    def checked(conn: Any) -> None:
        try:
            check(conn)
        except Exception:
            pool.check()
            raise

    pool._check = checked


def end_waits(pool: ConnectionPool[Any], why: str) -> int:
    """End, now, the wait of every caller queued for one of `pool`'s connections, as if its
    timeout had passed, and say how many there were. For a database known to be away
    (`shared.service.reachability`): no connection will come before the pool's timeout.

    psycopg_pool has no public call for this; `close()` does the same to its waiters (under
    the pool's lock, then outside it) but ends the pool. A PoolTimeout, not another error,
    so that nothing retries it as a lost connection (`shared.persistence.postgres`);
    `getconn` re-raises it naming its own timeout, not `why`."""
    with pool._lock:
        waiting = list(pool._waiting)
        pool._waiting.clear()
    # False for a waiter that was handed a connection (or timed out) meanwhile.
    return sum(client.fail(PoolTimeout(why)) for client in waiting)
