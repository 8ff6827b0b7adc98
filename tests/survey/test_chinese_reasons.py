"""The refusals a survey agency and a county office meet most read Chinese first, with the
English they read before kept after it in brackets (`中文 (English)`, shared/reasons.py):
the staff who fix a rejected row read Chinese; a developer still finds the English. Codes,
fields and statuses are unchanged. Run on PostgreSQL and JetStream, as production runs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from tests.harness import ADMIN, Cluster
from tests.survey.helpers import World, open_wave, push, questionnaire

pytestmark = pytest.mark.parametrize("common", ["production"], indirect=True)

CHINESE_FIRST = re.compile(r"^[\u4e00-\u9fff]")


def _reads(reason: str, english: str) -> None:
    assert CHINESE_FIRST.match(reason), reason
    assert english in reason, reason
    assert reason.index(english) > 0, f"the English after the Chinese: {reason}"


def _problems(response: Any) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {p["field"]: p["reason"] for p in response.json()["problems"]}


def test_a_push_s_row_problems_read_chinese_first(cluster: Cluster, world: World) -> None:
    wave_id = open_wave(cluster, world)["wave_id"]
    units = world.unit_ids
    future = datetime.now(UTC) + timedelta(days=2)
    no_rating = questionnaire("Q0", [])
    off_scale = questionnaire("Q1", units, rating="很好")
    stranger = questionnaire("Q2", units) | {"ratings": {str(uuid4()): "满意"}}
    short_row = questionnaire("Q3", []) | {"ratings": {}, "row": ["满意"]}
    both = questionnaire("Q4", units) | {"row": ["满意"] * len(units)}
    late = questionnaire("Q5", units, collected_at=future)
    good = questionnaire("Q6", units)
    rows = [no_rating, off_scale, stranger, short_row, both, late, good, good]
    problems = _problems(push(cluster, wave_id, rows, world.agency.headers))

    _reads(problems["questionnaires.0.ratings"], "(at least one rating is required)")
    _reads(problems[f"questionnaires.1.ratings.{units[0]}"], "(not an answer on the wave's scale")
    stranger_field = next(f for f in problems if f.startswith("questionnaires.2.ratings."))
    _reads(problems[stranger_field], "(unit is not evaluated in this wave)")
    _reads(
        problems["questionnaires.3.row"], f"(one answer per unit of the wave: {len(units)}, not 1)"
    )
    _reads(problems["questionnaires.4.row"], "(give `ratings` or `row`, not both)")
    _reads(problems["questionnaires.5.collected_at"], "(collected in the future)")
    _reads(problems["questionnaires.7.questionnaire_id"], "(questionnaire id repeats row 6)")

    changed = questionnaire("Q6", units, rating="不满意")
    again = _problems(push(cluster, wave_id, [changed], world.agency.headers))
    _reads(
        again["questionnaires.0.questionnaire_id"],
        "(already recorded with different answers; correct it instead)",
    )

    rejected = cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires:batch",
        json={"questionnaires": [no_rating], "all_or_nothing": True},
        headers=world.agency.headers,
    )
    assert rejected.status_code == 422, rejected.text
    body = rejected.json()
    assert body["error"] == "batch_rejected"
    assert body["reason"].startswith("本批次有 1 处问题"), body
    assert "(1 problem(s) in the batch; nothing was recorded)" in body["reason"], body


def test_decisions_refused_read_chinese_first(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    wave_id = open_wave(cluster, world)["wave_id"]
    pushed = push(cluster, wave_id, [questionnaire("Q1", world.unit_ids)], world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    batch_id = pushed.json()["batch_id"]
    cluster.wait_caught_up("survey", "survey")
    (listed,) = survey.get(f"/waves/{wave_id}/questionnaires", headers=ADMIN).json()
    path = f"/waves/{wave_id}/questionnaires/{listed['response_id']}"

    def refused(response: Any, status: int, english: str) -> None:
        assert response.status_code == status, response.text
        (entry,) = response.json()["detail"]
        _reads(entry["reason"], english)

    same = {"ratings": {u: "满意" for u in world.unit_ids}, "reason": "核对原始问卷"}
    refused(survey.post(f"{path}/corrections", json=same, headers=ADMIN), 409, "(the correction")
    refused(survey.get(f"/waves/{uuid4()}", headers=ADMIN), 404, "(no such wave)")
    missing = survey.get(f"/waves/{wave_id}/questionnaires/{uuid4()}", headers=ADMIN)
    refused(missing, 404, "(no such questionnaire)")
    withdraw = f"/waves/{wave_id}/batches/{batch_id}/withdraw"
    first = survey.post(withdraw, json={"reason": "代填"}, headers=ADMIN)
    assert first.status_code == 200, first.text
    again = survey.post(withdraw, json={"reason": "代填"}, headers=ADMIN)
    refused(again, 409, "(the batch is already withdrawn)")
