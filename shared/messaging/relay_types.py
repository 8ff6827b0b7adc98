"""What the relay needs from a stream: where it ends, and a pipelined, conditional publish."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol

from shared.contracts import IntegrationMessage


@dataclass(frozen=True)
class StreamTail:
    sequence: int
    """The stream's last sequence; 0 when it is empty."""
    position: int | None
    """Origin position of the message stored at `sequence`; None when the stream is empty."""


class Publisher(Protocol):
    async def tail(self) -> StreamTail: ...

    async def send(self, message: IntegrationMessage, after: int) -> asyncio.Future[Any]:
        """Start publishing `message` so that the stream stores it at sequence `after + 1` or
        not at all. The future resolves to an ack with the stored sequence as `seq`; it may
        never resolve by itself, so await it with a timeout."""
        ...


class OutOfOrder(Exception):
    """The stream did not store a message where the relay meant it to go."""
