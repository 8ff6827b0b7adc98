"""The FastAPI shell every service shares: lifespan, error handlers, health, logging."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from eventsourcing.persistence import IntegrityError
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse
from opentelemetry import trace
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.auth import current_principal
from shared.errors import PingyiError
from shared.metrics import ServiceMetrics
from shared.observability import configure
from shared.runtime import ServiceRuntime
from shared.web.body_limit import BodyLimitMiddleware
from shared.web.echo import REASON_LIMIT, clip, error_body
from shared.web.gate import Gate
from shared.web.rate_limit import RateLimits
from shared.web.routes import BodyLimits, RouteTable

log = logging.getLogger(__name__)
tracer = trace.get_tracer("pingyi.http")

PUBLIC = {"x-pingyi-public": True}
"""openapi_extra marker for the few routes that need no API key."""

LARGE_BODY_ROUTES = ("*:batch", "/imports/*")
"""Route templates (globs) whose bodies may reach PINGYI_BODY_LIMIT_LARGE: batches, uploads."""


def _field(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    detail = [
        {"field": _field(err.get("loc", ())), "reason": err.get("msg", ""), "type": err.get("type")}
        for err in exc.errors()
    ]
    return JSONResponse(error_body({"error": "validation_failed", "detail": detail}), 422)


async def _pingyi_error(request: Request, exc: PingyiError) -> JSONResponse:
    return JSONResponse(
        error_body(exc.body()), status_code=exc.status_code, headers=exc.response_headers()
    )


async def _conflict(request: Request, exc: IntegrityError) -> JSONResponse:
    body = {
        "error": "concurrent_change",
        "detail": [{"field": None, "reason": "the record changed concurrently; retry the request"}],
    }
    return JSONResponse(body, status_code=409)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    reason = clip(str(exc.detail), REASON_LIMIT)
    body = {"error": code, "detail": [{"field": None, "reason": reason}]}
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def build_app(
    runtime: ServiceRuntime,
    routers: Sequence[APIRouter],
    *,
    title: str,
    description: str,
    version: str = "0.1.0",
) -> FastAPI:
    configure(runtime.name, runtime.common.log_level, runtime.common.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    app.state.runtime = runtime
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(PingyiError, _pingyi_error)  # type: ignore[arg-type]
    app.add_exception_handler(IntegrityError, _conflict)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    metrics = ServiceMetrics(runtime)
    _guard_the_edge(app, runtime)
    app.middleware("http")(_access_log(runtime.name, metrics))  # outermost: logs the edge's 4xx
    app.include_router(_health_router(runtime, metrics))
    for router in [*routers, _positions_router(runtime)]:
        app.include_router(router, dependencies=[Depends(current_principal)])
    return app


def _guard_the_edge(app: FastAPI, runtime: ServiceRuntime) -> None:
    """Body limits per route, and rate limits and the API key checked before a body is read."""
    common = runtime.common
    routes = RouteTable(app.openapi)
    large = dict.fromkeys(LARGE_BODY_ROUTES, common.body_limit_large)
    gate = Gate(routes, runtime.authenticator.authenticate, RateLimits(common))
    app.add_middleware(
        BodyLimitMiddleware, limit_for=BodyLimits(routes, common.body_limit, large), precheck=gate
    )


def _positions_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/positions", summary="Head of this service's published log and consumer positions")
    def positions() -> dict[str, Any]:
        """Lets a caller wait until a downstream has seen its write (read-your-writes)."""
        return {
            "service": runtime.name,
            "head": runtime.outbox().head(),
            "consumers": runtime.positions(),
        }

    return router


def _access_log(service: str, metrics: ServiceMetrics) -> Callable[..., Any]:
    async def middleware(request: Request, call_next: Callable[..., Any]) -> Any:
        started = time.perf_counter()
        with tracer.start_as_current_span(f"{request.method} {request.url.path}"):
            response = await call_next(request)
        elapsed = time.perf_counter() - started
        route = getattr(request.scope.get("route"), "path", "unmatched")
        metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        metrics.latency.labels(request.method, route).observe(elapsed)
        if request.url.path not in ("/healthz", "/readyz", "/metrics"):
            log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.url.path,
                    "status": response.status_code,
                    "ms": round(elapsed * 1000, 1),
                },
            )
        return response

    return middleware


def _health_router(runtime: ServiceRuntime, metrics: ServiceMetrics) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get(
        "/metrics",
        openapi_extra=PUBLIC,
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
    )
    def prometheus() -> PlainTextResponse:
        """Consumer positions, stalls, relay progress and HTTP traffic; no business data."""
        return PlainTextResponse(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    @router.get("/healthz", openapi_extra=PUBLIC, summary="Alive")
    async def healthz() -> dict[str, str]:
        return {"status": "alive", "service": runtime.name}

    @router.get(
        "/readyz",
        openapi_extra=PUBLIC,
        summary="Database and transport reachable, consumers not stalled",
    )
    async def readyz() -> JSONResponse:
        ready, checks = await runtime.readiness()
        body = {
            "status": "ready" if ready else "not_ready",
            "service": runtime.name,
            "checks": checks,
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    return router


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[ServiceRuntime, Depends(get_runtime)]
