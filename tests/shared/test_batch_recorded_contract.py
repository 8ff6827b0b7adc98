"""`survey.batch.recorded`: a part of a push, each questionnaire meaning what a
`survey.response.recorded` v3 of the same fields means; v2 in columns with rows as row
texts, v1 (one object per questionnaire) upcast to it."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from shared.contracts import IntegrationMessage, IntegrationPayload, parse_payload
from shared.contracts.survey import SCALE_LEVELS, Channel, ResponseRecorded, Scale
from shared.contracts.survey_batch import (
    MAX_LEVELS,
    ROW_ALPHABET,
    BatchRecorded,
    BatchRecordedV1,
    level_counts,
    row_codes,
    row_text,
)
from shared.contracts.wire import encode_body

_V1_QUESTIONNAIRE: dict[str, Any] = {
    "questionnaire_id": "甲-0001",
    "survey_point": "郾城区政务服务中心",
    "collected_at": datetime(2026, 6, 1, 9, 30, tzinfo=UTC),
    "row": ["满意", None, "不满意"],
    "group": "服务对象",
    "flags": [{"code": "straight_lining", "detail": "全部同一答案"}],
}


def _v1(**overrides: object) -> BatchRecordedV1:
    fields: dict[str, object] = {
        "wave_id": uuid4(),
        "batch_id": uuid4(),
        "agency_id": uuid4(),
        "part": 1,
        "parts": 2,
        "questionnaires": [
            _V1_QUESTIONNAIRE | {"response_id": uuid4()},
            _V1_QUESTIONNAIRE
            | {"response_id": uuid4(), "row": ["基本满意", "满意", ""], "flags": []},
        ],
    }
    return BatchRecordedV1.model_validate(fields | overrides)


def _v2(**overrides: object) -> BatchRecorded:
    fields: dict[str, object] = {
        "wave_id": uuid4(),
        "batch_id": uuid4(),
        "agency_id": uuid4(),
        "part": 1,
        "parts": 1,
        "levels": ["满意", "基本满意", "不满意", "不了解"],
        "response_ids": [uuid4(), uuid4()],
        "questionnaire_ids": ["甲-0001", "甲-0002"],
        "survey_points": ["郾城区政务服务中心", None],
        "collected_at": [datetime(2026, 6, 1, 9, 30, tzinfo=UTC)] * 2,
        "channels": ["paper", None],
        "groups": ["服务对象", None],
        "rows": ["103", "420"],
        "extras": [
            {"index": 1, "flags": [{"code": "burst", "detail": "同一测评点短时间内相同答案"}]}
        ],
    }
    return BatchRecorded.model_validate(fields | overrides)


def _message(payload: IntegrationPayload) -> IntegrationMessage:
    return IntegrationMessage(
        event_id=uuid4(),
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        origin="survey",
        position=1,
        previous_position=None,
        occurred_at=datetime(2026, 6, 1, tzinfo=UTC),
        payload=payload.model_dump(mode="json"),
    )


def test_both_versions_registered() -> None:
    assert IntegrationPayload.registry[("survey.batch.recorded", 1)] is BatchRecordedV1
    assert IntegrationPayload.registry[("survey.batch.recorded", 2)] is BatchRecorded


def test_each_questionnaire_reads_as_the_recording_it_stands_for() -> None:
    batch = _v2()
    first, second = batch.responses()
    expected = ResponseRecorded(
        wave_id=batch.wave_id,
        response_id=batch.response_ids[0],
        questionnaire_id="甲-0001",
        survey_point="郾城区政务服务中心",
        collected_at=batch.collected_at[0],
        row=("满意", None, "不满意"),
        channel=Channel.PAPER,
        group="服务对象",
        agency_id=batch.agency_id,
        batch_id=batch.batch_id,
    )
    assert first.model_dump() == expected.model_dump()
    assert ResponseRecorded.model_validate(first.model_dump()) == expected
    assert second.row == ("不了解", "基本满意", None)
    assert [flag.code for flag in second.flags] == ["burst"]
    units = [uuid4(), uuid4(), uuid4()]
    assert first.ratings_in(units) == {str(units[0]): "满意", str(units[2]): "不满意"}


def test_a_v1_part_upcasts_to_the_same_questionnaires() -> None:
    old = _v1()
    new = parse_payload(_message(old))
    assert isinstance(new, BatchRecorded)
    assert new.levels == ("满意", "不满意", "基本满意")
    assert new.rows == ("102", "310")
    for q, response in zip(old.questionnaires, new.responses(), strict=True):
        assert response.response_id == q.response_id
        assert response.row == tuple(answer or None for answer in q.row)
        assert response.flags == q.flags
        assert response.group == q.group and response.collected_at == q.collected_at


def test_round_trips_through_json() -> None:
    batch = _v2()
    assert BatchRecorded.model_validate_json(batch.model_dump_json()) == batch


@pytest.mark.parametrize(
    "bad",
    [
        {"part": 0},
        {"parts": 0},
        {"response_ids": []},
        {"questionnaire_ids": ["甲-0001"]},
        {"rows": ["103", "42"]},
        {"rows": ["105", "420"]},
        {"rows": ["1 3", "420"]},
        {"rows": ["1满3", "420"]},
        {"levels": ["满意", "满意"]},
        {"extras": [{"index": 2}]},
        {"extras": [{"index": 1}, {"index": 0}]},
        {"extras": [{"index": 0, "unknown": 1}]},
    ],
)
def test_refuses_a_malformed_part(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        _v2(**bad)


@given(st.lists(st.integers(min_value=0, max_value=MAX_LEVELS), max_size=120))
def test_row_texts_carry_every_code(codes: list[int]) -> None:
    text = row_text(bytes(codes))
    assert len(text) == len(codes)
    assert set(text) <= set(ROW_ALPHABET)
    assert row_codes(text) == bytes(codes)


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from([Scale.FOUR_LEVEL, Scale.NUMERIC_10, Scale.PERCENT]).flatmap(
        lambda scale: st.tuples(
            st.just(SCALE_LEVELS[scale]),
            st.lists(st.lists(st.integers(0, len(SCALE_LEVELS[scale])), max_size=12), max_size=6),
        )
    )
)
def test_level_counts_count_the_answers_of_rows(
    case: tuple[tuple[str, ...], list[list[int]]],
) -> None:
    """Short scales count one level at a time, 百分制 in one pass: both as the answers say."""
    levels, rows = case
    answers = Counter(levels[code - 1] for row in rows for code in row if code)
    assert level_counts([row_text(bytes(row)) for row in rows], levels) == dict(answers)


def test_every_scale_fits_a_row() -> None:
    assert max(len(levels) for levels in SCALE_LEVELS.values()) <= MAX_LEVELS
    assert row_text(bytes(range(len(SCALE_LEVELS[Scale.FIVE_LEVEL]) + 1))) == "012345"


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


_ANSWERS = ("满意", "不了解", "95", "7")


@st.composite
def _prepared_part(draw: st.DrawFn) -> list[dict[str, Any]]:
    width = draw(st.integers(min_value=0, max_value=6))
    row = st.lists(st.none() | st.sampled_from(_ANSWERS), min_size=width, max_size=width)
    questionnaires = draw(st.lists(_PREPARED, min_size=1, max_size=5))
    return [q | {"row": draw(row)} for q in questionnaires]


@settings(max_examples=150, deadline=None)
@given(_prepared_part(), st.none() | st.uuids())
def test_a_prepared_part_encodes_as_the_validated_part(
    questionnaires: list[dict[str, Any]], agency_id: UUID | None
) -> None:
    fields: dict[str, Any] = {
        "wave_id": uuid4(),
        "batch_id": uuid4(),
        "agency_id": agency_id,
        "part": 2,
        "parts": 3,
    }
    v1 = BatchRecordedV1.model_validate(fields | {"questionnaires": questionnaires})
    upcast = BatchRecorded.upcast_from_previous(v1.model_dump(mode="json"))
    validated = BatchRecorded.model_validate(upcast | {"levels": _ANSWERS, "rows": _rows(v1)})
    prepared = BatchRecorded.prepared(**fields, levels=_ANSWERS, questionnaires=questionnaires)
    assert prepared.json_payload() == validated.model_dump(mode="json")
    moment = datetime(2026, 3, 5, tzinfo=UTC)
    assert encode_body("survey", prepared, moment) == encode_body("survey", validated, moment)
    # A producer that holds each row as its row text already hands it over as it is.
    texts = [q | {"row": row} for q, row in zip(questionnaires, _rows(v1), strict=True)]
    coded = BatchRecorded.prepared(**fields, levels=_ANSWERS, questionnaires=texts, coded=True)
    assert encode_body("survey", coded, moment) == encode_body("survey", validated, moment)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 101), min_size=3, max_size=3), min_size=1, max_size=5))
def test_a_coded_part_of_the_percent_scale_encodes_as_the_validated_part(
    codes: list[list[int]],
) -> None:
    """百分制's codes past 61 are Latin-1 letters: two bytes each in the encoded body."""
    levels = SCALE_LEVELS[Scale.PERCENT]
    rows = [row_text(bytes(row)) for row in codes]
    questionnaires = [
        {
            "response_id": str(uuid4()),
            "questionnaire_id": f"甲-{i}",
            "survey_point": None,
            "collected_at": "2026-03-05T09:00:00+08:00",
            "row": row,
        }
        for i, row in enumerate(rows)
    ]
    fields: dict[str, Any] = {
        "wave_id": uuid4(),
        "batch_id": uuid4(),
        "agency_id": uuid4(),
        "part": 1,
        "parts": 1,
        "levels": levels,
    }
    coded = BatchRecorded.prepared(**fields, questionnaires=questionnaires, coded=True)
    validated = BatchRecorded.model_validate(coded.json_payload())
    assert validated.rows == tuple(rows)
    assert [r.row for r in validated.responses()] == [
        tuple(None if code == 0 else levels[code - 1] for code in row) for row in codes
    ]
    moment = datetime(2026, 3, 5, tzinfo=UTC)
    assert encode_body("survey", coded, moment) == encode_body("survey", validated, moment)


def _rows(v1: BatchRecordedV1) -> list[str]:
    chars = {None: "0", "": "0"} | {a: ROW_ALPHABET[i] for i, a in enumerate(_ANSWERS, 1)}
    return ["".join(chars[a] for a in q.row) for q in v1.questionnaires]


@pytest.mark.parametrize(
    "moment",
    [
        "2026-11-27T08:00:00+08:00",
        "2026-11-27T08:00:00-03:00",
        "2026-11-27T08:00:00+00:00",
        "2026-11-27T08:00:00.120000+08:00",
        "2026-11-27T08:00:00+05:30",
        "2026-11-27T08:00:00",
        "2026-11-27 08:00:00+08:00",
    ],
)
def test_a_moment_given_as_text_encodes_as_pydantic_writes_it(moment: str) -> None:
    fields: dict[str, Any] = {
        "wave_id": uuid4(),
        "batch_id": uuid4(),
        "agency_id": None,
        "part": 1,
        "parts": 1,
    }
    q = {"response_id": str(uuid4()), "questionnaire_id": "甲-1", "survey_point": None}
    q |= {"collected_at": moment, "row": ["满意"]}
    prepared = BatchRecorded.prepared(**fields, levels=["满意"], questionnaires=[q])
    v1 = BatchRecordedV1.model_validate(fields | {"questionnaires": [q]})
    validated = BatchRecorded.model_validate(
        BatchRecorded.upcast_from_previous(v1.model_dump(mode="json"))
    )
    assert prepared.json_payload() == validated.model_dump(mode="json")
