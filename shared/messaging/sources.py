"""Where a consumer's messages come from: JetStream in production, the upstream's own log
file in embedded mode. Both hand out `Delivery`s in upstream order."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from shared.contracts import IntegrationMessage
from shared.messaging.outbox import Outbox

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Delivery:
    message: IntegrationMessage | None
    """None when the bytes did not decode; `error` says why."""
    error: str | None = None
    sequence: int | None = None
    """Where the upstream's stream stored it, for a source that has one (JetStream)."""
    headers: dict[str, str] | None = None
    pending: int | None = None
    """How many messages the upstream holds after this one, where the source knows (0 means
    the consumer has caught up)."""


class MessageSource(Protocol):
    """An upstream's messages in upstream order, from a position the consumer names.

    Sources keep no progress of their own: the consumer's own tables say how far it got,
    and it hands that position to `start` and `rewind`. Nothing is acknowledged; whatever
    was delivered and not applied (a gap, a failed batch, a lost lease) is read again after
    `rewind`."""

    async def start(self, last_position: int | None) -> None:
        """Deliver from the message after `last_position` (None: from the first)."""
        ...

    async def fetch(self, batch: int, timeout: float) -> list[Delivery]:
        """Up to `batch` deliveries, in order, waiting up to about `timeout` for the first.

        An empty list means the source has made sure that nothing more is there right now
        (the consumer counts it as caught up); a source that cannot tell raises instead."""
        ...

    async def rewind(self, last_position: int | None) -> None:
        """Forget what was delivered since: the next fetch starts after `last_position`."""
        ...

    async def close(self) -> None: ...


class LocalLogSource:
    """Reads the upstream's notification log directly (embedded mode, same machine)."""

    def __init__(
        self, open_outbox: Callable[[], Outbox], poll_interval: float = 0.1, *, owns_outbox: bool
    ) -> None:
        self._open_outbox = open_outbox
        self._owns_outbox = owns_outbox
        # A read runs in a worker thread that cancelling the awaiting task does not stop;
        # closing the log under it would pull the database connection from under its feet.
        self._in_use = threading.Lock()
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
            page = await asyncio.to_thread(
                self._guarded, self._outbox.read, self._cursor, self._previous, batch
            )
            if page.scanned_to is not None:
                self._cursor = page.scanned_to
            if page.messages:
                self._previous = page.messages[-1].position
                deliveries = [Delivery(message) for message in page.messages]
                if len(page.messages) < batch:
                    deliveries[-1].pending = await asyncio.to_thread(
                        self._guarded, self._pending_after
                    )
                return deliveries
            if asyncio.get_running_loop().time() >= deadline:
                return []
            await asyncio.sleep(self._poll)

    def _pending_after(self) -> int:
        assert self._outbox is not None
        head = self._outbox.max_position() or 0
        return 0 if self._cursor is None or head <= self._cursor else head - self._cursor

    async def rewind(self, last_position: int | None) -> None:
        self._cursor = last_position
        self._previous = last_position

    async def close(self) -> None:
        """Waits for a read still running in a worker thread. An upstream's log was opened
        for this source alone and is closed; a service's own log is not this source's."""
        outbox, self._outbox = self._outbox, None
        if outbox is not None:
            release = outbox.close if self._owns_outbox else _nothing
            await asyncio.to_thread(self._guarded, release)

    def _guarded(self, work: Callable[..., T], *args: Any) -> T:
        with self._in_use:
            return work(*args)


def _nothing() -> None:
    return None


Waker = Callable[[], Awaitable[None]]
