"""The fast reader of `survey.batch.recorded` v1 parts (`fold.batch`) reads a part only
where the model (v1, upcast to v2) accepts it, and to the model's values: what survey
published is read plainly; a part broken in generated ways (a field of the part or of one
questionnaire changed, dropped, spelled otherwise, or a key a questionnaire does not have)
is never read plainly where the model refuses it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from services.scoring.engine.fold.batch import plain_batch
from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.survey import Flag, Opinion
from shared.contracts.survey_batch import BatchQuestionnaire, BatchRecorded, BatchRecordedV1

from .test_fold_plain import ANSWERS, JSON, ODD_SPELLINGS, TEXT

questionnaires = st.builds(
    BatchQuestionnaire,
    response_id=st.uuids(),
    questionnaire_id=TEXT,
    survey_point=st.none() | TEXT,
    collected_at=st.datetimes(timezones=st.timezones()),
    row=st.lists(st.none() | ANSWERS, min_size=3, max_size=3).map(tuple),
    dimension_ratings=st.dictionaries(st.uuids(), st.dictionaries(TEXT, TEXT, max_size=2)),
    opinions=st.lists(st.builds(Opinion, unit_id=st.none() | st.uuids(), text=TEXT)).map(tuple),
    recommended_key_targets=st.lists(st.uuids(), max_size=2).map(tuple),
    group=st.none() | TEXT,
    district_id=st.none() | st.uuids(),
    device=st.none() | TEXT,
    respondent_id=st.none() | st.uuids(),
    flags=st.lists(st.builds(Flag, code=TEXT, detail=TEXT), max_size=2).map(tuple),
)
parts = st.builds(
    BatchRecordedV1,
    wave_id=st.uuids(),
    batch_id=st.uuids(),
    agency_id=st.none() | st.uuids(),
    part=st.integers(1, 3),
    parts=st.integers(1, 3),
    questionnaires=st.lists(questionnaires, min_size=1, max_size=4).map(tuple),
)


def upcast(payload: dict[str, Any]) -> BatchRecorded:
    """What every consumer reads of a v1 payload: the newest model."""
    message = IntegrationMessage(
        event_id=uuid4(),
        event_type=BatchRecordedV1.event_type,
        schema_version=1,
        occurred_at=datetime.now(UTC),
        origin="survey",
        position=1,
        previous_position=None,
        payload=payload,
    )
    found = parse_payload(message)
    assert isinstance(found, BatchRecorded)
    return found


def facts(model: BatchRecorded) -> tuple[Any, ...]:
    """What the fold reads of each questionnaire, from the v3 recordings it stands for."""
    return str(model.wave_id), [
        (
            str(model.wave_id),
            str(r.response_id),
            [None if a == "" else a for a in r.row or ()],
            r.group or "",
            r.survey_point or "",
            bool(r.flags),
        )
        for r in model.responses()
    ]


def read(payload: dict[str, Any]) -> tuple[Any, ...] | None:
    found = plain_batch(payload)
    if found is None:
        return None
    wave_id, recordings = found
    # "" and None both rate nothing (a v2 row has one code for both).
    return wave_id, [r._replace(row=[None if a == "" else a for a in r.row]) for r in recordings]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=parts)
def test_what_survey_published_is_read_plainly_to_the_models_values(
    model: BatchRecordedV1,
) -> None:
    payload = model.model_dump(mode="json")
    assert read(payload) == facts(upcast(payload))


def test_rows_of_different_widths_are_left_to_the_model_which_refuses_them() -> None:
    one = {
        "response_id": str(uuid4()),
        "questionnaire_id": "q",
        "survey_point": None,
        "collected_at": "2026-03-02T01:00:00Z",
    }
    payload = {
        "wave_id": str(uuid4()),
        "batch_id": str(uuid4()),
        "agency_id": None,
        "part": 1,
        "parts": 1,
        "questionnaires": [one | {"row": ["满意"]}, one | {"row": ["满意", None]}],
    }
    assert read(payload) is None
    with pytest.raises(ValidationError):
        upcast(payload)


def mutated(draw: st.DrawFn, node: dict[str, Any]) -> dict[str, Any]:
    name = draw(st.sampled_from([*sorted(node), "unknown_field"]))
    how = draw(st.sampled_from(["value", "odd", "drop", "nested"]))
    node = dict(node)
    if how == "drop":
        node.pop(name, None)
    elif how == "odd":
        node[name] = draw(ODD_SPELLINGS)
    elif how == "nested" and isinstance(node.get(name), list) and node[name]:
        node[name] = [draw(JSON), *node[name][1:]]
    else:
        node[name] = draw(JSON)
    return node


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=parts, data=st.data())
def test_a_part_the_model_refuses_is_never_read_plainly(
    model: BatchRecordedV1, data: st.DataObject
) -> None:
    payload = model.model_dump(mode="json")
    for _ in range(data.draw(st.integers(1, 3))):
        inside = (
            payload["questionnaires"] if isinstance(payload.get("questionnaires"), list) else []
        )
        if inside and data.draw(st.booleans()):
            at = data.draw(st.integers(0, len(inside) - 1))
            if isinstance(inside[at], dict):
                inside = list(inside)
                inside[at] = mutated(data.draw, inside[at])
                payload = payload | {"questionnaires": inside}
                continue
        payload = mutated(data.draw, payload)
    plainly = read(payload)
    # The rows' answers are the fold's to check against the wave's levels (all texts).
    if plainly is not None and not all(
        a is None or type(a) is str for recording in plainly[1] for a in recording[2]
    ):
        plainly = None
    try:
        parsed = upcast(payload)
    except ValidationError:
        assert plainly is None
        return
    if plainly is not None:
        assert plainly == facts(parsed)
