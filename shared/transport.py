"""The one place where the modes differ: how events travel between services.

Production: JetStream (a relay publishes each service's log; each consumer reads it through
an ephemeral consumer of its own, from the position its own tables record).
Embedded: no broker; a consumer reads the upstream's log file directly.
Memory (tests only): a consumer reads the upstream's running application in this process.
Domain and application code never know which one is in use.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from nats.js.errors import NotFoundError as JsNotFound

from shared.messaging.jetstream import (
    JetStreamPublisher,
    NatsUnreachable,
    connect,
    ensure_stream,
    reason,
    redacted,
)
from shared.messaging.jetstream_source import JetStreamSource
from shared.messaging.memory import MemoryLogSource, hub
from shared.messaging.outbox import Outbox
from shared.messaging.relay import Publisher
from shared.messaging.sources import LocalLogSource, MessageSource
from shared.service.application import PublishingApplication
from shared.service.start_wait import until_usable
from shared.settings import NATS_START_WAIT_SECONDS, CommonSettings

log = logging.getLogger(__name__)

DRAIN_SECONDS = 5.0
"""How long a stop waits for the NATS connection to drain before closing it without: the
consumers have stopped by then, so what is left is a flush of what was published, which a
server that answers does in milliseconds."""

OutboxOpener = Callable[[str], Outbox]


class Transport(Protocol):
    async def connect(self, service: str) -> None: ...

    def publisher(self, service: str) -> Publisher | None: ...

    def offer_log(self, service: str, outbox: Outbox, application: PublishingApplication) -> None:
        """The service's own log, once its application runs: the memory transport hands it
        to consumers in this process; the others read logs elsewhere and ignore it."""
        ...

    def source(self, consumer: str, upstream: str) -> MessageSource: ...

    async def head(self, upstream: str, timeout: float) -> int | None:
        """The position of the last message `upstream` has published as this transport
        carries it (None: nothing yet), read now; raises when it cannot be read within
        `timeout` seconds. Read-only: for a reader that must have applied it first."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...


class LocalTransport:
    def __init__(self, open_outbox: OutboxOpener, poll_interval: float = 0.1) -> None:
        self._open_outbox = open_outbox
        self._poll = poll_interval
        # Opened on the first `head` of each upstream and kept: opening a log is not cheap.
        self._heads: dict[str, Outbox] = {}
        self._heads_lock = threading.Lock()

    async def connect(self, service: str) -> None:
        return None

    def publisher(self, service: str) -> Publisher | None:
        return None

    def offer_log(self, service: str, outbox: Outbox, application: PublishingApplication) -> None:
        return None

    def source(self, consumer: str, upstream: str) -> MessageSource:
        return LocalLogSource(lambda: self._open_outbox(upstream), self._poll, owns_outbox=True)

    async def head(self, upstream: str, timeout: float) -> int | None:
        return await asyncio.wait_for(asyncio.to_thread(self._head, upstream), timeout)

    def _head(self, upstream: str) -> int | None:
        with self._heads_lock:
            outbox = self._heads.get(upstream)
            if outbox is None:
                outbox = self._heads[upstream] = self._open_outbox(upstream)
            return outbox.head()

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        with self._heads_lock:
            opened, self._heads = list(self._heads.values()), {}
        for outbox in opened:
            outbox.close()


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

    async def head(self, upstream: str, timeout: float) -> int | None:
        """An upstream not running reads as an empty log, as its consumers read it."""
        outbox = self._hub.log(upstream)
        if outbox is None:
            return None
        return await asyncio.wait_for(asyncio.to_thread(outbox.head), timeout)

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        offered, self._offered = self._offered, None
        if offered is not None:
            self._hub.withdraw(*offered)


def _why_not_usable(error: Exception) -> str:
    return error.why if isinstance(error, NatsUnreachable) else reason(error)


class JetStreamTransport:
    def __init__(
        self,
        url: str,
        namespace: str,
        *,
        replicas: int = 1,
        start_wait: float = NATS_START_WAIT_SECONDS,
        drain_wait: float = DRAIN_SECONDS,
    ) -> None:
        """`start_wait`: how long `connect` waits for NATS (`PINGYI_NATS_START_WAIT_SECONDS`;
        `jetstream_transport` reads it from the settings). `drain_wait`: how long `close`
        waits for the connection to drain."""
        self._url = url
        self._namespace = namespace
        self._replicas = replicas
        self._start_wait = start_wait
        self._drain_wait = drain_wait
        self._nc: Any = None
        self._js: Any = None

    async def connect(self, service: str) -> None:
        """Connect and create or update the service's stream, retrying with a growing pause
        (one log line per failed attempt, naming the servers and why) for `start_wait`
        seconds; then `ServiceCannotStart` (a `ConnectionError`). A stop meanwhile cancels it
        (`shared.http`)."""
        self._nc, self._js = await until_usable(
            f"NATS at {redacted(self._url)}",
            lambda: self._open(service),
            wait=self._start_wait,
            why=_why_not_usable,
        )

    async def _open(self, service: str) -> tuple[Any, Any]:
        nc, js = await connect(self._url, f"pingyi-{service}")
        try:
            await ensure_stream(js, self._namespace, service, replicas=self._replicas)
        except BaseException:
            await nc.close()
            raise
        return nc, js

    def publisher(self, service: str) -> Publisher | None:
        return JetStreamPublisher(
            self._js, self._namespace, service, stream_replicas=self._replicas
        )

    def offer_log(self, service: str, outbox: Outbox, application: PublishingApplication) -> None:
        return None

    def source(self, consumer: str, upstream: str) -> MessageSource:
        return JetStreamSource(
            self._js, self._namespace, consumer, upstream, replicas=self._replicas
        )

    async def head(self, upstream: str, timeout: float) -> int | None:
        """The origin position of the last message in the upstream's stream (what its
        relay has published; a stream not created yet holds nothing)."""
        if self._js is None:
            raise ConnectionError("not connected to NATS")
        publisher = JetStreamPublisher(self._js, self._namespace, upstream, timeout=timeout)
        try:
            return (await publisher.tail()).position
        except JsNotFound:
            return None

    async def ping(self) -> None:
        if self._nc is None or not self._nc.is_connected:
            raise ConnectionError("not connected to NATS")
        await asyncio.wait_for(self._js.account_info(), timeout=3)

    async def close(self) -> None:
        """Ends the connection whatever its state, never raising for a NATS that is down.
        Connected: drained (subscriptions ended after the messages in hand, then what was
        published flushed), for at most `drain_wait` seconds. nats-py refuses to drain while it
        reconnects (`ConnectionReconnectingError`, for as long as the server is away), and
        its drain hangs on a server that stopped answering (a flush of the subscriptions'
        ends, then a final flush, each waiting for its timeout; one that fails skips the
        close): then the connection is closed without draining, said in one warning, so
        that the stop goes on to the leases and stores."""
        nc, self._nc = self._nc, None
        if nc is None:
            return
        draining = asyncio.ensure_future(nc.drain())
        await asyncio.wait([draining], timeout=self._drain_wait)
        if not draining.done():
            why = f"not drained within {self._drain_wait:g} s"
        elif draining.cancelled():
            why = "its drain was cancelled"
        elif (refused := draining.exception()) is not None:
            why = reason(refused)
        else:
            return
        log.warning(
            "closing the NATS connection to %s without draining it: %s", redacted(self._url), why
        )
        try:
            await asyncio.wait_for(nc.close(), self._drain_wait)
        except Exception as error:  # the socket is gone either way; the stop goes on
            log.debug("NATS close: %s", reason(error))
        if not draining.done():
            draining.cancel()
            await asyncio.wait([draining])
        if not draining.cancelled():
            draining.exception()  # retrieved: asyncio would log it as never retrieved


def jetstream_transport(common: CommonSettings) -> JetStreamTransport:
    """Production's transport as the settings say (the API process's and the views
    process's): its servers, namespace, stream replicas and how long a start waits."""
    return JetStreamTransport(
        common.nats_url,
        common.namespace,
        replicas=common.nats_stream_replicas,
        start_wait=common.nats_start_wait_seconds,
    )
