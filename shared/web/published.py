"""The registry's answer to a successful write held until its messages are on the transport
(`shared.service.published_wait`, which says why)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.service.published_wait import published
from shared.web.gate import WRITES

if TYPE_CHECKING:
    from shared.runtime import ServiceRuntime


class AnsweredWhenPublished:
    """ASGI middleware: a successful write's answer is held until `published` (the response
    is complete by then; only its first message waits)."""

    def __init__(self, app: ASGIApp, runtime: ServiceRuntime, longest: float) -> None:
        self.app = app
        self.runtime = runtime
        self.longest = longest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in WRITES:
            await self.app(scope, receive, send)
            return

        async def held(message: Message) -> None:
            if message["type"] == "http.response.start" and 200 <= message["status"] < 300:
                await published(self.runtime, self.longest)
            await send(message)

        await self.app(scope, receive, held)
