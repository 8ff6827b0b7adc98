"""Which persistence failures mean "the database cannot serve now", and the body that says
so (the HTTP answers are `shared.web.database_errors`'s; this module imports no web framework,
so that the relay and views processes can use it).

Such a failure is a 503 with Retry-After in the JSON error shape: the client did nothing
wrong and the same request may succeed shortly.
"""

from __future__ import annotations

import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError

from shared.persistence.watchdog import WriteTimeoutError

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
