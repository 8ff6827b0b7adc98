"""严禁复制测评问卷: outside a representative evaluation a questionnaire is the agency's
questionnaire id, counted once. A row giving a `respondent_id` there is refused
(`not_a_panel`, at the row's `respondent_id`) in a push, whether the row reads or not, so a
re-push with a made-up panel member is never another questionnaire, nor stored with it.
And a unit recommended twice is refused at the repeat, as a unit listed twice is
everywhere else (`recommended_twice`)."""

from __future__ import annotations

from typing import Any

from services.survey.application.batches.intake import Intake
from services.survey.domain import Response
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import (
    World,
    created,
    open_wave,
    push,
    questionnaire,
    response_count,
)
from tests.survey.module_world import cluster as cluster  # the fixture
from tests.survey.module_world import world as world  # the fixture
from tests.survey.test_application import Setup

NOT_A_PANEL = (
    "本次评议不是代表评议, 不填写评议代表 respondent_id "
    "(the wave is not a representative evaluation: it takes no respondent_id)"
)
FIRST = "11111111-1111-1111-1111-111111111111"
SECOND = "22222222-2222-2222-2222-222222222222"


def _wave(cluster: Cluster, world: World, name: str) -> str:
    """A satisfaction survey (no panel) whose template asks for recommendations."""
    template = {
        "jurisdiction_id": world.county_id,
        "name": name,
        "scale": "four_level",
        "recommendations": True,
    }
    response = cluster["survey"].post(
        "/templates", json=template, headers=world.county_office.headers
    )
    wave = open_wave(
        cluster,
        world,
        name=name,
        kind="satisfaction_survey",
        template_id=created(response)["template_id"],
    )
    assert wave["kind"] == "satisfaction_survey"
    return str(wave["wave_id"])


def _said(problem: dict[str, Any]) -> tuple[str, str, str]:
    return (problem["field"], problem["reason"], problem["code"])


def _stored(cluster: Cluster, wave_id: str) -> list[dict[str, Any]]:
    cluster.wait_caught_up("survey", "survey")
    listed = cluster["survey"].get(f"/waves/{wave_id}/questionnaires", headers=ADMIN)
    assert listed.status_code == 200, listed.text
    found: list[dict[str, Any]] = listed.json()
    return found


def test_a_repush_with_a_respondent_is_no_other_questionnaire(
    cluster: Cluster, world: World
) -> None:
    wave_id = _wave(cluster, world, "问卷测评 一")
    unit = world.unit_ids[0]
    q1 = questionnaire("Q1", [unit])
    first = push(cluster, wave_id, [q1], world.agency.headers)
    assert first.status_code == 200, first.text
    assert first.json()["accepted"] == 1
    for member in (FIRST, SECOND):
        again = push(cluster, wave_id, [q1 | {"respondent_id": member}], world.agency.headers)
        assert again.status_code == 200, again.text
        body = again.json()
        assert (body["accepted"], body["rejected"]) == (0, 1)
        assert [_said(p) for p in body["problems"]] == [
            ("questionnaires.0.respondent_id", NOT_A_PANEL, "not_a_panel")
        ]
    # Another questionnaire with a made-up member: refused for that, not as panel_answered.
    q2 = questionnaire("Q2", [unit]) | {"respondent_id": FIRST}
    other = push(cluster, wave_id, [q2], world.agency.headers).json()
    assert [p["code"] for p in other["problems"]] == ["not_a_panel"]
    assert response_count(cluster, wave_id) == 1
    (stored,) = _stored(cluster, wave_id)
    assert stored["questionnaire_id"] == "Q1"
    read = cluster["survey"].get(
        f"/waves/{wave_id}/questionnaires/{stored['response_id']}", headers=ADMIN
    )
    assert read.status_code == 200, read.text
    assert read.json()["respondent_id"] is None
    # A correction takes the answers only: a respondent_id is no field of it.
    corrected = cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires/{stored['response_id']}/corrections",
        json={"ratings": {unit: "不满意"}, "reason": "按纸质问卷更正", "respondent_id": FIRST},
        headers=world.agency.headers,
    )
    assert corrected.status_code == 422, corrected.text
    assert [d["field"] for d in corrected.json()["detail"]] == ["body.respondent_id"]
    # Without the member, the re-push is the duplicate it always was.
    same = push(cluster, wave_id, [q1], world.agency.headers).json()
    assert (same["accepted"], same["duplicates"], same["problems"]) == (0, 1, [])


def test_a_row_that_does_not_read_is_told_it_too(cluster: Cluster, world: World) -> None:
    """A row refused by the request's validation (its time broke) has its other fields
    judged by the same checks: the respondent_id is said in the same answer."""
    wave_id = _wave(cluster, world, "问卷测评 二")
    row = questionnaire("Q9", [world.unit_ids[0]]) | {
        "collected_at": "昨天",
        "respondent_id": FIRST,
    }
    body = push(cluster, wave_id, [row], world.agency.headers).json()
    fields = [(p["field"], p["code"]) for p in body["problems"]]
    assert ("questionnaires.0.respondent_id", "not_a_panel") in fields
    assert fields[0][0] == "questionnaires.0.collected_at"
    assert body["accepted"] == 0


def test_all_or_nothing_refuses_the_batch_for_it(cluster: Cluster, world: World) -> None:
    wave_id = _wave(cluster, world, "问卷测评 三")
    unit = world.unit_ids[0]
    rows = [questionnaire("Q1", [unit]), questionnaire("Q2", [unit]) | {"respondent_id": SECOND}]
    refused = cluster["survey"].post(
        f"/waves/{wave_id}/questionnaires:batch",
        json={"questionnaires": rows, "all_or_nothing": True},
        headers=world.agency.headers,
    )
    assert refused.status_code == 422, refused.text
    assert [(d["field"], d.get("code")) for d in refused.json()["detail"]] == [
        ("questionnaires.1.respondent_id", "not_a_panel")
    ]
    assert response_count(cluster, wave_id) == 0


def test_a_unit_recommended_twice_is_refused_at_the_repeat(cluster: Cluster, world: World) -> None:
    wave_id = _wave(cluster, world, "问卷测评 四")
    first, second = world.unit_ids[0], world.unit_ids[1]
    twice = questionnaire("R1", [first]) | {"recommended_key_targets": [first, second, first]}
    body = push(cluster, wave_id, [twice], world.agency.headers).json()
    assert body["accepted"] == 0
    assert [_said(p) for p in body["problems"]] == [
        (
            "questionnaires.0.recommended_key_targets.2",
            "单位重复列出 (unit listed twice)",
            "recommended_twice",
        )
    ]
    # In upper case it is the same unit.
    shouted = questionnaire("R2", [first]) | {"recommended_key_targets": [first, first.upper()]}
    body = push(cluster, wave_id, [shouted], world.agency.headers).json()
    assert [(p["field"], p["code"]) for p in body["problems"]] == [
        ("questionnaires.0.recommended_key_targets.1", "recommended_twice")
    ]
    once = questionnaire("R3", [first]) | {"recommended_key_targets": [first, second]}
    assert push(cluster, wave_id, [once], world.agency.headers).json()["accepted"] == 1
    assert response_count(cluster, wave_id) == 1


def test_only_a_representative_wave_stores_under_the_member(setup: Setup) -> None:
    """Defence in depth: whatever reaches it, an intake of an ordinary wave derives a
    questionnaire's id from the agency's questionnaire id alone."""
    ordinary = setup.app.wave(setup.open_wave())
    (_, q), *_ = setup.rows(1, respondent_id=FIRST)
    intake = Intake(setup.app, setup.agency, ordinary, "questionnaires", [])
    assert intake._response_id(q) == Response.ids_in(ordinary.id)(q["questionnaire_id"])
    panel = setup.app.wave(
        setup.open_wave(kind="representative_evaluation", panel_draw_id=setup.draw_id)
    )
    intake = Intake(setup.app, setup.agency, panel, "questionnaires", [])
    assert intake._response_id(q) == Response.panel_id(panel.id, FIRST)
