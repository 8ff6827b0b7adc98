"""Every problem of an uploaded sheet's row comes in one answer, the row's cells first (those
that could not be read, an id the sheet repeats), then what the model says of the rest,
then the wave's: a row whose id repeats an earlier row's is still checked for the rest, and
an opinion cell that could not be read leaves the row's other opinions checked (memory mode,
registry and survey running; `services/survey/uploads/parse.py`)."""

from __future__ import annotations

from typing import Any

from tests.harness import Cluster
from tests.survey.helpers import World, open_wave, response_count
from tests.survey.test_upload_api import _csv, _header, _template, _upload

TIME = "2026-05-12 10:30"


def _found(body: dict[str, Any]) -> list[tuple[int, str, str | None, str]]:
    return [(p["row"], p["field"], p.get("column"), p["code"]) for p in body["problems"]]


def _sheet(header: list[str], rows: list[dict[str, str]]) -> bytes:
    return _csv([header] + [[row.get(column, "") for column in header] for row in rows])


def test_a_repeated_id_s_row_is_still_checked_for_the_rest(cluster: Cluster, world: World) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    header = _header(cluster, world, wave_id)
    first_unit, second_unit = header[-3], header[-2]
    good = {"问卷编号": "R-1", "采集时间": TIME, first_unit: "满意"}
    again = {"问卷编号": "R-1", "采集时间": TIME, first_unit: "很好", second_unit: "满意"}
    answered = _upload(cluster, world, wave_id, _sheet(header, [good, again]))
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert (body["accepted"], body["rejected"]) == (1, 1)
    assert _found(body) == [
        (3, "rows.3.questionnaire_id", "问卷编号", "repeated"),
        (3, f"rows.3.ratings.{world.unit_ids[0]}", first_unit, "scale"),
    ]
    assert {p["questionnaire_id"] for p in body["problems"]} == {"R-1"}
    assert response_count(cluster, wave_id) == 1


def test_a_row_s_unreadable_cell_comes_before_the_model_s_problems(
    cluster: Cluster, world: World
) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    header = _header(cluster, world, wave_id)
    row = {"问卷编号": "O-1", "采集时间": "昨天", "设备": "平板" * 60, header[-3]: "满意"}
    answered = _upload(cluster, world, wave_id, _sheet(header, [row]))
    assert answered.status_code == 200, answered.text
    assert [(f, code) for _, f, _, code in _found(answered.json())] == [
        ("rows.2.collected_at", "bad_cell"),
        ("rows.2.device", "too_long"),
    ]


def test_an_unreadable_opinion_leaves_the_others_checked(cluster: Cluster, world: World) -> None:
    template_id = _template(cluster, world, opinions=True)
    wave_id = open_wave(cluster, world, template_id=template_id)["wave_id"]
    header = _header(cluster, world, wave_id)
    opinion_columns = [column for column in header if "意见" in column]
    assert len(opinion_columns) >= 2, header
    broken, long = opinion_columns[0], opinion_columns[1]
    row = {
        "问卷编号": "O-2",
        "采集时间": TIME,
        header[-3]: "满意",
        broken: "太慢\x07",
        long: "慢" * 2001,
    }
    answered = _upload(cluster, world, wave_id, _sheet(header, [row]))
    assert answered.status_code == 200, answered.text
    found = _found(answered.json())
    assert [(column, code) for _, _, column, code in found] == [
        (broken, "bad_cell"),
        (long, "string_too_long"),
    ], found
    assert response_count(cluster, wave_id) == 0
