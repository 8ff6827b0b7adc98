"""A city-wide satisfaction wave of the 漯河市 campaign, through the real registry and survey
services: two survey points (舞阳县 WY-01, target 4; 临颍县 LY-01, target 2), three channels,
three respondent groups (50/25/25 %), and five questionnaires rating the three units —

  A1 WY-01 测评点 服务对象 满意×3            A4 LY-01 网上 群众 不了解×3
  A2 WY-01 测评点 服务对象 基本满意×3 (then voided)
  A3 WY-01 纸质 监督员 不满意×3 (then corrected to 满意 for one unit only)
  A5 LY-01 网上 群众 不满意×3

so that, counted: 舞阳县 满意 4 (rate 100.00), 临颍县 不满意 3 + 不了解 3 (rate 0.00), in all
满意 4, 不满意 3, 不了解 3: 4 of 7 rating answers, 57.14 %."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tests.harness import Cluster
from tests.reporting.rounds.helpers import unit_caller
from tests.survey.helpers import CST, Caller, World, created, seed_world

GOV = "政府部门及其它机构"
IN_ROUND_1 = datetime(2026, 3, 5, 10, 0, tzinfo=CST)


@dataclass
class Story:
    world: World
    wave_id: str
    unit_key: Caller


def _campaign(cluster: Cluster, world: World) -> str:
    registry = cluster["registry"]
    campaign = created(
        registry.post(
            "/campaigns",
            json={
                "jurisdiction_id": world.city_id,
                "name": "漯河市2026年度民主评议政风行风",
                "pattern": "民主评议政风行风",
                "cycle": {
                    "length": "one_year",
                    "rounds": "half_year",
                    "starts_on": "2026-01-01",
                    "ends_on": "2026-12-31",
                },
                "phases": [
                    {"name": "组织实施", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
                ],
                "categories": [GOV],
            },
            headers=world.city_office.headers,
        )
    )
    enrolments = [{"unit_id": unit, "category": GOV} for unit in world.unit_ids]
    created(
        registry.post(
            f"/campaigns/{campaign['campaign_id']}/enrolments",
            json={"enrolments": enrolments},
            headers=world.city_office.headers,
        )
    )
    cluster.wait_caught_up("survey", "registry")
    return str(campaign["campaign_id"])


def _wave(cluster: Cluster, world: World, campaign_id: str) -> str:
    survey = cluster["survey"]
    template = created(
        survey.post(
            "/templates",
            json={
                "jurisdiction_id": world.city_id,
                "name": "2026年政风行风满意度问卷",
                "scale": "four_level",
            },
            headers=world.city_office.headers,
        )
    )
    point = {"quota": 10}
    body = {
        "name": "漯河市2026年上半年问卷测评",
        "jurisdiction_id": world.city_id,
        "campaign_id": campaign_id,
        "round": 1,
        "template_id": template["template_id"],
        "agencies": [{"agency_id": world.agency.principal_id, "quota": 100}],
        "channels": ["survey_point", "paper", "online"],
        "points": [
            {
                "code": "WY-01",
                "name": "舞阳县政务服务中心",
                "jurisdiction_id": world.county_id,
                "target": 4,
            }
            | point,
            {
                "code": "LY-01",
                "name": "临颍县政务服务中心",
                "jurisdiction_id": world.other_county_id,
                "target": 2,
            }
            | point,
        ],
        "groups": [
            {"code": "user", "name": "服务对象", "target_percent": 50},
            {"code": "supervisor", "name": "监督员", "target_percent": 25},
            {"code": "public", "name": "群众", "target_percent": 25},
        ],
    }
    wave = created(survey.post("/waves", json=body, headers=world.city_office.headers))
    return str(wave["wave_id"])


def _row(
    world: World, qid: str, minute: int, rating: str, point: str, channel: str, group: str
) -> dict[str, Any]:
    return {
        "questionnaire_id": qid,
        "collected_at": (IN_ROUND_1 + timedelta(minutes=5 * minute)).isoformat(),
        "survey_point": point,
        "channel": channel,
        "group": group,
        "ratings": {unit: rating for unit in world.unit_ids},
    }


def wave_story(cluster: Cluster) -> Story:
    world = seed_world(cluster)
    wave_id = _wave(cluster, world, _campaign(cluster, world))
    survey = cluster["survey"]
    rows = [
        _row(world, "A1", 0, "满意", "WY-01", "survey_point", "user"),
        _row(world, "A2", 1, "基本满意", "WY-01", "survey_point", "user"),
        _row(world, "A3", 2, "不满意", "WY-01", "paper", "supervisor"),
        _row(world, "A4", 3, "不了解", "LY-01", "online", "public"),
        _row(world, "A5", 4, "不满意", "LY-01", "online", "public"),
    ]
    pushed = survey.post(
        f"/waves/{wave_id}/questionnaires:batch",
        json={"questionnaires": rows},
        headers=world.agency.headers,
    )
    assert pushed.status_code == 200 and pushed.json()["accepted"] == 5, pushed.text
    cluster.wait_caught_up("survey", "survey")
    listed = survey.get(
        f"/waves/{wave_id}/questionnaires?limit=100", headers=world.city_office.headers
    ).json()
    ids = {q["questionnaire_id"]: q["response_id"] for q in listed}
    voided = survey.post(
        f"/waves/{wave_id}/questionnaires/{ids['A2']}/void",
        json={"reason": "重复录入"},
        headers=world.agency.headers,
    )
    assert voided.status_code == 200, voided.text
    corrected = survey.post(
        f"/waves/{wave_id}/questionnaires/{ids['A3']}/corrections",
        json={"ratings": {world.unit_ids[0]: "满意"}, "reason": "按纸质问卷更正"},
        headers=world.agency.headers,
    )
    assert corrected.status_code == 200, corrected.text
    unit_key = unit_caller(cluster["registry"], "舞阳县公安局", world.unit_ids[0])
    cluster.wait_caught_up("reporting", "registry")
    cluster.wait_caught_up("reporting", "survey")
    return Story(world, wave_id, unit_key)
