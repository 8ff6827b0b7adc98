"""The view store's ping (what /readyz, /metrics, /syncz and the background reachability
check ask: `shared.service.reachability`) says whether the database answers, not whether
the pool has a connection free: with every pooled connection busy (a burst of requests) it
asks on a connection of its own, and only a database that does not answer fails it. Were a
busy pool taken for a database away, every keyed request would be refused with 503."""

from __future__ import annotations

import psycopg
import pytest

from shared.views import PostgresViewStore
from tests.pg_instance import PgInstance

pytestmark = pytest.mark.infra


def test_a_ping_with_every_pooled_connection_busy_asks_the_database_itself(
    own_postgres: PgInstance,
) -> None:
    store = PostgresViewStore(own_postgres.url("pingyi"), "ping", pool_size=1, pool_timeout=30)
    store.setup()
    try:
        with store._pool.connection() as busy:  # the pool's only connection, in use
            busy.execute("SELECT 1")
            store.ping()
    finally:
        store.close()


def test_a_ping_of_a_stopped_database_fails(own_postgres: PgInstance) -> None:
    store = PostgresViewStore(own_postgres.url("pingyi"), "ping", pool_size=1, pool_timeout=30)
    store.setup()
    try:
        store.ping()
        own_postgres.stop("fast")
        with pytest.raises(psycopg.OperationalError):
            store.ping()
    finally:
        store.close()
