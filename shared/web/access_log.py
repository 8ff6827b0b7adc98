"""The outermost middleware but `shared.web.cache_control`: every request counted, timed
and logged, and an exception no handler took answered as JSON (a 500, or a 503 for an
unavailable database).

A pure ASGI middleware. Starlette's `BaseHTTPMiddleware` (what `app.middleware("http")`
builds) runs the app in a task of its own and hands every chunk of the request body across
with a task group and a cancel scope: for a 5 MB push that is about eighty chunks, and on
the survey's ingest it was about 3 % of the process's CPU, spent on the event loop that
every request shares. This one only watches the response's start go by.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.metrics import ServiceMetrics
from shared.web.database_errors import response_for_unhandled

log = logging.getLogger("shared.http")


class AccessLog:
    def __init__(
        self, app: ASGIApp, *, metrics: ServiceMetrics, quiet_paths: frozenset[str]
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.quiet_paths = quiet_paths
        """Paths counted but not logged (probes polled every few seconds)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | None = None

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if status is not None:  # the answer has begun: nothing else can be sent
                raise
            response = response_for_unhandled(Request(scope), exc)
            await response(scope, receive, watch)
        finally:  # counted under the status it began with, also when it broke off
            self._record(scope, status or 500, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, elapsed: float) -> None:
        # The router puts the matched route into the scope it was given, which is this one.
        route: Any = getattr(scope.get("route"), "path", "unmatched")
        method, path = scope["method"], scope["path"]
        self.metrics.request_answered(method, route, status, elapsed)
        if path not in self.quiet_paths:
            log.info(
                "request",
                extra={
                    "method": method,
                    "path": path,
                    "status": status,
                    "ms": round(elapsed * 1000, 1),
                },
            )
