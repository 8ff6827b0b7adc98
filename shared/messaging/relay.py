"""Relay: publish a service's own log to its JetStream stream, in order, each position once.

The stream itself records how far the relay got. On start and after any failure the relay
reads the stream's last message, resumes the log right after that message's position and
chains `previous_position` from it; there is no progress of its own to keep, so nothing can
disagree with the stream. Publishing is pipelined (`Pipeline`): up to `window` messages
wait for confirmation at once, each sent on the condition that it lands right after the one
before it, so that one ack confirms every message before it (only every `ack_every`-th
asks for one). The messages are the bodies encoded when the events were saved, with their
positions spliced in (`Outbox.read_encoded`). Any failure (a refused publish, a missing
ack, a lost connection, a NATS restart) abandons what is in flight and starts over from the
stream's tail, so the stream holds every published position of the log exactly once and in
log order, and a restart costs a re-read of at most one window.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext

from shared.contracts.wire import EncodedMessage
from shared.messaging.outbox import EncodedBatch, Outbox
from shared.messaging.outbox_watch import OutboxWatch
from shared.messaging.relay_pipeline import Pipeline, cancelled
from shared.messaging.relay_types import OutOfOrder, Publisher, StreamTail

__all__ = ["OutOfOrder", "Publisher", "Relay", "StreamTail"]

log = logging.getLogger(__name__)
tracer = trace.get_tracer("pingyi.relay")

MAX_PENDING = 4000
"""nats-py's own limit of outstanding async publishes; the window must stay below it."""
ACK_EVERY = 100
"""One ack per this many messages: an ack costs the relay about as much as a publish."""
STREAM_CHECK_SECONDS = 5.0
"""While idle, the relay looks at its stream this often: a stream that NATS lost (a wiped
store) or that changed under it is otherwise noticed only at the next commit, which in a
quiet service (the registry's keys) may be hours away while every consumer waits."""
FAILURE_LOG_EVERY_SECONDS = 30.0
"""A failure that repeats (NATS down) is logged at the first and then at most this often."""
MAX_SPANS_PER_PAGE = 16
"""Above this many commits in a page, it is published under one span, as when the commits
are unknown."""


Origins = Callable[[int], SpanContext | None]
PageOrigins = Callable[[Sequence[int]], Origins | None]
"""Given a page's positions, who committed each of them (None: nobody knows)."""


class StreamAhead(Exception):
    """The stream holds a position the log does not have: wrong stream, or a lost log."""


class StreamChanged(Exception):
    """The stream no longer ends where this relay's messages put it (lost, re-created,
    written by someone else)."""


class Relay:
    def __init__(
        self,
        outbox: Outbox,
        publisher: Publisher,
        *,
        batch: int = 500,
        window: int = 1000,
        ack_every: int = ACK_EVERY,
        poll: float = 0.1,
        ack_timeout: float = 5.0,
        stream_check: float = STREAM_CHECK_SECONDS,
        origins: Callable[[int], SpanContext | None] | None = None,
        page_origins: PageOrigins | None = None,
    ) -> None:
        """`batch` notifications are read at a time, at most `window` published messages
        wait for confirmation, every `ack_every`-th message (and the last of each page) asks
        for the ack that confirms it and those before it, the log is polled every `poll`
        seconds while LISTEN is not available, and an ack that takes longer than
        `ack_timeout` counts as lost; while idle, the stream's tail is checked every
        `stream_check` seconds. `origins` names the span that committed a position,
        when this process knows it (`shared.telemetry.CommitLedger`); `page_origins` does so
        for a whole page at a time (in a worker thread: it may query the database), when
        another process committed (`shared.trace_links`)."""
        if not 1 <= window < MAX_PENDING:
            raise ValueError(f"window must be between 1 and {MAX_PENDING - 1}")
        if ack_every < 1:
            raise ValueError("ack_every must be at least 1")
        self._outbox = outbox
        self._publisher = publisher
        self._batch = batch
        self._window = window
        self._ack_every = min(ack_every, window)
        self._ack_timeout = ack_timeout
        self._origins = origins
        self._page_origins = page_origins
        self._watch = OutboxWatch(outbox, poll)
        self._stream_check = stream_check
        self._failure_logged_at: float | None = None
        self._stopped = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._pipeline: Pipeline | None = None
        self._earlier_acks = 0
        self._head: int | None = None
        self._failures = 0
        self.last_error: str | None = None
        self.resyncs = 0

    async def start(self) -> None:
        await self._watch.start()
        self._task = asyncio.create_task(self._run(), name=f"relay-{self._outbox.service}")

    def wake(self) -> None:
        """Thread-safe nudge from the application after it commits."""
        self._watch.nudge()

    async def stop(self) -> None:
        """Stops reading, waits (up to the ack timeout) for the acks in flight."""
        self._stopped.set()
        self._watch.nudge()
        if self._task is not None:
            await self._task
        await self._watch.close()

    @property
    def published_to(self) -> int | None:
        """Last log position the stream has acknowledged (None until the stream was read)."""
        return None if self._pipeline is None else self._pipeline.acked_position

    @property
    def scanned_to(self) -> int | None:
        """Last notification id relayed: everything publishable up to it is acknowledged."""
        return None if self._pipeline is None else self._pipeline.acked_scan

    @property
    def published(self) -> int:
        """Acks received by this relay since it started."""
        return self._earlier_acks + (0 if self._pipeline is None else self._pipeline.acked)

    def status(self) -> dict[str, Any]:
        scanned = self.scanned_to or 0
        return {
            "scanned_to": self.scanned_to,
            "published_to": self.published_to,
            "published": self.published,
            "in_flight": 0 if self._pipeline is None else self._pipeline.in_flight,
            "lag": max(0, (self._head or 0) - scanned),
            "last_error": self.last_error,
            "current": self._pipeline is not None and self.last_error is None,
            "resyncs": self.resyncs,
            "listening": self._watch.listening,
        }

    async def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                await self._follow()
            except Exception as exc:
                self._failures += 1
                self.resyncs += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
                self._log_failure()
                await self._pause(min(2.0, 0.05 * 2**self._failures))

    async def _follow(self) -> None:
        pipeline = await self._sync()
        after = previous = pipeline.acked_position
        prefetch: asyncio.Task[tuple[EncodedBatch, Origins | None]] | None = None
        try:
            while not self._stopped.is_set():
                page, origins = await (prefetch or self._read(after, previous))
                prefetch = None
                if page.scanned_to is None or page.scanned_to == after:
                    await pipeline.drain()
                    self._healthy()
                    await self._idle(after, pipeline)
                    continue
                after = page.scanned_to
                if page.messages:
                    previous = page.messages[-1].position
                # Read the next page while this one is on the wire.
                prefetch = asyncio.create_task(self._read(after, previous))
                await self._send_page(pipeline, page, origins)
                pipeline.scanned(after)
                pipeline.reap()
                if pipeline.acked:
                    self._healthy()
            await pipeline.drain()
        finally:
            await cancelled(prefetch)
            pipeline.abandon()

    async def _send_page(
        self, pipeline: Pipeline, page: EncodedBatch, origins: Origins | None
    ) -> None:
        if not page.messages:
            return
        last = page.messages[-1]
        # One producer span per commit in the page (per page when the commits are unknown):
        # its trace context travels in every message's headers.
        for origin, run in _by_origin(page.messages, origins):
            parent = None if origin is None else trace.set_span_in_context(NonRecordingSpan(origin))
            with tracer.start_as_current_span(
                f"publish {self._outbox.service} {run[0].position}..{run[-1].position}",
                context=parent,
                kind=trace.SpanKind.PRODUCER,
                attributes={
                    "messaging.system": "nats",
                    "pingyi.service": self._outbox.service,
                    "pingyi.positions": f"{run[0].position}..{run[-1].position}",
                    "pingyi.messages": len(run),
                },
            ):
                for message in run:
                    await pipeline.send(message, last=message is last)

    async def _sync(self) -> Pipeline:
        tail = await self._publisher.tail()
        self._head = await asyncio.to_thread(self._outbox.max_position)
        if tail.position is not None and tail.position > (self._head or 0):
            raise StreamAhead(
                f"the stream ends at position {tail.position}, the log at {self._head}"
            )
        if self._pipeline is not None:
            self._earlier_acks += self._pipeline.acked
        self._pipeline = Pipeline(
            self._publisher,
            tail,
            window=self._window,
            ack_every=self._ack_every,
            ack_timeout=self._ack_timeout,
        )
        return self._pipeline

    async def _read(
        self, after: int | None, previous: int | None
    ) -> tuple[EncodedBatch, Origins | None]:
        def read() -> tuple[EncodedBatch, Origins | None]:
            page = self._outbox.read_encoded(after, previous, self._batch)
            self._head = self._outbox.max_position()
            origins = self._origins
            if self._page_origins is not None and page.messages:
                origins = self._page_origins([m.position for m in page.messages])
            return page, origins

        return await asyncio.to_thread(read)

    async def _idle(self, after: int | None, pipeline: Pipeline) -> None:
        loop = asyncio.get_running_loop()
        check_at = loop.time() + self._stream_check
        while not self._stopped.is_set():
            if await self._watch.wait():
                return
            self._head = await asyncio.to_thread(self._outbox.max_position)
            if self._head is not None and self._head > (after or 0):
                return
            if loop.time() >= check_at:
                await self._check_stream(pipeline)
                check_at = loop.time() + self._stream_check

    async def _check_stream(self, pipeline: Pipeline) -> None:
        """Raises (and so re-syncs) when the stream does not end where this relay left it."""
        tail = await self._publisher.tail()
        if tail.sequence != pipeline.stream_sequence:
            raise StreamChanged(
                f"the stream ends at sequence {tail.sequence}, this relay left it at "
                f"{pipeline.stream_sequence}"
            )

    def _healthy(self) -> None:
        if self._failure_logged_at is not None:
            log.info("relay publishes again (after %d re-syncs)", self.resyncs)
        self._failures = 0
        self._failure_logged_at = None
        self.last_error = None

    def _log_failure(self) -> None:
        now = asyncio.get_running_loop().time()
        logged = self._failure_logged_at
        if logged is None or now - logged >= FAILURE_LOG_EVERY_SECONDS:
            log.warning("relay re-syncs from the stream: %s", self.last_error)
            self._failure_logged_at = now

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopped.wait(), seconds)
        except TimeoutError:
            return


def _by_origin(
    messages: list[EncodedMessage], origins: Callable[[int], SpanContext | None] | None
) -> list[tuple[SpanContext | None, list[EncodedMessage]]]:
    """The page cut into runs of messages committed under the same span."""
    if origins is None:
        return [(None, messages)]
    runs: list[tuple[SpanContext | None, list[EncodedMessage]]] = []
    for message in messages:
        origin = origins(message.position)
        if runs and runs[-1][0] == origin:
            runs[-1][1].append(message)
        else:
            runs.append((origin, [message]))
    if len(runs) > MAX_SPANS_PER_PAGE:
        # Many small commits (one vote per request): a span each would cost about as much
        # as publishing; the page's one span goes without parent.
        return [(None, messages)]
    return runs
