"""An integration message's bytes, produced in two steps: once when its event is stored, and
by concatenation when its position in the log is known.

`IntegrationMessage.encode()` is canonical JSON with sorted keys, and the three fields that
depend on the notification id (`event_id`, `position`, `previous_position`) sort around the
rest: `event_id` first, the two positions just before `schema_version`, the last key. So the
envelope without them (the *body*) can be encoded in the write transaction, stored with the
event, and turned into the message by inserting the three fields, without decoding anything.
The result is byte-identical to `IntegrationMessage.encode()` (tests/shared/test_wire.py).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from pydantic import TypeAdapter

from shared.canonical import message_json
from shared.contracts.envelope import EVENT_ID_NAMESPACE, IntegrationMessage, IntegrationPayload

PayloadMapper = Callable[[Any], IntegrationPayload | None]
"""A service's stored domain event -> the contract it publishes, or None (internal)."""

NOT_PUBLISHED = b""
"""The body stored for an event that maps to no contract (NULL means: not encoded at write)."""

_HEAD = b'{"event_type":"'
_TAIL = b',"schema_version":'
_TYPE_AT = len(b'{"event_id":"') + 36 + len(b'",') + len(_HEAD) - 1
"""Where the event type starts in a composed message: after the event id (a UUID's 36
characters) and the key that follows it."""
_CHECKED_TYPES: set[str] = set()
_EVENT_TYPE = re.compile(r"[a-z0-9_.\-]+")
_DATETIME = TypeAdapter(datetime)
_NAMESPACE = EVENT_ID_NAMESPACE.bytes


def encode_body(origin: str, payload: IntegrationPayload, occurred_at: datetime) -> bytes:
    """The envelope of `payload` without event id and positions, in canonical JSON."""
    if payload.event_type not in _CHECKED_TYPES:
        # The subject is sliced out of the bytes unescaped (`EncodedMessage.event_type`).
        if not _EVENT_TYPE.fullmatch(payload.event_type):
            raise ValueError(f"event type {payload.event_type!r} is not plain ASCII")
        _CHECKED_TYPES.add(payload.event_type)
    return message_json(
        {
            "event_type": payload.event_type,
            "occurred_at": _DATETIME.dump_python(occurred_at.astimezone(UTC), mode="json"),
            "origin": origin,
            "payload": payload.json_payload(),
            "schema_version": payload.schema_version,
        }
    )


def event_id(origin: str, position: int) -> str:
    """`str(IntegrationMessage.event_id_for(origin, position))` without the UUID object."""
    digest = bytearray(hashlib.sha1(_NAMESPACE + f"{origin}:{position}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def compose(origin: str, position: int, previous: int | None, body: bytes) -> bytes:
    """The encoded message at `position` of `origin`'s log, from its stored body."""
    cut = body.rfind(_TAIL)
    if not body.startswith(_HEAD) or cut < 0:
        raise ValueError(f"not a message body at position {position}: {body[:60]!r}")
    return b"".join(
        (
            b'{"event_id":"',
            event_id(origin, position).encode(),
            b'",',
            body[1:cut],
            b',"position":',
            str(position).encode(),
            b',"previous_position":',
            b"null" if previous is None else str(previous).encode(),
            body[cut:],
        )
    )


class EncodedMessage:
    """A message of a service's log as the relay needs it: its position, its subject and its
    bytes. Built from the stored body (the bytes are at hand, decoding happens only if asked)
    or from a message mapped the old way (the bytes are encoded only if asked)."""

    def __init__(
        self,
        position: int,
        previous_position: int | None,
        *,
        data: bytes | None = None,
        message: IntegrationMessage | None = None,
    ) -> None:
        self.position = position
        self.previous_position = previous_position
        if data is not None:
            self.__dict__["data"] = data
        if message is not None:
            self.__dict__["message"] = message
        elif data is None:
            raise ValueError("an encoded message needs its bytes or its message")

    @cached_property
    def data(self) -> bytes:
        return self.message.encode()

    @cached_property
    def message(self) -> IntegrationMessage:
        return IntegrationMessage.decode(self.data)

    @cached_property
    def event_type(self) -> str:
        if "message" in self.__dict__:
            return self.message.event_type
        return self.data[_TYPE_AT : self.data.index(b'"', _TYPE_AT)].decode()

    def encode(self) -> bytes:
        return self.data

    def subject(self, namespace: str) -> str:
        return f"{namespace}.{self.event_type}"
