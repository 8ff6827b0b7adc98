"""What a service is made of, declared once: the template every service fills in.

A service package defines one `ServiceDefinition` in its `main.py`; the composition root
(`pingyi.catalog`) lists the definitions. Everything else — the runtime (stores, relay,
consumers, leases), the FastAPI app (errors, health, metrics, positions, operations,
policies) and the embedded and production entry points — is built from the definition by
the kernel, so adding a service is one package plus one line in the catalog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from shared.messaging.inbox import Inbox
from shared.messaging.outbox import PayloadMapper
from shared.service.application import PublishingApplication
from shared.settings import ServiceSettings
from shared.views.model import View

if TYPE_CHECKING:
    from fastapi import APIRouter

    from shared.policy import ScopeResolver
    from shared.principals import PrincipalLookup
    from shared.runtime import ServiceRuntime

Processors = Callable[["ServiceRuntime"], Mapping[str, Inbox]]
"""upstream -> inbox for consumers whose effects are the service's own stored events."""


@dataclass(frozen=True)
class ServiceApi:
    """A service's HTTP side: its routers, and the scope resolvers their policies may name
    (see `shared.policy`)."""

    routers: tuple[APIRouter, ...]
    resolvers: Mapping[str, ScopeResolver] = field(default_factory=dict)
    middleware: tuple[Callable[[Any], Any], ...] = ()
    """ASGI middleware classes of the service's own (each called with the app it wraps),
    placed around the kernel's edge (API key, rate and body limits), so they see its answers
    too; the first listed is the outermost."""


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    title: str
    description: str
    application: type[PublishingApplication]
    settings: type[ServiceSettings]
    payload_mapper: PayloadMapper
    api: Callable[[], ServiceApi]
    """Loads the service's routes and resolvers: called by the API process only, so that
    the relay and views processes (and the replay) never import the HTTP side."""
    views: tuple[View, ...] = ()
    processors: Processors | None = None
    scope_nouns: Mapping[str, str] = field(default_factory=dict)
    """Each resolver's kind -> the thing it resolves, in the API's words ("survey wave" for
    `wave_points`): what a scope refusal calls the target, never its kind."""
    principal_authority: Callable[[ServiceRuntime], PrincipalLookup] | None = None
    """Where keys are looked up before the security view (the registry: its own store)."""
    extra_env: Callable[[ServiceSettings], dict[str, str]] | None = None
    """Additional eventsourcing environment for the service's application."""
    on_start: Callable[[ServiceRuntime], None] | None = None
    """Called once the API process's runtime has started (its application open, its
    consumers running): for what a service says about itself at start, e.g. inspection's
    warning of a year its working-day calendar does not know. Not called by the relay or
    views processes."""
    version: str = "0.2.0"

    def __post_init__(self) -> None:
        if not self.name.isalpha() or not self.name.islower():
            raise ValueError(f"service name {self.name!r}: lower-case letters only")

    @cached_property
    def _loaded_api(self) -> ServiceApi:
        api = self.api()
        unnamed = sorted(set(api.resolvers) - set(self.scope_nouns))
        if unnamed:
            raise ValueError(f"{self.name}: scope kinds without a noun: {', '.join(unnamed)}")
        return api

    @property
    def routers(self) -> tuple[APIRouter, ...]:
        return self._loaded_api.routers

    @property
    def resolvers(self) -> Mapping[str, ScopeResolver]:
        """Scope resolvers the routes' policies may name (see `shared.policy`)."""
        return self._loaded_api.resolvers

    @property
    def middleware(self) -> tuple[Callable[[Any], Any], ...]:
        return self._loaded_api.middleware

    def open_application(self, env: dict[str, str]) -> PublishingApplication:
        """The service's application over its event store, encoding what it publishes as it
        saves (see `PublishingApplication.publish_as`)."""
        application = self.application(env)
        application.publish_as(self.name, self.payload_mapper)
        return application

    def openapi_info(self) -> dict[str, Any]:
        return {"title": self.title, "description": self.description, "version": self.version}
