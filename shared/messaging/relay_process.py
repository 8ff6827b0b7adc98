"""The relay as a process of its own (`pingyi relay <service>`, started by `pingyi serve`).

It publishes the service's log while it holds the service's relay lease (a PostgreSQL
advisory lock, `shared.service.leases`), so that of all replicas' relay processes exactly
one publishes and another takes over within about a second of its death. Meanwhile it
writes its status row for the API processes (`relay_status`). It stops on SIGTERM or
SIGINT, and when the API process that started it is gone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from shared.messaging.outbox import Outbox
from shared.messaging.relay_status import RelayStatusWriter
from shared.messaging.relay_worker import run_relay
from shared.runtime import build_view_store
from shared.service.lease_start import leases_at_start
from shared.service.supervisor import child_lifetime, unless_stopped
from shared.settings import CommonSettings, ServiceSettings
from shared.telemetry import configure as configure_telemetry
from shared.trace_links import open_reader
from shared.views import ViewStore

log = logging.getLogger(__name__)


def relay_lease_name(service: str) -> str:
    return f"{service}|relay"


async def serve_relay(
    service: str,
    common: CommonSettings,
    settings: ServiceSettings,
    open_outbox: Callable[[], Outbox],
) -> None:
    configure_telemetry(common)  # its publish spans are exported like the API's
    async with child_lifetime() as stop:
        await _relay_until(stop, service, common, settings, open_outbox)


async def _relay_until(
    stop: asyncio.Event,
    service: str,
    common: CommonSettings,
    settings: ServiceSettings,
    open_outbox: Callable[[], Outbox],
) -> None:
    # Its share of the service's presence lock too, before it touches the views: `pingyi
    # rebuild` is refused while it runs, and its relay lease waits while a rebuild runs
    # (shared.service.leases). PostgreSQL may be starting or restarting (the supervisor
    # restarts this process): waited for as `pingyi serve` does, one line per attempt.
    work = asyncio.ensure_future(leases_at_start(common, service))
    if not await unless_stopped(work, stop):
        return  # stopped while it waited: the wait closed what it had made
    leases = work.result()
    try:
        views = await asyncio.to_thread(_view_store, common, service, settings)
    except BaseException:
        await asyncio.to_thread(leases.close)
        raise
    lease = leases.lease(relay_lease_name(service))
    writer = RelayStatusWriter(views, service, lease)
    # The API process's commits, for parenting the publish spans (while traces are exported).
    links = open_reader(common, service)
    log.info("relay process started", extra={"service": service})

    async def relay() -> None:
        try:
            await run_relay(
                open_outbox,
                common.nats_url,
                common.namespace,
                service,
                stop,
                lease,
                batch=settings.relay_batch_size,
                on_relay=writer.follow,
                replicas=common.nats_stream_replicas,
                page_origins=None if links is None else links.origins,
            )
        finally:
            stop.set()  # e.g. the log cannot be opened: the status writer ends too

    try:
        await asyncio.gather(relay(), writer.run(stop))
    finally:
        await asyncio.to_thread(leases.close)
        await asyncio.to_thread(views.close)
        if links is not None:
            await asyncio.to_thread(links.close)
        log.info("relay process stopped", extra={"service": service})


def _view_store(common: CommonSettings, service: str, settings: ServiceSettings) -> ViewStore:
    # One connection: a status row a second is all this process writes.
    views = build_view_store(common, service, settings.postgres_schema, pool_size=1)
    views.setup()  # the API process may not have created the tables yet
    return views
