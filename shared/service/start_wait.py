"""Waiting at start for a server the service cannot run without (NATS, PostgreSQL).

An orchestrator often starts a service before its servers are up, or while one restarts. A
start therefore retries with a growing pause, says each failed attempt in one line (naming
the server without credentials, and why), and gives up after its wait with
`ServiceCannotStart`, whose one line is what the log shows in place of uvicorn's start-up
traceback (`shared.observability`); the process exits non-zero for its orchestrator to
start it again.

SIGTERM or SIGINT meanwhile cancels the start (`start_unless_stopped`, called by the
lifespan in `shared.http`). Under `pingyi serve` the process then ends as uvicorn ends it
after a graceful stop, before uvicorn could log "Application startup complete" and listen:
a lifespan that returns is a start that succeeded, and one that fails exits 3, a failure
to an orchestrator, where a requested stop must exit as one (deploy/README.md, "Exit codes").
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, TypeVar

from psycopg.conninfo import conninfo_to_dict

from shared.errors import ServiceCannotStart
from shared.service.supervisor import unless_stopped

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


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass(eq=False)  # held in a set: by identity
class StopRequest:
    """A stop signal that came while a start was in progress."""

    event: asyncio.Event = field(default_factory=asyncio.Event)
    signum: int | None = None
    by_uvicorn_run: bool = False
    """The handler it reached was uvicorn.run's own (`pingyi serve`), which ends the process
    by raising the signal again once its server has stopped. Under `pingyi up` the event
    loop's handler stops every server instead, and the process is not this start's to end."""

    def end_process(self) -> None:
        """End the process with the status uvicorn.run gives a graceful stop on this signal,
        when it was uvicorn.run's to end (else return): SIGTERM raised again with its default
        action (killed by SIGTERM, which tini reports as 0); SIGINT exit 0, as uvicorn.run
        swallows the KeyboardInterrupt it raises again, which here would be raised inside
        the lifespan, a failed start."""
        if self.signum is None or not self.by_uvicorn_run:
            return
        logging.shutdown()  # every line said, "service stopped" included
        sys.stdout.flush()
        sys.stderr.flush()
        if self.signum == signal.SIGINT:
            os._exit(0)
        signal.signal(self.signum, signal.SIG_DFL)
        signal.raise_signal(self.signum)


class _StopDuringStart:
    """uvicorn's handler only marks its server to stop, which it does once started, so a
    start waiting for its servers would go on until it succeeds or gives up. While any start
    is in progress, a handler of this process adds to whatever handler was there (uvicorn's,
    or the event loop's under `pingyi up`): it still runs, and every start in progress is
    told to stop. The previous handlers are back once the last start ends."""

    def __init__(self) -> None:
        self._waiting: set[tuple[asyncio.AbstractEventLoop, StopRequest]] = set()
        self._previous: dict[int, Any] = {}

    @contextmanager
    def watch(self) -> Iterator[StopRequest]:
        request = StopRequest()
        if threading.current_thread() is not threading.main_thread():
            yield request  # signals reach only the main thread's handlers (e.g. TestClient)
            return
        entry = (asyncio.get_running_loop(), request)
        if not self._waiting:
            self._previous = {sig: signal.signal(sig, self._handle) for sig in STOP_SIGNALS}
        self._waiting.add(entry)
        try:
            yield request
        finally:
            self._waiting.discard(entry)
            if not self._waiting:
                for sig, handler in self._previous.items():
                    signal.signal(sig, handler)
                self._previous = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        previous = self._previous.get(signum)
        by_uvicorn_run = _is_uvicorn_server(getattr(previous, "__self__", None))
        for loop, request in list(self._waiting):
            request.signum, request.by_uvicorn_run = signum, by_uvicorn_run
            loop.call_soon_threadsafe(request.event.set)
        if callable(previous):
            previous(signum, frame)


def _is_uvicorn_server(owner: object) -> bool:
    """Whether a signal handler's owner is a uvicorn server, without importing uvicorn: the
    relay and views processes never start one, and importing it would only slow their start."""
    uvicorn = sys.modules.get("uvicorn")
    return uvicorn is not None and isinstance(owner, uvicorn.Server)


_stop_during_start = _StopDuringStart()


async def start_unless_stopped(service: str, start: Awaitable[None]) -> StopRequest | None:
    """Run `start`; the stop request if a stop signal came first (the start is then
    cancelled: the caller stops whatever had started, then `end_process`)."""
    with _stop_during_start.watch() as request:
        if await unless_stopped(start, request.event):
            return None
    log.info("start-up stopped on request", extra={"service": service})
    return request
