"""An in-memory origin stream with the JetStream rules the relay relies on, and faults on
demand: a publish lands only right after the sequence it names, a repeated message id is
acknowledged as a duplicate without being stored, and a message can be lost on the way
(never stored, never acknowledged) or its ack held back."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from shared.contracts import IntegrationMessage
from shared.messaging.relay_types import Publishable, StreamTail


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
    refuse: set[int] = field(default_factory=set)
    """Positions refused on their next publish (once each), as a stream refuses a message
    whose expected last sequence someone else took."""
    hold_acks: bool = False
    sent: int = 0
    _held: list[tuple[asyncio.Future[Any], Ack]] = field(default_factory=list)

    async def tail(self) -> StreamTail:
        if not self.messages:
            return StreamTail(0, None)
        return StreamTail(len(self.messages), self.messages[-1].position)

    async def send(
        self, sent: Publishable, after: int, *, ack: bool = True
    ) -> asyncio.Future[Any] | None:
        self.sent += 1
        message = IntegrationMessage.decode(sent.encode())  # what a consumer would read back
        outcome = self._store(message, after)
        if not ack:
            return None  # the stream stores or refuses it all the same, and says nothing
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if isinstance(outcome, Exception):
            future.set_exception(outcome)
        elif outcome is not None:
            self._answer(future, outcome)
        return future

    def _store(self, message: IntegrationMessage, after: int) -> Ack | Exception | None:
        if message.position in self.lose:
            self.lose.discard(message.position)
            return None
        if message.position in self.refuse:
            self.refuse.discard(message.position)
            return WrongLastSequence(f"wrong last sequence: {len(self.messages)}")
        stored = [m.position for m in self.messages]
        if message.position in stored:
            return Ack(stored.index(message.position) + 1, duplicate=True)
        if after != len(self.messages):
            return WrongLastSequence(f"wrong last sequence: {len(stored)}")
        self.messages.append(message)
        return Ack(len(self.messages))

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
