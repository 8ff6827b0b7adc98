"""An answer written with what an input method or an export adds — an ideographic space
after 满意, a space before it, full-width digits (９５) — is that answer, on every path that
takes answers, and is stored as the scale writes it. An upload's cells were always read
stripped while a push, a correction and a vote refused the same answer as off the scale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.harness import ADMIN, Cluster
from tests.survey.helpers import World, created, open_wave, push, questionnaire
from tests.survey.module_world import cluster as cluster  # the fixture
from tests.survey.module_world import world as world  # the fixture

SPELT = {"满意　": "满意", " 基本满意": "基本满意", "\u3000不满意 ": "不满意"}
DIGITS = {"９５": "95", "１００　": "100", " ０": "0"}


def _wave(cluster: Cluster, world: World, scale: str) -> str:
    template = {
        "jurisdiction_id": world.county_id,
        "name": f"{scale}问卷",
        "scale": scale,
        "dimensions": [{"code": "attitude", "name": "服务态度"}],
    }
    response = cluster["survey"].post(
        "/templates", json=template, headers=world.county_office.headers
    )
    template_id = created(response)["template_id"]
    return str(open_wave(cluster, world, template_id=template_id, points=[])["wave_id"])


def _stored(cluster: Cluster, wave_id: str) -> dict[str, dict[str, Any]]:
    """Each questionnaire's answers as stored, by questionnaire id."""
    cluster.wait_caught_up("survey", "survey")
    survey = cluster["survey"]
    listed = survey.get(f"/waves/{wave_id}/questionnaires?limit=100", headers=ADMIN).json()
    return {
        q["questionnaire_id"]: survey.get(
            f"/waves/{wave_id}/questionnaires/{q['response_id']}", headers=ADMIN
        ).json()["answers"]
        for q in listed
    }


@pytest.mark.parametrize(("scale", "spelt"), [("four_level", SPELT), ("percent", DIGITS)])
def test_a_push_takes_an_answer_as_its_scale_writes_it(
    cluster: Cluster, world: World, scale: str, spelt: dict[str, str]
) -> None:
    wave_id = _wave(cluster, world, scale)
    units = world.unit_ids
    rows = []
    for index, (sent, meant) in enumerate(spelt.items()):
        rated = questionnaire(f"R-{index}", units[:1], sent, survey_point=None)
        compact = questionnaire(f"C-{index}", [], survey_point=None) | {"row": [sent, None, None]}
        dimension = questionnaire(f"D-{index}", units[:1], meant, survey_point=None) | {
            "dimension_ratings": {units[0]: {"attitude": sent}}
        }
        rows += [rated, compact, dimension]
    answered = push(cluster, wave_id, rows, world.agency.headers)
    assert answered.status_code == 200, answered.text
    assert (answered.json()["accepted"], answered.json()["problems"]) == (len(rows), [])
    stored = _stored(cluster, wave_id)
    for index, meant in enumerate(spelt.values()):
        assert stored[f"R-{index}"]["ratings"] == {units[0]: meant}
        assert stored[f"C-{index}"]["ratings"] == {units[0]: meant}
        assert stored[f"D-{index}"]["dimension_ratings"] == {units[0]: {"attitude": meant}}
    # The same answers written the scale's way are the same questionnaires: duplicates.
    again = [
        questionnaire(f"R-{i}", units[:1], m, survey_point=None)
        for i, m in enumerate(spelt.values())
    ]
    repeated = push(cluster, wave_id, again, world.agency.headers)
    assert repeated.json()["duplicates"] == len(again), repeated.text


def test_an_upload_takes_full_width_digits(cluster: Cluster, world: World) -> None:
    wave_id = _wave(cluster, world, "percent")
    survey = cluster["survey"]
    header = ["问卷编号", "采集时间", "舞阳县公安局"]
    lines = [header] + [[f"U-{i}", "2026-05-12 10:30", sent] for i, sent in enumerate(DIGITS)]
    content = ("\r\n".join(",".join(line) for line in lines) + "\r\n").encode("utf-8")
    answered = survey.post(
        f"/waves/{wave_id}/questionnaires:upload",
        content=content,
        headers=world.agency.headers | {"Content-Type": "text/csv"},
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["problems"] == []
    stored = _stored(cluster, wave_id)
    assert [stored[f"U-{i}"]["ratings"] for i in range(len(DIGITS))] == [
        {world.unit_ids[0]: meant} for meant in DIGITS.values()
    ]


def test_a_correction_takes_an_answer_as_its_scale_writes_it(
    cluster: Cluster, world: World
) -> None:
    wave_id = _wave(cluster, world, "four_level")
    unit = world.unit_ids[0]
    pushed = push(
        cluster, wave_id, [questionnaire("Q-1", [unit], survey_point=None)], world.agency.headers
    )
    assert pushed.status_code == 200, pushed.text
    cluster.wait_caught_up("survey", "survey")
    (listed,) = cluster["survey"].get(f"/waves/{wave_id}/questionnaires", headers=ADMIN).json()
    path = f"/waves/{wave_id}/questionnaires/{listed['response_id']}/corrections"
    correction = {
        "ratings": {unit: "不满意　"},
        "dimension_ratings": {unit: {"attitude": " 基本满意"}},
        "reason": "按纸质问卷更正",
    }
    corrected = cluster["survey"].post(path, json=correction, headers=world.agency.headers)
    assert corrected.status_code == 200, corrected.text
    answers = corrected.json()["answers"]
    assert answers["ratings"] == {unit: "不满意"}
    assert answers["dimension_ratings"] == {unit: {"attitude": "基本满意"}}
    # The same answers again, as the scale writes them, change nothing.
    same = correction | {
        "ratings": {unit: "不满意"},
        "dimension_ratings": {unit: {"attitude": "基本满意"}},
    }
    again = cluster["survey"].post(path, json=same, headers=world.agency.headers)
    assert again.status_code == 409, again.text


def test_a_public_vote_takes_an_answer_as_its_scale_writes_it(
    cluster: Cluster, world: World
) -> None:
    now = datetime.now(UTC)
    wave_id = open_wave(
        cluster,
        world,
        kind="online_public_voting",
        voter_check="none",  # unchecked voters: codes are tests/survey/test_voter_codes.py
        opens_at=(now - timedelta(hours=1)).isoformat(),
        closes_at=(now + timedelta(days=1)).isoformat(),
    )["wave_id"]
    cluster.wait_caught_up("survey", "survey")
    unit = world.unit_ids[0]
    vote = {"voter": "１３８００１３８０００", "ratings": {unit: "满意　"}}
    voted = cluster["survey"].post(f"/public/waves/{wave_id}/votes", json=vote)
    assert voted.status_code == 201, voted.text
    (answers,) = _stored(cluster, wave_id).values()
    assert answers["ratings"] == {unit: "满意"}
