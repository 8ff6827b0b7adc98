"""Redirects that name no host, for every service: a path with a trailing slash
(`/units/`, `/public/pages/…/rounds/1/`, as chat apps, mail clients and hand-written
scripts often leave one) is redirected by the router to the path without it, and the router
writes that `Location` as an absolute URL built from the request's `Host` header, which the
client chooses (and which, behind a proxy, is the internal address:
`http://reporting:8705/…`, unreachable from a phone or an office's network).

`RelativeRedirects` answers the same redirect with the path and query alone, as every link
of the public pages already is (docs/reporting.md): the client resolves it against the
address it actually used."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REDIRECTS = frozenset({301, 302, 303, 307, 308})


class RelativeRedirects:
    """A pure ASGI middleware: a redirect whose `Location` names the request's own host (as
    the `Host` header stated it) has it rewritten to its path and query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] in REDIRECTS:
                message = {**message, "headers": _relative(message.get("headers") or [], host)}
            await send(message)

        await self.app(scope, receive, answer)


def _relative(headers: list[tuple[bytes, bytes]], host: str) -> list[tuple[bytes, bytes]]:
    rewritten = []
    for name, value in headers:
        if name.lower() == b"location":
            url = urlsplit(value.decode("latin-1"))
            if url.scheme in ("http", "https") and url.netloc.lower() == host.lower():
                relative = urlunsplit(("", "", url.path or "/", url.query, url.fragment))
                value = relative.encode("latin-1")
        rewritten.append((name, value))
    return rewritten
