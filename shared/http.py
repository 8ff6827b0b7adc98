"""The FastAPI shell every service shares, built from its definition: lifespan, one error
model, health and readiness, metrics, positions, operations, and the routes' policies."""

from __future__ import annotations

import asyncio
import gc
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, MutableMapping, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

from eventsourcing.persistence import IntegrityError
from fastapi import APIRouter, Depends, FastAPI, Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared import telemetry
from shared.errors import PingyiError, ServiceCannotStart
from shared.metrics import ServiceMetrics
from shared.observability import configure
from shared.operations_api import operations_router
from shared.persistence.errors import (
    UNAVAILABLE_EXCEPTIONS,
    database_unavailable_handler,
)
from shared.policy import POLICY_MARKER, Policy, PolicyRouter, allow
from shared.reasons import reason_of
from shared.runtime import ServiceRuntime
from shared.service.start_wait import start_unless_stopped
from shared.views import ViewStore
from shared.web.access_log import AccessLog
from shared.web.body_limit import BodyLimitMiddleware
from shared.web.cache_control import CacheControl
from shared.web.docs import serve_docs
from shared.web.echo import REASON_LIMIT, clip, error_body
from shared.web.gate import Gate
from shared.web.head import HeadAsGet
from shared.web.missing_body import as_if_empty
from shared.web.openapi import openapi_document
from shared.web.rate_limit import RateLimits
from shared.web.redirects import RelativeRedirects
from shared.web.routes import BodyLimits, RouteTable

log = logging.getLogger(__name__)

A = TypeVar("A")


def _field(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    if _not_json(request, exc):
        reason = (
            "此接口读取 JSON 请求体, 请以 Content-Type: application/json 发送 (this endpoint "
            "reads a JSON body: send it with Content-Type: application/json)"
        )
        body = {
            "error": "unsupported_media_type",
            "detail": [
                {"field": "Content-Type", "reason": reason, "code": "unsupported_media_type"}
            ],
        }
        return JSONResponse(body, 415)
    # `code` is pydantic's error type ("missing", "string_too_long"), as in every other
    # entry a machine reads; `type` stays for clients that read it before. A body missing
    # altogether names the fields `{}` would have lacked (shared.web.missing_body).
    detail = [
        {
            "field": _field(err.get("loc", ())),
            "reason": reason_of(err),
            "code": err.get("type"),
            "type": err.get("type"),
        }
        for err in as_if_empty(request.scope.get("route"), exc.errors())
    ]
    return JSONResponse(error_body({"error": "validation_failed", "detail": detail}), 422)


def _not_json(request: Request, exc: RequestValidationError) -> bool:
    """A body sent as another media type (a form, plain text) is not read as JSON by FastAPI,
    which then finds no object where the model wants one: that is the wrong Content-Type,
    said as such, not a field's problem. A body without a Content-Type is read as JSON."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if not media or media == "application/json" or media.endswith("+json"):
        return False
    route = request.scope.get("route")
    body = getattr(route, "body_field", None)
    if body is not None and isinstance(body.field_info, params.Form):
        return False  # a form's own fields are the problem, not its media type
    return any(tuple(err.get("loc", ()))[:1] == ("body",) for err in exc.errors())


async def _pingyi_error(request: Request, exc: PingyiError) -> JSONResponse:
    return JSONResponse(
        error_body(exc.body()), status_code=exc.status_code, headers=exc.response_headers()
    )


async def _conflict(request: Request, exc: IntegrityError) -> JSONResponse:
    body = {
        "error": "concurrent_change",
        "detail": [
            {
                "field": None,
                "reason": (
                    "记录同时被其他请求修改, 请重试 (the record changed concurrently; retry "
                    "the request)"
                ),
                "code": "concurrent_change",
            }
        ],
    }
    return JSONResponse(body, status_code=409)


BODY_UNREADABLE = "There was an error parsing the body"
"""FastAPI's 400 for a body `json.loads` fails on other than by syntax: bytes that are not
UTF-8, a number of thousands of digits, nesting deeper than Python recurses."""


_HTTP_WORDS = {
    "Not Found": "没有这个地址 (Not Found)",
    "Method Not Allowed": "此地址不接受这种请求方法 (Method Not Allowed)",
}
"""Starlette's own words for a path no route serves and a method a route does not take."""


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400 and exc.detail == BODY_UNREADABLE:
        # Answered as malformed JSON is (422 naming the body), not as a bare 400.
        reason = (
            "请求体无法读取: 不是 UTF-8, 数字超过 4,300 位, 或嵌套过深 (the body is not JSON "
            "this service reads: not UTF-8, a number of more than 4,300 digits, or nested too "
            "deep)"
        )
        entry = {"field": "body", "reason": reason, "code": "body_unreadable"}
        body = {"error": "validation_failed", "detail": [entry]}
        return JSONResponse(body, status_code=422)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    reason = clip(_HTTP_WORDS.get(str(exc.detail), str(exc.detail)), REASON_LIMIT)
    body = {"error": code, "detail": [{"field": None, "reason": reason, "code": code}]}
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


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
    serve_docs(app)
    app.state.runtime = runtime
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(PingyiError, _pingyi_error)  # type: ignore[arg-type]
    app.add_exception_handler(IntegrityError, _conflict)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    for unavailable in UNAVAILABLE_EXCEPTIONS:
        app.add_exception_handler(unavailable, database_unavailable_handler)
    metrics = ServiceMetrics(runtime)
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
    for router in (
        _health_router(runtime, metrics),
        *definition.routers,
        _positions_router(runtime),
        operations_router(),
    ):
        app.include_router(router)
    _refuse_unguarded_routes(app)
    return app


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


PROBES = frozenset({"/healthz", "/readyz", "/syncz", "/metrics"})


def _probe(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in PROBES


def _refuse_unguarded_routes(app: FastAPI) -> None:
    """No handler without a declared policy can be served, whatever router it came from."""
    for path, item in openapi_document(app)["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and POLICY_MARKER not in operation:
                raise TypeError(f"{method.upper()} {path} declares no policy")


def _guard_the_edge(app: FastAPI, runtime: ServiceRuntime) -> None:
    """Body limits per route, and rate limits and the API key checked before a body is read."""
    common = runtime.common
    routes = RouteTable(lambda: app.openapi())  # looked up late: see shared.web.openapi
    gate = Gate(routes, lambda key: runtime.authenticator.authenticate(key), RateLimits(common))
    app.add_middleware(
        BodyLimitMiddleware,
        limit_for=BodyLimits(routes, common.body_limit, common.body_limit_large),
        precheck=gate,
    )


def _positions_router(runtime: ServiceRuntime) -> APIRouter:
    router = PolicyRouter(tags=["operations"])

    @router.get(
        "/positions",
        summary="Head of this service's published log and how far it has applied each upstream",
        **allow(Policy.read("office", "agency", "inspector")),
    )
    def positions() -> dict[str, Any]:
        """Lets a caller wait until a downstream has seen its write (read-your-writes).
        `consumers` maps each upstream to the lowest position any read model of this service
        has applied from it; `stalled` lists the consumers of this replica that are stuck,
        with the message they are stuck on."""
        runtime.require_database()
        return {
            "service": runtime.name,
            "head": runtime.outbox().head(),
            "consumers": runtime.positions(),
            "stalled": [c for c in runtime.consumer_reports() if c["stalled"]],
        }

    return router


def _health_router(runtime: ServiceRuntime, metrics: ServiceMetrics) -> APIRouter:
    router = PolicyRouter(tags=["health"])
    public = allow(Policy.anyone())

    @router.get(
        "/metrics", summary="Prometheus metrics", response_class=PlainTextResponse, **public
    )
    def prometheus() -> PlainTextResponse:
        """Consumer positions, stalls, relay progress and HTTP traffic; no business data."""
        return PlainTextResponse(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @router.get("/healthz", summary="Alive (liveness probe)", **public)
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": runtime.name}

    @router.get("/readyz", summary="Can serve requests (readiness probe)", **public)
    async def readyz() -> JSONResponse:
        """Ready when the database and transport answer and API keys can be checked against a
        current copy. Consumers that lag or are stalled are listed but do not make the
        service unready: the API keeps serving what it has (see /syncz)."""
        ready, checks = await runtime.readiness()
        body = {"status": "ready" if ready else "not_ready", "service": runtime.name}
        return JSONResponse(body | {"checks": checks}, status_code=200 if ready else 503)

    @router.get(
        "/syncz", summary="Every consumer is applying its upstream (for alerting)", **public
    )
    async def syncz() -> JSONResponse:
        """503 while any consumer is stalled: page someone, but do not take the API out of
        rotation for it."""
        in_sync, checks = await asyncio.to_thread(runtime.sync_status)
        body = {"status": "in_sync" if in_sync else "stalled", "service": runtime.name}
        return JSONResponse(body | {"checks": checks}, status_code=200 if in_sync else 503)

    return router


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


def get_views(request: Request) -> ViewStore:
    return get_runtime(request).views


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]
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
