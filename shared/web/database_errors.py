"""The HTTP answers to persistence failures: 503 with Retry-After when the database cannot
serve now (`shared.persistence.errors` decides which failures those are), and a JSON 500,
logged with its traceback, for anything else that escapes a handler: no request ends in the
server's plain-text 500."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import JSONResponse

from shared.persistence.errors import (
    RETRY_AFTER_SECONDS,
    is_database_unavailable,
    unavailable_body,
)

log = logging.getLogger(__name__)


def unavailable_response(exc: BaseException) -> JSONResponse:
    return JSONResponse(
        unavailable_body(exc),
        status_code=503,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def unexpected_response() -> JSONResponse:
    body = {
        "error": "internal_error",
        "detail": [
            {
                "field": None,
                "reason": (
                    "发生意外错误, 已记录在日志中 (an unexpected error occurred; it has been "
                    "logged)"
                ),
                "code": "internal_error",
            }
        ],
    }
    return JSONResponse(body, status_code=500)


async def database_unavailable_handler(request: Request, exc: Exception) -> JSONResponse:
    """The exception handler for every class in UNAVAILABLE_EXCEPTIONS."""
    log.warning(
        "database unavailable",
        extra={"path": request.url.path, "error": f"{type(exc).__name__}: {exc}"},
    )
    return unavailable_response(exc)


def response_for_unhandled(request: Request, exc: Exception) -> JSONResponse:
    """For the outermost middleware: an exception no handler took becomes a JSON answer."""
    if is_database_unavailable(exc):
        return unavailable_response(exc)
    log.error(
        "unhandled exception",
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"method": request.method, "path": request.url.path},
    )
    return unexpected_response()
