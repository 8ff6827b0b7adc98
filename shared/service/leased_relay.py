"""The in-process relay of a service that may run as several replicas: only the replica
holding the service's relay lease publishes. Two relays at once could not corrupt the
stream (every publish is conditional on the stream's last sequence), but they would spend
their time refusing each other's publishes and re-syncing."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from shared.messaging.relay import Relay
from shared.service.leases import Lease

log = logging.getLogger(__name__)

LEASE_CHECK_SECONDS = 0.5


class LeasedRelay:
    def __init__(self, make_relay: Callable[[], Relay], lease: Lease) -> None:
        self._make_relay = make_relay
        self._lease = lease
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.relay: Relay | None = None
        """The relay publishing from this replica now; None while another replica leads."""

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="leased-relay")

    def wake(self) -> None:
        """Thread-safe nudge after a commit (any replica's commits reach the leading relay
        through PostgreSQL's NOTIFY as well)."""
        relay = self.relay
        if relay is not None:
            relay.wake()

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
        await self._lease.release()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            if not await self._lease.acquire(self._stopping):
                return
            relay = self._make_relay()
            await relay.start()
            self.relay = relay
            try:
                while self._lease.held() and not self._stopping.is_set():
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stopping.wait(), LEASE_CHECK_SECONDS)
            finally:
                self.relay = None
                await relay.stop()
            if not self._stopping.is_set():
                log.warning("relay lease lost")
