"""A stored body decodes to the message the relay would publish (`decode(compose(...))`),
or raises where that raises: every message of the fold tests' world, and bodies broken in
generated ways."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.scoring.engine.fold.decode import decode_stored
from shared.canonical import message_json
from shared.contracts import IntegrationMessage
from shared.contracts.wire import compose

from .test_fold_world import world

MESSAGES = world().in_order()
SPLICED = ("event_id", "position", "previous_position")


def body_of(message: IntegrationMessage) -> bytes:
    """What the service stored: the message without the three fields its place gives it."""
    envelope = message.model_dump(mode="json")
    for name in SPLICED:
        del envelope[name]
    return message_json(envelope)


def relayed(origin: str, position: int, previous: int | None, body: bytes) -> Any:
    try:
        return IntegrationMessage.decode(compose(origin, position, previous, body))
    except ValueError as exc:  # pydantic's ValidationError is one
        return type(exc)


def decoded(origin: str, position: int, previous: int | None, body: bytes) -> Any:
    try:
        return decode_stored(origin, position, previous, body)
    except ValueError as exc:
        return type(exc)


def test_every_message_of_the_world_decodes_as_relayed() -> None:
    for message in MESSAGES:
        body = body_of(message)
        where = (message.origin, message.position, message.previous_position)
        assert decode_stored(*where, body) == message
        assert decode_stored(*where, body) == IntegrationMessage.decode(compose(*where, body))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=4,
)


@settings(max_examples=400, deadline=None)
@given(
    index=st.integers(0, len(MESSAGES) - 1),
    field=st.sampled_from(
        ["event_type", "schema_version", "origin", "occurred_at", "payload", *SPLICED, "extra"]
    ),
    value=JSON,
    cut=st.none() | st.integers(0, 200),
)
def test_a_broken_body_fails_or_decodes_as_relayed(
    index: int, field: str, value: Any, cut: int | None
) -> None:
    message = MESSAGES[index]
    envelope = orjson.loads(body_of(message))
    envelope[field] = value
    try:
        body = message_json(envelope)
    except (TypeError, ValueError):
        return  # a value canonical JSON refuses to write (NaN) is never stored
    if cut is not None:
        body = body[:cut]
    where = (message.origin, message.position, message.previous_position)
    assert decoded(*where, body) == relayed(*where, body)


def test_a_body_compose_refuses_raises_the_same() -> None:
    with pytest.raises(ValueError, match="not a message body"):
        decode_stored("survey", 3, 2, b'{"payload":{}}')
