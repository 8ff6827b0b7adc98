"""`Stopping`: a stop sequence that closes every part even when closing one of them fails.

A stop that ends at its first failure leaves the parts after it open: a transport that
could not close during a NATS outage left the leases held until they expired and the
PostgreSQL connections of the event and view stores open. Each step here is attempted
whatever happened before it; each failure is logged in one line as it happens, and the first
is raised again once every step has run, so the stop still fails as it did before (uvicorn's
"Application shutdown failed", a views process's non-zero exit), but with nothing left open.
A cancellation is not a failure of a part: it ends the stop at once, as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Iterable

from shared.messaging.jetstream import reason

log = logging.getLogger(__name__)


class Stopping:
    def __init__(self, service: str) -> None:
        self.service = service
        self.first: Exception | None = None

    async def step(self, part: str, closing: Awaitable[object]) -> None:
        try:
            await closing
        except Exception as error:
            self._failed(part, error)

    async def together(self, part: str, closings: Iterable[Awaitable[object]]) -> None:
        """Several at once (the consumers and child processes): all run to their end even
        when one fails, as `step` runs after a failed one."""
        for outcome in await asyncio.gather(*closings, return_exceptions=True):
            if isinstance(outcome, Exception):
                self._failed(part, outcome)
            elif isinstance(outcome, BaseException):
                raise outcome

    def done(self) -> None:
        """Raise the first failure, if any, once every step has run."""
        if self.first is not None:
            raise self.first

    def _failed(self, part: str, error: Exception) -> None:
        log.error(
            "closing %s failed; closing the rest: %s",
            part,
            reason(error),
            extra={"service": self.service},
        )
        if self.first is None:
            self.first = error
