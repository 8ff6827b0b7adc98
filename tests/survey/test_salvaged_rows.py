"""A pushed row the request's validation refuses (a malformed time, a unit id that is no
id) is still checked against the wave for what its other fields let judge, and every
problem of the row comes in one answer: its format problems first, then the wave's
(`services/survey/schemas/salvage.py`, `services/survey/application/batches/salvaged.py`).
The row is refused all the same (memory mode, registry and survey running)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.survey.schemas.batches import QUESTIONNAIRE
from services.survey.schemas.salvage import salvage
from tests.harness import Cluster
from tests.survey.helpers import World, open_wave, push, questionnaire, response_count
from tests.survey.test_upload_api import _csv, _header, _upload

POINT = "WY-01"


def _wave(cluster: Cluster, world: World) -> str:
    point = {"code": POINT, "name": "舞阳县政务服务中心", "jurisdiction_id": world.county_id}
    wave = open_wave(cluster, world, points=[point | {"target": 10}])
    return str(wave["wave_id"])


def _row(world: World, qid: str, **changes: Any) -> dict[str, Any]:
    return questionnaire(qid, world.unit_ids, survey_point=POINT) | changes


def _found(body: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(p["row"], p["field"], p["code"]) for p in body["problems"]]


def test_a_bad_time_and_an_unknown_point_come_in_one_answer(cluster: Cluster, world: World) -> None:
    wave_id = _wave(cluster, world)
    rows = [
        _row(world, "Q0"),
        _row(world, "Q1", collected_at="2026-13-45 上午", survey_point="XX-09"),
    ]
    answered = push(cluster, wave_id, rows, world.agency.headers)
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    found = _found(body)
    assert [(row, field) for row, field, _ in found] == [
        (1, "questionnaires.1.collected_at"),
        (1, "questionnaires.1.survey_point"),
    ]
    assert found[1][2] == "unknown_point"
    assert {p["questionnaire_id"] for p in body["problems"]} == {"Q1"}
    point = body["problems"][1]["reason"]
    assert point.startswith("不是本次评议的调查点"), point


def test_a_bad_unit_id_and_an_answer_off_the_scale_come_in_one_answer(
    cluster: Cluster, world: World
) -> None:
    wave_id = _wave(cluster, world)
    first, second = world.unit_ids[:2]
    ratings = {"not-a-unit-id": "满意", first: "很好", second: "满意"}
    answered = push(cluster, wave_id, [_row(world, "Q1", ratings=ratings)], world.agency.headers)
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["accepted"], body["rejected"]) == (0, 1)
    assert _found(body) == [
        (0, "questionnaires.0.ratings.not-a-unit-id.[key]", "string_pattern_mismatch"),
        (0, f"questionnaires.0.ratings.{first}", "scale"),
    ]


def test_what_broke_is_not_judged_again(cluster: Cluster, world: World) -> None:
    """A broken field reads as absent, but is not reported missing: a broken point is not
    `missing_point`, ratings that all broke are not `required`; a repeated id still is."""
    wave_id = _wave(cluster, world)
    rows = [
        _row(world, "Q0"),
        _row(world, "Q0", survey_point=["WY-01"]),
        _row(world, "Q2", ratings={"not-a-unit-id": "满意"}, channel="carrier_pigeon"),
    ]
    body = push(cluster, wave_id, rows, world.agency.headers).json()
    assert _found(body) == [
        (1, "questionnaires.1.survey_point", "string_type"),
        (1, "questionnaires.1.questionnaire_id", "repeated"),
        (2, "questionnaires.2.ratings.not-a-unit-id.[key]", "string_pattern_mismatch"),
        (2, "questionnaires.2.channel", "literal_error"),
    ]


def test_a_row_that_is_no_object_gets_its_format_problem_alone(
    cluster: Cluster, world: World
) -> None:
    """Such a row refuses the body as a whole, as ever: nothing of it can be judged."""
    wave_id = _wave(cluster, world)
    rows: list[Any] = [_row(world, "Q0"), "Q1,2026-05-12,XX-09,很好"]
    answered = push(cluster, wave_id, rows, world.agency.headers)
    assert answered.status_code == 422, answered.text
    body = answered.json()
    assert body["error"] == "validation_failed"
    assert [(p["field"], p["code"]) for p in body["detail"]] == [
        ("body.questionnaires.1", "dict_type")
    ]
    assert salvage(1, rows[1], _error(rows[1])) is None


def test_a_salvaged_row_holds_the_fields_that_read(world: World) -> None:
    first, second = world.unit_ids[:2]
    ratings = {"not-a-unit-id": "满意", first.upper(): "很好", second: "满意"}
    item = _row(world, " Q1 ", collected_at="昨天", ratings=ratings, extra="x")
    found = salvage(7, item, _error(item))
    assert found is not None
    row, q, broken = found
    assert (row, broken) == (7, frozenset({"collected_at", "ratings", "extra"}))
    assert (q["questionnaire_id"], q["collected_at"], q["survey_point"]) == ("Q1", None, POINT)
    assert q["ratings"] == {first: "很好", second: "满意"}


def _error(item: Any) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        QUESTIONNAIRE.validate_python(item)
    return refused.value


def test_all_or_nothing_lists_the_wave_s_problems_beside_the_format_s(
    cluster: Cluster, world: World
) -> None:
    wave_id = _wave(cluster, world)
    first = world.unit_ids[0]
    rows = [
        _row(world, "Q0"),
        _row(world, "Q1", collected_at="昨天", survey_point="XX-09"),
        _row(world, "Q2", ratings={"not-a-unit-id": "满意", first: "很好"}),
        _row(world, "Q3", survey_point="XX-09"),
    ]
    refused = cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires:batch",
        json={"questionnaires": rows, "all_or_nothing": True},
        headers=world.agency.headers,
    )
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["error"] == "batch_rejected"
    assert body["reason"].startswith("本批次有 5 处问题"), body
    fields = [p["field"] for p in body["detail"]]
    assert fields == [
        "questionnaires.1.collected_at",
        "questionnaires.1.survey_point",
        "questionnaires.2.ratings.not-a-unit-id.[key]",
        f"questionnaires.2.ratings.{first}",
        "questionnaires.3.survey_point",
    ]
    assert response_count(cluster, wave_id) == 0


def test_an_upload_s_row_gets_both_too(cluster: Cluster, world: World) -> None:
    """An upload's rows are read into the push's items and share its validation."""
    wave_id = open_wave(cluster, world)["wave_id"]
    header = _header(cluster, world, wave_id)
    cells = {"问卷编号": "U-1", "采集时间": "2026-05-12 10:30", "设备": "平板" * 60}
    first = header[-3]  # the first unit's column, named as the header names it
    cells |= {first: "很好", header[-2]: "满意"}
    sheet = _csv([header, [cells.get(column, "") for column in header]])
    answered = _upload(cluster, world, wave_id, sheet)
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["accepted"] == 0
    found = [
        (p["row"], p["field"].split(".")[2], p.get("column"), p["code"]) for p in body["problems"]
    ]
    assert found == [
        (2, "device", "设备", "too_long"),
        (2, "ratings", first, "scale"),
    ]
