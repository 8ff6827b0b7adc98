"""A questionnaire or batch id of another wave, named under one's own wave, is answered
exactly as an id nobody ever used: 404 `questionnaire_not_found` / `batch_not_found`, the
Chinese first. It was a 409 "the questionnaire belongs to another wave", which told a
county office that another county's questionnaire existed, on a read as on a write."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from tests.harness import Cluster
from tests.survey.helpers import World, created, open_wave, push, questionnaire

REASON = {"reason": "录入错误"}


def _answer(survey: Any, method: str, path: str, headers: dict[str, str]) -> tuple[int, Any]:
    if method == "get":
        sent = survey.get(path, headers=headers)
    else:
        body = REASON | ({"row": ["满意"]} if "correct" in path else {})
        sent = survey.post(path, json=body, headers=headers)
    return sent.status_code, sent.json()


def test_another_waves_ids_answer_as_unknown_ones(cluster: Cluster, world: World) -> None:
    survey, office = cluster["survey"], world.county_office.headers
    own = open_wave(cluster, world)["wave_id"]
    other = open_wave(
        cluster,
        world,
        world.other_county_office.headers,
        jurisdiction_id=world.other_county_id,
        unit_ids=[world.other_county_unit_id],
        agency_id=world.other_agency.principal_id,
    )["wave_id"]
    rows = [questionnaire("L-1", [world.other_county_unit_id], survey_point=None)]
    batch = created(push(cluster, other, rows, world.other_agency.headers))["batch_id"]
    cluster.wait_caught_up("survey", "survey")
    listed = survey.get(f"/waves/{other}/questionnaires", headers=world.other_county_office.headers)
    (theirs,) = [q["response_id"] for q in created(listed)]

    questionnaires = f"/waves/{own}/questionnaires"
    calls = [
        ("get", f"{questionnaires}/{{}}", "questionnaire_not_found"),
        ("get", f"{questionnaires}/{{}}/versions", "questionnaire_not_found"),
        ("post", f"{questionnaires}/{{}}/void", "questionnaire_not_found"),
        ("post", f"{questionnaires}/{{}}/corrections", "questionnaire_not_found"),
        ("get", f"/waves/{own}/batches/{{}}", "batch_not_found"),
        ("post", f"/waves/{own}/batches/{{}}/withdraw", "batch_not_found"),
    ]
    for method, path, code in calls:
        known = theirs if code == "questionnaire_not_found" else batch
        status, body = _answer(survey, method, path.format(known), office)
        assert (status, body) == _answer(survey, method, path.format(uuid4()), office), path
        assert (status, body["error"]) == (404, code), body
        assert body["detail"][0]["reason"].startswith("没有这"), body
    # In a review, the other wave's questionnaire is named as an unknown one is.
    review = {"decision": "release", "reason": "复核"}
    answers = [
        survey.post(
            f"/waves/{own}/quarantine:review", json=review | {"response_ids": [rid]}, headers=office
        )
        for rid in (theirs, str(uuid4()))
    ]
    for answer, rid in zip(answers, (theirs, None), strict=True):
        assert answer.status_code == 404, answer.text
        [entry] = answer.json()["detail"]
        assert (entry["field"], entry["code"]) == ("response_ids.0", "questionnaire_not_found")
        assert entry["reason"].startswith("没有这份问卷"), entry
        assert rid is None or entry["reason"].endswith(f"(questionnaire {rid})"), entry
