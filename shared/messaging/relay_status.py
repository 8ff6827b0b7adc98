"""How a relay running in a process of its own shows up in its service's /readyz and /metrics.

The relay process that holds the service's relay lease writes a small status row to the
service's view store every second: how far the stream has confirmed the log, its lag, its
last error, who it is, when it wrote. Every replica's API process reads the row, so each one
reports on the relay whichever replica runs it; a row older than `STALE_AFTER` seconds means
no relay has been publishing (none holds the lease, or the holder is stuck).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from shared.instance import identity
from shared.messaging.relay import Relay
from shared.service.leased_relay import LeasedRelay
from shared.service.leases import Lease
from shared.service.supervisor import ChildProcess
from shared.views import ViewStore

log = logging.getLogger(__name__)

STATUS_COLLECTION = "relay_status"
STATUS_SCOPE = "relay"
"""The view-store transaction the row is written in (no view: it tracks no positions)."""
EVERY_SECONDS = 1.0
STALE_AFTER = 5.0


def holder() -> str:
    """This process as the row names it (`shared.instance`: host and pid alone may be
    another replica's on the same host)."""
    return identity()


class RelayStatusWriter:
    def __init__(self, views: ViewStore, service: str, lease: Lease) -> None:
        self._views = views
        self._service = service
        self._lease = lease
        self._relay: Relay | None = None
        self._holder = holder()

    def follow(self, relay: Relay) -> None:
        """The relay this process runs now (`run_relay`'s `on_relay`)."""
        self._relay = relay

    async def run(self, stop: asyncio.Event) -> None:
        """Write the row every second while this process publishes; once more on stop."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), EVERY_SECONDS)
            relay = self._relay
            if relay is None or not self._lease.held():
                continue
            row = {
                **relay.status(),
                "service": self._service,
                "state": "stopped" if stop.is_set() else "publishing",
                "holder": self._holder,
                "updated_at": time.time(),
            }
            try:
                await asyncio.to_thread(self._write, row)
            except Exception as exc:  # the database is away: the row ages, readers see that
                log.warning("relay status not written: %s", exc)

    def _write(self, row: dict[str, Any]) -> None:
        with self._views.transaction(STATUS_SCOPE) as tx:
            tx.put(STATUS_COLLECTION, self._service, row)


def read_status(views: ViewStore, service: str) -> dict[str, Any] | None:
    """The row the publishing relay process wrote last, with its age; None if none ever did."""
    row = views.get(STATUS_COLLECTION, service)
    if row is None:
        return None
    age = max(0.0, time.time() - float(row.get("updated_at") or 0))
    # A relay that writes its row but whose publishes fail (NATS refuses them, the stream
    # is gone) is not current: the row's own `current` says so (rows written before it
    # existed carry `last_error` alone).
    publishing = row.get("current", row.get("last_error") is None)
    current = age <= STALE_AFTER and row.get("state") == "publishing" and bool(publishing)
    return {**row, "age_seconds": round(age, 1), "current": current}


def relay_report(
    service: str,
    views: ViewStore,
    *,
    in_process: LeasedRelay | None,
    child: ChildProcess | None,
    own_process: bool,
    unread: str | None = None,
) -> dict[str, Any] | None:
    """What /readyz and /metrics say about the service's relay: the one in this process, or
    the row of the relay process publishing for the service (whichever replica runs it) plus
    this replica's own relay process; None where nothing is relayed (embedded mode).
    `unread`: why the row is not read (the database did not answer /readyz's ping); said as
    `status_error`."""
    if in_process is not None:
        relay = in_process.relay
        if relay is None:
            return {"runs": "in_process", "published_to": None, "leading": False}
        return {"runs": "in_process", "leading": True, **relay.status()}
    if not own_process:
        return None
    report: dict[str, Any] = {"runs": "own_process", "published_to": None, "current": False}
    if unread is not None:
        report["status_error"] = unread
    else:
        try:
            report |= read_status(views, service) or {}
        except Exception as exc:  # the database is away; /readyz says so under "database"
            report["status_error"] = f"{type(exc).__name__}: {exc}"
    if child is not None:
        report["process"] = child.status()
    return report
