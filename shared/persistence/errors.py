"""Which persistence failures mean "the database cannot serve now", and the HTTP answers.

Such a failure is a 503 with Retry-After in the JSON error shape: the client did nothing
wrong and the same request may succeed shortly. Anything else that escapes a handler is a
JSON 500, logged with its traceback; no request ends in the server's plain-text 500.
"""

from __future__ import annotations

import logging

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from fastapi import Request
from fastapi.responses import JSONResponse

from shared.persistence.watchdog import WriteTimeoutError

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
"""What a 503 asks the client to wait: the pool replaces a broken connection at once, and a
restarting PostgreSQL takes seconds."""

UNAVAILABLE_EXCEPTIONS: tuple[type[Exception], ...] = (
    OperationalError,  # eventsourcing's, includes WriteTimeoutError
    InterfaceError,
    psycopg.OperationalError,  # includes psycopg_pool.PoolTimeout and PoolClosed
    psycopg.InterfaceError,
)
"""Exception classes whose instances mean the database is unavailable (register a handler
for each; `is_database_unavailable` is the same test for one instance)."""


def is_database_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, UNAVAILABLE_EXCEPTIONS)


def unavailable_reason(exc: BaseException) -> str:
    if isinstance(exc, WriteTimeoutError):
        return (
            "数据库未能及时完成写入, 未写入任何内容, 请稍后重试 (the database did not complete "
            "the write in time; nothing was written, retry later)"
        )
    cause = exc if isinstance(exc, psycopg.Error) else exc.__cause__
    if isinstance(cause, psycopg.Error) and cause.sqlstate in ("57014", "55P03"):
        return "数据库未能及时响应, 请稍后重试 (the database did not answer in time; retry later)"
    return "数据库暂时不可用, 请稍后重试 (the database is unavailable; retry later)"


def unavailable_body(exc: BaseException) -> dict[str, object]:
    return {
        "error": "database_unavailable",
        "detail": [
            {"field": None, "reason": unavailable_reason(exc), "code": "database_unavailable"}
        ],
    }


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
