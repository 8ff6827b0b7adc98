"""Survey's published log in either grain, whichever the survey service publishes: one
`survey.response.recorded` v3 per questionnaire, or each push as `survey.batch.recorded`
parts. The apply rows compare the same questionnaires in both forms."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.survey import ResponseRecorded
from shared.contracts.survey_batch import BatchQuestionnaire, BatchRecorded

PART_SIZE = 500
"""Questionnaires per part at most, as the survey service cuts a push."""
_QUESTIONNAIRE_FIELDS = tuple(BatchQuestionnaire.model_fields)


def as_singles(messages: Sequence[IntegrationMessage]) -> list[IntegrationMessage]:
    """The log with each part replaced by its questionnaires' v3 messages."""
    if all(message.event_type != BatchRecorded.event_type for message in messages):
        return list(messages)
    payloads: list[tuple[str, int, dict[str, Any]]] = []
    for message in messages:
        if message.event_type != BatchRecorded.event_type:
            payloads.append((message.event_type, message.schema_version, message.payload))
            continue
        part = parse_payload(message)
        assert isinstance(part, BatchRecorded)
        payloads += [_entry(response) for response in part.responses()]
    return renumbered(messages[0], payloads)


def as_parts(
    messages: Sequence[IntegrationMessage], size: int = PART_SIZE
) -> list[IntegrationMessage]:
    """The log with each run of one batch's v3 messages replaced by parts of `size`."""
    payloads: list[tuple[str, int, dict[str, Any]]] = []
    for run in _runs(as_singles(messages)):
        if _batch_of(run[0]) is None:
            payloads += [(m.event_type, m.schema_version, m.payload) for m in run]
            continue
        chunks = [run[start : start + size] for start in range(0, len(run), size)]
        for number, chunk in enumerate(chunks, start=1):
            first = chunk[0].payload
            part = BatchRecorded.of_questionnaires(
                wave_id=first["wave_id"],
                batch_id=first["batch_id"],
                agency_id=first["agency_id"],
                part=number,
                parts=len(chunks),
                questionnaires=[_questionnaire(m.payload) for m in chunk],
            )
            payloads.append(_entry(part))
    return renumbered(messages[0], payloads)


def _runs(messages: Sequence[IntegrationMessage]) -> Iterator[list[IntegrationMessage]]:
    """Consecutive messages of one batch's recordings together; every other message alone."""
    run: list[IntegrationMessage] = []
    for message in messages:
        key = _batch_of(message)
        if run and (key is None or key != _batch_of(run[-1])):
            yield run
            run = []
        run.append(message)
    if run:
        yield run


def _batch_of(message: IntegrationMessage) -> tuple[Any, Any] | None:
    if message.event_type != ResponseRecorded.event_type or message.schema_version != 3:
        return None
    batch = message.payload.get("batch_id")
    return None if batch is None else (message.payload["wave_id"], batch)


def _questionnaire(payload: dict[str, Any]) -> dict[str, Any]:
    return {name: payload[name] for name in _QUESTIONNAIRE_FIELDS if name in payload}


def _entry(payload: ResponseRecorded | BatchRecorded) -> tuple[str, int, dict[str, Any]]:
    return payload.event_type, payload.schema_version, payload.model_dump(mode="json")


def renumbered(
    first: IntegrationMessage, payloads: list[tuple[str, int, dict[str, Any]]]
) -> list[IntegrationMessage]:
    """`payloads` as a log of their own origin, positions 1, 2, …"""
    return [
        IntegrationMessage(
            event_id=IntegrationMessage.event_id_for(first.origin, position),
            event_type=event_type,
            schema_version=version,
            origin=first.origin,
            position=position,
            previous_position=position - 1 or None,
            occurred_at=first.occurred_at,
            payload=payload,
        )
        for position, (event_type, version, payload) in enumerate(payloads, start=1)
    ]
