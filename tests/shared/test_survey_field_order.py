"""The questionnaire shapes share a run of answer fields (`DimensionRatings`, `Opinions`,
`KeyTargets`, `Flags` in `survey_vocabulary`), but each declares the fields itself: a shared
base class would put them first (pydantic orders a base's fields before a subclass's), and
that order is what consumers read in the JSON schema and in every message. Pinned here, so
a refactor that moves them fails."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import UUID

import pytest
from pydantic import BaseModel

from shared.contracts.survey import Answers, ResponseRecorded, ResponseRecordedV2
from shared.contracts.survey_batch import BatchExtra, BatchQuestionnaire, BatchRecorded

_ANSWERS = ["dimension_ratings", "opinions", "recommended_key_targets"]
_RESPONDENT = ["district_id", "device", "respondent_id"]
_HEAD = ["wave_id", "response_id", "questionnaire_id", "survey_point", "collected_at"]
_TAIL = [*_ANSWERS, "channel", "group", *_RESPONDENT, "agency_id", "batch_id", "flags"]

ORDER: dict[type[BaseModel], list[str]] = {
    Answers: ["ratings", *_ANSWERS],
    ResponseRecordedV2: [*_HEAD, "ratings", *_TAIL],
    ResponseRecorded: [*_HEAD, "row", "ratings", *_TAIL],
    BatchQuestionnaire: [
        *_HEAD[1:],
        "row",
        *_ANSWERS,
        "channel",
        "group",
        *_RESPONDENT,
        "flags",
    ],
    BatchExtra: ["index", *_ANSWERS, *_RESPONDENT, "flags"],
}


@pytest.mark.parametrize("model", ORDER, ids=lambda model: model.__name__)
def test_fields_keep_their_published_order(model: type[BaseModel]) -> None:
    assert list(model.model_fields) == ORDER[model]
    assert list(model.model_json_schema()["properties"]) == ORDER[model]


def test_a_message_keeps_its_keys_in_that_order() -> None:
    unit = UUID(int=1)
    part = BatchRecorded.of_questionnaires(
        wave_id=UUID(int=2),
        batch_id=UUID(int=3),
        agency_id=None,
        part=1,
        parts=1,
        questionnaires=[
            {
                "response_id": UUID(int=4),
                "questionnaire_id": "甲-0001",
                "survey_point": None,
                "collected_at": datetime(2026, 6, 1, 9, 30, tzinfo=UTC),
                "row": ["满意"],
                "opinions": [{"unit_id": unit, "text": "办事快"}],
            }
        ],
    )
    (response,) = part.responses()
    recorded = ResponseRecorded.model_validate(response.model_dump())
    assert list(json.loads(recorded.model_dump_json())) == ORDER[ResponseRecorded]
    assert list(json.loads(part.model_dump_json())["extras"][0]) == ORDER[BatchExtra]
