"""Where a consumer's messages come from: JetStream in production, the upstream's own log
(its file in embedded mode, its running application in memory mode) otherwise. All hand out
`Delivery`s in upstream order."""

from __future__ import annotations

import asyncio
import contextlib
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


class WrappedSource:
    """A source that passes everything to another but what it does to the deliveries it
    fetches (`fetch`, for subclasses to override)."""

    def __init__(self, source: MessageSource) -> None:
        self._source = source

    async def start(self, last_position: int | None) -> None:
        await self._source.start(last_position)

    async def rewind(self, last_position: int | None) -> None:
        await self._source.rewind(last_position)

    async def close(self) -> None:
        await self._source.close()

    async def fetch(self, batch: int, timeout: float) -> list[Delivery]:
        return await self._source.fetch(batch, timeout)


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


class Signal:
    """Wakes waiters on any thread's event loop (a commit happens on a request thread; the
    consumers reading the log may each run their own loop, as `TestClient`s do)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()

    @contextlib.contextmanager
    def armed(self) -> Any:
        """An event set by any `fire()` from now until the block ends: arm before reading, so a
        commit between the read and the wait is not missed."""
        waiter = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.add(waiter)
        try:
            yield waiter[1]
        finally:
            with self._lock:
                self._waiters.discard(waiter)

    def fire(self) -> None:
        """Thread-safe."""
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # that loop has closed
                loop.call_soon_threadsafe(event.set)


class LogCursor:
    """Where a consumer stands in a log it reads directly, and the reads that move it.
    The reads are synchronous (run them in a worker thread)."""

    def __init__(self, last_position: int | None) -> None:
        self._cursor = last_position
        self._previous = last_position

    def next_page(self, outbox: Outbox, batch: int) -> list[Delivery]:
        """The next messages; empty only once the whole log has been scanned (a stretch of
        internal events, which publish nothing, is read through rather than waited on)."""
        while True:
            page = outbox.read(self._cursor, self._previous, batch)
            if page.messages or page.scanned_to in (None, self._cursor):
                break
            self._cursor = page.scanned_to
        if page.scanned_to is not None:
            self._cursor = page.scanned_to
        if not page.messages:
            return []
        self._previous = page.messages[-1].position
        deliveries = [Delivery(message) for message in page.messages]
        if len(page.messages) < batch:
            head = outbox.max_position() or 0
            behind = self._cursor is not None and head > self._cursor
            deliveries[-1].pending = head - (self._cursor or 0) if behind else 0
        return deliveries


class CursorSource:
    """A source that reads a log directly with a `LogCursor`: woken by `signal` when there
    is one (commits it sees), else polling every `poll_interval` seconds."""

    def __init__(self, poll_interval: float, signal: Signal | None) -> None:
        self._log = LogCursor(None)
        self._poll = poll_interval
        self._signal = signal
        self._idle_reported = False

    def _read(self, batch: int) -> list[Delivery]:
        """The next page (synchronous: run in a worker thread)."""
        raise NotImplementedError

    async def fetch(self, batch: int, timeout: float) -> list[Delivery]:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            with self._armed() as woken:
                page = await asyncio.to_thread(self._read, batch)
                if page:
                    self._idle_reported = False
                    return page
                # Said at once the first time, so a consumer of an empty (or fully applied)
                # log is caught up without waiting out a poll.
                if not self._idle_reported:
                    self._idle_reported = True
                    return []
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    return []
                await _wait(woken, min(remaining, self._poll))

    def _armed(self) -> Any:
        return self._signal.armed() if self._signal else contextlib.nullcontext(None)

    async def rewind(self, last_position: int | None) -> None:
        self._log = LogCursor(last_position)
        self._idle_reported = False


class LocalLogSource(CursorSource):
    """Reads the upstream's notification log directly (embedded mode, same machine).

    Polls for new entries, unless `signal` is given: then it is woken by it (a service's own
    log, whose commits it sees) and polls only as a fallback."""

    def __init__(
        self,
        open_outbox: Callable[[], Outbox],
        poll_interval: float = 0.1,
        *,
        owns_outbox: bool,
        signal: Signal | None = None,
    ) -> None:
        self._open_outbox = open_outbox
        self._owns_outbox = owns_outbox
        # A read runs in a worker thread that cancelling the awaiting task does not stop;
        # closing the log under it would pull the database connection from under its feet.
        self._in_use = threading.Lock()
        self._outbox: Outbox | None = None
        super().__init__(poll_interval, signal)

    async def start(self, last_position: int | None) -> None:
        self._outbox = await asyncio.to_thread(self._open_outbox)
        await self.rewind(last_position)

    def _read(self, batch: int) -> list[Delivery]:
        outbox = self._outbox
        assert outbox is not None, "start() first"
        return self._guarded(self._log.next_page, outbox, batch)

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


async def _wait(event: asyncio.Event | None, seconds: float) -> None:
    if event is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


def _nothing() -> None:
    return None


Waker = Callable[[], Awaitable[None]]
