"""Every survey error names its field and a machine-readable code in each entry of its
`detail`, one problem as several: a client reads them all by one rule (the code of one
problem alone is its body's `error`, repeated in its one entry)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

from tests.harness import ADMIN, Cluster
from tests.survey.helpers import World, open_wave, push, questionnaire


def _one(response: Any, status: int, code: str, field: str | None) -> None:
    """A body of one problem: its error, and one entry naming its field and code."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code, body
    [entry] = body["detail"]
    assert (entry["field"], entry["code"]) == (field, code), body
    assert isinstance(entry["reason"], str) and entry["reason"], body


def test_one_problem_names_its_field_and_code_as_each_of_several_does(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    wave_id = open_wave(cluster, world)["wave_id"]
    pushed = push(cluster, wave_id, [questionnaire("Q1", world.unit_ids)], world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    cluster.wait_caught_up("survey", "survey")
    (listed,) = survey.get(f"/waves/{wave_id}/questionnaires", headers=ADMIN).json()
    path = f"/waves/{wave_id}/questionnaires/{listed['response_id']}"

    _one(survey.get(f"/waves/{uuid4()}", headers=ADMIN), 404, "wave_not_found", "wave_id")
    missing = survey.get(f"/waves/{wave_id}/questionnaires/{uuid4()}", headers=ADMIN)
    _one(missing, 404, "questionnaire_not_found", "response_id")
    voided = survey.post(f"{path}/void", json={"reason": "重复录入"}, headers=ADMIN)
    assert voided.status_code == 200, voided.text
    again = survey.post(f"{path}/void", json={"reason": "重复录入"}, headers=ADMIN)
    _one(again, 409, "decision_conflict", "response_id")
    closed = survey.post(f"/waves/{wave_id}/close", json={"reason": "回收结束"}, headers=ADMIN)
    assert closed.status_code == 200, closed.text
    late = push(cluster, wave_id, [questionnaire("Q2", world.unit_ids)], world.agency.headers)
    _one(late, 409, "wave_closed", "wave_id")

    now = datetime.now(UTC)
    voting = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        voter_check="none",
        opens_at=(now - timedelta(days=1)).isoformat(),
    )["wave_id"]
    vote = {"voter": "123456789", "ratings": {world.unit_ids[0]: "满意"}}
    refused = survey.post(f"/public/waves/{voting}/votes", json=vote)
    _one(refused, 422, "invalid_questionnaire", "voter")

    # Several problems: each entry its own field and code, under the error they share.
    review = {"response_ids": [str(uuid4()), str(uuid4())], "decision": "release", "reason": "复核"}
    several = survey.post(f"/waves/{wave_id}/quarantine:review", json=review, headers=ADMIN)
    assert several.status_code == 404, several.text
    assert several.json()["error"] == "questionnaire_not_found"
    assert [(d["field"], d["code"]) for d in several.json()["detail"]] == [
        ("response_ids.0", "questionnaire_not_found"),
        ("response_ids.1", "questionnaire_not_found"),
    ]
