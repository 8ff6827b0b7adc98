"""`survey.batch.recorded`: a part of a push, each questionnaire meaning what a
`survey.response.recorded` v3 of the same fields means."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.contracts import IntegrationPayload
from shared.contracts.survey import BatchRecorded, Channel, ResponseRecorded
from shared.contracts.wire import encode_body


def _batch(**overrides: object) -> BatchRecorded:
    fields: dict[str, object] = {
        "wave_id": uuid4(),
        "batch_id": uuid4(),
        "agency_id": uuid4(),
        "part": 1,
        "parts": 2,
        "questionnaires": [
            {
                "response_id": uuid4(),
                "questionnaire_id": "甲-0001",
                "survey_point": "郾城区政务服务中心",
                "collected_at": datetime(2026, 6, 1, 9, 30, tzinfo=UTC),
                "row": ["满意", None, "不满意"],
                "group": "服务对象",
                "flags": [{"code": "straight_lining", "detail": "全部同一答案"}],
            }
        ],
    }
    return BatchRecorded.model_validate(fields | overrides)


def test_registered_as_its_own_type() -> None:
    assert IntegrationPayload.registry[("survey.batch.recorded", 1)] is BatchRecorded


def test_each_questionnaire_reads_as_the_recording_it_stands_for() -> None:
    batch = _batch()
    [response] = batch.responses()
    q = batch.questionnaires[0]
    expected = ResponseRecorded(
        wave_id=batch.wave_id,
        response_id=q.response_id,
        questionnaire_id="甲-0001",
        survey_point="郾城区政务服务中心",
        collected_at=q.collected_at,
        row=("满意", None, "不满意"),
        group="服务对象",
        agency_id=batch.agency_id,
        batch_id=batch.batch_id,
        flags=q.flags,
    )
    assert response.model_dump() == expected.model_dump()
    assert ResponseRecorded.model_validate(response.model_dump()) == expected
    units = [uuid4(), uuid4(), uuid4()]
    assert response.ratings_in(units) == {str(units[0]): "满意", str(units[2]): "不满意"}


def test_round_trips_through_json() -> None:
    batch = _batch()
    assert BatchRecorded.model_validate_json(batch.model_dump_json()) == batch


@pytest.mark.parametrize("bad", [{"part": 0}, {"parts": 0}, {"questionnaires": [{"row": []}]}])
def test_refuses_a_malformed_part(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        _batch(**bad)


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=10)
_UUID_TEXT = st.uuids().map(str)
_MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-3))]),
).map(lambda moment: moment.isoformat())
_PREPARED = st.fixed_dictionaries(
    {
        "response_id": _UUID_TEXT,
        "questionnaire_id": _TEXT,
        "survey_point": st.none() | _TEXT,
        "collected_at": _MOMENTS,
        "row": st.lists(st.none() | st.sampled_from(["满意", "不了解", "95", "7"]), max_size=6),
    },
    optional={
        "dimension_ratings": st.dictionaries(
            _UUID_TEXT, st.dictionaries(_TEXT, st.sampled_from(["满意", "不满意"]), max_size=2)
        ),
        "opinions": st.lists(
            st.fixed_dictionaries({"unit_id": st.none() | _UUID_TEXT, "text": _TEXT}), max_size=2
        ),
        "recommended_key_targets": st.lists(_UUID_TEXT, max_size=2),
        "channel": st.sampled_from([c.value for c in Channel]),
        "group": _TEXT,
        "district_id": _UUID_TEXT,
        "device": _TEXT,
        "respondent_id": _UUID_TEXT,
        "flags": st.lists(st.fixed_dictionaries({"code": _TEXT, "detail": _TEXT}), max_size=2),
    },
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_PREPARED, max_size=5), st.none() | st.uuids())
def test_a_prepared_part_encodes_as_the_validated_part(
    questionnaires: list[dict[str, object]], agency_id: UUID | None
) -> None:
    fields = {
        "wave_id": uuid4(),
        "batch_id": uuid4(),
        "agency_id": agency_id,
        "part": 2,
        "parts": 3,
        "questionnaires": questionnaires,
    }
    validated = BatchRecorded.model_validate(fields)
    prepared = BatchRecorded.prepared(**fields)  # type: ignore[arg-type]
    assert prepared.json_payload() == validated.model_dump(mode="json")
    moment = datetime(2026, 3, 5, tzinfo=UTC)
    assert encode_body("survey", prepared, moment) == encode_body("survey", validated, moment)
