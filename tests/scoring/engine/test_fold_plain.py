"""The hot path of folding a questionnaire reads the same facts as the model does: a v3
recording read without pydantic (`fold.plain`) is read only where the model accepts it and
to the same values, and its counts, buffered and counted column by column (`fold.tally`),
equal counting one rating at a time."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from services.scoring.engine.fold import RoundFold, tally
from services.scoring.engine.fold.plain import plain_recording
from services.scoring.engine.fold.tally import Tally
from shared.canonical import canonical_json
from shared.contracts import IntegrationMessage
from shared.contracts.survey import Channel, Flag, Opinion, ResponseRecorded

from .test_fold_builders import CAMPAIGN, ROUND, Feed, recorded, sid, wave
from .test_fold_world import build_registry, world

TEXT = st.text(max_size=6)
ANSWERS = st.sampled_from(["满意", "基本满意", "不满意", "不了解", "", "7"]) | TEXT

recordings = st.builds(
    ResponseRecorded,
    wave_id=st.uuids(),
    response_id=st.uuids(),
    questionnaire_id=TEXT,
    survey_point=st.none() | TEXT,
    collected_at=st.datetimes(timezones=st.timezones()),
    row=st.lists(st.none() | ANSWERS, max_size=5).map(tuple),
    dimension_ratings=st.dictionaries(st.uuids(), st.dictionaries(TEXT, TEXT, max_size=2)),
    opinions=st.lists(st.builds(Opinion, unit_id=st.none() | st.uuids(), text=TEXT)).map(tuple),
    recommended_key_targets=st.lists(st.uuids(), max_size=2).map(tuple),
    channel=st.none() | st.sampled_from(Channel),
    group=st.none() | TEXT,
    district_id=st.none() | st.uuids(),
    device=st.none() | TEXT,
    batch_id=st.none() | st.uuids(),
    flags=st.lists(st.builds(Flag, code=TEXT, detail=TEXT), max_size=2).map(tuple),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
ODD_SPELLINGS = st.sampled_from(
    [
        "B7F1C0DE-0000-4000-8000-000000000001",
        "b7f1c0de000040008000000000000001",
        "2024-09-10T10:00:00",
        "2024-09-10 10:00:00+08:00",
        "2024-13-10T10:00:00+08:00",
        "2024-09-10T10:00:00+25:00",
        "survey_point",
    ]
)


def facts(model: ResponseRecorded) -> tuple[Any, ...]:
    return (
        str(model.wave_id),
        str(model.response_id),
        list(model.row or ()),
        model.group or "",
        model.survey_point or "",
        bool(model.flags),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=recordings)
def test_what_survey_publishes_is_read_plainly_to_the_models_values(
    model: ResponseRecorded,
) -> None:
    read = plain_recording(model.model_dump(mode="json"))
    assert read is not None
    assert tuple(read) == facts(model)


def mutated(draw: st.DrawFn, payload: dict[str, Any]) -> dict[str, Any]:
    name = draw(st.sampled_from([*sorted(payload), "unknown_field"]))
    how = draw(st.sampled_from(["value", "odd", "drop", "nested"]))
    payload = dict(payload)
    if how == "drop":
        payload.pop(name, None)
    elif how == "odd":
        payload[name] = draw(ODD_SPELLINGS)
    elif how == "nested" and isinstance(payload.get(name), list) and payload[name]:
        payload[name] = [draw(JSON), *payload[name][1:]]
    else:
        payload[name] = draw(JSON)
    return payload


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=recordings, data=st.data())
def test_a_payload_the_model_refuses_is_never_read_plainly(
    model: ResponseRecorded, data: st.DataObject
) -> None:
    payload = model.model_dump(mode="json")
    for _ in range(data.draw(st.integers(1, 3))):
        payload = mutated(data.draw, payload)
    read = plain_recording(payload)
    # The row's answers are the fold's to check against the wave's levels (all texts).
    if read is not None and not all(a is None or type(a) is str for a in read.row):
        read = None
    known = {k: v for k, v in payload.items() if k in ResponseRecorded.model_fields}
    try:
        parsed = ResponseRecorded.model_validate(known)
    except ValidationError:
        assert read is None
        return
    if read is not None:
        assert tuple(read) == facts(parsed)


def spelled_out(message: IntegrationMessage) -> IntegrationMessage:
    """The same recording with its ids in capitals: the model reads it to the same values,
    the plain reader leaves it to the model."""
    if message.event_type != ResponseRecorded.event_type or message.schema_version != 3:
        return message
    payload = dict(message.payload)
    payload["response_id"] = payload["response_id"].upper()
    payload["wave_id"] = payload["wave_id"].upper()
    return message.model_copy(update={"payload": payload})


def test_the_world_folds_the_same_through_the_model_and_the_plain_reader() -> None:
    messages = world().in_order()
    plain, modelled = RoundFold(str(CAMPAIGN), ROUND), RoundFold(str(CAMPAIGN), ROUND)
    for message in messages:
        plain.apply(message)
        modelled.apply(spelled_out(message))
    assert canonical_json(plain.inputs()) == canonical_json(modelled.inputs())


def test_an_answer_the_wave_lacks_goes_the_models_way_and_is_counted_apart() -> None:
    fold = RoundFold(str(CAMPAIGN), ROUND)
    registry, survey = Feed("registry"), Feed("survey")
    build_registry(registry)
    for message in registry.messages:
        fold.apply(message)
    fold.apply(survey(wave("测评", ["市公安局", "市供电公司"], groups=(), points=())))
    assert fold.apply(survey(recorded("测评", "q1", ["非常满意", "满意"])))
    assert fold.apply(survey(recorded("测评", "q2", ["非常满意", None])))
    counts = fold.inputs()["survey"][sid("测评")][sid("市公安局")]["counts"]
    assert counts == {"满意": 0, "基本满意": 0, "不满意": 0, "不了解": 0, "非常满意": 2}
    with pytest.raises(ValueError, match="row of 1 answers"):
        fold.apply(survey(recorded("测评", "q3", ["满意"])))


CHANGES = st.lists(
    st.tuples(
        st.booleans(),
        st.lists(st.integers(0, 20), min_size=3, max_size=3),
        st.sampled_from(["a", "b"]),
        st.sampled_from(["x", "y", "z"]),
    ),
    max_size=60,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=CHANGES, flush_rows=st.integers(1, 5), pending=st.integers(1, 20))
def test_buffered_counts_equal_counting_one_rating_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
    changes: list[tuple[bool, list[int], str, str]],
    flush_rows: int,
    pending: int,
) -> None:
    """Scales of 4 levels (counted per level) and of 20 (counted per column), removals
    between buffered additions, buffers flushed by size, by total and on reading."""
    monkeypatch.setattr(tally, "FLUSH_ROWS", flush_rows)
    monkeypatch.setattr(tally, "PENDING_BYTES", pending)
    for levels in (4, 20):
        counted = Tally(3, levels)
        expected: dict[tuple[str, str, int, int], int] = {}
        for add, row, group, point in changes:
            ratings = bytes(min(level, levels) for level in row)
            (counted.add if add else counted.remove)(ratings, group, point)
            for unit, level in enumerate(ratings):
                for key in ("all", group, point):
                    if level:
                        cell = (key, "", unit, level - 1)
                        expected[cell] = expected.get(cell, 0) + (1 if add else -1)
        counted.flush()
        matrices = {"all": counted.counts, **counted.by_group, **counted.by_point}
        found = {
            (key, "", unit, level): n
            for key, matrix in matrices.items()
            for unit, row in enumerate(matrix)
            for level, n in enumerate(row)
            if n
        }
        assert found == {cell: n for cell, n in expected.items() if n}
        net = sum(1 if add else -1 for add, _, group, _ in changes if group == "a")
        assert counted.group_counted["a"] == net
