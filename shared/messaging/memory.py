"""Memory mode's transport (tests only): a consumer reads its upstream's log straight from
that service's running application in this process.

Each namespace has a hub; a service's runtime offers its log there when it starts and
withdraws it when it stops, and every commit wakes the consumers waiting on it. A log lives
exactly as long as its service runs (the event store is in memory too), so an upstream that
is not running reads as an empty log. Sources never close the application they read: it
belongs to the service that offered it.
"""

from __future__ import annotations

import threading

from shared.messaging.outbox import Outbox
from shared.messaging.sources import CursorSource, Delivery, Signal
from shared.service.application import PublishingApplication


class MemoryHub:
    """The logs of the services running in this process under one namespace."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._logs: dict[str, Outbox] = {}
        self._signals: dict[str, Signal] = {}

    def signal(self, service: str) -> Signal:
        with self._lock:
            return self._signals.setdefault(service, Signal())

    def offer(self, service: str, outbox: Outbox, application: PublishingApplication) -> None:
        """`outbox` reads `application`'s log, whose commits wake the consumers."""
        signal = self.signal(service)
        with self._lock:
            if service in self._logs:
                raise RuntimeError(f"{service} is already running in this memory namespace")
            self._logs[service] = outbox
        application.on_commit(signal.fire)
        signal.fire()

    def withdraw(self, service: str, outbox: Outbox) -> None:
        with self._lock:
            if self._logs.get(service) is outbox:
                del self._logs[service]

    def log(self, service: str) -> Outbox | None:
        with self._lock:
            return self._logs.get(service)


_hubs: dict[str, MemoryHub] = {}
_hubs_lock = threading.Lock()


def hub(namespace: str) -> MemoryHub:
    """The namespace's hub (kept for the life of the process: tests use a namespace each)."""
    with _hubs_lock:
        return _hubs.setdefault(namespace, MemoryHub())


class MemoryLogSource(CursorSource):
    """Reads `upstream`'s log from its running application, woken by its commits (an
    upstream that is not running reads as an empty log)."""

    def __init__(self, logs: MemoryHub, upstream: str) -> None:
        super().__init__(poll_interval=1.0, signal=logs.signal(upstream))
        self._hub = logs
        self._upstream = upstream

    async def start(self, last_position: int | None) -> None:
        await self.rewind(last_position)

    def _read(self, batch: int) -> list[Delivery]:
        outbox = self._hub.log(self._upstream)
        return [] if outbox is None else self._log.next_page(outbox, batch)

    async def close(self) -> None:
        return None
