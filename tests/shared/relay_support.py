"""Reading a whole origin stream back, and the one property the relay must give it."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

import nats

from shared.contracts import IntegrationMessage


async def until(predicate: Callable[[], bool], timeout: float = 20.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not reached: {what}")
        await asyncio.sleep(0.02)


async def stream_messages(js: Any, stream: str) -> list[IntegrationMessage]:
    """Every message of the stream, by sequence, from 1 to the last."""
    info = await js.stream_info(stream)
    last = int(info.state.last_seq or 0)
    assert info.state.messages == last, f"the stream lost messages: {info.state}"
    found = []
    for sequence in range(1, last + 1):
        raw = await js.get_msg(stream, sequence)
        found.append(IntegrationMessage.decode(raw.data or b""))
    return found


def assert_exactly_the_log(
    stream: Sequence[IntegrationMessage], log: Sequence[IntegrationMessage], note: str = ""
) -> None:
    """The stream holds each published position of the log once, in log order, with the
    `previous_position` chain intact, and nothing else."""
    positions = [m.position for m in stream]
    repeated = sorted(p for p, n in Counter(positions).items() if n > 1)
    assert not repeated, f"positions stored more than once: {repeated[:20]} {note}"
    disorder = [(a, b) for a, b in pairwise(positions) if b <= a]
    assert not disorder, f"positions out of order: {disorder[:20]} {note}"
    previous: int | None = None
    for message in stream:
        assert message.previous_position == previous, (
            f"position {message.position} names {message.previous_position} as previous, "
            f"the stream has {previous} before it {note}"
        )
        previous = message.position
    expected = [m.position for m in log]
    missing = sorted(set(expected) - set(positions))
    extra = sorted(set(positions) - set(expected))
    assert not missing and not extra, f"missing {missing[:20]}, extra {extra[:20]} {note}"
    assert list(stream) == list(log), f"a message differs from the log's {note}"


async def tail_position(url: str, stream: str) -> int | None:
    """The origin position of the stream's last message (None: the stream is empty)."""
    nc = await nats.connect(url, connect_timeout=2, allow_reconnect=False)
    try:
        js = nc.jetstream(timeout=2)
        info = await js.stream_info(stream)
        if not info.state.last_seq:
            return None
        raw = await js.get_msg(stream, info.state.last_seq)
        return IntegrationMessage.decode(raw.data or b"").position
    finally:
        await nc.close()


async def stream_reaches(url: str, stream: str, head: int | None, timeout: float) -> None:
    """Until the stream's last message is the log's last published one (`head`)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    last: object = None
    while loop.time() < deadline:
        try:
            last = await tail_position(url, stream)
            if last == head:
                return
        except Exception as exc:  # NATS still starting, stream not there (yet)
            last = exc
        await asyncio.sleep(0.05)
    raise TimeoutError(f"stream stuck at {last!r}, log head {head}")


async def whole_stream(url: str, stream: str) -> list[IntegrationMessage]:
    nc = await nats.connect(url, connect_timeout=5)
    try:
        return await stream_messages(nc.jetstream(timeout=5), stream)
    finally:
        await nc.close()
