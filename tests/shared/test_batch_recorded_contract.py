"""`survey.batch.recorded`: a part of a push, each questionnaire meaning what a
`survey.response.recorded` v3 of the same fields means."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from shared.contracts import IntegrationPayload
from shared.contracts.survey import BatchRecorded, ResponseRecorded


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
