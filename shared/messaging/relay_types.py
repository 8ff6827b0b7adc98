"""What the relay needs from a stream: where it ends, and a pipelined, conditional publish."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol


class Publishable(Protocol):
    """What is published: an `IntegrationMessage`, or its bytes (`EncodedMessage`)."""

    @property
    def position(self) -> int: ...

    def subject(self, namespace: str) -> str: ...

    def encode(self) -> bytes: ...


@dataclass(frozen=True)
class StreamTail:
    sequence: int
    """The stream's last sequence; 0 when it is empty."""
    position: int | None
    """Origin position of the message stored at `sequence`; None when the stream is empty."""


class Publisher(Protocol):
    async def tail(self) -> StreamTail: ...

    async def send(
        self, message: Publishable, after: int, *, ack: bool = True
    ) -> asyncio.Future[Any] | None:
        """Start publishing `message` so that the stream stores it at sequence `after + 1` or
        not at all. With `ack`, the returned future resolves to an ack with the stored
        sequence as `seq` (or fails); it may never resolve by itself, so await it with a
        timeout. Without, the stream answers nothing and None is returned."""
        ...


class OutOfOrder(Exception):
    """The stream did not store a message where the relay meant it to go."""
