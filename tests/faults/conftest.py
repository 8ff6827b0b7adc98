"""A PostgreSQL and a NATS server of these tests' own (tests/pg_instance.py,
tests/shared/nats_process.py), on free loopback ports, so that killing and restarting them
never touches the machine's services; and Pingyi's services as separate processes in
production mode against them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.e2e.processes import production_env
from tests.faults.system import FaultySystem
from tests.pg_instance import PgInstance
from tests.shared.nats_process import NatsServer


@pytest.fixture
def own_postgres() -> Iterator[PgInstance]:
    instance = PgInstance()
    try:
        instance.init()
        instance.start()
        with psycopg.connect(instance.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE pingyi")
        yield instance
    finally:
        instance.destroy()


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def faulty(
    own_postgres: PgInstance, own_nats: NatsServer, tmp_path: Path
) -> Iterator[FaultySystem]:
    """Registry, survey, inspection and scoring (scoring's upstreams and scoring itself);
    reporting is not needed by what these tests check."""
    env = production_env(own_postgres.url("pingyi"), "faults", own_nats.url)
    running = FaultySystem(env, tmp_path, own_postgres, own_nats)
    try:
        yield running.start_all()
    finally:
        running.stop_all()
