"""A watchdog over event-store writes: what is in flight, since when, and what overran.

A write that never finishes holds the events table's EXCLUSIVE lock, so every later write
fails behind it. PostgreSQL's statement_timeout bounds most of those writes from the server
side, but not all: a backend waiting for the rest of a client message (wait event
ClientRead) ignores the timeout. The watchdog makes such a write visible while it lasts
(`ready`, `status()`, `metrics()`) and, given a `terminate` callback, ends the session of a
write that outlives `terminate_after` so the lock is released.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import OperationalError
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

log = logging.getLogger(__name__)


class WriteTimeoutError(OperationalError):
    """A write was cancelled because it overran its bound (statement or lock timeout, or the
    watchdog ended its session). The transaction was rolled back: nothing was written."""


@dataclass
class TrackedWrite:
    """One write while it is in flight. `backend_pid` is its session while it holds one."""

    token: int
    events: int
    started: float
    started_at: datetime
    backend_pid: int | None = None
    terminated: bool = False
    terminating: bool = False


@dataclass(frozen=True)
class InFlightWrite:
    events: int
    started_at: datetime
    age_seconds: float
    backend_pid: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "started_at": self.started_at.isoformat(),
            "age_seconds": round(self.age_seconds, 3),
            "backend_pid": self.backend_pid,
        }


class WriteWatchdog:
    def __init__(
        self,
        *,
        stall_after: float = 15.0,
        terminate_after: float | None = None,
        terminate: Callable[[int], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stall_after = stall_after
        self.terminate_after = terminate_after
        self._terminate = terminate
        self._clock = clock
        self._cond = threading.Condition()
        self._writes: dict[int, TrackedWrite] = {}
        self._tokens = itertools.count()
        self._reaper: threading.Thread | None = None
        self._closed = False
        self.completed = 0
        self.failed = 0
        self.timed_out = 0
        self.terminated = 0

    @contextmanager
    def track(self, events: int) -> Iterator[TrackedWrite]:
        write = TrackedWrite(next(self._tokens), events, self._clock(), datetime.now(UTC))
        with self._cond:
            self._writes[write.token] = write
            self._start_reaper()
            self._cond.notify_all()
        try:
            yield write
        except WriteTimeoutError:
            self._count("timed_out")
            raise
        except BaseException:
            self._count("failed")
            raise
        else:
            self._count("completed")
        finally:
            with self._cond:
                del self._writes[write.token]

    @contextmanager
    def attach(self, write: TrackedWrite, backend_pid: int) -> Iterator[None]:
        """The write runs on session `backend_pid` inside this block. Leaving it waits for a
        termination under way, so the session is never ended after it went back to the pool."""
        with self._cond:
            write.backend_pid = backend_pid
        try:
            yield
        finally:
            with self._cond:
                while write.terminating:
                    self._cond.wait()
                write.backend_pid = None

    def in_flight(self) -> list[InFlightWrite]:
        now = self._clock()
        with self._cond:
            writes = sorted(self._writes.values(), key=lambda w: w.started)
        return [
            InFlightWrite(w.events, w.started_at, now - w.started, w.backend_pid) for w in writes
        ]

    def stalled(self) -> list[InFlightWrite]:
        return [w for w in self.in_flight() if w.age_seconds > self.stall_after]

    @property
    def ready(self) -> bool:
        """False while any write has been in flight longer than `stall_after` seconds."""
        return not self.stalled()

    def status(self) -> dict[str, Any]:
        """The readiness check's detail: in-flight writes, the stalled ones in full."""
        writes = self.in_flight()
        stalled = [w for w in writes if w.age_seconds > self.stall_after]
        return {
            "status": "ok" if not stalled else "stalled",
            "in_flight": len(writes),
            "oldest_seconds": round(writes[0].age_seconds, 3) if writes else 0.0,
            "stall_after_seconds": self.stall_after,
            "stalled": [w.as_dict() for w in stalled],
            "timed_out": self.timed_out,
            "terminated": self.terminated,
        }

    def metrics(self) -> Iterator[Metric]:
        writes = self.in_flight()
        in_flight = GaugeMetricFamily("pingyi_db_writes_in_flight", "Event-store writes in flight")
        in_flight.add_metric([], len(writes))
        oldest = GaugeMetricFamily(
            "pingyi_db_write_oldest_seconds", "Age of the oldest event-store write in flight"
        )
        oldest.add_metric([], writes[0].age_seconds if writes else 0.0)
        stalled = GaugeMetricFamily(
            "pingyi_db_writes_stalled", "Event-store writes in flight longer than the threshold"
        )
        stalled.add_metric([], sum(1 for w in writes if w.age_seconds > self.stall_after))
        outcomes = CounterMetricFamily(
            "pingyi_db_writes", "Event-store writes by outcome", labels=["outcome"]
        )
        for outcome in ("completed", "failed", "timed_out", "terminated"):
            outcomes.add_metric([outcome], getattr(self, outcome))
        yield from (in_flight, oldest, stalled, outcomes)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._reaper is not None:
            self._reaper.join(timeout=5)

    def _count(self, outcome: str) -> None:
        with self._cond:
            setattr(self, outcome, getattr(self, outcome) + 1)

    # --- ending overrun sessions ---------------------------------------------------------

    def _start_reaper(self) -> None:
        if self._reaper is not None or self._terminate is None or self.terminate_after is None:
            return
        self._reaper = threading.Thread(target=self._reap, name="write-watchdog", daemon=True)
        self._reaper.start()

    def _reap(self) -> None:
        while True:
            with self._cond:
                due, wait = self._due()
                while not due and not self._closed:
                    self._cond.wait(timeout=wait)
                    due, wait = self._due()
                if self._closed:
                    return
                for write in due:
                    write.terminated = write.terminating = True
            for write in due:
                self._end_session(write)
            with self._cond:
                for write in due:
                    write.terminating = False
                self._cond.notify_all()

    def _due(self) -> tuple[list[TrackedWrite], float | None]:
        """Writes past `terminate_after` with a known session, and how long until the next."""
        assert self.terminate_after is not None
        now = self._clock()
        due: list[TrackedWrite] = []
        wait: float | None = None
        for write in self._writes.values():
            if write.terminated:
                continue
            left = write.started + self.terminate_after - now
            if left <= 0 and write.backend_pid is not None:
                due.append(write)
            else:
                # A write still waiting for a connection has no session to end yet.
                wait = min(wait, max(left, 0.1)) if wait is not None else max(left, 0.1)
        return due, wait

    def _end_session(self, write: TrackedWrite) -> None:
        assert self._terminate is not None and write.backend_pid is not None
        log.error(
            "ending an overrun write session",
            extra={"backend_pid": write.backend_pid, "events": write.events},
        )
        try:
            self._terminate(write.backend_pid)
        except Exception:
            log.exception("could not end the write session %s", write.backend_pid)
            return
        self._count("terminated")
