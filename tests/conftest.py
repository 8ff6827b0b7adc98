"""Fixtures for real PostgreSQL and NATS JetStream, for embedded (SQLite) mode, and for
memory mode (domain, application and API tests where a real store adds nothing)."""

from __future__ import annotations

import asyncio
import atexit
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nats
import psycopg
import pytest
from psycopg import sql

from shared.settings import CommonSettings
from tests.pg_instance import PgInstance

MACHINE_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def _admin_url() -> str:
    """PINGYI_TEST_PG, else the machine's PostgreSQL; but a worker of a run spread over
    processes (`pytest -n`) gets a server of its own, for the run: one end-to-end test's
    five services hold up to 135 connections (deploy/k8s/generate.py's `CONNECTIONS`),
    and the machine's server allows 100."""
    if "PINGYI_TEST_PG" in os.environ or "PYTEST_XDIST_WORKER" not in os.environ:
        return os.environ.get("PINGYI_TEST_PG", MACHINE_PG)
    server = PgInstance()
    atexit.register(server.destroy)
    server.init()
    server.start(max_connections=400)
    server.wait_accepting()
    # What the worker starts (a helper run as a module) uses the same server.
    os.environ["PINGYI_TEST_PG"] = server.url()
    return server.url()


PG_ADMIN_URL = _admin_url()
NATS_URL = os.environ.get("PINGYI_TEST_NATS", "nats://127.0.0.1:4222")
ADMIN_KEY = "pyk_test-bootstrap-admin-key"


@pytest.fixture
def database_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    name = f"pingyi_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _delete_streams(prefix: str) -> None:
    nc = await nats.connect(NATS_URL)
    try:
        js = nc.jetstream()
        for info in await js.streams_info():
            if info.config.name and info.config.name.startswith(prefix):
                await js.delete_stream(info.config.name)
    finally:
        await nc.close()


@pytest.fixture
def nats_namespace() -> Iterator[str]:
    """A namespace of its own on the real NATS server, so tests never see each other's streams."""
    namespace = f"t{uuid.uuid4().hex[:10]}"
    yield namespace
    asyncio.run(_delete_streams(namespace.upper() + "_"))


HARNESS_POSITIONS_RATE = "100000/second"
"""Tests wait on positions by polling `GET /positions` as the admin, and a module's cases
in memory mode can poll faster than the product's 50 a second per principal; the limit's own
tests (tests/shared/test_rate_limit.py) set theirs."""
HARNESS_PUBLIC_RATE = "100000/second"
"""A module's cases read the public routes from one address (the test client's) faster
than the product's 50 a second per address lets a person: a case that loops over every
public route left the next case 429s. The limit's own tests set theirs."""


@pytest.fixture
def embedded_settings(tmp_path: object) -> CommonSettings:
    return CommonSettings(
        mode="embedded",
        data_dir=tmp_path,  # type: ignore[arg-type]
        bootstrap_admin_key=ADMIN_KEY,  # type: ignore[arg-type]
        log_json=False,
        rate_positions=HARNESS_POSITIONS_RATE,
        rate_public=HARNESS_PUBLIC_RATE,
    )


def in_memory(data_dir: Path = Path("memory-mode-writes-nothing")) -> CommonSettings:
    """Memory mode: in-memory event stores and views, consumers reading the upstream services
    running in this process. A namespace of its own, so no two uses see each other's
    services (also for module-scoped clusters)."""
    return CommonSettings(
        mode="memory",
        data_dir=data_dir,
        namespace=f"m{uuid.uuid4().hex[:12]}",
        bootstrap_admin_key=ADMIN_KEY,  # type: ignore[arg-type]
        log_json=False,
        rate_positions=HARNESS_POSITIONS_RATE,
        rate_public=HARNESS_PUBLIC_RATE,
    )


@pytest.fixture
def memory_settings(tmp_path: Path) -> Iterator[CommonSettings]:
    """`in_memory()` for one test; its data directory must stay unwritten."""
    unused = tmp_path / "memory-mode-writes-nothing"
    yield in_memory(unused)
    assert not unused.exists(), "memory mode wrote files"


@pytest.fixture
def common(request: pytest.FixtureRequest) -> CommonSettings:
    """Memory mode, unless a test that checks what is stored on disk asks for SQLite with
    `@pytest.mark.parametrize("common", ["embedded"], indirect=True)`."""
    mode = getattr(request, "param", "memory")
    settings: CommonSettings = request.getfixturevalue(f"{mode}_settings")
    return settings


@pytest.fixture
def own_postgres(request: pytest.FixtureRequest) -> Iterator[PgInstance]:
    """A PostgreSQL server of the test's own (tests/pg_instance.py), never the machine's, for
    tests that stop and restart it (again on its port, a quiet one: see tests/ports.py), with
    an empty database `pingyi`; a schema the test needs there from the start is named with
    `@pytest.mark.parametrize("own_postgres", ["registry"], indirect=True)`."""
    schema: str | None = getattr(request, "param", None)
    instance = PgInstance()
    try:
        instance.init()
        instance.start()
        with psycopg.connect(instance.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE pingyi")
        if schema is not None:
            with psycopg.connect(instance.url("pingyi"), autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        yield instance
    finally:
        instance.destroy()


@pytest.fixture
def production_settings(database_url: str, nats_namespace: str) -> CommonSettings:
    return CommonSettings(
        mode="production",
        database_url=database_url,
        nats_url=NATS_URL,
        namespace=nats_namespace,
        bootstrap_admin_key=ADMIN_KEY,  # type: ignore[arg-type]
        log_json=False,
        rate_positions=HARNESS_POSITIONS_RATE,
        rate_public=HARNESS_PUBLIC_RATE,
    )


SHARED_RUNS = {
    "fuzz": "one package-scoped cluster, and a check that runs after every other fuzz test",
    "fuzz/openapi": "half the fuzz tests, on a cluster of their own, ending with that check",
    "bench": "each bench test checks that no bench database or stream is left anywhere",
    "faults": "each kills and restarts whole systems for minutes: one at a time, not two",
}
"""Tests that must run in one process, one after another, when the suite is spread over
processes (`pytest -n`, what scripts/test.sh runs), and why."""


def run_group(nodeid: str) -> str:
    """The tests a worker runs together, in order: a file (its module-scoped fixtures are
    built once, and its tests may build on each other), or one of `SHARED_RUNS`."""
    path = nodeid.split("::", 1)[0]
    parts = path.split("/")
    group = parts[1] if len(parts) > 2 and parts[0] == "tests" else path
    if group == "deploy" and parts[-1].startswith("test_bench"):
        group = "bench"
    elif group == "fuzz" and parts[-1] == "test_openapi.py":
        group = "fuzz/openapi"
    return group if group in SHARED_RUNS else path


LONGEST_FIRST = (
    "fuzz/openapi",
    "fuzz",
    "faults",
    "tests/deploy/test_image_smoke.py",
    "tests/e2e/test_production_processes.py",
    "bench",
    "tests/e2e/test_relay_process.py",
    "tests/cluster/test_jetstream_cluster.py",
    "tests/e2e/test_embedded.py",
    "tests/e2e/test_replicas.py",
    "tests/shared/test_authorization_matrix.py",
    "tests/survey/test_database_restart.py",
    "tests/inspection/test_production_flow.py",
    "tests/e2e/test_views_process.py",
    "tests/integrity/test_commands_and_scores.py",
    "tests/shared/test_trace_links.py",
    "tests/pingyi/test_rebuild_while_serving.py",
)
"""The groups that take longest (minutes, most of them starting services as processes),
handed out first, so that none of them is left to run alone at the end of a spread run.
Every other group follows in the order collected."""


@pytest.hookimpl(trylast=True)  # after tests/fuzz/conftest.py has ordered its own
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    rank = {group: i for i, group in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(run_group(item.nodeid), len(rank)))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    # xdist's own `loadgroup` marks nodeids in a way pytest 9 no longer reads; a scheduler
    # that splits by `run_group` does the same through xdist's public hook. Its groups are
    # handed out in the order collected (`LONGEST_FIRST`), not by their number of tests.
    from xdist.scheduler import LoadScopeScheduling

    config.option.loadscopereorder = False

    class RunGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return run_group(nodeid)

    return RunGroups(config, log)
