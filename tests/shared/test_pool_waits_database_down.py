"""Requests already waiting for a pooled connection when PostgreSQL goes away (production, a
service served by uvicorn in this process): once the background ping fails, they answer 503
`database_unavailable` with Retry-After, instead of waiting out the pool's timeout
(PINGYI_DATABASE_WAIT_TIMEOUT) for the same answer. Both pools a request waits on: the view
store's and the event store's (`shared.service.reachability`).

Before the outage every pooled connection is held (as by requests in flight), so the
requests queue on the pools; a ping then asks on a connection of its own and succeeds, and
they wait on: a busy pool is not an outage.

The pool's timeout is set far above the wait the test allows them, so a request that waits
for the pool fails the test by that wait: nothing is timed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from psycopg_pool import ConnectionPool

from pingyi.composition import default_transport
from shared.http import RuntimeDep, build_app
from shared.policy import Policy, PolicyRouter, allow
from shared.runtime import ServiceRuntime
from shared.service.application import PublishingApplication
from shared.service.definition import ServiceApi, ServiceDefinition
from shared.settings import CommonSettings, ServiceSettings
from tests.conftest import ADMIN_KEY, NATS_URL
from tests.pg_instance import PgInstance
from tests.shared.served import Served

pytestmark = pytest.mark.infra

POOL_WAIT = 120
"""PINGYI_DATABASE_WAIT_TIMEOUT: what a request waiting for the pool would wait."""
ALLOWED = 60.0
"""How long after they were sent the waiting requests must all have answered: far below
POOL_WAIT, far above a prompt answer."""
WAITERS = 3
"""Requests queued on each pool."""

router = PolicyRouter()


@router.get("/view-read", **allow(Policy.read()))
def view_read(runtime: RuntimeDep) -> dict[str, Any]:
    return {"found": runtime.views.get("probe", "k") is not None}


@router.get("/log-read", **allow(Policy.read()))
def log_read(runtime: RuntimeDep) -> dict[str, Any]:
    return {"position": runtime.outbox().max_position()}


class ProbeApplication(PublishingApplication):
    name = "probe"


class NoPrincipals:
    """The probe's own keys (none; it is called with the bootstrap admin's): so that its
    start does not wait for a security copy it has not got."""

    def principal_by_key_hash(self, key_hash: str) -> dict[str, Any] | None:
        return None


PROBE = ServiceDefinition(
    name="probe",
    title="probe",
    description="a test service built from the kernel template, reading both its stores",
    application=ProbeApplication,
    settings=ServiceSettings,
    payload_mapper=lambda event: None,
    api=lambda: ServiceApi(routers=(router,)),
    principal_authority=lambda runtime: NoPrincipals(),
)


def until(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def waiting(pool: ConnectionPool[Any]) -> int:
    return pool.get_stats()["requests_waiting"]


@contextmanager
def exhausted(pool: ConnectionPool[Any]) -> Iterator[None]:
    """Every connection `pool` may open, held until the end."""
    held = [pool.getconn(timeout=30) for _ in range(pool.max_size)]
    try:
        yield
    finally:
        for conn in held:
            pool.putconn(conn)


def test_requests_waiting_for_a_pool_answer_503_once_a_ping_fails(
    own_postgres: PgInstance, nats_namespace: str
) -> None:
    common = CommonSettings(
        mode="production",
        database_url=own_postgres.url("pingyi"),
        nats_url=NATS_URL,
        namespace=nats_namespace,
        bootstrap_admin_key=ADMIN_KEY,  # type: ignore[arg-type]
        log_json=False,
        database_wait_timeout=POOL_WAIT,
    )
    runtime = ServiceRuntime(PROBE, common, ServiceSettings(), default_transport(common))
    with Served(build_app(runtime)) as served, ThreadPoolExecutor(2 * WAITERS) as executor:
        view_pool = runtime.views._pool  # type: ignore[attr-defined]
        log_pool = runtime.application.recorder.datastore.pool  # type: ignore[attr-defined]
        url = f"http://127.0.0.1:{served.port}"
        client = httpx.Client(base_url=url, headers={"X-API-Key": ADMIN_KEY}, timeout=300)
        for path in ("/view-read", "/log-read"):
            assert client.get(path).status_code == 200
        try:
            with exhausted(view_pool), exhausted(log_pool):
                sent = time.monotonic()
                answers: list[Future[httpx.Response]] = [
                    executor.submit(client.get, path)
                    for path in ("/view-read", "/log-read")
                    for _ in range(WAITERS)
                ]
                until(
                    lambda: waiting(view_pool) >= WAITERS and waiting(log_pool) >= WAITERS,
                    "the requests wait for the pools",
                )
                # A ping made while they wait: it finds the database, and they wait on.
                queued = time.monotonic()
                until(lambda: (runtime.reachability.checked_at or 0) > queued, "a ping")
                assert runtime.reachability.problem is None
                assert not any(answer.done() for answer in answers)

                own_postgres.stop("fast")
                done, late = wait(answers, timeout=sent + ALLOWED - time.monotonic())
                assert not late, f"{len(late)} requests still wait for a pooled connection"
                for answer in done:
                    refused = answer.result()
                    body = refused.json()
                    assert refused.status_code == 503, body
                    assert refused.headers["retry-after"], refused.headers
                    assert body["error"] == "database_unavailable", body
        finally:
            client.close()
            if not (own_postgres.data / "postmaster.pid").exists():
                own_postgres.start()  # so that the service stops as it would
