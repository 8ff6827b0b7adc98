"""Bodies that a request model reads from the raw JSON itself, in one native pass.

FastAPI decodes a JSON body with the standard library into Python objects and then validates
those: two passes over every value, the first building objects the second throws away. For a
batch of 10,000 questionnaires (40 MB) that is most of the request's parsing time. A body
model may instead declare

    @classmethod
    def from_json_body(cls, raw: bytes) -> Self | None

which validates the bytes as they are (pydantic's `validate_json`) and gives back an
instance of the model, or None to have the body read the ordinary way. The instance stands
in for the decoded JSON, and FastAPI's own validation takes it as it is (an instance of the
model is not validated again). On None the body takes FastAPI's ordinary way, `json.loads`
and all, so a malformed body is answered exactly as it always was.

The reader's contract: an instance only for a body the ordinary way would have accepted too,
meaning the same; None for anything else (pydantic's JSON parser refuses a lone surrogate
that `json.loads` takes, say: None, and the ordinary way decides). It must not raise.

`JsonBodyRoute` is the route class every `PolicyRouter` uses (FastAPI's documented way to
customise the Request a route handler gets); routes whose body model declares no reader are
left exactly as FastAPI builds them. The OpenAPI document does not change: the body is still
the declared model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

READER = "from_json_body"

BodyReader = Callable[[bytes], Any]
"""Raw body → the body model's instance, or None to read it the ordinary way."""


def body_reader(route: APIRoute) -> BodyReader | None:
    """The reader a route's body model declares, if the route has exactly one body model."""
    field = route.body_field
    if field is None:
        return None
    reader = getattr(field.field_info.annotation, READER, None)
    return reader if callable(reader) else None


class _ModelReadRequest(Request):
    def __init__(self, request: Request, reader: BodyReader) -> None:
        super().__init__(request.scope, request.receive)
        self._reader = reader

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            raw = await self.body()
            # A 40 MB body takes a moment to validate: off the event loop, so that other
            # requests (probes, small reads) are answered meanwhile.
            model = await run_in_threadpool(self._reader, raw)
            self._json = json.loads(raw) if model is None else model
        return self._json


class JsonBodyRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        reader = body_reader(self)
        if reader is None:
            return handler

        async def read_body_with_model(request: Request) -> Response:
            return await handler(_ModelReadRequest(request, reader))

        return read_body_with_model
