"""An in-memory origin stream with the JetStream rules the relay relies on, and faults on
demand: a publish lands only right after the sequence it names, a repeated message id is
acknowledged as a duplicate without being stored, and a message can be lost on the way
(never stored, never acknowledged) or its ack held back."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from shared.contracts import IntegrationMessage
from shared.messaging.relay_types import StreamTail


class WrongLastSequence(Exception):
    pass


@dataclass
class Ack:
    seq: int
    duplicate: bool = False


@dataclass
class FakeStream:
    messages: list[IntegrationMessage] = field(default_factory=list)
    lose: set[int] = field(default_factory=set)
    """Positions lost on their next publish (once each)."""
    hold_acks: bool = False
    sent: int = 0
    _held: list[tuple[asyncio.Future[Any], Ack]] = field(default_factory=list)

    async def tail(self) -> StreamTail:
        if not self.messages:
            return StreamTail(0, None)
        return StreamTail(len(self.messages), self.messages[-1].position)

    async def send(self, message: IntegrationMessage, after: int) -> asyncio.Future[Any]:
        self.sent += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if message.position in self.lose:
            self.lose.discard(message.position)
            return future
        stored = [m.position for m in self.messages]
        if message.position in stored:
            self._answer(future, Ack(stored.index(message.position) + 1, duplicate=True))
        elif after != len(self.messages):
            future.set_exception(WrongLastSequence(f"wrong last sequence: {len(stored)}"))
        else:
            self.messages.append(message)
            self._answer(future, Ack(len(self.messages)))
        return future

    def release(self) -> None:
        self.hold_acks = False
        for future, ack in self._held:
            future.set_result(ack)
        self._held.clear()

    @property
    def held(self) -> int:
        return len(self._held)

    def _answer(self, future: asyncio.Future[Any], ack: Ack) -> None:
        if self.hold_acks:
            self._held.append((future, ack))
        else:
            future.set_result(ack)
