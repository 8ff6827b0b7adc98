"""A correction may give its overall answers in the compact `row` a push takes (one answer
per unit in the wave's `unit_ids` order, null where not rated), read by the same rules: a
row of another length, or beside `ratings`, is refused on `row`; an answer off the scale on
its unit's `ratings.<unit id>`. What is stored is the `ratings` the row stands for."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from services.survey.domain import Response
from tests.harness import Cluster
from tests.survey.helpers import World, created, open_wave, push, questionnaire


def _correct(cluster: Cluster, world: World, wave_id: str, **body: Any) -> Any:
    response_id = Response.create_id(UUID(wave_id), "Q-1")
    return cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires/{response_id}/corrections",
        json=body | {"reason": "按纸质问卷更正"},
        headers=world.agency.headers,
    )


def _refused(answer: Any) -> list[tuple[str, str | None]]:
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == "invalid_questionnaire", answer.text
    return [(d["field"], d.get("context", {}).get("code_detail")) for d in answer.json()["detail"]]


def test_a_correction_takes_the_compact_row(cluster: Cluster, world: World) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    units = world.unit_ids
    created(push(cluster, wave_id, [questionnaire("Q-1", units)], world.agency.headers))
    corrected = _correct(cluster, world, wave_id, row=["不满意", None, "基本满意　"])
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["answers"]["ratings"] == {units[0]: "不满意", units[2]: "基本满意"}
    assert corrected.json()["version"] == 2


def test_a_corrections_row_is_checked_as_a_pushs(cluster: Cluster, world: World) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    units = world.unit_ids
    created(push(cluster, wave_id, [questionnaire("Q-1", units)], world.agency.headers))
    short = _correct(cluster, world, wave_id, row=["不满意"])
    assert _refused(short) == [("row", "row")]
    assert "(one answer per unit of the wave: 3, not 1)" in short.text
    both = _correct(cluster, world, wave_id, row=["满意"] * 3, ratings={units[0]: "满意"})
    assert _refused(both) == [("row", "row")]
    off_scale = _correct(cluster, world, wave_id, row=["满意", "很好", None])
    assert _refused(off_scale) == [(f"ratings.{units[1]}", "scale")]
    unrated = _correct(cluster, world, wave_id, row=[None, None, None])
    assert _refused(unrated) == [("ratings", "required")]
