"""Replicas of one service start at once against one database (`pingyi serve` scaled out, a
rolling start): each creates its event store's tables, function and columns, its trace-link
table and its seal table when they are missing. PostgreSQL does not serialise concurrent
`CREATE OR REPLACE FUNCTION` or `CREATE ... IF NOT EXISTS` on one name: the loser fails with
"tuple concurrently updated" or a duplicate key in the catalogue, and a replica that lost
exited at start (CI, stop 24). Every such set-up takes one lock per schema first."""

from __future__ import annotations

import threading
from collections.abc import Callable

import psycopg
import pytest
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment
from psycopg import sql

from shared.integrity.checkpoints import PostgresCheckpoints
from shared.settings import CommonSettings, eventsourcing_env
from shared.trace_links import LinkTable

pytestmark = pytest.mark.infra

REPLICAS = 6
TRIALS = 8


def _all_at_once(work: Callable[[], None]) -> list[BaseException]:
    start = threading.Barrier(REPLICAS)
    failures: list[BaseException] = []

    def replica() -> None:
        start.wait()
        try:
            work()
        except BaseException as error:  # every failure is the finding
            failures.append(error)

    threads = [threading.Thread(target=replica) for _ in range(REPLICAS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures


def _drop_schema(database_url: str, schema: str, *, create: bool = False) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        name = sql.Identifier(schema)
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(name))
        if create:
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(name))


def _open_event_store(database_url: str, service: str) -> None:
    common = CommonSettings(mode="production", database_url=database_url)
    factory = InfrastructureFactory.construct(
        Environment(service, eventsourcing_env(common, service, None))
    )
    try:
        factory.application_recorder()
    finally:
        factory.close()


@pytest.mark.timeout(300)
def test_replicas_create_one_event_store_at_once(database_url: str) -> None:
    for _ in range(TRIALS):
        # The runtime's view store creates the schema first, under its own lock.
        _drop_schema(database_url, "survey", create=True)
        failures = _all_at_once(lambda: _open_event_store(database_url, "survey"))
        assert failures == []
    with psycopg.connect(database_url) as conn:
        found = conn.execute(
            "SELECT count(*) FROM information_schema.columns"
            " WHERE table_schema = 'survey' AND table_name = 'survey_events'"
        ).fetchone()
    assert found is not None and found[0] > 0


@pytest.mark.timeout(300)
def test_replicas_create_one_trace_link_and_seal_table_at_once(database_url: str) -> None:
    def set_up() -> None:
        links = LinkTable(database_url, "survey")
        seals = PostgresCheckpoints(database_url, "survey")
        try:
            links.setup()
            seals.setup()
        finally:
            links.close()
            seals.close()

    for _ in range(TRIALS):
        _drop_schema(database_url, "survey")
        assert _all_at_once(set_up) == []
