"""A service whose leased views run in a views process (`shared.service.views_process`):
the API process runs only its security view, and reports the views process's consumers
as its own, stall and all; an operator's skip decision, recorded through the API, reaches
the consumer in the other process; a views process that stops reporting shows as stalled.

The views process runs here on a thread of the test, with parts of its own (its own view
store, log reader, leases and NATS connection), against the real PostgreSQL and NATS; the
subprocess it is in production, and its supervision, is `tests/e2e/test_views_process.py`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pingyi.composition import default_transport
from shared.http import build_app
from shared.messaging.outbox import Outbox
from shared.registry_view import SECURITY_VIEW
from shared.runtime import ServiceRuntime
from shared.service.definition import ServiceDefinition
from shared.service.views_process import ViewsProcess
from shared.settings import CommonSettings, ServiceSettings, eventsourcing_env
from tests.harness import ADMIN, Cluster
from tests.registry.helpers import post, unit
from tests.shared.test_security_copy import FRAGILE, _consumer, _probe, _until

pytestmark = pytest.mark.infra
APART = ServiceSettings(views_in_process=False)


class ViewsThread:
    """A views process's parts on a thread with an event loop of its own."""

    def __init__(self, definition: ServiceDefinition, common: CommonSettings) -> None:
        self._definition = definition
        self._common = common
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    def start(self) -> ViewsThread:
        self._thread.start()
        assert self._started.wait(60), "the views process did not start"
        if self._failure is not None:
            raise self._failure
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)

    def _outbox(self) -> Outbox:
        env = eventsourcing_env(self._common, self._definition.name, None)
        application = self._definition.open_application(env)
        return Outbox(self._definition.name, application, self._definition.payload_mapper)

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        process = ViewsProcess(self._definition, self._common, APART, self._outbox)
        try:
            await process.start()
        except BaseException as exc:
            self._failure = exc
        self._started.set()
        try:
            if self._failure is None:
                await process.run(self._stop)
        finally:
            await process.stop()


@contextmanager
def probe_apart(common: CommonSettings) -> Iterator[tuple[TestClient, ServiceRuntime]]:
    definition = _probe((SECURITY_VIEW, FRAGILE))
    runtime = ServiceRuntime(definition, common, APART, default_transport(common))
    with TestClient(build_app(runtime)) as client:
        yield client, runtime


def _syncz(client: TestClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/syncz").json()
    return body


def test_the_views_process_applies_stalls_visibly_and_takes_a_recorded_skip(
    production_settings: CommonSettings,
) -> None:
    with (
        Cluster(production_settings, ["registry"]) as cluster,
        probe_apart(production_settings) as (client, runtime),
    ):
        # The API process runs the security view only, and has not seen a report yet.
        assert [c.name for c in runtime.consumers] == [f"probe-security-v{SECURITY_VIEW.version}"]
        assert _consumer(client, "fragile")["runs"] == "own_process"
        views = ViewsThread(_probe((SECURITY_VIEW, FRAGILE)), production_settings).start()
        try:
            _until(lambda: _consumer(client, "fragile")["leading"], "the views process leads")
            county = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})
            unit(cluster, county["jurisdiction_id"], "舞阳县供电公司")
            unit(cluster, county["jurisdiction_id"], "舞阳县毒丸厂")  # the view refuses it
            unit(cluster, county["jurisdiction_id"], "舞阳县自来水公司")
            _until(lambda: _consumer(client, "fragile")["stalled"], "the fragile view stalls")

            stalled = _consumer(client, "fragile")
            at = stalled["stalled_at"]
            assert at["event_type"] == "registry.unit.registered"
            assert stalled["runs"] == "own_process" and stalled["leading"]
            syncz = client.get("/syncz")
            assert syncz.status_code == 503 and syncz.json()["status"] == "stalled"
            listed = client.get("/positions", headers=ADMIN).json()["stalled"]
            assert [c["consumer"] for c in listed] == ["probe-fragile-v1"]
            metrics = client.get("/metrics").text
            assert (
                'pingyi_consumer_stalled{consumer="probe-fragile-v1",upstream="registry"} 1.0'
                in (metrics)
            )
            assert "pingyi_views_process_current 1.0" in metrics

            decision = client.post(
                f"/operations/consumers/{stalled['consumer']}/registry/skips",
                json={"position": at["position"], "event_id": at["event_id"], "reason": "测试"},
                headers=ADMIN,
            )
            assert decision.status_code == 201, decision.text
            _until(lambda: _consumer(client, "fragile")["skipped"] == 1, "the skip", 30)
            head = cluster.head("registry")
            _until(lambda: _consumer(client, "fragile")["last_position"] == head, "caught up", 30)
            _until(lambda: client.get("/syncz").status_code == 200, "in sync again")
            names = sorted(d["name"] for _, d in runtime.views.scan("fragile_units"))
            assert names == ["舞阳县供电公司", "舞阳县自来水公司"]
        finally:
            views.stop()
        # Stopped: its last row says so, and its consumers show as not applying.
        reported = _consumer(client, "fragile")
        assert reported["stalled"] and not reported["leading"]
        assert "has not reported" in reported["stalled_reason"]
        assert client.get("/syncz").status_code == 503
        assert client.get("/readyz").json()["checks"]["views"]["current"] is False
