"""The routes every service answers about itself: liveness and readiness probes, sync
status, Prometheus metrics (`HEALTH_ROUTER`) and its log positions (`POSITIONS_ROUTER`).

Built once per process, like every router: a handler finds its service's runtime and metrics
on the app serving the request (`shared.http.build_app` puts them there)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST

from shared.metrics import ServiceMetrics
from shared.policy import Policy, PolicyRouter, allow
from shared.web.runtime_dep import RuntimeDep

PROBES = frozenset({"/healthz", "/readyz", "/syncz", "/metrics"})
"""Polled every few seconds: kept out of the access log and of traces."""


def _metrics(request: Request) -> ServiceMetrics:
    metrics: ServiceMetrics = request.app.state.metrics
    return metrics


def _positions_router() -> APIRouter:
    router = PolicyRouter(tags=["operations"])

    @router.get(
        "/positions",
        summary="Head of this service's published log and how far it has applied each upstream",
        **allow(Policy.read("office", "agency", "inspector")),
    )
    def positions(runtime: RuntimeDep) -> dict[str, Any]:
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


def _health_router() -> APIRouter:
    router = PolicyRouter(tags=["health"])
    public = allow(Policy.anyone())

    @router.get(
        "/metrics", summary="Prometheus metrics", response_class=PlainTextResponse, **public
    )
    def prometheus(request: Request) -> PlainTextResponse:
        """Consumer positions, stalls, relay progress and HTTP traffic; no business data."""
        return PlainTextResponse(_metrics(request).render(), media_type=CONTENT_TYPE_LATEST)

    @router.get("/healthz", summary="Alive (liveness probe)", **public)
    async def healthz(runtime: RuntimeDep) -> dict[str, str]:
        return {"status": "alive", "service": runtime.name}

    @router.get("/readyz", summary="Can serve requests (readiness probe)", **public)
    async def readyz(runtime: RuntimeDep) -> JSONResponse:
        """Ready when the database and transport answer and API keys can be checked against a
        current copy. Consumers that lag or are stalled are listed but do not make the
        service unready: the API keeps serving what it has (see /syncz)."""
        ready, checks = await runtime.readiness()
        body = {"status": "ready" if ready else "not_ready", "service": runtime.name}
        return JSONResponse(body | {"checks": checks}, status_code=200 if ready else 503)

    @router.get(
        "/syncz", summary="Every consumer is applying its upstream (for alerting)", **public
    )
    async def syncz(runtime: RuntimeDep) -> JSONResponse:
        """503 while any consumer is stalled: page someone, but do not take the API out of
        rotation for it."""
        in_sync, checks = await asyncio.to_thread(runtime.sync_status)
        body = {"status": "in_sync" if in_sync else "stalled", "service": runtime.name}
        return JSONResponse(body | {"checks": checks}, status_code=200 if in_sync else 503)

    return router


HEALTH_ROUTER = _health_router()
POSITIONS_ROUTER = _positions_router()
