"""The relay in an OS process of its own (`relay_process.serve_relay` runs this there).

In the API process the relay shares the interpreter lock with request threads, and a
CPU-bound push starves it (55 messages/s during one measured push). Its own process has
the lock to itself. There are no commits to nudge it: it learns about new events from
PostgreSQL's NOTIFY and by polling (see `outbox_watch`).

Two replicas of a service may run a relay process each; a `Lease` (`shared.service.leases`)
decides which one publishes. Even two relays at once cannot corrupt the stream (every
publish is conditional on the stream's last sequence), they would only waste work refusing
each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from nats.aio.client import Client as NATS

from shared.messaging.jetstream import JetStreamPublisher, PingyiJetStream, connect, ensure_stream
from shared.messaging.outbox import Outbox
from shared.messaging.relay import PageOrigins, Relay
from shared.service.leases import AlwaysHeld, Lease
from shared.service.supervisor import unless_stopped

log = logging.getLogger(__name__)

LEASE_CHECK_SECONDS = 0.5
RETRY_MAX_SECONDS = 2.0


async def run_relay(
    open_outbox: Callable[[], Outbox],
    nats_url: str,
    namespace: str,
    service: str,
    stop: asyncio.Event,
    lease: Lease | None = None,
    *,
    batch: int = 500,
    window: int = 1000,
    on_relay: Callable[[Relay], None] | None = None,
    replicas: int = 1,
    page_origins: PageOrigins | None = None,
) -> None:
    """Publish `service`'s log until `stop` is set, while holding `lease`. NATS may be
    down at start or at any time later; `on_relay` sees each relay started (for status);
    `page_origins` names the commits of a page's positions (`shared.trace_links`)."""
    lease = lease or AlwaysHeld()
    outbox = await asyncio.to_thread(open_outbox)
    try:
        connection = await _connect(nats_url, namespace, service, stop, replicas)
        if connection is None:
            return
        nc, js = connection
        try:
            while not stop.is_set():
                if not await lease.acquire(stop):
                    return
                try:
                    relay = Relay(
                        outbox,
                        JetStreamPublisher(js, namespace, service, stream_replicas=replicas),
                        batch=batch,
                        window=window,
                        page_origins=page_origins,
                    )
                    if on_relay is not None:
                        on_relay(relay)
                    await _relay_while_held(relay, lease, stop)
                finally:
                    await lease.release()
        finally:
            await nc.close()
    finally:
        await asyncio.to_thread(outbox.close)


async def _relay_while_held(relay: Relay, lease: Lease, stop: asyncio.Event) -> None:
    await relay.start()
    try:
        while lease.held() and not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), LEASE_CHECK_SECONDS)
    finally:
        await relay.stop()


async def _connect(
    nats_url: str, namespace: str, service: str, stop: asyncio.Event, replicas: int
) -> tuple[NATS, PingyiJetStream] | None:
    """Connect and make sure the stream exists, retrying until it works or `stop`. (nats-py
    itself retries a first connection for ever, so only `stop` can interrupt it.)"""
    failures = 0
    while not stop.is_set():
        attempt = asyncio.ensure_future(_open(nats_url, namespace, service, replicas))
        try:
            if not await unless_stopped(attempt, stop):
                return None
            return attempt.result()
        except Exception as exc:
            failures += 1
            log.warning("relay cannot reach NATS yet: %s: %s", type(exc).__name__, exc)
        await unless_stopped(asyncio.sleep(min(RETRY_MAX_SECONDS, 0.1 * 2**failures)), stop)
    return None


async def _open(
    nats_url: str, namespace: str, service: str, replicas: int
) -> tuple[NATS, PingyiJetStream]:
    nc, js = await connect(nats_url, f"pingyi-{service}-relay")
    try:
        await ensure_stream(js, namespace, service, replicas=replicas)
    except BaseException:
        await nc.close()
        raise
    return nc, js
