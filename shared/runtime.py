"""What one running service is made of, and its start/stop order.

Start: in production, this process's share of the service's presence lock (waiting while a
`pingyi rebuild` of the service runs: `shared.service.leases`), the view store (declaring
every view's collections, dropping any view whose version changed so it rebuilds), the
event-sourced application, the transport (which, in memory mode, hands this service's log
to the consumers in the process), the relay (when it runs inside this process, else its
child process), the views process (when the leased views run apart:
`settings.views_in_process` False, `shared.service.views_process`), then one consumer per
(view, upstream) this process runs and per processor.
Stop: every consumer and child process at once (each consumer finishes the batch in hand),
then the relay, transport, application and store.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from eventsourcing.persistence import IntegrityError

from shared.auth import Authenticator
from shared.campaign_view import CampaignView
from shared.integrity.sealer import SealerTask
from shared.integrity.service import build_sealer, sealer_task
from shared.messaging.consumer import Consumer
from shared.messaging.inbox import Inbox
from shared.messaging.jetstream import reason
from shared.messaging.outbox import Outbox
from shared.messaging.relay import Relay
from shared.messaging.sources import LocalLogSource, MessageSource, Signal
from shared.operations import skip_decided
from shared.persistence.watchdog import WriteWatchdog
from shared.registry_view import RegistryView
from shared.service.application import PublishingApplication
from shared.service.definition import ServiceDefinition
from shared.service.health import RuntimeHealth
from shared.service.leased_relay import LeasedRelay
from shared.service.leases import AlwaysHeld, Lease, PostgresLeases
from shared.service.reachability import DatabaseReachability, request_pools
from shared.service.start_wait import postgres_shown, until_usable
from shared.service.supervisor import ChildProcess
from shared.service.view_consumers import consumer_name, lease_name, runs_apart, setup_views
from shared.settings import CommonSettings, ServiceSettings, eventsourcing_env
from shared.telemetry import CommitLedger, TracedSource, ledger
from shared.transport import Transport
from shared.views import MemoryViewStore, PostgresViewStore, SQLiteViewStore, ViewStore
from shared.views.model import View, check_views

log = logging.getLogger(__name__)
OPEN_ATTEMPTS = 5
# Long enough for the winner to finish creating the tables; short beside a start.
OPEN_RETRY_PAUSE = 0.05


App = TypeVar("App")


def open_racing(open_app: Callable[[], App]) -> App:
    """An event store opened while another opener may be creating a fresh SQLite log's
    tables (`pingyi up` starts every service and its consumers at once, each opening the
    logs it reads). Two ways to lose that race, both gone when it opens again: recording the
    schema migration another opener recorded first (IntegrityError), and turning a fresh
    file to WAL while another opener holds it (SQLite answers that at once with "database is
    locked", without waiting its busy timeout). Said as a debug line, not as a failure."""
    for attempt in range(OPEN_ATTEMPTS - 1):
        try:
            return open_app()
        except (IntegrityError, sqlite3.OperationalError) as error:
            if not _lost_opening_race(error):
                raise
            log.debug("opening the event store raced another opener: %s", error)
            time.sleep(OPEN_RETRY_PAUSE * (attempt + 1))
    return open_app()


def _lost_opening_race(error: BaseException) -> bool:
    if isinstance(error, IntegrityError):
        return True
    return "database is locked" in str(error)


def build_view_store(
    common: CommonSettings, service: str, schema: str | None, *, pool_size: int = 4
) -> ViewStore:
    if common.mode == "memory":
        return MemoryViewStore()
    if common.mode == "embedded":
        return SQLiteViewStore(common.data_dir / f"{service}-views.sqlite")
    return PostgresViewStore(
        common.database_url,
        schema or service,
        pool_size=pool_size,
        pool_timeout=common.database_wait_timeout,
    )


class ServiceRuntime(RuntimeHealth):
    def __init__(
        self,
        definition: ServiceDefinition,
        common: CommonSettings,
        settings: ServiceSettings,
        transport: Transport,
        *,
        views: ViewStore | None = None,
        relay_process: ChildProcess | None = None,
        views_process: ChildProcess | None = None,
    ) -> None:
        """`relay_process`: the relay as a child process, supervised by this one; started
        when the relay does not run in this process (`settings.relay_in_process` False).
        `views_process`: likewise the leased view consumers (`settings.views_in_process`)."""
        check_views(definition.views)
        self.definition = definition
        self.name = definition.name
        self.common = common
        self.settings = settings
        self.transport = transport
        self.views = views or build_view_store(common, self.name, settings.postgres_schema)
        self.registry = RegistryView(self.views)
        self.campaigns = CampaignView(self.views)
        self.reachability = DatabaseReachability(self.views.ping)
        key = common.bootstrap_admin_key.get_secret_value() if common.bootstrap_admin_key else None
        self.authenticator = Authenticator(
            self.registry, key, fresh=self.security_fresh, reachable=self._database_gate()
        )
        self.consumers: list[Consumer] = []
        self._processors: dict[str, Inbox] = {}
        self._relay: LeasedRelay | None = None
        self.relay_process = relay_process
        self.views_process = views_process
        self.started_at = time.monotonic()
        self._application: PublishingApplication | None = None
        self._leases: PostgresLeases | None = None
        self._committed = Signal()
        self.trace_ledger: CommitLedger = ledger(common, self.name)
        self._sealer: SealerTask | None = None
        self.started = False

    # --- parts ---------------------------------------------------------------------------

    @property
    def application(self) -> PublishingApplication:
        if self._application is None:
            raise RuntimeError(f"{self.name} has not started")
        return self._application

    @property
    def relay(self) -> Relay | None:
        """The relay publishing this service's log from this replica (None when it runs in a
        process of its own, or while another replica holds the relay lease)."""
        return self._relay.relay if self._relay is not None else None

    @property
    def write_watchdog(self) -> WriteWatchdog | None:
        """The event store's write watchdog (PostgreSQL only, once started)."""
        return self._application.write_watchdog if self._application else None

    def eventsourcing_env(self) -> dict[str, str]:
        env = eventsourcing_env(self.common, self.name, self.settings.postgres_schema)
        if self.definition.extra_env is not None:
            env |= self.definition.extra_env(self.settings)
        return env

    def outbox(self) -> Outbox:
        return Outbox(self.name, self.application, self.definition.payload_mapper)

    def consumer_name(self, view: View) -> str:
        return consumer_name(self.name, view)

    # --- start and stop -------------------------------------------------------------------

    async def start(self) -> None:
        if self.common.mode == "production":
            # Before the views are touched: while `pingyi rebuild` of this service runs, wait
            # for it to finish (and keep it refused once this process runs).
            self._leases = PostgresLeases(
                self.common.database_url, self.common.namespace, service=self.name
            )
            # Its first connection: PostgreSQL may still be starting (a whole deployment
            # started at once) or restarting.
            await until_usable(
                postgres_shown(self.common.database_url),
                self._leases.attend,
                wait=self.common.database_start_wait_seconds,
                why=reason,
            )
            self._leases.start()
        await asyncio.to_thread(self._setup_views)
        if self.common.mode == "production":
            self.reachability.start()
        self._application = await asyncio.to_thread(self._open_application)
        if self.common.mode == "production":
            self.reachability.watch(*request_pools(self.views, self._application))
        if self.common.mode == "memory":
            self.trace_ledger.clear()  # a fresh log: its positions start again
        self._application.trace_ledger = self.trace_ledger
        if self.definition.principal_authority is not None:
            self.authenticator = Authenticator(
                self.registry,
                self.authenticator_bootstrap_key(),
                authority=self.definition.principal_authority(self),
                reachable=self._database_gate(),
            )
        self.application.on_commit(self._committed.fire)
        await self.transport.connect(self.name)
        self.transport.offer_log(self.name, self.outbox(), self.application)
        await self._start_relay()
        await self._start_views_process()
        await self._start_sealer()
        for consumer in self._build_consumers():
            await consumer.start()
            self.consumers.append(consumer)
        self.started = True
        await self._first_catch_up()
        log.info("service started", extra={"service": self.name, "mode": self.common.mode})

    async def _first_catch_up(self) -> None:
        """Let the security copy catch up once before the first request, so keys issued
        before this start work at once instead of answering 503 for a moment."""
        deadline = time.monotonic() + self.common.auth_max_staleness_seconds
        while not self.security_fresh() and time.monotonic() < deadline:
            if self.definition.principal_authority is not None:
                return
            await asyncio.sleep(0.02)

    def _open_application(self) -> PublishingApplication:
        return open_racing(lambda: self.definition.open_application(self.eventsourcing_env()))

    def _database_gate(self) -> Callable[[], None] | None:
        """What a key lookup asks first: in production, whether the last ping of the
        database failed (pinged every second: `shared.service.reachability`). Not in the
        other modes, whose files are pinged by the probes alone, so nothing would clear a
        failed ping until the next probe."""
        return self.reachability.require if self.common.mode == "production" else None

    def authenticator_bootstrap_key(self) -> str | None:
        key = self.common.bootstrap_admin_key
        return key.get_secret_value() if key else None

    def _setup_views(self) -> None:
        self.started_at = time.monotonic()
        setup_views(self.views, self.definition.views)

    async def _start_relay(self) -> None:
        publisher = self.transport.publisher(self.name)
        if publisher is None:
            return
        if not self.settings.relay_in_process:
            if self.relay_process is not None:
                await asyncio.to_thread(self.relay_process.start)
            return
        batch = self.settings.relay_batch_size
        self._relay = LeasedRelay(
            lambda: Relay(
                self.outbox(), publisher, batch=batch, origins=self.trace_ledger.context_of
            ),
            self._lease("relay"),
        )
        self.application.on_commit(self._relay.wake)
        await self._relay.start()

    async def _start_views_process(self) -> None:
        """Started once the views are set up (a changed view reset) and the log is open."""
        if not self.settings.views_in_process and self.views_process is not None:
            await asyncio.to_thread(self.views_process.start)

    async def _start_sealer(self) -> None:
        sealer = await asyncio.to_thread(build_sealer, self.common, self.name, self.application)
        if sealer is not None:
            # Replicas seal one at a time (shared.integrity.sealer says why).
            self._sealer = sealer_task(self.common, sealer, self._lease("sealer"))
            self._sealer.start()

    def _build_consumers(self) -> list[Consumer]:
        built = [
            self._consumer(
                self.consumer_name(view),
                upstream,
                view.inbox(self.views, upstream),
                leased=not view.security,
            )
            for view in self.definition.views
            if self.settings.views_in_process or not runs_apart(view)
            for upstream in view.upstreams
        ]
        if self.definition.processors is not None:
            self._processors = dict(self.definition.processors(self))
            for upstream, inbox in self._processors.items():
                built.append(self._consumer(f"{self.name}-events", upstream, inbox, leased=True))
        return built

    def _consumer(self, name: str, upstream: str, inbox: Inbox, *, leased: bool) -> Consumer:
        return Consumer(
            name,
            upstream,
            self._source(name, upstream),
            inbox,
            batch_size=self.settings.consumer_batch_size,
            lease=self._named_lease(lease_name(self.name, name, upstream)) if leased else None,
            skip_decided=lambda consumer, up, message: skip_decided(
                self.application, consumer, up, message
            ),
        )

    def _source(self, consumer: str, upstream: str) -> MessageSource:
        """Sources that read a log directly carry the trace of the commit each message came
        from, as JetStream's carry the relay's (`shared.telemetry`)."""
        if upstream == self.name:
            own = LocalLogSource(self.outbox, owns_outbox=False, signal=self._committed)
            return TracedSource(own, self.trace_ledger)
        source = self.transport.source(consumer, upstream)
        if self.common.mode == "production":
            return source
        return TracedSource(source, ledger(self.common, upstream))

    def _lease(self, name: str) -> Lease:
        return self._named_lease(f"{self.name}|{name}")

    def _named_lease(self, name: str) -> Lease:
        if self._leases is None:
            return AlwaysHeld()
        return self._leases.lease(name)

    async def stop(self) -> None:
        await asyncio.gather(
            *(consumer.stop() for consumer in self.consumers),
            self._stop_child(self.relay_process),
            self._stop_child(self.views_process),
        )
        if self._relay is not None:
            await self._relay.stop()
        if self._sealer is not None:
            await self._sealer.stop()
        await self.reachability.stop()
        await self.transport.close()
        if self._leases is not None:
            await asyncio.to_thread(self._leases.close)
        if self._application is not None:
            await asyncio.to_thread(self._application.close)
        await asyncio.to_thread(self.views.close)
        log.info("service stopped", extra={"service": self.name})

    async def _stop_child(self, child: ChildProcess | None) -> None:
        if child is not None:
            await asyncio.to_thread(child.stop)
