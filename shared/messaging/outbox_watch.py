"""How the relay learns that its outbox has grown.

Three ways, any one is enough: `nudge()` from the application after a commit (same process),
PostgreSQL's NOTIFY on the log's channel (any process, any replica's commit), and polling
the log's highest notification id. The relay's own process has no commits to be nudged by,
and LISTEN can be down (SQLite has none; PostgreSQL restarts), so polling is never off: it
runs at the short fallback interval while LISTEN is not established, and slowly as a safety
net while it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import psycopg
from psycopg import sql

from shared.messaging.outbox import Outbox

log = logging.getLogger(__name__)

POLL_WHILE_LISTENING = 1.0


class OutboxWatch:
    def __init__(self, outbox: Outbox, poll: float) -> None:
        self._outbox = outbox
        self._poll = poll
        self._event = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listener: asyncio.Task[None] | None = None
        self.listening = False

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        target = await asyncio.to_thread(self._outbox.notify_channel)
        if target is not None:
            self._listener = asyncio.create_task(self._listen(*target), name="outbox-listen")

    def nudge(self) -> None:
        """Thread-safe."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(self._event.set)

    async def wait(self) -> bool:
        """Until nudged or notified (True) or the poll interval is over (False)."""
        interval = max(self._poll, POLL_WHILE_LISTENING) if self.listening else self._poll
        try:
            await asyncio.wait_for(self._event.wait(), interval)
            woken = True
        except TimeoutError:
            woken = False
        self._event.clear()
        return woken

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.wait([self._listener])
            self._listener = None

    async def _listen(self, params: dict[str, Any], channel: str) -> None:
        failures = 0
        while True:
            try:
                await self._listen_once(params, channel)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures = 1 if self.listening else failures + 1
                log.warning("LISTEN %s failed, polling meanwhile: %s", channel, exc)
            finally:
                self.listening = False
            await asyncio.sleep(min(5.0, 0.2 * 2**failures))

    async def _listen_once(self, params: dict[str, Any], channel: str) -> None:
        conn = await psycopg.AsyncConnection.connect(autocommit=True, connect_timeout=5, **params)
        async with conn:
            await conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            self.listening = True
            self._event.set()  # whatever was committed while nobody listened
            async for _ in conn.notifies():
                self._event.set()
