"""What our PostgreSQL connection pools (the event store's, the view store's) add to
psycopg_pool."""

from __future__ import annotations

from typing import Any

from psycopg_pool import ConnectionPool


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
