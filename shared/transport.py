"""The one place where the modes differ: how events travel between services.

Production: JetStream (a relay publishes each service's log; each consumer reads it through
an ephemeral consumer of its own, from the position its own tables record).
Embedded: no broker; a consumer reads the upstream's log file directly.
Memory (tests only): a consumer reads the upstream's running application in this process.
Domain and application code never know which one is in use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol

from shared.messaging.jetstream import JetStreamPublisher, connect, ensure_stream
from shared.messaging.jetstream_source import JetStreamSource
from shared.messaging.memory import MemoryLogSource, hub
from shared.messaging.outbox import Outbox
from shared.messaging.relay import Publisher
from shared.messaging.sources import LocalLogSource, MessageSource
from shared.service.application import PublishingApplication

OutboxOpener = Callable[[str], Outbox]


class Transport(Protocol):
    async def connect(self, service: str) -> None: ...

    def publisher(self, service: str) -> Publisher | None: ...

    def offer_log(self, service: str, outbox: Outbox, application: PublishingApplication) -> None:
        """The service's own log, once its application runs: the memory transport hands it
        to consumers in this process; the others read logs elsewhere and ignore it."""
        ...

    def source(self, consumer: str, upstream: str) -> MessageSource: ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class LocalTransport:
    def __init__(self, open_outbox: OutboxOpener, poll_interval: float = 0.1) -> None:
        self._open_outbox = open_outbox
        self._poll = poll_interval

    async def connect(self, service: str) -> None:
        return None

    def publisher(self, service: str) -> Publisher | None:
        return None

    def offer_log(self, service: str, outbox: Outbox, application: PublishingApplication) -> None:
        return None

    def source(self, consumer: str, upstream: str) -> MessageSource:
        return LocalLogSource(lambda: self._open_outbox(upstream), self._poll, owns_outbox=True)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        return None


class MemoryTransport:
    """One per service runtime; its namespace's hub is shared by every runtime in the process."""

    def __init__(self, namespace: str) -> None:
        self._hub = hub(namespace)
        self._offered: tuple[str, Outbox] | None = None

    async def connect(self, service: str) -> None:
        return None

    def publisher(self, service: str) -> Publisher | None:
        return None

    def offer_log(self, service: str, outbox: Outbox, application: PublishingApplication) -> None:
        self._hub.offer(service, outbox, application)
        self._offered = (service, outbox)

    def source(self, consumer: str, upstream: str) -> MessageSource:
        return MemoryLogSource(self._hub, upstream)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        offered, self._offered = self._offered, None
        if offered is not None:
            self._hub.withdraw(*offered)


class JetStreamTransport:
    def __init__(self, url: str, namespace: str, *, replicas: int = 1) -> None:
        self._url = url
        self._namespace = namespace
        self._replicas = replicas
        self._nc: Any = None
        self._js: Any = None

    async def connect(self, service: str) -> None:
        self._nc, self._js = await connect(self._url, f"pingyi-{service}")
        await ensure_stream(self._js, self._namespace, service, replicas=self._replicas)

    def publisher(self, service: str) -> Publisher | None:
        return JetStreamPublisher(self._js, self._namespace, service)

    def offer_log(self, service: str, outbox: Outbox, application: PublishingApplication) -> None:
        return None

    def source(self, consumer: str, upstream: str) -> MessageSource:
        return JetStreamSource(
            self._js, self._namespace, consumer, upstream, replicas=self._replicas
        )

    async def ping(self) -> None:
        if self._nc is None or not self._nc.is_connected:
            raise ConnectionError("not connected to NATS")
        await asyncio.wait_for(self._js.account_info(), timeout=3)

    async def close(self) -> None:
        if self._nc is not None:
            await self._nc.drain()
