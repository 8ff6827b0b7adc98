"""Composition: which transport a mode uses, how to open any service's log from outside
that service (embedded consumers, replay, rebuild), and how to build a service's app.

Only the composition root knows every service; services meet each other through contracts.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from pingyi.catalog import definition
from shared.messaging.memory import hub
from shared.messaging.outbox import Outbox
from shared.runtime import ServiceRuntime, open_racing
from shared.service.supervisor import ChildProcess
from shared.settings import CommonSettings, ServiceSettings, eventsourcing_env
from shared.transport import LocalTransport, MemoryTransport, Transport, jetstream_transport
from shared.views import ViewStore

if TYPE_CHECKING:
    from fastapi import FastAPI


def service_settings(name: str) -> ServiceSettings:
    return definition(name).settings()


def open_outbox(name: str, common: CommonSettings, *, connections: int | None = None) -> Outbox:
    """A reader over a service's stored event log, in any mode (in memory mode, the log of
    the service running in this process: nothing else holds it). `connections`: the size of
    its PostgreSQL pool, for a reader that reads one page at a time (the relay process)."""
    if common.mode == "memory":
        running = hub(common.namespace).log(name)
        if running is None:
            raise LookupError(f"{name} is not running in memory namespace {common.namespace}")
        return running.borrowed()
    service = definition(name)
    settings = service.settings()
    env = eventsourcing_env(common, name, settings.postgres_schema)
    if service.extra_env is not None:
        env |= service.extra_env(settings)
    if connections is not None and common.mode == "production":
        env |= {"POSTGRES_POOL_SIZE": str(connections), "POSTGRES_MAX_OVERFLOW": "1"}
    # A consumer opens an upstream's log as that service may be creating it (`pingyi up`).
    return Outbox(name, open_racing(lambda: service.open_application(env)), service.payload_mapper)


def default_transport(common: CommonSettings) -> Transport:
    if common.mode == "production":
        return jetstream_transport(common)
    if common.mode == "memory":
        return MemoryTransport(common.namespace)
    return LocalTransport(lambda upstream: open_outbox(upstream, common))


def relay_process(name: str) -> ChildProcess:
    """The service's relay as a child of the API process (`pingyi relay <name>`)."""
    return ChildProcess(f"{name}-relay", [sys.executable, "-m", "pingyi", "relay", name])


def views_process(name: str) -> ChildProcess:
    """The service's leased view consumers as a child of the API process (`pingyi views
    <name>`)."""
    return ChildProcess(f"{name}-views", [sys.executable, "-m", "pingyi", "views", name])


def build_runtime(
    name: str,
    common: CommonSettings,
    settings: ServiceSettings | None = None,
    transport: Transport | None = None,
    views: ViewStore | None = None,
    relay: ChildProcess | None = None,
    views_child: ChildProcess | None = None,
) -> ServiceRuntime:
    return ServiceRuntime(
        definition(name),
        common,
        settings or service_settings(name),
        transport or default_transport(common),
        views=views,
        relay_process=relay,
        views_process=views_child,
    )


def create_app(
    name: str,
    common: CommonSettings | None = None,
    settings: ServiceSettings | None = None,
    transport: Transport | None = None,
    relay: ChildProcess | None = None,
    views_child: ChildProcess | None = None,
) -> FastAPI:
    """A service's app; nothing connects until its lifespan starts. `relay`: a relay process
    to supervise (with `settings.relay_in_process` False); `views_child`: a views process
    (with `settings.views_in_process` False)."""
    # Imported here: the relay and views processes open logs through this module and serve
    # no HTTP.
    from shared.http import build_app

    runtime = build_runtime(
        name, common or CommonSettings(), settings, transport, relay=relay, views_child=views_child
    )
    return build_app(runtime)
