"""What one running service is made of, and its start/stop order.

Start: views (and the PostgreSQL schema), the event-sourced application, the transport,
the relay, then the consumers. Stop in reverse, letting each consumer finish its batch.
"""

from __future__ import annotations

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from eventsourcing.application import Application

from shared.auth import Authenticator
from shared.campaign_view import CampaignView
from shared.messaging.consumer import Consumer
from shared.messaging.inbox import Inbox
from shared.messaging.outbox import Outbox, PayloadMapper
from shared.messaging.relay import Relay
from shared.messaging.sources import LocalLogSource
from shared.registry_view import RegistryView
from shared.settings import CommonSettings, ServiceSettings, eventsourcing_env
from shared.transport import Transport
from shared.views import PostgresViewStore, SQLiteViewStore, ViewStore

log = logging.getLogger(__name__)


def build_view_store(common: CommonSettings, service: str, schema: str | None) -> ViewStore:
    if common.mode == "embedded":
        return SQLiteViewStore(common.data_dir / f"{service}-views.sqlite")
    return PostgresViewStore(common.database_url, schema or service)


class PublishingApplication(Application[Any]):
    """An eventsourcing application that nudges its relay after every commit."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self._after_commit: list[Callable[[], None]] = []

    def on_commit(self, callback: Callable[[], None]) -> None:
        self._after_commit.append(callback)

    def _notify(self, recordings: Any) -> None:
        super()._notify(recordings)
        for callback in self._after_commit:
            callback()


class ServiceRuntime(ABC):
    name: str
    application_class: type[PublishingApplication]

    def __init__(
        self, common: CommonSettings, settings: ServiceSettings, transport: Transport
    ) -> None:
        self.common = common
        self.settings = settings
        self.transport = transport
        self.views = build_view_store(common, self.name, settings.postgres_schema)
        self.registry = RegistryView(self.views)
        self.campaigns = CampaignView(self.views)
        key = common.bootstrap_admin_key.get_secret_value() if common.bootstrap_admin_key else None
        self.authenticator = Authenticator(self.registry, key)
        self.consumers: list[Consumer] = []
        self.relay: Relay | None = None
        self._application: PublishingApplication | None = None
        self.started = False

    @property
    def application(self) -> PublishingApplication:
        if self._application is None:
            raise RuntimeError(f"{self.name} has not started")
        return self._application

    @staticmethod
    @abstractmethod
    def payload_mapper() -> PayloadMapper: ...

    @abstractmethod
    def subscriptions(self) -> dict[str, Inbox]:
        """Upstream service name -> the inbox that applies its messages."""

    def eventsourcing_env(self) -> dict[str, str]:
        return eventsourcing_env(self.common, self.name, self.settings.postgres_schema)

    def outbox(self) -> Outbox:
        return Outbox(self.name, self.application, self.payload_mapper())

    async def start(self) -> None:
        await asyncio.to_thread(self.views.setup)
        self._application = await asyncio.to_thread(
            self.application_class, self.eventsourcing_env()
        )
        await self.transport.connect(self.name)
        publisher = self.transport.publisher(self.name)
        if publisher is not None:
            self.relay = Relay(self.outbox(), publisher, batch=self.settings.relay_batch_size)
            self.application.on_commit(self.relay.wake)
            await self.relay.start()
        for upstream, inbox in self.subscriptions().items():
            source = (
                LocalLogSource(self.outbox, owns_outbox=False)
                if upstream == self.name
                else self.transport.source(self.name, upstream)
            )
            consumer = Consumer(
                self.name, upstream, source, inbox, batch_size=self.settings.consumer_batch_size
            )
            await consumer.start()
            self.consumers.append(consumer)
        self.started = True
        log.info("service started", extra={"service": self.name, "mode": self.common.mode})

    async def stop(self) -> None:
        await asyncio.gather(*(consumer.stop() for consumer in self.consumers))
        if self.relay is not None:
            await self.relay.stop()
        await self.transport.close()
        if self._application is not None:
            await asyncio.to_thread(self._application.close)
        await asyncio.to_thread(self.views.close)
        log.info("service stopped", extra={"service": self.name})

    async def readiness(self) -> tuple[bool, dict[str, Any]]:
        checks: dict[str, Any] = {}
        ready = self.started
        try:
            await asyncio.wait_for(asyncio.to_thread(self.views.ping), timeout=3)
            checks["database"] = "ok"
        except Exception as exc:
            ready, checks["database"] = False, f"unreachable: {exc}"
        try:
            await self.transport.ping()
            checks["transport"] = "ok"
        except Exception as exc:
            ready, checks["transport"] = False, f"unreachable: {exc}"
        checks["consumers"] = [c.status.as_dict() for c in self.consumers]
        if any(c.status.stalled for c in self.consumers):
            ready = False
        if self.relay is not None:
            checks["relay"] = self.relay.status()
        return ready, checks

    def positions(self) -> dict[str, int | None]:
        """How far each upstream has been applied (for tests and operators)."""
        return {c.upstream: c.status.last_position for c in self.consumers}
