"""Request body limits, enforced while the body streams, and a precheck before it is read.

A pure ASGI middleware (BaseHTTPMiddleware would sit between the server and the app and
add a task per request; nothing here buffers the body). Per request it:

1. runs `precheck(scope, headers)` if given (e.g. the API key and rate limits): a
   PingyiError it raises is the answer, before a single body byte is read. A sync precheck
   runs in a worker thread, since authentication reads a store;
2. answers 413 at once when the declared Content-Length is over `limit_for(scope)`;
3. otherwise passes the body through, counting it, and cuts it off with 413 as soon as a
   chunked or lying body passes the limit.

Every early answer is the JSON error shape; when the client is still sending a body that
will not be read, it says `Connection: close`, so the server stops reading rather than
draining it (and a client that sent `Expect: 100-continue` never sends it at all).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.errors import PingyiError
from shared.web.echo import error_body
from shared.web.settings import MiB

log = logging.getLogger(__name__)

DEFAULT_BODY_LIMIT = 1 * MiB

LimitFor = Callable[[Scope], int]
Precheck = Callable[[Scope, Headers], Awaitable[None] | None]


class PayloadTooLarge(PingyiError):
    status_code: ClassVar[int] = 413
    code: ClassVar[str] = "payload_too_large"


def too_large(limit: int) -> PayloadTooLarge:
    size = f"{limit // MiB} MiB" if limit % MiB == 0 else f"{limit} bytes"
    reason = f"请求体超过 {size} (the request body is over this route's limit of {size})"
    return PayloadTooLarge(reason, field="body", limit=limit)


def default_limit(scope: Scope) -> int:
    return DEFAULT_BODY_LIMIT


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limit_for: LimitFor = default_limit,
        precheck: Precheck | None = None,
    ) -> None:
        self.app = app
        self.limit_for = limit_for
        self.precheck = precheck
        self._precheck_is_async = precheck is not None and _is_async(precheck)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        try:
            await self._precheck(scope, headers)
            limit = self.limit_for(scope)
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise too_large(limit)
        except PingyiError as exc:
            await answer(scope, receive, send, exc, close=_has_body(headers))
            return
        await self._pass_counted(scope, receive, send, limit)

    async def _precheck(self, scope: Scope, headers: Headers) -> None:
        if self.precheck is None:
            return
        if self._precheck_is_async:
            await self.precheck(scope, headers)  # type: ignore[misc]
        else:
            await run_in_threadpool(self.precheck, scope, headers)

    async def _pass_counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        body = _CountedBody(receive, limit)
        started = False

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if body.exceeded and not started:
                return  # the app's reaction to the cut (often a 400) gives way to the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, body.receive, guarded_send)
        except Exception:
            if not body.exceeded:
                raise
            log.debug("request body cut off at %d bytes", limit, exc_info=True)
        if body.exceeded and not started:
            await answer(scope, receive, send, too_large(limit), close=True)


class BodyTooLarge(Exception):
    """Raised to the app from `receive` once the body passed its limit."""


class _CountedBody:
    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self.limit = limit
        self.received = 0
        self.exceeded = False

    async def receive(self) -> Message:
        if self.exceeded:
            raise BodyTooLarge()
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.exceeded = True
                raise BodyTooLarge()
        return message


async def answer(scope: Scope, receive: Receive, send: Send, exc: PingyiError, close: bool) -> None:
    """Send `exc` as the JSON error response, its quotes bounded."""
    headers = exc.response_headers() | ({"Connection": "close"} if close else {})
    response = JSONResponse(error_body(exc.body()), status_code=exc.status_code, headers=headers)
    await response(scope, receive, send)


def _has_body(headers: Headers) -> bool:
    length = headers.get("content-length", "")
    return "transfer-encoding" in headers or (length.isdigit() and int(length) > 0)


def _is_async(function: Any) -> bool:
    return inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
        getattr(function, "__call__", None)  # noqa: B004
    )
