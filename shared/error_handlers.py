"""The one error model every service answers in: a check of ours (`PingyiError`), a request
pydantic refused, a concurrent write, a body that cannot be read, Starlette's 404 and 405 and
an unavailable database, each a JSON body naming the error, the field and the reason."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError
from fastapi import FastAPI, Request, params
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import PingyiError
from shared.persistence.errors import UNAVAILABLE_EXCEPTIONS
from shared.reasons import reason_of
from shared.web.database_errors import database_unavailable_handler
from shared.web.echo import REASON_LIMIT, clip, error_body
from shared.web.missing_body import as_if_empty


def add_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(PingyiError, _pingyi_error)  # type: ignore[arg-type]
    app.add_exception_handler(IntegrityError, _conflict)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    for unavailable in UNAVAILABLE_EXCEPTIONS:
        app.add_exception_handler(unavailable, database_unavailable_handler)


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
