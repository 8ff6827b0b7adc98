"""An answer sent as a JSON number (services/survey/schemas/batches.py and questionnaires.py):
answers travel as text, numbers too, and a number that is some scale's answer as text is
named as such, in a push's row and in a correction, beside the wave's scale, not as an
answer "not on the wave's scale"."""

from __future__ import annotations

from tests.harness import Cluster
from tests.survey.helpers import World, created, open_wave, push, questionnaire

NUMBER = (
    '答案须为文本, 数字也加引号: "95", 不是数字 95 '
    '(answers are text, numbers too: "95", not the number 95 (百分制 0–100))'
)


def test_a_number_for_a_text_answer_is_named_as_a_number(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    template = created(
        survey.post(
            "/templates",
            json={"jurisdiction_id": world.county_id, "name": "百分制问卷", "scale": "percent"},
            headers=world.county_office.headers,
        )
    )
    wave = open_wave(cluster, world, template_id=template["template_id"], points=[])
    unit = world.unit_ids[0]
    as_number = questionnaire("Q2", [unit], survey_point=None) | {"ratings": {unit: 95}}
    as_float = questionnaire("Q3", [unit], survey_point=None) | {"ratings": {unit: 95.0}}
    off = questionnaire("Q4", [unit], survey_point=None) | {"ratings": {unit: 101}}
    rows = [questionnaire("Q1", [unit], "95", survey_point=None), as_number, as_float, off]
    pushed = push(cluster, wave["wave_id"], rows, world.agency.headers)
    assert pushed.status_code == 200, pushed.text
    reasons = [(p["row"], p["code"], p["reason"]) for p in pushed.json()["problems"]]
    assert reasons[:2] == [(1, "scale", NUMBER), (2, "scale", NUMBER)]
    assert reasons[2] == (
        3,
        "scale",
        "不是本次评议量表上的答案：“101” (not an answer on the wave's scale (百分制 0–100))",
    )

    (recorded,) = survey.get(
        f"/waves/{wave['wave_id']}/questionnaires", headers=world.county_office.headers
    ).json()
    corrected = survey.post(
        f"/waves/{wave['wave_id']}/questionnaires/{recorded['response_id']}/corrections",
        json={"ratings": {unit: 95}, "reason": "录入错误"},
        headers=world.county_office.headers,
    )
    assert corrected.status_code == 422, corrected.text
    assert corrected.json()["error"] == "invalid_questionnaire"
    assert [(d["context"]["code_detail"], d["reason"]) for d in corrected.json()["detail"]] == [
        ("scale", NUMBER)
    ]
