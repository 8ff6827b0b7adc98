"""Waiting at start for a server the service cannot run without (NATS, PostgreSQL).

An orchestrator often starts a service before its servers are up, or while one restarts. A
start therefore retries with a growing pause, says each failed attempt in one line (naming
the server without credentials, and why), and gives up after its wait with
`ServiceCannotStart`, whose one line is what the log shows in place of uvicorn's start-up
traceback (`shared.observability`); the process exits non-zero for its orchestrator to
start it again. A stop meanwhile cancels the wait (`shared.http`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from psycopg.conninfo import conninfo_to_dict

from shared.errors import ServiceCannotStart

log = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 5.0


async def until_usable(
    server: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    wait: float,
    why: Callable[[Exception], str],
) -> T:
    """`attempt()`'s result once it succeeds; `server` names what is waited for in the log
    ("NATS at nats://…", no credentials), `why` says an attempt's failure in one line."""
    deadline = time.monotonic() + wait
    failures = 0
    while True:
        try:
            result = await attempt()
        except Exception as error:
            failures += 1
            # One line: psycopg adds a hint on a line of its own.
            said = " ".join(why(error).split())
            pause = min(RETRY_MAX_SECONDS, RETRY_FIRST_SECONDS * 2 ** (failures - 1))
            left = deadline - time.monotonic()
            if left < pause:
                raise ServiceCannotStart(
                    f"{server} not usable after {failures} attempts in {wait:g} s; last: {said}"
                ) from None
            log.warning(
                "waiting for %s (attempt %d failed: %s); next in %.1f s, giving up in %.0f s",
                server,
                failures,
                said,
                pause,
                left,
            )
            await asyncio.sleep(pause)
        else:
            if failures:
                log.info("connected to %s", server)
            return result


def postgres_shown(url: str) -> str:
    """The database a URL or connection string names, without user or password."""
    params = conninfo_to_dict(url)
    host = params.get("host") or params.get("hostaddr") or "localhost"
    port = params.get("port") or "5432"
    return f"PostgreSQL at {host}:{port}/{params.get('dbname') or params.get('user') or ''}"
