"""A pushed row the request's validation refuses (a malformed time, a unit id that is no
id), a row that names a key twice, an uploaded row with a cell that cannot be read: each is
still checked against the wave for what its other fields let judge, and every problem of
the row comes in one answer: its format problems first, then the wave's
(`services/survey/schemas/salvage.py`, `services/survey/application/batches/salvaged.py`).
The row is refused all the same (memory mode, registry and survey running)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.survey.schemas.batches import QUESTIONNAIRE, BatchIn, JsonBatchIn
from services.survey.schemas.salvage import left_out, salvage
from tests.harness import Cluster
from tests.survey.helpers import World, open_wave, push, questionnaire, response_count
from tests.survey.test_repeated_keys import Obj, _post, encode
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
    assert point.startswith("不是本次评议的测评点"), point


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
        (0, "questionnaires.0.ratings.not-a-unit-id", "uuid_parsing"),
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
        (2, "questionnaires.2.ratings.not-a-unit-id", "uuid_parsing"),
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
        "questionnaires.2.ratings.not-a-unit-id",
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


def test_an_upload_s_unreadable_cell_and_the_wave_s_problems_come_in_one_answer(
    cluster: Cluster, world: World
) -> None:
    """A cell the sheet cannot read (`bad_cell`) no longer hides the row's other problems:
    the time cell's field is broken (not judged, not missing), the rest is judged."""
    wave_id = _wave(cluster, world)
    header = _header(cluster, world, wave_id)
    good = {"问卷编号": "U-0", "采集时间": "2026-05-12 10:30", "测评点": POINT}
    bad = {"问卷编号": "U-1", "采集时间": "2026-13-45 上午", "测评点": "XX-09"}
    units = {column: "满意" for column in header[-3:]}
    sheet = _csv(
        [header] + [[(row | units).get(column, "") for column in header] for row in (good, bad)]
    )
    answered = _upload(cluster, world, wave_id, sheet)
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    found = [(p["row"], p["field"], p.get("column"), p["code"]) for p in body["problems"]]
    assert found == [
        (3, "rows.3.collected_at", "采集时间", "bad_cell"),
        (3, "rows.3.survey_point", "测评点", "unknown_point"),
    ]
    assert {p["questionnaire_id"] for p in body["problems"]} == {"U-1"}
    refused = _upload(cluster, world, wave_id, sheet, all_or_nothing="true")
    assert refused.status_code == 422, refused.text
    assert [p["code"] for p in refused.json()["detail"]] == ["bad_cell", "unknown_point"]
    assert response_count(cluster, wave_id) == 1


def test_a_key_named_twice_and_another_unit_s_answer_off_the_scale_come_in_one_answer(
    cluster: Cluster, world: World
) -> None:
    """The unit named twice is left out (its answers, off the scale too, are not judged);
    the other units' answers are."""
    wave_id = _wave(cluster, world)
    first, second, third = world.unit_ids[:3]
    path = f"/waves/{wave_id}/questionnaires:batch"
    ratings = Obj([(first, "很好"), (first, "满意"), (second, "很好"), (third, "满意")])
    row = _with_ratings(world, "Q1", ratings)
    clean = _row(world, "Q0")
    pushed = _post(cluster, path, Obj([("questionnaires", [clean, row])]), world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    body = pushed.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert _found(body) == [
        (1, f"questionnaires.1.ratings.{first}", "duplicate_key"),
        (1, f"questionnaires.1.ratings.{second}", "scale"),
    ]
    assert {p["questionnaire_id"] for p in body["problems"]} == {"Q1"}
    whole = Obj([("questionnaires", [row]), ("all_or_nothing", True)])
    refused = _post(cluster, path, whole, world.agency.headers)
    assert refused.status_code == 422, refused.text
    assert [p["code"] for p in refused.json()["detail"]] == ["duplicate_key", "scale"]
    assert response_count(cluster, wave_id) == 1


def test_what_broke_is_left_out_as_the_models_read_keys(world: World) -> None:
    """A unit id in other letter case or a code with spaces around is the key that broke;
    a dimension code leaves its unit's other codes judged; any other field goes whole."""
    first, second = world.unit_ids[:2]
    item = _row(world, "Q1", ratings={first.upper(): "很好", second: "满意"}) | {
        "dimension_ratings": {first: {" 效率 ": "满意", "作风": "满意"}},
        "opinions": [{"text": "好"}],
    }
    places = [("ratings", first), ("dimension_ratings", first, "效率"), ("opinions", 0, "text")]
    kept, broken = left_out(item, places)
    assert broken == frozenset({"ratings", "dimension_ratings", "opinions"})
    assert "ratings" not in left_out(item, [("ratings",), ("ratings", second)])[0]
    assert kept["ratings"] == {second: "满意"}
    assert kept["dimension_ratings"] == {first: {"作风": "满意"}}
    assert "opinions" not in kept and kept["questionnaire_id"] == "Q1"


def test_a_row_naming_a_key_twice_reads_alike_however_the_body_was_read(world: World) -> None:
    """Read at once (its row a model) or the ordinary way (its row as sent): the same."""
    first, second = world.unit_ids[:2]
    ratings = Obj([(first, "很好"), (first, "满意"), (second, "很好")])
    row = _with_ratings(world, "Q1", ratings)
    raw = encode(Obj([("questionnaires", [row])])).encode()
    at_once = BatchIn.from_json_body(raw)
    assert isinstance(at_once, JsonBatchIn)
    ordinary = BatchIn.model_validate_json(raw)
    found = [body.rows(body.repeated(raw)) for body in (at_once, ordinary)]
    assert found[0] == found[1]
    assert [p["code"] for p in found[0].problems] == ["duplicate_key"]
    ((row_number, q, broken),) = found[0].salvaged
    assert (row_number, q["ratings"], broken) == (0, {second: "很好"}, frozenset({"ratings"}))


def _with_ratings(world: World, qid: str, ratings: Obj) -> Obj:
    """A row whose ratings are written pair by pair (a unit maybe twice)."""
    return Obj(
        [pair for pair in _row(world, qid).items() if pair[0] != "ratings"] + [("ratings", ratings)]
    )
