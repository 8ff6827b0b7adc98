"""A unit named by its name instead of its id (`{"舞阳县教育局": "满意"}`, the mistake an
agency typing a questionnaire by hand makes) is refused at the unit's own place, in words:
never the key's regular expression (`String should match pattern '^[0-9a-fA-F]{8}-…'`) at
`ratings.<name>.[key]`, which no agency or voter can read."""

from __future__ import annotations

from typing import Any

from tests.harness import Cluster
from tests.survey.helpers import World, open_wave, push, questionnaire

NAME = "舞阳县教育局"
SAID = f"须为 UUID 格式的编号 (a unit is named by its unit id (a UUID), not by its name: “{NAME}”)"


def _said_plainly(problem: dict[str, Any]) -> None:
    assert problem["code"] == "uuid_parsing", problem
    assert problem["reason"] == SAID, problem


def test_a_push_names_the_unit_typed_and_still_checks_the_rest(
    cluster: Cluster, world: World
) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    row = questionnaire("Q1", []) | {"ratings": {NAME: "满意", world.unit_ids[1]: "很好"}}
    response = push(cluster, wave_id, [row], world.agency.headers)
    assert response.status_code == 200, response.text
    problems = {p["field"]: p for p in response.json()["problems"]}
    assert set(problems) == {
        f"questionnaires.0.ratings.{NAME}",
        f"questionnaires.0.ratings.{world.unit_ids[1]}",
    }, problems
    _said_plainly(problems[f"questionnaires.0.ratings.{NAME}"])
    assert problems[f"questionnaires.0.ratings.{world.unit_ids[1]}"]["code"] == "scale"


def test_a_correction_and_a_dimension_name_the_unit_typed(cluster: Cluster, world: World) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    pushed = push(cluster, wave_id, [questionnaire("Q1", world.unit_ids)], world.agency.headers)
    assert pushed.json()["accepted"] == 1, pushed.text
    (listed,) = (
        cluster["survey"]
        .get(f"/waves/{wave_id}/questionnaires", headers=world.county_office.headers)
        .json()
    )
    response = cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires/{listed['response_id']}/corrections",
        json={"ratings": {NAME: "满意"}, "dimension_ratings": {NAME: {}}, "reason": "更正"},
        headers=world.agency.headers,
    )
    assert response.status_code == 422, response.text
    detail = {d["field"]: d for d in response.json()["detail"]}
    assert set(detail) == {f"body.ratings.{NAME}", f"body.dimension_ratings.{NAME}"}, detail
    for problem in detail.values():
        _said_plainly(problem)
