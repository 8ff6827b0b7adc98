"""The consumers and leases a service's start builds: one consumer per (view, upstream) this
process runs (and, from `ServiceRuntime`, per processor), each reading its upstream's
source, leased where only one replica may apply it. A mixin of `ServiceRuntime`, which owns
the parts these read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.messaging.consumer import Consumer
from shared.messaging.sources import LocalLogSource, MessageSource
from shared.operations import skip_decided
from shared.service.leases import AlwaysHeld, Lease
from shared.service.view_consumers import lease_name, runs_apart
from shared.telemetry import TracedSource, ledger

if TYPE_CHECKING:
    from shared.messaging.inbox import Inbox
    from shared.messaging.outbox import Outbox
    from shared.messaging.sources import Signal
    from shared.service.application import PublishingApplication
    from shared.service.definition import ServiceDefinition
    from shared.service.leases import PostgresLeases
    from shared.settings import CommonSettings, ServiceSettings
    from shared.telemetry import CommitLedger
    from shared.transport import Transport
    from shared.views import ViewStore
    from shared.views.model import View


class RuntimeWiring:
    """Builds from the parts `ServiceRuntime` assembles, declared here."""

    name: str
    definition: ServiceDefinition
    common: CommonSettings
    settings: ServiceSettings
    transport: Transport
    views: ViewStore
    trace_ledger: CommitLedger
    _leases: PostgresLeases | None
    _committed: Signal
    superseded_views: frozenset[str]

    @property
    def application(self) -> PublishingApplication:
        raise NotImplementedError

    def outbox(self) -> Outbox:
        raise NotImplementedError

    def consumer_name(self, view: View) -> str:
        raise NotImplementedError

    def _view_consumers(self) -> list[Consumer]:
        """One per (view, upstream) this process runs; the security view's lease-free. None
        for a view a newer release owns (a rolling upgrade): that release applies it."""
        return [
            self._consumer(
                self.consumer_name(view),
                upstream,
                view.inbox(self.views, upstream),
                leased=not view.security,
            )
            for view in self.definition.views
            if view.name not in self.superseded_views
            and (self.settings.views_in_process or not runs_apart(view))
            for upstream in view.upstreams
        ]

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
