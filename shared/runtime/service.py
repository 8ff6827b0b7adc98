"""`ServiceRuntime`: what one running service is made of, and its start/stop order (see
`shared.runtime`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from shared.campaign_view import CampaignView
from shared.integrity.sealer import SealerTask
from shared.integrity.service import build_sealer, sealer_task
from shared.messaging.consumer import Consumer
from shared.messaging.inbox import Inbox
from shared.messaging.outbox import Outbox
from shared.messaging.relay import Relay
from shared.messaging.sources import Signal
from shared.persistence.watchdog import WriteWatchdog
from shared.principals import Authenticator
from shared.registry_view import RegistryView
from shared.runtime.stopping import Stopping
from shared.runtime.stores import build_view_store, log, open_racing
from shared.runtime.wiring import RuntimeWiring
from shared.service.application import PublishingApplication
from shared.service.definition import ServiceDefinition
from shared.service.health import RuntimeHealth
from shared.service.lease_start import leases_at_start
from shared.service.leased_relay import LeasedRelay
from shared.service.leases import PostgresLeases
from shared.service.reachability import DatabaseReachability, request_pools
from shared.service.supervisor import ChildProcess
from shared.service.view_consumers import consumer_name, setup_views
from shared.settings import CommonSettings, ServiceSettings, eventsourcing_env
from shared.telemetry import CommitLedger, ledger
from shared.transport import Transport
from shared.views import ViewStore
from shared.views.model import View, check_views


class ServiceRuntime(RuntimeHealth, RuntimeWiring):
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
        self.superseded_views: frozenset[str] = frozenset()
        """Views a newer release owns (`setup_views`): served, never applied, here."""
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
            self._leases = await leases_at_start(self.common, self.name)
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
        if self.definition.on_start is not None:
            await asyncio.to_thread(self.definition.on_start, self)
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
        self.superseded_views = setup_views(self.views, self.definition.views)

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
        built = self._view_consumers()
        if self.definition.processors is not None:
            self._processors = dict(self.definition.processors(self))
            for upstream, inbox in self._processors.items():
                built.append(self._consumer(f"{self.name}-events", upstream, inbox, leased=True))
        return built

    async def stop(self) -> None:
        """Every part is closed even when closing one before it fails (`Stopping`): the
        leases and the PostgreSQL connections must not outlive a failed step."""
        stopping = Stopping(self.name)
        await stopping.together(
            "consumers and child processes",
            [
                *(consumer.stop() for consumer in self.consumers),
                self._stop_child(self.relay_process),
                self._stop_child(self.views_process),
            ],
        )
        if self._relay is not None:
            await stopping.step("relay", self._relay.stop())
        if self._sealer is not None:
            await stopping.step("sealer", self._sealer.stop())
        await stopping.step("reachability watch", self.reachability.stop())
        await stopping.step("transport", self.transport.close())
        if self._leases is not None:
            await stopping.step("leases", asyncio.to_thread(self._leases.close))
        if self._application is not None:
            await stopping.step("event store", asyncio.to_thread(self._application.close))
        await stopping.step("view store", asyncio.to_thread(self.views.close))
        stopping.done()
        log.info("service stopped", extra={"service": self.name})

    async def _stop_child(self, child: ChildProcess | None) -> None:
        if child is not None:
            await asyncio.to_thread(child.stop)
