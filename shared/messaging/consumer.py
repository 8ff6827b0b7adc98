"""Consumer runner: fetch from a source, apply through an inbox, ack only after commit."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import IntegrityError
from opentelemetry import propagate, trace

from shared.messaging.inbox import Inbox, plan_batch
from shared.messaging.sources import Delivery, MessageSource
from shared.views import StalePositionError

log = logging.getLogger(__name__)
tracer = trace.get_tracer("pingyi.consumer")

STALL_AFTER_FAILURES = 3


@dataclass
class ConsumerStatus:
    consumer: str
    upstream: str
    last_position: int | None = None
    applied: int = 0
    duplicates: int = 0
    consecutive_failures: int = 0
    stalled_reason: str | None = None
    last_activity: float = field(default_factory=time.monotonic)

    @property
    def stalled(self) -> bool:
        return self.stalled_reason is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "consumer": self.consumer,
            "upstream": self.upstream,
            "last_position": self.last_position,
            "applied": self.applied,
            "duplicates": self.duplicates,
            "stalled": self.stalled,
            "stalled_reason": self.stalled_reason,
        }


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
    ) -> None:
        self.upstream = upstream
        self.status = ConsumerStatus(consumer, upstream)
        self._source = source
        self._inbox = inbox
        self._batch = batch_size
        self._fetch_timeout = fetch_timeout
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        last = await asyncio.to_thread(self._inbox.last_position, self.upstream)
        self.status.last_position = last
        await self._source.start(last)
        self._task = asyncio.create_task(self._run(), name=f"consume-{self.upstream}")

    async def stop(self) -> None:
        """Finish the batch in hand, then stop fetching."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        await self._source.close()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                deliveries = await self._source.fetch(self._batch, self._fetch_timeout)
                if deliveries:
                    await self._handle(deliveries)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep consuming; the failure is visible in /readyz
                self._failed(f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(min(5.0, 0.2 * 2**self.status.consecutive_failures))

    async def _handle(self, deliveries: list[Delivery]) -> None:
        undecodable = next((i for i, d in enumerate(deliveries) if d.message is None), None)
        cut_short = undecodable is not None
        if undecodable is not None:
            self._failed(deliveries[undecodable].error or "undecodable message", stall=True)
            await self._source.nak(deliveries[undecodable:], delay=5)
            deliveries = deliveries[:undecodable]
            if not deliveries:
                return
        messages = [d.message for d in deliveries if d.message is not None]
        last = await asyncio.to_thread(self._inbox.last_position, self.upstream)
        plan = plan_batch(last, messages)
        if plan.gap_index is not None:
            missing = await self._source.reread(plan.gap_after, deliveries[plan.gap_index])
            plan = plan_batch(last, [*plan.to_apply, *missing, *messages[plan.gap_index :]])
        settled = (
            len(deliveries)
            if plan.gap_index is None
            else self._settled_count(deliveries, plan.to_apply, plan.duplicates)
        )
        with self._span(deliveries[0]):
            try:
                await asyncio.to_thread(self._inbox.apply, self.upstream, plan.to_apply)
            except (StalePositionError, IntegrityError):
                # Someone recorded these positions first; re-plan on redelivery.
                await self._source.nak(deliveries, delay=0.5)
                return
            except Exception as exc:
                self._failed(f"{type(exc).__name__}: {exc}")
                await self._source.nak(
                    deliveries, delay=min(5.0, 0.5 * self.status.consecutive_failures)
                )
                return
        await self._source.ack(deliveries[:settled])
        if settled < len(deliveries):
            gap_reason = f"gap after position {plan.gap_after}: upstream message missing"
            self._failed(gap_reason, stall=True)
            await self._source.nak(deliveries[settled:], delay=2)
        elif not cut_short:  # a poison message after these keeps the consumer stalled
            self._succeeded()
        if plan.to_apply:
            self.status.last_position = plan.to_apply[-1].position
        self.status.applied += len(plan.to_apply)
        self.status.duplicates += len(plan.duplicates)

    @staticmethod
    def _settled_count(
        deliveries: list[Delivery], applied: list[Any], duplicates: list[Any]
    ) -> int:
        done = {m.position for m in applied} | {m.position for m in duplicates}
        count = 0
        for delivery in deliveries:
            if delivery.message is None or delivery.message.position not in done:
                break
            count += 1
        return count

    def _span(self, delivery: Delivery) -> Any:
        parent = propagate.extract(delivery.headers or {})
        return tracer.start_as_current_span(
            f"consume {self.upstream}",
            context=parent,
            attributes={"pingyi.consumer": self.status.consumer, "pingyi.upstream": self.upstream},
        )

    def _failed(self, reason: str, *, stall: bool = False) -> None:
        self.status.consecutive_failures += 1
        log.error(
            "consumer failure",
            extra={"consumer": self.status.consumer, "upstream": self.upstream, "reason": reason},
        )
        if stall or self.status.consecutive_failures >= STALL_AFTER_FAILURES:
            self.status.stalled_reason = reason

    def _succeeded(self) -> None:
        self.status.consecutive_failures = 0
        self.status.stalled_reason = None
        self.status.last_activity = time.monotonic()
