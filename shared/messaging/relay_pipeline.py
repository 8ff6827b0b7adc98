"""Publishes in log order with a bounded number of acks outstanding.

Each message is sent on the condition that the stream's last sequence is the one the
previous message was meant to take, so the stream can only grow by this pipeline's messages
in this order: a message lost on the way makes every later one fail instead of leaving a
gap, and a stale or second publisher makes them fail instead of interleaving. The relay
starts a pipeline from the stream's own tail and starts a new one after any failure.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Any

from shared.contracts import IntegrationMessage
from shared.messaging.relay_types import OutOfOrder, Publisher, StreamTail


@dataclass
class _Sent:
    future: asyncio.Future[Any]
    position: int
    sequence: int
    """Where the stream must store it."""
    scanned: int
    """The log is relayed up to this notification id once this message is acknowledged."""
    deadline: float


class Pipeline:
    def __init__(
        self, publisher: Publisher, tail: StreamTail, *, window: int, ack_timeout: float
    ) -> None:
        self._publisher = publisher
        self._window = window
        self._ack_timeout = ack_timeout
        self._loop = asyncio.get_running_loop()
        self._sent: deque[_Sent] = deque()
        self._sequence = tail.sequence
        self.acked_position = tail.position
        """The last position the stream confirmed: every published position up to it is
        in the stream, once and in order."""
        self.acked_scan = tail.position
        self.acked = 0

    @property
    def in_flight(self) -> int:
        return len(self._sent)

    async def send(self, message: IntegrationMessage) -> None:
        self.reap()
        while len(self._sent) >= self._window:
            await self._settle_oldest()
        future = await self._publisher.send(message, self._sequence)
        self._sequence += 1
        deadline = self._loop.time() + self._ack_timeout
        self._sent.append(
            _Sent(future, message.position, self._sequence, message.position, deadline)
        )

    def scanned(self, notification_id: int) -> None:
        """Notifications up to `notification_id` were read and everything in them sent."""
        if self._sent:
            self._sent[-1].scanned = notification_id
        else:
            self.acked_scan = notification_id

    def reap(self) -> None:
        """Take the acks that have arrived, without waiting."""
        while self._sent and self._sent[0].future.done():
            self._accept(self._sent.popleft())

    async def drain(self) -> None:
        while self._sent:
            await self._settle_oldest()

    def abandon(self) -> None:
        """Give up on every outstanding ack. Whatever of it still reaches the stream lands
        in order or is refused, and the next pipeline starts from what the stream holds."""
        while self._sent:
            future = self._sent.popleft().future
            if future.done():
                if not future.cancelled():
                    future.exception()  # retrieved: no "never retrieved" noise at exit
            else:
                future.cancel()

    async def _settle_oldest(self) -> None:
        head = self._sent[0]
        if not head.future.done():
            timeout = max(0.0, head.deadline - self._loop.time())
            try:
                await asyncio.wait_for(asyncio.shield(head.future), timeout)
            except TimeoutError:
                raise TimeoutError(
                    f"no ack for position {head.position} within {self._ack_timeout} s"
                ) from None
        self._accept(self._sent.popleft())

    def _accept(self, sent: _Sent) -> None:
        ack = sent.future.result()
        if ack.seq != sent.sequence:
            raise OutOfOrder(
                f"position {sent.position} is at stream sequence {ack.seq}, "
                f"expected {sent.sequence}"
            )
        self.acked_position = sent.position
        self.acked_scan = sent.scanned
        self.acked += 1


async def cancelled(task: asyncio.Future[Any] | None) -> None:
    """Cancel a helper task and wait until it is gone, whatever it ended with."""
    if task is None:
        return
    task.cancel()
    await asyncio.wait([task])  # unlike `await task`, never raises what the task raised
    if not task.cancelled():
        task.exception()
