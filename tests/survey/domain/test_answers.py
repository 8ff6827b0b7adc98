"""How a questionnaire's answers are refused (services/survey/domain/answers.py), as an agency
and an office read it: an answer off the wave's scale is named with the scale's Chinese name
and answers, wherever it is refused (a push, a correction); a correction or a vote names
every problem of its answers, as a push's row does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.harness import Cluster
from tests.survey.helpers import World, created, open_wave, push, questionnaire

CASES = [
    ("three_level", "不了解", "三级：满意/基本满意/不满意"),
    ("four_level", "非常满意", "四级：满意/基本满意/不满意/不了解"),
    ("five_level", "基本满意", "五级好差评：非常满意/满意/一般/不满意/非常不满意"),
    ("numeric_10", "95", "0–10 分"),
    ("percent", "满意", "百分制 0–100"),
]


def _wave_on(cluster: Cluster, world: World, scale: str) -> dict[str, Any]:
    template = created(
        cluster["survey"].post(
            "/templates",
            json={"jurisdiction_id": world.county_id, "name": f"问卷（{scale}）", "scale": scale},
            headers=world.county_office.headers,
        )
    )
    return open_wave(cluster, world, template_id=template["template_id"], points=[])


@pytest.mark.parametrize(("scale", "off_scale", "named"), CASES)
def test_an_answer_off_the_waves_scale_names_the_scale_in_chinese(
    cluster: Cluster, world: World, scale: str, off_scale: str, named: str
) -> None:
    wave = _wave_on(cluster, world, scale)
    unit = world.unit_ids[0]
    on_scale = "满意" if scale != "numeric_10" and scale != "percent" else "8"
    rows = [
        questionnaire("Q1", [unit], on_scale, survey_point=None),
        questionnaire("Q2", [unit], off_scale, survey_point=None),
    ]
    pushed = push(cluster, wave["wave_id"], rows, world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    (problem,) = pushed.json()["problems"]
    assert problem["code"] == "scale"
    assert (
        problem["reason"]
        == f"不是本次评议量表上的答案：“{off_scale}” (not an answer on the wave's scale ({named}))"
    )
    assert scale not in problem["reason"]

    listed = cluster["survey"].get(
        f"/waves/{wave['wave_id']}/questionnaires", headers=world.county_office.headers
    )
    (recorded,) = listed.json()
    corrected = cluster["survey"].post(
        f"/waves/{wave['wave_id']}/questionnaires/{recorded['response_id']}/corrections",
        json={"ratings": {unit: off_scale}, "reason": "录入错误"},
        headers=world.county_office.headers,
    )
    assert corrected.status_code == 422, corrected.text
    assert named in str(corrected.json()["detail"])
    assert f"({scale})" not in corrected.text


def test_a_correction_and_a_vote_name_every_problem_by_the_field_sent(
    cluster: Cluster, world: World
) -> None:
    # A correction named only its first problem, under `answers.ratings.…` (the body has no
    # `answers`), the others tucked into its context; a vote named its first alone.
    survey = cluster["survey"]
    units = world.unit_ids
    stranger = "00000000-0000-4000-8000-000000000001"
    wave = _wave_on(cluster, world, "four_level")
    push(
        cluster,
        wave["wave_id"],
        [questionnaire("Q1", units, survey_point=None)],
        world.agency.headers,
    )
    (recorded,) = survey.get(
        f"/waves/{wave['wave_id']}/questionnaires", headers=world.county_office.headers
    ).json()
    wrong = {units[0]: "非常满意", units[1]: "一般", stranger: "满意"}
    corrected = survey.post(
        f"/waves/{wave['wave_id']}/questionnaires/{recorded['response_id']}/corrections",
        json={"ratings": wrong, "reason": "录入错误"},
        headers=world.county_office.headers,
    )
    expected = [
        (f"ratings.{units[0]}", "scale"),
        (f"ratings.{units[1]}", "scale"),
        (f"ratings.{stranger}", "unknown_unit_in_wave"),
    ]
    assert corrected.status_code == 422, corrected.text
    body = corrected.json()
    assert (body["error"], body["reason"]) == (
        "invalid_questionnaire",
        "共 3 处问题, 未做任何处理 (3 problems; nothing was done)",
    )
    assert [(d["field"], d["context"]["code_detail"]) for d in body["detail"]] == expected

    now = datetime.now(UTC)
    public = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        voter_check="none",  # unchecked voters: codes are tests/survey/test_voter_codes.py
        channels=["online"],
        opens_at=(now - timedelta(days=1)).isoformat(),
        closes_at=(now + timedelta(days=1)).isoformat(),
    )
    voted = survey.post(
        f"/public/waves/{public['wave_id']}/votes",
        json={"voter": "13800138000", "ratings": wrong},
    )
    assert voted.status_code == 422, voted.text
    assert [(d["field"], d["context"]["code_detail"]) for d in voted.json()["detail"]] == expected
