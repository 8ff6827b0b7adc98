"""A stored message body (`shared.contracts.wire`) straight to the `IntegrationMessage` the
fold applies, for readers of a log (replay, the audit verifier) that have the bodies with
their positions.

The relay's way, `IntegrationMessage.decode(compose(...))`, splices the event id and
positions into the bytes and has pydantic parse the result, payload and all, from JSON:
about as long again as folding the message. Here orjson parses the body, the three fields
are set on the dict (replacing any the body carried, as the later key wins when `compose`
splices them in), and pydantic validates the envelope from Python objects: the payload is a
`dict[str, Any]`, so only its top level is walked. A body `compose` would refuse, or orjson
cannot read, goes the relay's way, so a body either decodes to the message the relay would
publish or raises as decoding that would (tests/scoring/engine/test_fold_decode.py).
"""

from __future__ import annotations

from typing import Any

import orjson

from shared.contracts import IntegrationMessage
from shared.contracts.wire import compose, event_id

from .plain import plain_datetime

_HEAD = b'{"event_type":"'
_TAIL = b',"schema_version":'


def decode_stored(
    origin: str, position: int, previous: int | None, body: bytes
) -> IntegrationMessage:
    """The message at `position` of `origin`'s log, whose predecessor is `previous`."""
    # rfind: the tail is at the body's end, which a batch part puts 600 KiB from its start.
    if body.startswith(_HEAD) and body.rfind(_TAIL) >= 0:
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            data = None
        if type(data) is dict:
            data["event_id"] = event_id(origin, position)
            data["position"] = position
            data["previous_position"] = previous
            return IntegrationMessage.model_validate(data)
    return IntegrationMessage.decode(compose(origin, position, previous, body))


_ENVELOPE = frozenset(("event_type", "occurred_at", "origin", "payload", "schema_version"))


def plain_envelope(origin: str, body: bytes) -> dict[str, Any] | None:
    """The stored body parsed, where its envelope is in the plain form its origin writes
    (the five keys, of their JSON types, `origin` its own, `occurred_at` a plain ISO
    datetime): what `decode_stored` would make a message of, less the event id and
    positions it sets, which no fold reads. None: decode it (which reads it or raises)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not (
        type(data) is dict
        and data.keys() == _ENVELOPE
        and data["origin"] == origin
        and type(data["event_type"]) is str
        and type(data["schema_version"]) is int
        and data["schema_version"] >= 1
        and type(data["payload"]) is dict
        and plain_datetime(data["occurred_at"])
    ):
        return None
    return data
