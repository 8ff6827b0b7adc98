"""Relay: publish a service's own log to JetStream, in order, after commit, resumably."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any, Protocol

from shared.contracts import IntegrationMessage
from shared.messaging.outbox import Outbox
from shared.views import ViewStore

log = logging.getLogger(__name__)

RELAY_UPSTREAM = "relay"


class Publisher(Protocol):
    async def publish(self, message: IntegrationMessage) -> None: ...


class Relay:
    """Reads notifications after the last relayed one, publishes each mapped message and
    waits for its ack, then records how far it got. A crash between publish and record
    republishes; JetStream's Nats-Msg-Id de-duplication and the consumers' inboxes make
    that harmless."""

    def __init__(self, outbox: Outbox, publisher: Publisher, state: ViewStore, batch: int = 500):
        self._outbox = outbox
        self._publisher = publisher
        self._state = state
        self._batch = batch
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.scanned_to: int | None = None
        self.published_to: int | None = None
        self.published = 0
        self.last_error: str | None = None
        self._lock = threading.Lock()

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.scanned_to = await asyncio.to_thread(
            self._state.last_position, "relay", RELAY_UPSTREAM
        )
        doc = await asyncio.to_thread(self._state.get, "relay", "state")
        self.published_to = None if doc is None else doc.get("published")
        self._task = asyncio.create_task(self._run(), name=f"relay-{self._outbox.service}")

    def wake(self) -> None:
        """Thread-safe nudge from the application after it commits."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            try:
                moved = await self._relay_once()
                failures = 0
                self.last_error = None
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("relay failed, will retry", extra={"error": self.last_error})
                await asyncio.sleep(min(5.0, 0.2 * 2**failures))
                continue
            if not moved:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=0.5)
                self._wake.clear()

    async def _relay_once(self) -> bool:
        page = await asyncio.to_thread(
            self._outbox.read, self.scanned_to, self.published_to, self._batch
        )
        if page.scanned_to is None or page.scanned_to == self.scanned_to:
            return False
        for message in page.messages:
            await self._publisher.publish(message)
            self.published += 1
        published_to = page.messages[-1].position if page.messages else self.published_to
        await asyncio.to_thread(self._record, page.scanned_to, published_to)
        self.scanned_to, self.published_to = page.scanned_to, published_to
        return True

    def _record(self, scanned_to: int, published_to: int | None) -> None:
        with self._state.transaction("relay") as tx:
            tx.put("relay", "state", {"published": published_to, "scanned": scanned_to})
            tx.track(RELAY_UPSTREAM, scanned_to)

    def status(self) -> dict[str, Any]:
        return {
            "scanned_to": self.scanned_to,
            "published_to": self.published_to,
            "published": self.published,
            "last_error": self.last_error,
        }
