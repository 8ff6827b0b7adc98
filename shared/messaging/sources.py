"""Where a consumer's messages come from: JetStream in production, the upstream's own log
file in embedded mode. Both hand out `Delivery`s in upstream order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from shared.contracts import IntegrationMessage
from shared.messaging.outbox import Outbox

log = logging.getLogger(__name__)


@dataclass
class Delivery:
    message: IntegrationMessage | None
    """None when the bytes did not decode; `error` says why."""
    error: str | None = None
    raw: Any = None
    headers: dict[str, str] | None = None
    pending: int | None = None
    """How many messages the upstream holds after this one, where the source knows (0 means
    the consumer has caught up)."""


class MessageSource(Protocol):
    async def start(self, last_position: int | None) -> None: ...

    async def fetch(self, batch: int, timeout: float) -> list[Delivery]: ...

    async def ack(self, deliveries: list[Delivery]) -> None: ...

    async def nak(self, deliveries: list[Delivery], delay: float) -> None: ...

    async def reread(self, after: int | None, before: Delivery) -> list[IntegrationMessage]:
        """Fetch from the upstream the messages missing between `after` and `before`."""
        ...

    async def close(self) -> None: ...


class LocalLogSource:
    """Reads the upstream's notification log directly (embedded mode, same machine)."""

    def __init__(
        self, open_outbox: Callable[[], Outbox], poll_interval: float = 0.1, *, owns_outbox: bool
    ) -> None:
        self._open_outbox = open_outbox
        self._owns_outbox = owns_outbox
        self._outbox: Outbox | None = None
        self._cursor: int | None = None
        self._previous: int | None = None
        self._poll = poll_interval

    async def start(self, last_position: int | None) -> None:
        self._outbox = await asyncio.to_thread(self._open_outbox)
        self._cursor = last_position
        self._previous = last_position

    async def fetch(self, batch: int, timeout: float) -> list[Delivery]:
        assert self._outbox is not None, "start() first"
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            page = await asyncio.to_thread(self._outbox.read, self._cursor, self._previous, batch)
            if page.scanned_to is not None:
                self._cursor = page.scanned_to
            if page.messages:
                self._previous = page.messages[-1].position
                deliveries = [Delivery(message) for message in page.messages]
                if len(page.messages) < batch:
                    deliveries[-1].pending = await asyncio.to_thread(self._pending_after)
                return deliveries
            if asyncio.get_running_loop().time() >= deadline:
                return []
            await asyncio.sleep(self._poll)

    def _pending_after(self) -> int:
        assert self._outbox is not None
        head = self._outbox.max_position() or 0
        return 0 if self._cursor is None or head <= self._cursor else head - self._cursor

    async def ack(self, deliveries: list[Delivery]) -> None:
        return None

    async def nak(self, deliveries: list[Delivery], delay: float) -> None:
        # Rewind so the same messages are read again on the next fetch.
        first = next((d.message for d in deliveries if d.message is not None), None)
        if first is not None:
            self._previous = first.previous_position
            self._cursor = first.position - 1
        await asyncio.sleep(delay)

    async def reread(self, after: int | None, before: Delivery) -> list[IntegrationMessage]:
        assert self._outbox is not None
        assert before.message is not None
        page = await asyncio.to_thread(
            self._outbox.read, after, after, 10_000, before.message.position - 1
        )
        return page.messages

    async def close(self) -> None:
        # An upstream's log was opened for this source alone; a service's own log was not.
        if self._outbox is not None and self._owns_outbox:
            await asyncio.to_thread(self._outbox.close)
        self._outbox = None


Waker = Callable[[], Awaitable[None]]
