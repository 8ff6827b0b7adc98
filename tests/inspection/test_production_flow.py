"""Every inspection area against the real PostgreSQL and NATS JetStream: the same course
(tests/inspection/flow.py) run once with registry and inspection in this process and once
with each started as an operating-system process (`pingyi serve`), checking the contract
messages on inspection's stream and the views inspection builds back from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.inspection.workdays import china_today
from shared.settings import CommonSettings
from tests.conftest import NATS_URL
from tests.e2e.processes import Api, ProductionSystem, production_env
from tests.harness import ADMIN, Cluster
from tests.inspection import flow

pytestmark = pytest.mark.infra
CONTACT_KEY = {"PINGYI_INSPECTION_CONTACT_KEY": "test-contact-key-0123456789abcdef"}


def _answer(response: httpx.Response) -> tuple[int, Any]:
    return response.status_code, response.json()


def test_every_area_in_process(
    production_settings: CommonSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    [(name, value)] = CONTACT_KEY.items()
    monkeypatch.setenv(name, value)
    with Cluster(production_settings, ["registry", "inspection"]) as cluster:

        def send(service: str, method: str, path: str, key: str, body: Any) -> tuple[int, Any]:
            client = cluster[service]
            headers = {"X-API-Key": key}
            return _answer(client.request(method, path, json=body, headers=headers))

        course = flow.Course(send)
        flow.register(course)
        cluster.wait_caught_up("inspection", "registry")
        flow.run(course, china_today().isoformat())
        head = cluster.head("inspection")
        assert head is not None
        messages = flow.published(production_settings.namespace, head)
        cluster.wait_caught_up("inspection", "inspection")
        flow.check_views(course)
        flow.check_messages(course, messages)
        positions = cluster["inspection"].get("/positions", headers=ADMIN).json()
        assert positions["consumers"]["inspection"] == head


@pytest.fixture
def processes(database_url: str, nats_namespace: str, tmp_path: Path) -> Iterator[Api]:
    env = production_env(database_url, nats_namespace, NATS_URL) | CONTACT_KEY
    system = ProductionSystem(env, tmp_path)
    try:
        for service in ("registry", "inspection"):
            system.start(service)
        yield Api(system.urls())
    finally:
        codes = system.stop_all()
    assert all(code in (0, -15) for code in codes.values()), codes


@pytest.mark.e2e
def test_every_area_as_processes(processes: Api, nats_namespace: str) -> None:
    api = processes

    def send(service: str, method: str, path: str, key: str, body: Any) -> tuple[int, Any]:
        url = api.urls[service] + path
        return _answer(api.http.request(method, url, json=body, headers={"X-API-Key": key}))

    course = flow.Course(send)
    flow.register(course)
    api.wait_caught_up("inspection", "registry")
    flow.run(course, china_today().isoformat())
    head = api.head("inspection")
    assert head is not None
    messages = flow.published(nats_namespace, head)
    api.wait_caught_up("inspection", "inspection")
    flow.check_views(course)
    flow.check_messages(course, messages)
