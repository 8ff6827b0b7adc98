"""Run services in-process (one TestClient each) in either mode, and wait on positions."""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from typing import Any

from fastapi.testclient import TestClient

from pingyi import composition
from shared.messaging.outbox import Outbox
from shared.runtime import ServiceRuntime
from shared.settings import CommonSettings, eventsourcing_env
from tests.conftest import ADMIN_KEY

ADMIN = {"X-API-Key": ADMIN_KEY}
IN_MEMORY = eventsourcing_env(CommonSettings(mode="memory"), "test", None)
"""An eventsourcing application's environment in memory mode, for application tests."""


def create_app(service: str, common: CommonSettings, **kwargs: Any) -> Any:
    return composition.create_app(service, common, **kwargs)


class Cluster:
    """Services started in this process against the given settings (SQLite or PG + NATS)."""

    def __init__(self, common: CommonSettings, services: Iterable[str]) -> None:
        self.common = common
        self.services = list(services)
        self.clients: dict[str, TestClient] = {}
        self._stack = ExitStack()

    def __enter__(self) -> Cluster:
        for name in self.services:
            client = TestClient(create_app(name, self.common), raise_server_exceptions=True)
            self.clients[name] = self._stack.enter_context(client)
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            for client in self.clients.values():
                assert_bodies_match_mapping(client.app.state.runtime)
        # Services stop at once rather than one after another.
        with ThreadPoolExecutor(max_workers=len(self.clients) or 1) as pool:
            list(pool.map(lambda client: client.__exit__(None, None, None), self.clients.values()))
        self.clients.clear()
        self._stack.pop_all()

    def __getitem__(self, service: str) -> TestClient:
        return self.clients[service]

    def head(self, service: str) -> int | None:
        response = self.clients[service].get("/positions", headers=ADMIN)
        assert response.status_code == 200, f"/positions: {response.status_code} {response.text}"
        head: int | None = response.json()["head"]
        return head

    def wait_caught_up(self, downstream: str, upstream: str, timeout: float = 30.0) -> None:
        """Block until `downstream` has applied everything `upstream` has published so far."""
        wait_caught_up(
            lambda: self.head(upstream),
            lambda: (
                self.clients[downstream]
                .get("/positions", headers=ADMIN)
                .json()["consumers"]
                .get(upstream)
            ),
            f"{downstream} <- {upstream}",
            timeout,
        )


def wait_caught_up(head: Any, applied: Any, label: str, timeout: float = 30.0) -> None:
    target = head()
    deadline = time.monotonic() + timeout
    interval = 0.01
    while True:
        current = applied()
        if target is None or (current is not None and current >= target):
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{label}: applied {current}, waiting for {target}")
        time.sleep(interval)
        interval = min(interval * 2, 0.2)


def feed_registry_copy(views: Any, messages: Any) -> None:
    """Apply registry messages to a store's security view and registry copy, as a service's
    consumers would."""
    from shared.registry_view import REGISTRY_COPY, SECURITY_VIEW

    batch = list(messages)
    for view in (SECURITY_VIEW, REGISTRY_COPY):
        views.declare(view.collections)
        view.inbox(views, "registry").apply("registry", batch)


RETIRED_EVENT_TYPES = frozenset({"scoring.score.computed"})
"""Published by the first release's wave runs (`services.scoring.retired`): a log holding
them publishes the bodies stored then, but their events no longer map to any message."""


def assert_bodies_match_mapping(runtime: ServiceRuntime) -> None:
    """Every message of the service's log, built from the body stored at write time, is
    byte for byte the message mapped from the stored event (the relay's old way): so every
    test that runs a cluster checks the encode-once path against every event it caused.
    A log written by the first release (`RETIRED_EVENT_TYPES`) is checked up to there."""
    mapped = Outbox(
        runtime.name, runtime.application, runtime.definition.payload_mapper, stored_bodies=False
    )
    stored = runtime.outbox()
    after: int | None = None
    previous: int | None = None
    while True:
        page = stored.read_encoded(after, previous, 500)
        if any(m.event_type in RETIRED_EVENT_TYPES for m in page.messages):
            return
        expected = mapped.read_encoded(after, previous, 500)
        assert page.scanned_to == expected.scanned_to
        assert [m.encode() for m in page.messages] == [m.encode() for m in expected.messages], (
            f"{runtime.name}: a stored message body differs from its mapped event"
        )
        if page.scanned_to is None or page.scanned_to == after:
            return
        after = page.scanned_to
        if page.messages:
            previous = page.messages[-1].position
