"""A service's leased view consumers in a process of their own (`pingyi views <service>`,
started by `pingyi serve`), as the relay already is (`shared.messaging.relay_process`).

In the API process these consumers share the interpreter lock with the request threads:
survey's `waves` view applying `survey.batch.recorded` parts, and reading the log for them,
took a quarter of a busy API process's time. Here they have a core of their own.

What runs here: every view consumer that holds a lease (`view_consumers.runs_apart`), with
the same lease names as in the API process, so of all replicas' processes exactly one
applies each (view, upstream), another takes over within about two seconds of its death,
and the views processes of a service's replicas share its views evenly
(`shared.service.leases`, "Balance").
What stays in the API process: the security view, which the authenticator needs fresh in
its own memory, and the event-sourced processors (scoring's), which commit under the
application's in-process lock together with the API's own commands.

The service's own log has no commits in this process to wake its readers: PostgreSQL's
NOTIFY does (`outbox_watch.OutboxWatch`, which polls too, often while LISTEN is down).
Foreign upstreams come from JetStream, as in the API process. A skip decision an operator
records through the API is an event in the service's log; the consumers here read it from
there. Status: one row, twice a second (`views_status`). It stops on SIGTERM or SIGINT,
and when the API process that started it is gone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from shared.messaging.consumer import Consumer
from shared.messaging.outbox import Outbox
from shared.messaging.outbox_watch import OutboxWatch
from shared.messaging.sources import (
    Delivery,
    LocalLogSource,
    MessageSource,
    Signal,
    WrappedSource,
)
from shared.operations import skip_decided
from shared.runtime import build_view_store
from shared.runtime.stopping import Stopping
from shared.service.definition import ServiceDefinition
from shared.service.lease_start import leases_at_start
from shared.service.leases import PostgresLeases
from shared.service.supervisor import child_lifetime, unless_stopped
from shared.service.view_consumers import consumer_name, lease_name, runs_apart, setup_views
from shared.service.views_status import ConsumerStatusWriter
from shared.settings import CommonSettings, ServiceSettings
from shared.telemetry import configure as configure_telemetry
from shared.telemetry import headers_for
from shared.trace_links import LinkReader, open_reader
from shared.transport import JetStreamTransport, jetstream_transport
from shared.views import ViewStore
from shared.views.model import View

log = logging.getLogger(__name__)

OWN_LOG_POLL = 0.1
"""How often the own log is read while LISTEN is down (NOTIFY wakes the readers otherwise)."""
VIEW_CONNECTIONS = 2
"""The view store's pool: applies are short transactions, and a pod's connections count
(deploy/k8s/generate.py, CONNECTIONS_PER_POD)."""


async def serve_views(
    definition: ServiceDefinition,
    common: CommonSettings,
    settings: ServiceSettings,
    open_outbox: Callable[[], Outbox],
) -> None:
    configure_telemetry(common)  # its consume spans are exported like the API's
    async with child_lifetime() as stop:
        process = ViewsProcess(definition, common, settings, open_outbox)
        log.info("views process started", extra={"service": definition.name})
        try:
            if await unless_stopped(process.start(), stop):
                await process.run(stop)
        finally:
            stop.set()
            await process.stop()
            log.info("views process stopped", extra={"service": definition.name})


class ViewsProcess:
    """The parts: the view store, the service's log, leases, NATS, the consumers."""

    def __init__(
        self,
        definition: ServiceDefinition,
        common: CommonSettings,
        settings: ServiceSettings,
        open_outbox: Callable[[], Outbox],
    ) -> None:
        self.name = definition.name
        self.definition = definition
        self.common = common
        self.settings = settings
        self._open_outbox = open_outbox
        self.consumers: list[Consumer] = []
        self._views: ViewStore | None = None
        self._outbox: Outbox | None = None
        self._leases: PostgresLeases | None = None
        self._transport: JetStreamTransport | None = None
        self._watch: OutboxWatch | None = None
        self._committed = Signal()
        self._forward: asyncio.Task[None] | None = None
        self._links: LinkReader | None = None
        self._superseded: frozenset[str] = frozenset()

    async def start(self) -> None:
        # PostgreSQL may be starting or restarting (the supervisor restarts this process):
        # waited for as `pingyi serve` does, rather than end.
        self._leases = await leases_at_start(self.common, self.name)
        self._views = await asyncio.to_thread(self._view_store)
        self._outbox = await asyncio.to_thread(self._open_outbox)
        self._links = open_reader(self.common, self.name)
        views = [
            view
            for view in self.definition.views
            if runs_apart(view) and view.name not in self._superseded
        ]
        if any(up != self.name for view in views for up in view.upstreams):
            transport = jetstream_transport(self.common)
            self._transport = transport
            await transport.connect(self.name)  # also makes sure its stream exists, as the API does
        if any(self.name in view.upstreams for view in views):
            self._watch = OutboxWatch(self._outbox, OWN_LOG_POLL)
            await self._watch.start()
            self._forward = asyncio.create_task(_forward(self._watch, self._committed))
        for view in views:
            for upstream in view.upstreams:
                consumer = self._consumer(consumer_name(self.name, view), view, upstream)
                await consumer.start()
                self.consumers.append(consumer)

    async def run(self, stop: asyncio.Event) -> None:
        assert self._views is not None
        await ConsumerStatusWriter(self._views, self.consumers).run(stop)

    def _view_store(self) -> ViewStore:
        schema = self.settings.postgres_schema
        views = build_view_store(self.common, self.name, schema, pool_size=VIEW_CONNECTIONS)
        # The API process has made them ready before starting this one; a views process
        # run apart (`serve --no-views`) may be first.
        self._superseded = setup_views(views, self.definition.views)
        return views

    def _consumer(self, name: str, view: View, upstream: str) -> Consumer:
        assert self._views is not None and self._leases is not None
        application = self._application()
        return Consumer(
            name,
            upstream,
            self._source(name, upstream),
            view.inbox(self._views, upstream),
            batch_size=self.settings.consumer_batch_size,
            lease=self._leases.lease(lease_name(self.name, name, upstream)),
            skip_decided=lambda consumer, up, message: skip_decided(
                application, consumer, up, message
            ),
        )

    def _application(self) -> Any:
        assert self._outbox is not None
        return self._outbox.application

    def _source(self, consumer: str, upstream: str) -> MessageSource:
        if upstream != self.name:
            assert self._transport is not None
            return self._transport.source(consumer, upstream)
        outbox = self._outbox
        assert outbox is not None
        # A slow poll: NOTIFY wakes it, and `_forward` does every OWN_LOG_POLL without it.
        own = LocalLogSource(outbox.borrowed, 1.0, owns_outbox=False, signal=self._committed)
        return own if self._links is None else LinkedSource(own, self._links)

    async def stop(self) -> None:
        """Every part is closed even when closing one before it fails (`Stopping`); the
        first failure is raised once all are, so the process still exits non-zero."""
        stopping = Stopping(self.name)
        await stopping.together("consumers", [consumer.stop() for consumer in self.consumers])
        if self._forward is not None:
            self._forward.cancel()
            await asyncio.wait([self._forward])
        if self._watch is not None:
            await stopping.step("log watch", self._watch.close())
        if self._transport is not None:
            await stopping.step("transport", self._transport.close())
        if self._leases is not None:
            await stopping.step("leases", asyncio.to_thread(self._leases.close))
        if self._links is not None:
            await stopping.step("trace links", asyncio.to_thread(self._links.close))
        if self._outbox is not None:
            await stopping.step("event store", asyncio.to_thread(self._outbox.close))
        if self._views is not None:
            await stopping.step("view store", asyncio.to_thread(self._views.close))
        stopping.done()


async def _forward(watch: OutboxWatch, committed: Signal) -> None:
    """Wake the own log's readers on every NOTIFY, and at every poll while not listening."""
    while True:
        woken = await watch.wait()
        if woken or not watch.listening:
            committed.fire()


class LinkedSource(WrappedSource):
    """The own log's deliveries with the trace of the request that committed them, read from
    the links the API process writes while traces are exported (`shared.trace_links`)."""

    def __init__(self, source: MessageSource, links: LinkReader) -> None:
        super().__init__(source)
        self._links = links

    async def fetch(self, batch: int, timeout: float) -> list[Delivery]:
        deliveries = await self._source.fetch(batch, timeout)
        positions = [d.message.position for d in deliveries if d.message is not None]
        origins = await asyncio.to_thread(self._links.origins, positions) if positions else None
        if origins is not None:
            for delivery in deliveries:
                origin = None if delivery.message is None else origins(delivery.message.position)
                if origin is not None:
                    delivery.headers = headers_for(origin)
        return deliveries
