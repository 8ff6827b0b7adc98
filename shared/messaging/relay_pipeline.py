"""Publishes in log order with a bounded number of messages awaiting confirmation.

Each message is sent on the condition that the stream's last sequence is the one the
previous message was meant to take, so the stream can only grow by this pipeline's messages
in this order: a message lost on the way makes every later one fail instead of leaving a
gap, and a stale or second publisher makes them fail instead of interleaving. That is also
why one ack confirms a whole group: a message stored at the sequence it was meant to take
was stored right after its predecessor, which was stored right after its own, and so on
back to the start of the pipeline. So only every `ack_every`-th message, and the last one
before the relay waits for more, asks the stream for an ack; the others are published
without one and cost the stream and this process no reply. A refusal of any message
therefore shows up at the next ack of its group, as a refusal or a sequence mismatch there.
The relay starts a pipeline from the stream's own tail and starts a new one after any failure.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Any

from shared.messaging.relay_types import OutOfOrder, Publishable, Publisher, StreamTail


@dataclass
class _Group:
    """Messages sent since the previous ack request, confirmed by the ack of the last one."""

    future: asyncio.Future[Any]
    position: int
    """Log position of the group's last message, the one that asked for the ack."""
    sequence: int
    """Where the stream must store that message."""
    count: int
    scanned: int
    """The log is relayed up to this notification id once this group is confirmed."""
    deadline: float


class Pipeline:
    def __init__(
        self,
        publisher: Publisher,
        tail: StreamTail,
        *,
        window: int,
        ack_timeout: float,
        ack_every: int = 1,
    ) -> None:
        if not 1 <= ack_every <= window:
            raise ValueError("ack_every must be between 1 and the window")
        self._publisher = publisher
        self._window = window
        self._ack_every = ack_every
        self._ack_timeout = ack_timeout
        self._loop = asyncio.get_running_loop()
        self._groups: deque[_Group] = deque()
        self._open = 0
        """Messages sent after the last ack request: nothing confirms them yet."""
        self._sequence = tail.sequence
        self.in_flight = 0
        """Messages sent and not yet confirmed."""
        self.acked_position = tail.position
        """The last position the stream confirmed: every published position up to it is
        in the stream, once and in order."""
        self.acked_scan = tail.position
        self.acked = 0

    @property
    def stream_sequence(self) -> int:
        """The stream's last sequence once everything sent is stored (with nothing in
        flight: the stream's last sequence now, as far as this pipeline knows)."""
        return self._sequence

    async def send(self, message: Publishable, *, last: bool = True) -> None:
        """`last`: the caller has nothing more to send for now, so this message asks for an
        ack (a group must be closed before `scanned` or `drain`)."""
        self.reap()
        while self.in_flight >= self._window:
            await self._settle_oldest()
        ask = last or self._open + 1 >= self._ack_every or self.in_flight + 1 >= self._window
        future = await self._publisher.send(message, self._sequence, ack=ask)
        self._sequence += 1
        self._open += 1
        self.in_flight += 1
        if ask:
            assert future is not None, "the publisher returned no ack to wait for"
            deadline = self._loop.time() + self._ack_timeout
            group = _Group(
                future, message.position, self._sequence, self._open, message.position, deadline
            )
            self._groups.append(group)
            self._open = 0

    def scanned(self, notification_id: int) -> None:
        """Notifications up to `notification_id` were read and everything in them sent."""
        assert self._open == 0, "the last message sent must ask for an ack"
        if self._groups:
            self._groups[-1].scanned = notification_id
        else:
            self.acked_scan = notification_id

    def reap(self) -> None:
        """Take the acks that have arrived, without waiting."""
        while self._groups and self._groups[0].future.done():
            self._accept(self._groups.popleft())

    async def drain(self) -> None:
        assert self._open == 0, "the last message sent must ask for an ack"
        while self._groups:
            await self._settle_oldest()

    def abandon(self) -> None:
        """Give up on every outstanding ack. Whatever of it still reaches the stream lands
        in order or is refused, and the next pipeline starts from what the stream holds."""
        while self._groups:
            future = self._groups.popleft().future
            if future.done():
                if not future.cancelled():
                    future.exception()  # retrieved: no "never retrieved" noise at exit
            else:
                future.cancel()

    async def _settle_oldest(self) -> None:
        head = self._groups[0]
        if not head.future.done():
            timeout = max(0.0, head.deadline - self._loop.time())
            try:
                await asyncio.wait_for(asyncio.shield(head.future), timeout)
            except TimeoutError:
                raise TimeoutError(
                    f"no ack for position {head.position} within {self._ack_timeout} s"
                ) from None
        self._accept(self._groups.popleft())

    def _accept(self, group: _Group) -> None:
        ack = group.future.result()
        if ack.seq != group.sequence:
            raise OutOfOrder(
                f"position {group.position} is at stream sequence {ack.seq}, "
                f"expected {group.sequence}"
            )
        self.acked_position = group.position
        self.acked_scan = group.scanned
        self.acked += group.count
        self.in_flight -= group.count


async def cancelled(task: asyncio.Future[Any] | None) -> None:
    """Cancel a helper task and wait until it is gone, whatever it ended with."""
    if task is None:
        return
    task.cancel()
    await asyncio.wait([task])  # unlike `await task`, never raises what the task raised
    if not task.cancelled():
        task.exception()
