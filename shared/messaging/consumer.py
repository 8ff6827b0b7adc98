"""Consumer runner: fetch from a source, apply through an inbox, in upstream order.

One consumer per (consumer name, upstream). Its progress is the position its inbox records
with what it applies, never the source's: it starts the source from that position, and
whenever a batch does not follow on from it (a gap, a failure, another applier ahead) it
rewinds the source there and reads again. Nothing is applied twice (the inbox re-checks
the position inside the applying transaction), nothing is skipped (a message that does not
follow on from the last applied one is never applied), and a gap stalls the consumer,
visibly, until the missing message is there. While it runs it keeps a status that metrics,
`/positions` and the readiness probes read: how far it applied, whether it is stalled and on
which message, and when it last saw nothing more to read (`caught_up_at`), which is how
authentication knows its copy of keys and revocations is current.

A message that cannot be applied is found by retrying a failed batch one message at a time;
the consumer then stalls on exactly that message. It is skipped only when an operator has
recorded a decision for that position (`shared.operations`), and the skip is itself tracked
like an applied message; nothing is ever skipped silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.persistence import IntegrityError
from opentelemetry import propagate, trace

from shared.contracts import IntegrationMessage
from shared.messaging.consumer_status import ConsumerStatus, StalledAt
from shared.messaging.inbox import Inbox, plan_batch
from shared.messaging.sources import Delivery, MessageSource
from shared.service.leases import Lease
from shared.views.base import StalePositionError, ViewSupersededError

log = logging.getLogger(__name__)
tracer = trace.get_tracer("pingyi.consumer")

STALL_AFTER_FAILURES = 3
MAX_LINKED = 64
"""Deliveries of a batch looked at for links to other traces (headers are parsed for each)."""
MAX_BACKOFF = 5.0
SkipDecision = Callable[[str, str, IntegrationMessage], bool]
"""(consumer, upstream, message) -> whether an operator decided this message is skipped."""


class Consumer:
    def __init__(
        self,
        consumer: str,
        upstream: str,
        source: MessageSource,
        inbox: Inbox,
        *,
        batch_size: int = 200,
        fetch_timeout: float = 1.0,
        lease: Lease | None = None,
        skip_decided: SkipDecision | None = None,
    ) -> None:
        self.upstream = upstream
        self.status = ConsumerStatus(consumer, upstream)
        self._source = source
        self._inbox = inbox
        self._batch = batch_size
        self._fetch_timeout = fetch_timeout
        self._lease = lease
        self._skip_decided = skip_decided
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stalled_on_message = False
        """Stalled on a gap or an undecodable message rather than by failures to read (one
        that could not be applied is `status.stalled_at`): only applying or skipping a
        message ends such a stall."""

    @property
    def name(self) -> str:
        return self.status.consumer

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"consume-{self.name}-{self.upstream}")

    async def stop(self) -> None:
        """Finish the batch in hand (never interrupted mid-apply), then stop at once."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        await self._source.close()
        if self._lease is not None:
            await self._lease.release()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            if self._lease is not None and not await self._lease.acquire(self._stopping):
                return
            self.status.leading = True
            try:
                await self._consume_while_leading()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # e.g. the database is away while (re)starting
                self._failed(f"{type(exc).__name__}: {exc}")
                with contextlib.suppress(Exception):
                    await self._source.close()
                await self._pause(min(5.0, 0.2 * 2**self.status.consecutive_failures))
            finally:
                self.status.leading = False

    async def _consume_while_leading(self) -> None:
        """Read from the last applied position while the lease holds. After any failure the
        source is rewound there (or started, if it never was) once the pause is over."""
        started = False
        rewind_after: float | None = None
        try:
            while not self._stopping.is_set():
                if self._lease is not None and not self._lease.held():
                    where = {"consumer": self.name, "upstream": self.upstream}
                    if self._lease.handed_over():
                        log.info("lease handed over to spread the work", extra=where)
                    else:
                        log.warning("lease lost", extra=where)
                    return
                try:
                    if rewind_after is not None:
                        await self._pause(rewind_after)
                        if self._stopping.is_set():
                            return
                    if not started or rewind_after is not None:
                        await self._read_from_last_applied(first=not started)
                        started, rewind_after = True, None
                    deliveries = await self._fetch()
                    if deliveries is None:
                        return
                    if deliveries:
                        rewind_after = await self._handle(deliveries)
                    else:
                        self._caught_up()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:  # keep consuming; the failure is visible in the status
                    self._failed(f"{type(exc).__name__}: {exc}")
                    rewind_after = self._backoff()
        finally:
            if started:
                await self._source.close()

    async def _read_from_last_applied(self, *, first: bool) -> None:
        last = await asyncio.to_thread(self._inbox.last_position, self.upstream)
        self.status.last_position = last
        await (self._source.start(last) if first else self._source.rewind(last))

    async def _fetch(self) -> list[Delivery] | None:
        """The next deliveries, or None when asked to stop while waiting for them."""
        fetch = asyncio.ensure_future(self._source.fetch(self._batch, self._fetch_timeout))
        stop = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
        if fetch in done:
            stop.cancel()
            return fetch.result()
        fetch.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await fetch
        return None

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def _handle(self, deliveries: list[Delivery]) -> float | None:
        """Apply what follows on from the last applied position. On anything else (a gap, a
        failure, an undecodable message, another applier ahead) answer after how long to
        rewind the source to the last applied position and read again."""
        readable, poison = _split_at_undecodable(deliveries)
        messages, repeated = in_position_order(readable)
        last = await asyncio.to_thread(self._inbox.last_position, self.upstream)
        self.status.last_position = last  # another replica may have applied up to here
        plan = plan_batch(last, messages)
        self.status.duplicates += repeated + len(plan.duplicates)
        with self._span(deliveries):
            applied = await self._apply(plan.to_apply)
        if applied is None:  # another applier moved on: read on from where it got to
            return 0.0
        if applied < len(plan.to_apply):  # stalled on a message (see `_poison`)
            return self._backoff()
        if plan.gap_index is not None:
            reason = f"gap after position {plan.gap_after}: upstream message missing"
            self._failed(reason, stall=True)
            return self._backoff()
        if poison is not None:
            self._failed(poison.error or "undecodable message", stall=True)
            return self._backoff()
        self._succeeded()
        self.status.pending = deliveries[-1].pending
        if deliveries[-1].pending == 0:
            self._caught_up()
        return None

    def _backoff(self) -> float:
        return min(MAX_BACKOFF, 0.2 * 2.0 ** max(0, self.status.consecutive_failures - 1))

    async def _apply(self, messages: Sequence[IntegrationMessage]) -> int | None:
        """How many of `messages` are now applied; None if another applier got there first."""
        if not messages:
            return 0
        try:
            await asyncio.to_thread(self._inbox.apply, self.upstream, messages)
        except (StalePositionError, IntegrityError):
            return None
        except ViewSupersededError as exc:
            self._superseded(exc)
            return None
        except Exception as exc:
            if len(messages) == 1:
                return await self._poison(messages[0], exc)
            return await self._apply_one_by_one(messages)
        self._applied(messages)
        return len(messages)

    def _superseded(self, exc: ViewSupersededError) -> None:
        """A newer release reset the view (a rolling upgrade): stop applying it for good, and
        leave it to that release; this process's API serves it read-only until replaced."""
        log.warning(
            "view taken over by a newer release: consumer stopped",
            extra={"consumer": self.name, "upstream": self.upstream, "reason": str(exc)},
        )
        self._stopping.set()

    async def _apply_one_by_one(self, messages: Sequence[IntegrationMessage]) -> int | None:
        """Find the message the batch failed on; apply those before it."""
        done = 0
        for message in messages:
            result = await self._apply([message])
            if result is None:
                return None if done == 0 else done
            if result == 0:
                return done
            done += 1
        return done

    async def _poison(self, message: IntegrationMessage, exc: Exception) -> int:
        reason = f"{type(exc).__name__}: {exc}"
        decided = self._skip_decided is not None and await asyncio.to_thread(
            self._skip_decided, self.name, self.upstream, message
        )
        if decided:
            await asyncio.to_thread(self._inbox.skip, self.upstream, message)
            log.warning(
                "message skipped by recorded decision",
                extra={
                    "consumer": self.name,
                    "upstream": self.upstream,
                    "position": message.position,
                    "reason": reason,
                },
            )
            self.status.skipped += 1
            self.status.last_position = message.position
            return 1
        self.status.stalled_at = StalledAt(
            message.position, str(message.event_id), message.event_type, reason
        )
        self._failed(f"position {message.position} ({message.event_type}): {reason}")
        return 0

    def _applied(self, messages: Sequence[IntegrationMessage]) -> None:
        self.status.last_position = messages[-1].position
        self.status.applied += len(messages)
        self.status.stalled_at = None

    def _span(self, deliveries: list[Delivery]) -> Any:
        """A child of the first message's trace, linked to the others' (a batch can hold the
        messages of many requests)."""
        parent = propagate.extract(deliveries[0].headers or {})
        seen = {trace.get_current_span(parent).get_span_context().span_id}
        others = []  # distinct by span id: a SpanContext is not hashable
        for delivery in deliveries[1:MAX_LINKED]:
            context = _traced(delivery)
            if context.is_valid and context.span_id not in seen:
                seen.add(context.span_id)
                others.append(context)
        return tracer.start_as_current_span(
            f"consume {self.upstream}",
            context=parent,
            kind=trace.SpanKind.CONSUMER,
            links=[trace.Link(context) for context in others],
            attributes={
                "pingyi.consumer": self.name,
                "pingyi.upstream": self.upstream,
                "pingyi.messages": len(deliveries),
                "pingyi.positions": _positions(deliveries),
            },
        )

    def _caught_up(self) -> None:
        """The source confirmed that nothing follows the last applied position. That ends a
        stall that came of failing to read or to reach the database (the upstream is
        reachable again and we are at its head) as applying a message does; a stall on a
        message (a gap, one that cannot be applied or decoded) is ended only by that message
        being applied or skipped."""
        if self._stalled_on_message or self.status.stalled_at is not None:
            return
        self._succeeded()
        self.status.pending = 0
        self.status.caught_up_at = time.monotonic()

    def _failed(self, reason: str, *, stall: bool = False) -> None:
        """`stall`: stalled on a gap or an undecodable message (see `_caught_up`), at once;
        any other failure stalls once it has happened `STALL_AFTER_FAILURES` times in a row."""
        self.status.consecutive_failures += 1
        log.error(
            "consumer failure",
            extra={"consumer": self.name, "upstream": self.upstream, "reason": reason},
        )
        self._stalled_on_message = self._stalled_on_message or stall
        if stall or self.status.consecutive_failures >= STALL_AFTER_FAILURES:
            self.status.stalled_reason = reason

    def _succeeded(self) -> None:
        self._stalled_on_message = False
        self.status.consecutive_failures = 0
        self.status.stalled_reason = None
        self.status.stalled_at = None
        self.status.last_activity = time.monotonic()


def _positions(deliveries: list[Delivery]) -> str:
    """The upstream positions a batch spans: with the upstream's name, the key that finds
    the trace of the request that committed them when the relay ran in another process."""
    positions = [d.message.position for d in deliveries if d.message is not None]
    return f"{min(positions)}..{max(positions)}" if positions else ""


def _traced(delivery: Delivery) -> trace.SpanContext:
    """The span a delivery's headers name (an invalid context when none)."""
    if not delivery.headers:
        return trace.INVALID_SPAN_CONTEXT
    return trace.get_current_span(propagate.extract(delivery.headers or {})).get_span_context()


def _split_at_undecodable(deliveries: list[Delivery]) -> tuple[list[Delivery], Delivery | None]:
    """The deliveries before the first undecodable one, and that one (which stalls)."""
    for index, delivery in enumerate(deliveries):
        if delivery.message is None:
            return deliveries[:index], delivery
    return deliveries, None


def in_position_order(deliveries: list[Delivery]) -> tuple[list[IntegrationMessage], int]:
    """The batch's messages by position, each once, and how many repeats were dropped.
    A stream in log order is unchanged; one that holds a late copy or a late message (an
    older relay's re-publish) still applies in log order when the batch holds both."""
    by_position: dict[int, IntegrationMessage] = {}
    for delivery in deliveries:
        if delivery.message is not None:
            by_position.setdefault(delivery.message.position, delivery.message)
    ordered = [by_position[p] for p in sorted(by_position)]
    return ordered, len(deliveries) - len(ordered)
