"""The one error model every service answers in: a check of ours (`PingyiError`), a request
pydantic refused, a concurrent write, a body that cannot be read, Starlette's 404 and 405 and
an unavailable database, each a JSON body naming the error, the field and the reason."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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
        _json_invalid(err, _text_of(exc.body, request))
        if err.get("type") == "json_invalid"
        else {
            "field": _field(err.get("loc", ())),
            "reason": reason_of(err),
            "code": err.get("type"),
            "type": err.get("type"),
        }
        for err in as_if_empty(request.scope.get("route"), exc.errors())
    ]
    return JSONResponse(error_body({"error": "validation_failed", "detail": detail}), 422)


_JSON_PROBLEMS = {
    "Expecting value": "应为一个值",
    "Expecting ',' delimiter": "应为逗号",
    "Expecting ':' delimiter": "应为冒号",
    "Expecting property name enclosed in double quotes": "应为双引号括起的字段名",
    "Unterminated string starting at": "开始的字符串没有结束",
    "Invalid control character at": "是字符串中未转义的控制字符",
    "Extra data": "之后还有多余的内容",
    "Invalid \\escape": "是无效的转义",
    "Invalid \\uXXXX escape": "是无效的 \\u 转义",
}
"""The standard library's JSON decode errors (`json.decoder`), in words after "第 1 行第 11
个字符处"."""


def _json_invalid(err: Mapping[str, Any], text: str | None) -> dict[str, Any]:
    """Malformed JSON (FastAPI's `json_invalid`, whose `loc` is `("body", <offset>)`): the
    field is the body, and where the text breaks is said in the reason and in `context`
    (line and column, 1-based, in characters, as a YAML body's problems are), never as a
    field path: `body.10` reads as an array's eleventh item."""
    loc = tuple(err.get("loc", ()))
    position = loc[1] if len(loc) == 2 and isinstance(loc[1], int) else None
    problem = str((err.get("ctx") or {}).get("error") or "")
    english = f": {problem}" if problem else ""
    chinese = _JSON_PROBLEMS.get(problem, "有误" if problem else "")
    entry = {"field": _field(loc[:1]) or "body", "code": "json_invalid", "type": "json_invalid"}
    if position is None:
        reason = reason_of(err)
    elif text is not None and 0 <= position <= len(text):
        # As `json.JSONDecodeError` counts them.
        line = text.count("\n", 0, position) + 1
        column = position - text.rfind("\n", 0, position)
        where = {"line": line, "column": column}
        reason = (
            f"不是有效的 JSON, 第 {line} 行第 {column} 个字符处{chinese} "
            f"(JSON decode error at line {line}, column {column}{english})"
        )
        return {**entry, "reason": reason, "context": where}
    else:  # the text is not at hand: its character offset, counted from 1
        where = {"character": position + 1}
        reason = (
            f"不是有效的 JSON, 第 {position + 1} 个字符处{chinese} "
            f"(JSON decode error at character {position + 1}{english})"
        )
        return {**entry, "reason": reason, "context": where}
    return {**entry, "reason": reason}


def _text_of(body: Any, request: Request) -> str | None:
    """The text a JSON decode error's offset counts in: FastAPI hands it over as the error's
    `body` (the decoded document); a route that reads its body itself (scoring's
    `POST /schemes`) raises without it, and its bytes are then the request's, already read,
    decoded as `json.loads` decodes bytes."""
    if isinstance(body, str):
        return body
    raw = body if isinstance(body, bytes) else getattr(request, "_body", None)
    if not isinstance(raw, bytes):
        return None
    try:
        return raw.decode(json.detect_encoding(raw), "surrogatepass")
    except (UnicodeDecodeError, LookupError):
        return None


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
