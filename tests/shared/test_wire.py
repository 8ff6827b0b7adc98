"""A message built from the body stored at write time is byte for byte the message the
envelope encodes (`IntegrationMessage.encode()`), whatever the payload holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.survey import ResponseRecorded, WaveOpened
from shared.contracts.wire import EncodedMessage, compose, encode_body, event_id

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
ZONES = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
MOMENTS = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=ZONES
)
POSITIONS = st.integers(1, 2**62)


def _message(
    origin: str, position: int, previous: int | None, payload: IntegrationPayload, at: datetime
) -> IntegrationMessage:
    """The message as the outbox used to build it from a mapped event."""
    return IntegrationMessage(
        event_id=IntegrationMessage.event_id_for(origin, position),
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        origin=origin,
        position=position,
        previous_position=previous,
        occurred_at=at.astimezone(UTC),
        payload=payload.model_dump(mode="json"),
    )


responses = st.builds(
    ResponseRecorded,
    wave_id=st.uuids(),
    response_id=st.uuids(),
    questionnaire_id=TEXT,
    survey_point=st.none() | TEXT,
    collected_at=MOMENTS,
    ratings=st.dictionaries(
        st.uuids(), st.sampled_from(["满意", "基本满意", "不满意", "不了解"]), max_size=12
    ),
)
waves = st.builds(
    WaveOpened,
    wave_id=st.uuids(),
    jurisdiction_id=st.uuids(),
    name=TEXT,
    agency_id=st.uuids(),
    unit_ids=st.lists(st.uuids(), max_size=5).map(tuple),
    actor=TEXT,
)


@settings(max_examples=300, deadline=None)
@given(
    payload=responses | waves,
    origin=st.sampled_from(["survey", "registry", "scoring"]),
    position=POSITIONS,
    previous=st.none() | POSITIONS,
    at=MOMENTS,
)
def test_a_composed_message_is_the_encoded_envelope(
    payload: IntegrationPayload, origin: str, position: int, previous: int | None, at: datetime
) -> None:
    expected = _message(origin, position, previous, payload, at)
    data = compose(origin, position, previous, encode_body(origin, payload, at))
    assert data == expected.encode()
    encoded = EncodedMessage(position, previous, data=data)
    assert encoded.event_type == payload.event_type
    assert encoded.subject("ns") == expected.subject("ns")
    assert encoded.message == expected


def test_an_encoded_message_from_a_mapped_one_encodes_it() -> None:
    at = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    payload = WaveOpened(
        wave_id=UUID(int=1),
        jurisdiction_id=UUID(int=2),
        name='名"称\u2028\\',
        agency_id=UUID(int=3),
        unit_ids=(),
        actor="a",
    )
    message = _message("survey", 7, 3, payload, at)
    encoded = EncodedMessage(7, 3, message=message)
    assert encoded.encode() == message.encode()
    assert encoded.event_type == "survey.wave.opened"


@given(origin=st.sampled_from(["survey", "registry"]), position=POSITIONS)
def test_event_ids_are_the_envelopes(origin: str, position: int) -> None:
    assert event_id(origin, position) == str(IntegrationMessage.event_id_for(origin, position))


def test_a_body_that_is_not_one_is_refused() -> None:
    with pytest.raises(ValueError, match="not a message body"):
        compose("survey", 1, None, b'{"payload":{}}')


def test_an_event_type_that_would_need_escaping_is_refused() -> None:
    class Odd(IntegrationPayload):
        event_type = 'test.wire."odd"'

    try:
        with pytest.raises(ValueError, match="plain ASCII"):
            encode_body("survey", Odd(), datetime.now(UTC))
    finally:
        del IntegrationPayload.registry[(Odd.event_type, Odd.schema_version)]
