"""One schema's set-up at a time across every process that shares the database.

Replicas of a service start at once (`pingyi serve` scaled out, a rolling start) and each
creates what is missing in its schema: the event store's tables, function and columns, the
view tables, the trace-link and seal tables. PostgreSQL does not serialise two
`CREATE ... IF NOT EXISTS` or `CREATE OR REPLACE FUNCTION` on one name: the loser fails
with a duplicate key in the catalogue or "tuple concurrently updated", and its replica
stops at start. Every set-up in a schema takes this lock first; the key is the one the view
store has always taken, so an older replica's view set-up waits on it too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresDatastore

_UNTIL_COMMIT = "SELECT pg_advisory_xact_lock(hashtext(%s))"
_FOR_SESSION = "SELECT pg_advisory_lock(hashtext(%s))"


def lock_schema_until_commit(cursor: Any, schema: str) -> None:
    """For set-up done in one transaction: held until it commits or rolls back."""
    cursor.execute(_UNTIL_COMMIT, (schema,))


@contextmanager
def schema_locked_while(datastore: PostgresDatastore) -> Iterator[None]:
    """For set-up that runs several transactions (the library's `create_table` opens its
    own): the lock is held by a session of its own, so it needs no second connection from
    the datastore's pool, and ends with that session whatever happens inside."""
    with psycopg.connect(**_session_parameters(datastore), autocommit=True) as session:
        session.execute(_FOR_SESSION, (datastore.schema,))
        yield


def _session_parameters(datastore: PostgresDatastore) -> dict[str, Any]:
    """What the datastore's pool connects with (psycopg_pool may keep either as a callable)."""
    pool = datastore.pool
    conninfo = pool.conninfo() if callable(pool.conninfo) else pool.conninfo
    kwargs = pool.kwargs() if callable(pool.kwargs) else dict(pool.kwargs or {})
    kwargs.pop("row_factory", None)
    return {"conninfo": conninfo, **kwargs}
