"""HEAD wherever GET is served: the answer GET would give, headers only.

FastAPI's routes take only the methods they name, so `curl -I` of a public page, a link
checker or a cache revalidating answered 405. The request goes through as a GET (the same
policy, rate limits and handler), and the body is left out of the answer; its headers,
`Content-Length` included, are GET's, as HTTP asks of HEAD.

A pure ASGI middleware, outermost: everything inside sees a GET.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
