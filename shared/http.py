"""The FastAPI shell every service shares, built from its definition: lifespan, one error
model (`shared.error_handlers`), health and readiness, metrics and positions
(`shared.health_api`), operations, the edge's limits and the routes' policies; and the
dependencies a handler takes its runtime, views and application by."""

from __future__ import annotations

import gc
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable, MutableMapping
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.telemetry import TelemetryConfig
from starlette.routing import BaseRoute

from shared import telemetry
from shared.error_handlers import add_error_handlers
from shared.errors import ServiceCannotStart
from shared.health_api import HEALTH_ROUTER, POSITIONS_ROUTER, PROBES
from shared.metrics import ServiceMetrics
from shared.observability import configure
from shared.operations_api import OPERATIONS_ROUTER
from shared.policy import POLICY_MARKER
from shared.runtime import ServiceRuntime
from shared.service.definition import ServiceDefinition
from shared.service.registry_wait import registry_applied
from shared.service.start_wait import start_unless_stopped
from shared.views import ViewStore
from shared.web.access_log import AccessLog
from shared.web.body_limit import BodyLimitMiddleware
from shared.web.cache_control import CacheControl
from shared.web.docs import DOCS_ROUTER
from shared.web.gate import Gate
from shared.web.head import HeadAsGet
from shared.web.openapi import openapi_document
from shared.web.published import AnsweredWhenPublished
from shared.web.rate_limit import RateLimits
from shared.web.redirects import RelativeRedirects
from shared.web.routes import BodyLimits, RouteTable
from shared.web.runtime_dep import (
    RuntimeDep as RuntimeDep,
)  # re-exported: handlers import it from here
from shared.web.runtime_dep import get_runtime

log = logging.getLogger(__name__)

A = TypeVar("A")


def build_app(runtime: ServiceRuntime) -> FastAPI:
    definition = runtime.definition
    configure(runtime.name, runtime.common.log_level, runtime.common.log_json)
    telemetry.configure(runtime.common)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            stopped = await start_unless_stopped(runtime.name, runtime.start())
        except sqlite3.DatabaseError as error:
            # A damaged or foreign file in the data directory (embedded mode): the
            # operator's to mend, said in one line (shared.observability), not a traceback.
            raise ServiceCannotStart(
                f"{runtime.name}: a file in the data directory {runtime.common.data_dir} "
                f"cannot be used: {error}"
            ) from error
        if stopped is not None:
            await runtime.stop()
            # Under `pingyi serve` the process ends here, before uvicorn says the start
            # complete and listens (shared.service.start_wait says why).
            stopped.end_process()
            # Under `pingyi up`, whose servers all saw the stop, uvicorn goes on to its
            # shutdown without serving.
            yield
            return
        # Everything built so far (modules, schemas, routes: most of the heap) lives as long
        # as the process: kept out of the cyclic collector's passes, which a push of a
        # thousand questionnaires otherwise triggers many times over.
        gc.freeze()
        try:
            yield
        finally:
            await runtime.stop()

    info = definition.openapi_info()
    # /docs and /redoc are served from the package (`shared.web.docs`), not a public CDN.
    # FastAPI's own telemetry makes the request's span (continuing a caller's traceparent)
    # and spans for dependencies, endpoint and serialization; probes polled every few
    # seconds would only bury the traces that matter.
    telemetry_config: TelemetryConfig = {"exclude": _probe}
    app = FastAPI(
        lifespan=lifespan, docs_url=None, redoc_url=None, telemetry=telemetry_config, **info
    )
    app.state.runtime = runtime
    metrics = app.state.metrics = ServiceMetrics(runtime)
    add_error_handlers(app)
    _guard_the_edge(app, runtime)
    for middleware in reversed(definition.middleware):
        app.add_middleware(middleware)
    # The router's trailing-slash redirect would name the Host the client sent.
    app.add_middleware(RelativeRedirects)
    # Added last, so outermost: it logs and counts the edge's 4xx too.
    app.add_middleware(AccessLog, metrics=metrics, quiet_paths=PROBES)
    # Outside even that: its own answer to an unhandled error says what to keep as well.
    app.add_middleware(CacheControl)
    app.add_middleware(HeadAsGet)
    _allow_public_origins(app, runtime.common.origins())
    app.router.routes.extend(_routes_of(definition))
    _refuse_unguarded_routes(app, definition)
    return app


_assembled: dict[int, tuple[ServiceDefinition, tuple[BaseRoute, ...]]] = {}
_assembling = threading.Lock()


def _routes_of(definition: ServiceDefinition) -> tuple[BaseRoute, ...]:
    """The kernel's routes and the service's, included once per process and shared by every
    app of the service (handlers find their runtime on the app serving the request).

    FastAPI builds an included router's routes (dependants, validators, handlers) at its
    first request, once per inclusion: included into each new app, a service's hundred
    routes were built again at each app's first request (0.1–0.3 s of CPU, in every test
    that starts an app). The definition is kept beside its routes, so its identity cannot
    be reused by another. Routers carry no lifespan of their own (`on_start` is the
    service's hook): one included here would not reach the app's."""
    with _assembling:
        found = _assembled.get(id(definition))
        if found is None:
            assembly = APIRouter()
            for router in (
                DOCS_ROUTER,
                HEALTH_ROUTER,
                *definition.routers,
                POSITIONS_ROUTER,
                OPERATIONS_ROUTER,
            ):
                assembly.include_router(router)
            found = (definition, tuple(assembly.routes))
            _assembled[id(definition)] = found
    return found[1]


def _allow_public_origins(app: FastAPI, origins: list[str]) -> None:
    """Browsers on these origins may call what the public may (PINGYI_PUBLIC_ORIGINS):
    outermost, so a preflight is answered before any limit or key is looked at."""
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET", "HEAD", "POST"],
            allow_headers=["Content-Type", "Idempotency-Key"],
            max_age=600,
        )


def _probe(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in PROBES


def _refuse_unguarded_routes(app: FastAPI, definition: ServiceDefinition) -> None:
    """No handler without a declared policy can be served, whatever router it came from."""
    for path, item in openapi_document(app, definition)["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and POLICY_MARKER not in operation:
                raise TypeError(f"{method.upper()} {path} declares no policy")


def _guard_the_edge(app: FastAPI, runtime: ServiceRuntime) -> None:
    """Body limits per route, and rate limits and the API key checked before a body is read."""
    common = runtime.common
    routes = RouteTable(lambda: app.openapi())  # looked up late: see shared.web.openapi
    # The registry answers keys and its own records from its own store: nothing to wait for.
    # PINGYI_REGISTRY_WAIT_SECONDS=0 turns the waits off (keys and writes alike).
    own_store = runtime.definition.principal_authority is not None
    waits = not own_store and common.registry_wait_seconds > 0
    gate = Gate(
        routes,
        lambda key: runtime.authenticator.authenticate(key),
        RateLimits(common),
        (lambda: registry_applied(runtime)) if waits else None,
    )
    app.add_middleware(
        BodyLimitMiddleware,
        limit_for=BodyLimits(routes, common.body_limit, common.body_limit_large),
        precheck=gate,
    )
    if own_store and common.registry_wait_seconds > 0:
        # What the others wait for must be on the transport before the registry answers.
        app.add_middleware(
            AnsweredWhenPublished, runtime=runtime, longest=common.registry_wait_seconds
        )


def get_views(request: Request) -> ViewStore:
    return get_runtime(request).views


ViewsDep = Annotated[ViewStore, Depends(get_views)]


def application_of(kind: type[A]) -> Callable[[Request], A]:
    """A dependency giving a handler the service's application, typed:
    `SurveyApp = Annotated[SurveyApplication, Depends(application_of(SurveyApplication))]`."""

    def get_application(request: Request) -> A:
        application = get_runtime(request).application
        if not isinstance(application, kind):
            raise TypeError(f"{type(application).__name__} is not a {kind.__name__}")
        return application

    return get_application
