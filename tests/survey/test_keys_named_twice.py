"""Keys named twice, in every survey body and in dimension codes.

- Every survey route that reads a JSON body refuses one naming a key twice in one object
  (422 `duplicate_key`, naming each place), after its policy: a wave's close, an
  accreditation, a template, a void, a review, a withdrawal, not only pushes, corrections
  and votes. One mechanism does it (`api.deps.SurveyRouter`); a push keeps its own check,
  counted first and reported by row.
- The models strip the text they read, dimension codes too: "服务态度" and " 服务态度 "
  are one code. A template naming both is refused (`dimensions.1.code`); a questionnaire
  rating both is refused naming the second (it used to keep only the last answer); a code
  with spaces around alone is the code, as the template's is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute

from services.survey.api import ROUTERS
from services.survey.api.deps import SurveyRouter, refuse_repeated_keys
from services.survey.schemas.repeated_keys import repeated_keys
from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.survey.helpers import World, open_wave, push, questionnaire, seed_world

CODE = "服务态度"
SPACED = (" 服务态度 ", "\u3000服务态度", "服务态度\u00a0")
"""The code with spaces around: ASCII, ideographic (U+3000), no-break (U+00A0)."""


@dataclass
class Setting:
    cluster: Cluster
    world: World
    template_id: str
    wave_id: str

    @property
    def survey(self) -> Any:
        return self.cluster["survey"]


@pytest.fixture(scope="module")
def setting() -> Iterator[Setting]:
    with Cluster(in_memory(), ["registry", "survey"]) as cluster:
        world = seed_world(cluster)
        template = cluster["survey"].post(
            "/templates",
            json={
                "jurisdiction_id": world.county_id,
                "name": "含评价内容的问卷",
                "scale": "four_level",
                "dimensions": [{"code": CODE, "name": CODE}, {"code": "效率", "name": "办事效率"}],
            },
            headers=world.county_office.headers,
        )
        assert template.status_code == 201, template.text
        template_id = template.json()["template_id"]
        wave = open_wave(cluster, world, template_id=template_id)
        yield Setting(cluster, world, template_id, wave["wave_id"])


def _send(setting: Setting, path: str, raw: str, headers: dict[str, str]) -> Any:
    content = {"content-type": "application/json"}
    return setting.survey.post(path, content=raw.encode(), headers=headers | content)


def _refused(response: Any, *fields: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "duplicate_key", body
    assert [(d["field"], d["code"]) for d in body["detail"]] == [
        (field, "duplicate_key") for field in fields
    ]


def _recorded(setting: Setting, questionnaire_id: str) -> dict[str, Any]:
    path = f"/waves/{setting.wave_id}/questionnaires"
    setting.cluster.wait_caught_up("survey", "survey")  # the list is a view
    found = setting.survey.get(path, headers=ADMIN).json()
    (row,) = [q for q in found if q["questionnaire_id"] == questionnaire_id]
    detail = setting.survey.get(f"{path}/{row['response_id']}", headers=ADMIN)
    assert detail.status_code == 200, detail.text
    body: dict[str, Any] = detail.json()
    return body


def _with_dimensions(row: dict[str, Any], unit: str, pairs: list[tuple[str, str]]) -> str:
    """The row as JSON, its `dimension_ratings` for `unit` named pair by pair (json.dumps
    cannot name a key twice)."""
    named = ",".join(f"{json.dumps(code)}:{json.dumps(answer)}" for code, answer in pairs)
    text = json.dumps(row, ensure_ascii=False)
    return text[:-1] + f',"dimension_ratings":{{"{unit}":{{{named}}}}}}}'


# --- every survey body ------------------------------------------------------------------


def test_every_survey_route_with_a_json_body_checks_its_keys() -> None:
    checked, own = [], []
    for router in ROUTERS:
        assert isinstance(router, SurveyRouter)
        for route in router.routes:
            assert isinstance(route, APIRoute)
            calls = [dependency.call for dependency in route.dependant.dependencies]
            assert refuse_repeated_keys in calls, route.path
            field = route.body_field
            if field is not None:
                reads_own = getattr(field.field_info.annotation, "reads_repeated_keys", False)
                (own if reads_own else checked).append(route.path)
    assert own == ["/waves/{wave_id}/questionnaires:batch"]
    assert {
        "/waves",
        "/waves/{wave_id}/agencies",
        "/waves/{wave_id}/close",
        "/templates",
        "/templates/{template_id}/versions",
        "/waves/{wave_id}/questionnaires/{response_id}/void",
        "/waves/{wave_id}/quarantine:review",
        "/waves/{wave_id}/batches/{batch_id}/withdraw",
        "/waves/{wave_id}/questionnaires/{response_id}/corrections",
        "/public/waves/{wave_id}/votes",
    } <= set(checked)


def test_a_close_naming_its_reason_twice_is_refused_after_the_policy(setting: Setting) -> None:
    world = setting.world
    wave = open_wave(setting.cluster, world)
    path = f"/waves/{wave['wave_id']}/close"
    twice = '{"reason": "问卷回收完毕", "reason": "误关"}'
    # A caller the policy refuses is refused as before: the body tells it nothing.
    outsider = _send(setting, path, twice, world.other_county_office.headers)
    assert outsider.status_code == 403, outsider.text
    _refused(_send(setting, path, twice, world.county_office.headers), "body.reason")
    still = setting.survey.get(f"/waves/{wave['wave_id']}", headers=ADMIN).json()
    assert still["status"] != "closed" and still["closed_reason"] is None
    once = _send(setting, path, '{"reason": "问卷回收完毕"}', world.county_office.headers)
    assert once.status_code == 200 and once.json()["closed_reason"] == "问卷回收完毕", once.text


def _stored(setting: Setting) -> Any:
    """How far survey's event log reaches: a command that records anything moves it."""
    return setting.survey.app.state.runtime.application.recorder.max_notification_id()


def test_a_template_naming_a_field_twice_records_nothing(setting: Setting) -> None:
    world = setting.world
    before = _stored(setting)
    raw = json.dumps(
        {"jurisdiction_id": world.county_id, "name": "一", "scale": "four_level"},
        ensure_ascii=False,
    )
    twice = raw[:-1] + ', "name": "二"}'
    _refused(_send(setting, "/templates", twice, world.county_office.headers), "body.name")
    assert _stored(setting) == before
    once = _send(setting, "/templates", raw, world.county_office.headers)
    assert once.status_code == 201 and _stored(setting) > before, once.text


def test_an_accreditation_and_a_void_naming_a_key_twice_are_refused(setting: Setting) -> None:
    world = setting.world
    agency = world.other_agency.principal_id
    accredit = f'{{"agency_id": "{agency}", "quota": 5, "quota": 500}}'
    path = f"/waves/{setting.wave_id}/agencies"
    _refused(_send(setting, path, accredit, world.county_office.headers), "body.quota")
    pushed = push(
        setting.cluster,
        setting.wave_id,
        [questionnaire("V-1", world.unit_ids)],
        world.agency.headers,
    )
    assert pushed.status_code == 200 and pushed.json()["accepted"] == 1, pushed.text
    response_id = _recorded(setting, "V-1")["response_id"]
    void = f"/waves/{setting.wave_id}/questionnaires/{response_id}/void"
    twice = '{"reason": "代填", "reason": "重复"}'
    _refused(_send(setting, void, twice, world.county_office.headers), "body.reason")
    assert _recorded(setting, "V-1")["status"] == "counted"


# --- dimension codes --------------------------------------------------------------------


@pytest.mark.parametrize("spaced", SPACED)
def test_a_template_naming_a_code_twice_with_spaces_around_is_refused(
    setting: Setting, spaced: str
) -> None:
    world = setting.world
    response = setting.survey.post(
        "/templates",
        json={
            "jurisdiction_id": world.county_id,
            "name": "重复的评价内容",
            "scale": "four_level",
            "dimensions": [{"code": CODE, "name": CODE}, {"code": spaced, "name": "办事效率"}],
        },
        headers=world.county_office.headers,
    )
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert [(d["field"], d["code"]) for d in detail] == [("dimensions.1.code", "invalid_template")]


@pytest.mark.parametrize("spaced", SPACED)
def test_a_pushed_questionnaire_rating_a_code_twice_is_reported_not_merged(
    setting: Setting, spaced: str
) -> None:
    world = setting.world
    unit = world.unit_ids[0]
    qid = f"D-{SPACED.index(spaced)}"
    row = questionnaire(qid, world.unit_ids)
    raw = (
        '{"questionnaires": ['
        + _with_dimensions(row, unit, [(CODE, "满意"), (spaced, "不满意")])
        + "]}"
    )
    response = _send(
        setting, f"/waves/{setting.wave_id}/questionnaires:batch", raw, world.agency.headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (0, 1), body
    assert [(p["field"], p["code"]) for p in body["problems"]] == [
        (f"questionnaires.0.dimension_ratings.{unit}.{spaced}", "duplicate_key")
    ]
    assert repeated_keys(raw.encode()) == [("questionnaires", 0, "dimension_ratings", unit, spaced)]


def test_a_correction_rating_a_code_twice_is_refused(setting: Setting) -> None:
    world = setting.world
    pushed = push(
        setting.cluster,
        setting.wave_id,
        [questionnaire("C-1", world.unit_ids)],
        world.agency.headers,
    )
    assert pushed.status_code == 200 and pushed.json()["accepted"] == 1, pushed.text
    response_id = _recorded(setting, "C-1")["response_id"]
    unit = world.unit_ids[0]
    body = {"ratings": {unit: "满意"}, "reason": "按纸质问卷更正"}
    raw = _with_dimensions(body, unit, [("\u3000服务态度", "满意"), (CODE, "不满意")])
    path = f"/waves/{setting.wave_id}/questionnaires/{response_id}/corrections"
    _refused(_send(setting, path, raw, ADMIN), f"body.dimension_ratings.{unit}.{CODE}")
    assert _recorded(setting, "C-1")["version"] == 1


def test_a_code_with_spaces_around_alone_is_the_template_s_code(setting: Setting) -> None:
    world = setting.world
    unit = world.unit_ids[0]
    row = questionnaire("S-1", world.unit_ids)
    raw = '{"questionnaires": [' + _with_dimensions(row, unit, [(" 服务态度 ", "满意")]) + "]}"
    response = _send(
        setting, f"/waves/{setting.wave_id}/questionnaires:batch", raw, world.agency.headers
    )
    assert response.status_code == 200 and response.json()["accepted"] == 1, response.text
    answers = _recorded(setting, "S-1")["answers"]
    assert answers["dimension_ratings"] == {unit: {CODE: "满意"}}
