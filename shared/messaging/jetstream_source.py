"""JetStream's consuming side: an upstream's stream read from where our own tables say a
consumer got to.

No state of the consumer's lives in JetStream. Our tables hold, per (view, upstream), the
last position applied, in the same transaction as the view's rows; a durable consumer's ack
floor would be a second, weaker record of the same fact, and it broke two things: two
replicas pulling from one durable consumer split its messages between them (each then saw
gaps), and a view that was reset or rebuilt resumed from the durable's ack floor instead of
its own position. So each `JetStreamSource` owns an ephemeral pull consumer of its own:

- **Where it starts.** `start(p)` and `rewind(p)` create a consumer delivering from the
  stream sequence just after position `p`. Positions increase with the stream sequence (the
  relay publishes each message on the condition that it follows the one before it, with
  `Nats-Expected-Last-Sequence`), so that sequence is found by binary search over the stream
  with `get_msg`: O(log n) reads, no scan. In a stream where they do not (copies an older
  relay re-published after the duplicate window) the search may start early, and the copies
  are ignored as duplicates, or late, which shows as a gap: the consumer stalls visibly and
  never skips; a batch holding the late message with the ones after it applies in order.
- **No acks** (`AckPolicy.NONE`). Nothing the server could do with an ack is needed: the
  position recorded with the view's rows is what makes a redelivery harmless, and a message
  delivered but not applied (a gap, a failed batch, a lost lease, a client that went away
  mid-fetch) is read again by `rewind`, which starts a new consumer after the last applied
  position. Explicit acks would cost a round trip per message and bring redelivery after
  `ack_wait`, out of order with what follows; negative acks are replaced by `rewind`.
- **Cleanup.** The consumer is ephemeral (no durable name) with an `inactive_threshold`, so
  the server removes it when its process dies; `close()` and `rewind()` delete it at once. If
  the server removed it anyway (a long pause, a NATS restart), the source re-creates it
  after the last message it delivered.
- **Caught up.** `fetch` returns an empty list only after asking the server: the consumer
  exists and nothing is pending for it. An unreachable server raises instead, so an idle
  consumer never claims to be current on the strength of a timeout (the security copy's
  freshness rests on this). Nor on a stream that ends before the position the consumer
  applied: NATS lost it and the upstream's relay is filling it again (`StreamBehind`),
  until a message at or past that position arrives.

An undecodable message is delivered like any other (with its error); the search never
passes over one that lies after the last applied position, so it keeps stalling the
consumer. One that lies before an applied position (a view rebuilt from the upstream's log)
is not part of the chain the view applied and is passed over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import Any

import nats
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError as JsNotFound
from nats.js.errors import ServiceUnavailableError

from shared.contracts import IntegrationMessage
from shared.messaging.jetstream import ensure_stream, stream_name
from shared.messaging.sources import Delivery

log = logging.getLogger(__name__)

INACTIVE_THRESHOLD = 30.0
"""Seconds without a pull after which the server deletes a consumer whose process died."""
CLEANUP_TIMEOUT = 2.0


class NotCaughtUp(Exception):
    """An empty fetch the server did not confirm: the stream holds more than was delivered."""


class StreamBehind(NotCaughtUp):
    """The stream ends before the position this consumer applied: NATS lost it and the
    upstream's relay is publishing its log into it again. Nothing is pending, yet the
    consumer is not current: a revocation may be in the part still to come."""


async def sequence_after(
    js: JetStreamContext, stream: str, position: int | None, *, timeout: float = 5.0
) -> int:
    """The stream sequence of the first message after `position` (None: the first message;
    past the end when the stream holds nothing after it). Binary search with `get_msg`;
    `timeout` bounds each request."""
    info = await asyncio.wait_for(js.stream_info(stream), timeout)
    first = max(1, int(info.state.first_seq or 1))
    last = int(info.state.last_seq or 0)
    if position is None:
        return first
    low, high = first, last + 1
    while low < high:
        middle = (low + high) // 2
        found = await _position_from(js, stream, middle, high, timeout)
        if found is None or found[1] > position:
            high = middle
        else:
            low = found[0] + 1
    return low


async def _position_from(
    js: JetStreamContext, stream: str, start: int, end: int, timeout: float
) -> tuple[int, int] | None:
    """(sequence, position) of the first decodable message in [start, end), if any."""
    for sequence in range(start, end):
        try:
            raw = await asyncio.wait_for(js.get_msg(stream, sequence), timeout)
            return sequence, IntegrationMessage.decode(raw.data or b"").position
        except (JsNotFound, ValueError):
            continue
    return None


class JetStreamSource:
    """One consumer's view of one upstream's stream; see the module notes."""

    def __init__(
        self,
        js: JetStreamContext,
        namespace: str,
        consumer: str,
        upstream: str,
        *,
        inactive_threshold: float = INACTIVE_THRESHOLD,
        request_timeout: float = 5.0,
        replicas: int = 1,
    ) -> None:
        self._js = js
        self._replicas = replicas
        self._namespace = namespace
        self._upstream = upstream
        self._stream = stream_name(namespace, upstream)
        self._label = f"{consumer}-from-{upstream}"
        self._inactive_threshold = inactive_threshold
        self._timeout = request_timeout
        self._name: str | None = None
        self._sub: Any = None
        self._next = 1
        """Stream sequence of the next message this source delivers."""
        self._confirmed = False
        """Whether a fetch has run since the consumer was (re)created."""
        self._last_position: int | None = None
        """The last position applied or delivered: where this consumer stands."""
        self._behind: int | None = None
        """Set while the stream ends before `_last_position` (see `StreamBehind`)."""
        self.consumers_created = 0

    @property
    def consumer_name(self) -> str | None:
        """The server-side consumer in use (named after the consumer and upstream)."""
        return self._name

    async def start(self, last_position: int | None) -> None:
        # A consumer may start before its upstream ever has: it makes the stream the same way.
        await ensure_stream(self._js, self._namespace, self._upstream, replicas=self._replicas)
        await self.rewind(last_position)

    async def rewind(self, last_position: int | None) -> None:
        sequence = await sequence_after(
            self._js, self._stream, last_position, timeout=self._timeout
        )
        await self._open(sequence)
        self._last_position = last_position
        await self._note_whether_behind()

    async def fetch(self, batch: int, timeout: float) -> list[Delivery]:
        if not self._confirmed and await self._nothing_pending():
            # Just (re)started at the stream's end: say so now rather than after a long poll
            # (a starting service waits for its copy of keys to be shown current).
            self._confirmed = True
            return self._nothing_more()
        self._confirmed = True
        # Two rounds: messages may land between an empty pull and the server's answer that
        # something is pending, and a consumer the server removed is re-created in between.
        for _ in range(2):
            messages = await self._pull(batch, timeout)
            if messages:
                return [self._deliver(m) for m in messages]
            if await self._nothing_pending():
                return self._nothing_more()
        raise NotCaughtUp(f"{self._label}: the stream holds messages not yet delivered")

    def _nothing_more(self) -> list[Delivery]:
        """Caught up: the empty answer, unless the stream itself is behind this consumer."""
        if self._behind is not None:
            raise StreamBehind(
                f"{self._label}: the stream ends before position {self._behind}, which this "
                "consumer applied (NATS lost the stream; its relay is publishing it again)"
            )
        return []

    async def _note_whether_behind(self) -> None:
        """After (re)creating the consumer: does the stream end before where we stand?"""
        self._behind = None
        if self._last_position is None:
            return
        info = await asyncio.wait_for(self._js.stream_info(self._stream), self._timeout)
        last = int(info.state.last_seq or 0)
        if last == 0:
            self._behind = self._last_position
            return
        found = await _position_from(self._js, self._stream, last, last + 1, self._timeout)
        if found is not None and found[1] < self._last_position:
            self._behind = self._last_position

    async def close(self) -> None:
        await self._drop()

    async def _pull(self, batch: int, timeout: float) -> list[Any]:
        assert self._sub is not None, "start() first"
        try:
            messages: list[Any] = await self._sub.fetch(batch=batch, timeout=timeout)
        except (TimeoutError, nats.errors.TimeoutError):
            return []
        except (nats.errors.NoRespondersError, ServiceUnavailableError):
            return []  # no such consumer any more: `_nothing_pending` finds out and re-creates
        return messages

    async def _nothing_pending(self) -> bool:
        assert self._name is not None
        try:
            info = await self._js.consumer_info(self._stream, self._name, timeout=self._timeout)
        except JsNotFound:
            log.info("consumer removed by the server; re-created", extra={"consumer": self._name})
            await self._open(self._next)
            await self._note_whether_behind()  # removed with the whole stream, NATS's store lost
            return False
        # (The subscription's own queue may hold status messages of earlier pulls, but no
        # message: a pull takes those first.)
        return int(info.num_pending or 0) == 0

    def _deliver(self, msg: Any) -> Delivery:
        sequence = int(msg.metadata.sequence.stream)
        self._next = sequence + 1
        headers = dict(msg.headers or {})
        pending = msg.metadata.num_pending
        try:
            message = IntegrationMessage.decode(msg.data)
        except ValueError as exc:
            error = f"undecodable message at stream sequence {sequence}: {exc}"
            return Delivery(None, error=error, sequence=sequence, headers=headers, pending=pending)
        if self._last_position is None or message.position > self._last_position:
            self._last_position = message.position
        if self._behind is not None and message.position >= self._behind:
            self._behind = None
        return Delivery(message, sequence=sequence, headers=headers, pending=pending)

    async def _open(self, sequence: int) -> None:
        await self._drop()
        name = f"{self._label}-{secrets.token_hex(6)}"
        config = ConsumerConfig(
            name=name,
            ack_policy=AckPolicy.NONE,
            deliver_policy=DeliverPolicy.BY_START_SEQUENCE,
            opt_start_seq=sequence,
            inactive_threshold=self._inactive_threshold,
            mem_storage=True,
        )
        await self._js.add_consumer(self._stream, config, timeout=self._timeout)
        self._name = name
        self._next = sequence
        self._confirmed = False
        self.consumers_created += 1
        self._sub = await self._js.pull_subscribe_bind(consumer=name, stream=self._stream)

    async def _drop(self) -> None:
        """Stop listening and delete the server-side consumer; a server that cannot be
        reached deletes it itself after `inactive_threshold`."""
        sub, self._sub = self._sub, None
        name, self._name = self._name, None
        if sub is not None:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        if name is not None:
            try:
                await asyncio.wait_for(
                    self._js.delete_consumer(self._stream, name), CLEANUP_TIMEOUT
                )
            except Exception:  # gone already, or the server is away: it cleans up itself
                log.debug("consumer %s not deleted", name, exc_info=True)
