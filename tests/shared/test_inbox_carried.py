"""`as_carried`: a payload as its message carried it, for views that store a payload as it
stands. A field added to the contract after the message was written must not enter such
a row with its default (a row rebuilt later would differ from the row built at the time),
while what the contract's upcasters lift an older message to is part of it."""

from __future__ import annotations

from typing import Any

from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.registry import UnitRegistered
from shared.messaging.inbox import as_carried
from tests.shared.messages import unit_message

LATER_FIELDS = ("parent_id", "vertical_superior", "credit_code", "effective_on", "actor")
"""What `UnitRegistered` v2 added to v1, each with a default."""


def _carrying(payload: dict[str, Any], schema_version: int) -> IntegrationMessage:
    return unit_message(1, None).model_copy(
        update={"payload": payload, "schema_version": schema_version}
    )


def _written_before(*absent: str) -> dict[str, Any]:
    """A v2 body as a producer that did not have `absent` yet wrote it."""
    body = unit_message(1, None).payload
    return {k: v for k, v in body.items() if k not in absent}


def test_a_field_the_message_did_not_carry_stays_out() -> None:
    message = _carrying(_written_before("credit_code", "actor"), UnitRegistered.schema_version)
    payload = parse_payload(message)
    carried = as_carried(payload, message)
    assert payload.model_dump(mode="json")["actor"] is None  # the model fills it in
    assert "actor" not in carried and "credit_code" not in carried
    assert carried == message.payload


def test_what_an_upcaster_lifts_an_older_message_to_is_carried() -> None:
    v1 = _written_before(*LATER_FIELDS)
    message = _carrying(v1, 1)
    carried = as_carried(parse_payload(message), message)
    assert carried == v1 | dict.fromkeys(LATER_FIELDS)


def test_values_are_the_decoded_models_and_unknown_fields_are_left_out() -> None:
    body = _written_before("actor") | {"added_later": "x"}
    body["unit_id"] = body["unit_id"].upper()
    message = _carrying(body, UnitRegistered.schema_version)
    carried = as_carried(parse_payload(message), message)
    assert "added_later" not in carried  # a tolerant reader's: the contract has no such field
    assert carried["unit_id"] == body["unit_id"].lower()  # as the model reads it
    assert carried.keys() == body.keys() - {"added_later"}
