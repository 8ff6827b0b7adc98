"""What a cache between a service and its callers may keep: `Cache-Control` on every answer
that does not say so itself, errors and the edge's refusals included.

Keyed answers hold what only their caller may read (results under embargo, a county's
contacts), and a shared cache does not know `X-API-Key` for a credential: a proxy that
caches by default would hand them to the next person asking for the same URL. So every
answer is `private, no-store`, except those of public routes (`Policy.anyone()`), which a
cache may keep only if it checks each time (`no-cache`): a correction puts a new version in
force at the same URL, and a "not published" must not outlive the publication.

A pure ASGI middleware (see `shared.web.access_log`): it only rewrites the response's start.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.policy.model import PUBLIC_MARKER

KEYED = b"private, no-store"
PUBLIC = b"no-cache"


class CacheControl:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def say_what_to_keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", _policy(scope)))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, say_what_to_keep)


def _policy(scope: Scope) -> bytes:
    # The router puts the matched route into the scope it was given, which is this one.
    route: Any = scope.get("route")
    extra = getattr(route, "openapi_extra", None) or {}
    return PUBLIC if extra.get(PUBLIC_MARKER) else KEYED
