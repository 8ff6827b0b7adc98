"""What a piece of background work holds (`shared.service.leases`): the `Lease` it asks
for, and the two kinds there are — always held (one process), or one key of a process's
`PostgresLeases`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from shared.service.leases.postgres import PostgresLeases

# Named as before the split: log readers and filters key on the logger's name.
log = logging.getLogger("shared.service.leases")


class Lease(Protocol):
    """Who may do one piece of background work when several replicas run: apply an
    upstream (`shared.messaging.consumer`), or publish a service's log (the relay)."""

    async def acquire(self, stopping: asyncio.Event) -> bool:
        """Wait until held (True) or until `stopping` is set (False)."""
        ...

    def held(self) -> bool: ...

    def handed_over(self) -> bool:
        """Whether the lease, no longer held, was given up to spread the work over the
        replicas (not lost): the work stops as for a lost lease, and says so calmly."""
        ...

    async def release(self) -> None: ...


class AlwaysHeld:
    """The lease of work that only one process does anyway (embedded mode, one relay)."""

    async def acquire(self, stopping: asyncio.Event) -> bool:
        return not stopping.is_set()

    def held(self) -> bool:
        return True

    def handed_over(self) -> bool:
        return False

    async def release(self) -> None:
        return None


class PostgresLease:
    def __init__(self, leases: PostgresLeases, key: str) -> None:
        self._leases = leases
        self.key = key

    async def acquire(self, stopping: asyncio.Event) -> bool:
        while not stopping.is_set():
            if await asyncio.to_thread(self._leases.try_lock, self.key):
                log.info("lease acquired", extra={"lease": self.key})
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=self._leases.retry_seconds)
        return False

    def held(self) -> bool:
        return self._leases.holds(self.key)

    def handed_over(self) -> bool:
        return self._leases.handed_over(self.key)

    async def release(self) -> None:
        await asyncio.to_thread(self._leases.unlock, self.key)
