"""The registry's refusals met on a unit's changes, enrolments, representatives and draws
read Chinese first, with the English they had kept after it in brackets, and their codes,
fields and statuses unchanged."""

from __future__ import annotations

import re
from typing import Any

from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.registry.campaign_helpers import luohe_spec, open_campaign
from tests.registry.helpers import city_with_counties

CHINESE_FIRST = re.compile(r"^[\u4e00-\u9fff]")


def _problem(response: Any) -> tuple[int, str, str, str]:
    body = response.json()
    detail = body["detail"][0]
    return response.status_code, body["error"], detail["field"], detail["reason"]


def test_lifecycle_enrolment_people_and_draw_refusals_read_chinese_first(
    production_settings: CommonSettings,
) -> None:
    with Cluster(production_settings, ["registry"]) as cluster:
        registry = cluster["registry"]
        world = city_with_counties(cluster)
        county = world["counties"]["源汇区"]["jurisdiction_id"]
        here = world["units"]["源汇区民政局"]
        there = world["units"]["郾城区民政局"]
        campaign = open_campaign(cluster, luohe_spec(county))
        answers = {
            "the unit is already called": registry.post(
                f"/units/{here['unit_id']}/rename",
                json={"name": here["name"], "reason": "更名"},
                headers=ADMIN,
            ),
            "a unit cannot be merged with itself": registry.post(
                "/units:merge",
                json={
                    "source_unit_ids": [here["unit_id"]] * 2,
                    "name": "合并后单位",
                    "reason": "合并",
                },
                headers=ADMIN,
            ),
            "the unit is outside the campaign's jurisdiction": registry.post(
                f"/campaigns/{campaign['campaign_id']}/enrolments",
                json={"enrolments": [{"unit_id": there["unit_id"], "category": "公共服务行业"}]},
                headers=ADMIN,
            ),
            "unknown sector": registry.post(
                "/people",
                json={"jurisdiction_id": county, "name": "张三", "sector": "农民"},
                headers=ADMIN,
            ),
            "the quotas add up to 1, not the size 2": registry.post(
                "/draws",
                json={
                    "jurisdiction_id": county,
                    "campaign_id": campaign["campaign_id"],
                    "cycle": "2016-2017",
                    "size": 2,
                    "quotas": {"npc_deputy": 1},
                    "commitment": "a" * 64,
                },
                headers=ADMIN,
            ),
        }
    expected = {
        "the unit is already called": (409, "lifecycle_conflict", "name"),
        "a unit cannot be merged with itself": (409, "lifecycle_conflict", "source_unit_ids.1"),
        "the unit is outside the campaign's jurisdiction": (
            422,
            "enrolment_refused",
            "enrolments.0.unit_id",
        ),
        "unknown sector": (422, "invalid_registration", "sector"),
        "the quotas add up to 1, not the size 2": (422, "invalid_draw", "quotas"),
    }
    for english, response in answers.items():
        status, error, field, reason = _problem(response)
        assert (status, error, field) == expected[english], response.text
        assert CHINESE_FIRST.match(reason), reason
        assert english in reason, reason
    assert _problem(answers["a unit cannot be merged with itself"])[3] == (
        "同一单位不能与自身合并 (a unit cannot be merged with itself)"
    )
