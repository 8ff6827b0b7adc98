"""A PostgreSQL and a NATS server of these tests' own (`own_postgres` in tests/conftest.py,
tests/shared/nats_process.py), on free loopback ports, so that killing and restarting them
never touches the machine's services; and Pingyi's services as separate processes in
production mode against them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.processes import production_env
from tests.faults.system import SERVICES, FaultySystem
from tests.pg_instance import PgInstance
from tests.ports import quiet_ports
from tests.shared.nats_process import NatsServer


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[NatsServer]:
    server = NatsServer(tmp_path)
    server.port = quiet_ports(1)[0]  # restarted on the same port: see quiet_ports
    server.url = f"nats://127.0.0.1:{server.port}"
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def faulty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FaultySystem]:
    """Registry, survey, inspection and scoring (scoring's upstreams and scoring itself;
    reporting is not needed by what these tests check), or the services a test names with
    `@pytest.mark.parametrize("faulty", [("registry", "survey")], indirect=True)`."""
    postgres: PgInstance = request.getfixturevalue("own_postgres")
    nats: NatsServer = request.getfixturevalue("own_nats")
    services = getattr(request, "param", SERVICES)
    env = production_env(postgres.url("pingyi"), "faults", nats.url)
    running = FaultySystem(env, tmp_path, postgres, nats, services)
    try:
        yield running.start_all()
    finally:
        running.stop_all()
