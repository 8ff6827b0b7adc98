"""What a wave cannot be opened with, and who reads a template it may use (memory mode,
registry and survey running; the campaign world of `test_campaign_api`): a unit named twice,
a window that closes before its round begins, a public wave on a template that asks what a
public vote does not carry; a county office reads its city's template."""

from __future__ import annotations

from typing import Any

from tests.harness import Cluster
from tests.survey.helpers import World, created, error_fields
from tests.survey.test_campaign_api import _template, world

__all__ = ["world"]  # the campaign world, a fixture used by name (the cluster: conftest.py)


def _opened(cluster: Cluster, world: World, **changes: Any) -> Any:
    body = {
        "name": "2026年上半年问卷测评",
        "jurisdiction_id": world.county_id,
        "campaign_id": world.extra["campaign_id"],
        "round": 1,
        "agency_id": world.agency.principal_id,
    } | changes
    return cluster["survey"].post("/waves", json=body, headers=world.county_office.headers)


def test_a_unit_named_twice_is_refused(cluster: Cluster, world: World) -> None:
    twice = [world.unit_ids[0], world.unit_ids[1], world.unit_ids[0]]
    refused = _opened(cluster, world, unit_ids=twice)
    assert refused.status_code == 422, refused.text
    assert error_fields(refused) == ["unit_ids.2"]
    standalone = {"campaign_id": None, "round": None}
    refused = _opened(cluster, world, unit_ids=twice, **standalone)
    assert refused.status_code == 422 and error_fields(refused) == ["unit_ids.2"]


def test_a_window_that_closes_before_its_round_begins_is_refused(
    cluster: Cluster, world: World
) -> None:
    last_year = {"opens_at": "2025-01-01T00:00:00+08:00", "closes_at": "2025-06-01T00:00:00+08:00"}
    refused = _opened(cluster, world, round=2, **last_year)
    assert refused.status_code == 422, refused.text
    assert error_fields(refused) == ["closes_at"]
    assert "round 2 begins (2026-07-01)" in refused.text
    # Evaluating a half year in the month after it is usual: allowed.
    after = {"opens_at": "2026-07-01T00:00:00+08:00", "closes_at": "2026-07-31T00:00:00+08:00"}
    assert _opened(cluster, world, round=1, **after).status_code == 201


def test_a_public_wave_needs_a_template_a_vote_can_answer(cluster: Cluster, world: World) -> None:
    for asked in ("asks_group", "asks_district"):
        template = _template(cluster, world, **{asked: True})
        refused = _opened(
            cluster, world, kind="online_public_voting", template_id=template["template_id"]
        )
        assert refused.status_code == 422, refused.text
        assert error_fields(refused) == ["template_id"]
        also = _opened(cluster, world, public=True, template_id=template["template_id"])
        assert also.status_code == 422 and error_fields(also) == ["template_id"]
        # A wave agencies push into may ask for them.
        assert _opened(cluster, world, template_id=template["template_id"]).status_code == 201
    plain = _template(cluster, world)
    opened = _opened(cluster, world, kind="online_public_voting", template_id=plain["template_id"])
    assert opened.status_code == 201, opened.text


def test_an_office_below_reads_the_template_it_may_open_waves_with(
    cluster: Cluster, world: World
) -> None:
    survey = cluster["survey"]
    city_template = created(
        survey.post(
            "/templates",
            json={"jurisdiction_id": world.city_id, "name": "漯河市问卷", "scale": "three_level"},
            headers=world.city_office.headers,
        )
    )
    path = f"/templates/{city_template['template_id']}"
    for reader in (world.city_office, world.county_office, world.other_county_office):
        read = survey.get(path, headers=reader.headers)
        assert read.status_code == 200, read.text
        assert read.json()["name"] == "漯河市问卷"
    county_template = _template(cluster, world)  # 舞阳县's
    path = f"/templates/{county_template['template_id']}"
    assert survey.get(path, headers=world.county_office.headers).status_code == 200
    assert survey.get(path, headers=world.city_office.headers).status_code == 200
    # A sibling county neither made it nor sits below it.
    assert survey.get(path, headers=world.other_county_office.headers).status_code == 403
    # Revising stays with the template's own office and those above.
    revised = survey.post(
        f"/templates/{city_template['template_id']}/versions",
        json={"name": "漯河市问卷", "scale": "four_level", "reason": "改为四级"},
        headers=world.county_office.headers,
    )
    assert revised.status_code == 403, revised.text


def test_a_revision_that_changes_nothing_is_refused(cluster: Cluster, world: World) -> None:
    survey = cluster["survey"]
    template = _template(cluster, world, name="问卷", scale="three_level", dimensions=[])
    path = f"/templates/{template['template_id']}/versions"
    same = {
        "name": "问卷",
        "scale": "three_level",
        "opinions": True,
        "recommendations": True,
        "reason": "再发一次",
    }
    refused = survey.post(path, json=same, headers=world.county_office.headers)
    assert refused.status_code == 422, refused.text
    assert "version 1 as it stands" in refused.json()["detail"][0]["reason"]
    changed = survey.post(
        path, json=same | {"scale": "four_level"}, headers=world.county_office.headers
    )
    assert changed.status_code == 201 and changed.json()["version"] == 2


def test_a_respondents_district_lies_in_the_waves_jurisdiction(
    cluster: Cluster, world: World
) -> None:
    """舞阳县's wave: its own county is a district a respondent may name; the neighbouring
    临颍县 is not, nor an id no jurisdiction has. What was accepted reads back."""
    survey = cluster["survey"]
    template = _template(cluster, world, asks_district=True)
    wave = created(_opened(cluster, world, template_id=template["template_id"]))
    base = {"collected_at": "2026-03-05T10:00:00+08:00", "survey_point": None}
    rows = [
        base | {"questionnaire_id": qid, "ratings": {world.unit_ids[0]: "满意"}, "district_id": d}
        for qid, d in (
            ("D-1", world.county_id),
            ("D-2", world.other_county_id),
            ("D-3", "00000000-0000-4000-8000-000000000000"),
        )
    ]
    pushed = survey.post(
        f"/waves/{wave['wave_id']}/questionnaires:batch",
        json={"questionnaires": rows},
        headers=world.agency.headers,
    )
    assert pushed.status_code == 200, pushed.text
    body = pushed.json()
    assert body["accepted"] == 1
    assert sorted((p["questionnaire_id"], p["field"], p["code"]) for p in body["problems"]) == [
        ("D-2", "questionnaires.1.district_id", "district"),
        ("D-3", "questionnaires.2.district_id", "district"),
    ]
    cluster.wait_caught_up("survey", "survey")
    (listed,) = survey.get(
        f"/waves/{wave['wave_id']}/questionnaires", headers=world.county_office.headers
    ).json()
    one = survey.get(
        f"/waves/{wave['wave_id']}/questionnaires/{listed['response_id']}",
        headers=world.county_office.headers,
    ).json()
    assert one["district_id"] == world.county_id and one["respondent_id"] is None


def test_every_problem_of_a_wave_is_reported_at_once(cluster: Cluster, world: World) -> None:
    """Independent problems — two bad points, a bad window, a bad group, a unit twice —
    are all answered in one 422, each with its field, reason and code."""
    ok, outside = world.county_id, world.other_county_id
    body: dict[str, Any] = {
        "campaign_id": None,
        "round": None,
        "unit_ids": [*world.unit_ids[:2], world.unit_ids[0], world.other_county_unit_id],
        "agencies": [{"agency_id": world.county_office.principal_id}],
        "opens_at": "2026-06-01T00:00:00+08:00",
        "closes_at": "2026-05-01T00:00:00+08:00",
        "template_id": "00000000-0000-4000-8000-000000000000",
        "points": [
            {"code": "P-1", "name": "临颍县政务服务中心", "jurisdiction_id": outside, "target": 5},
            {
                "code": "P-2",
                "name": "舞阳县政务服务中心",
                "jurisdiction_id": ok,
                "target": 9,
                "quota": 3,
            },
            {"code": "P-1", "name": "舞阳县医院", "jurisdiction_id": ok, "target": 5},
        ],
        "groups": [
            {"code": "public", "name": "群众", "target_percent": 30},
            {"code": "public", "name": "企业", "target_percent": 30},
        ],
    }
    refused = _opened(cluster, world, **body)
    assert refused.status_code == 422, refused.text
    answer = refused.json()
    assert answer["error"] == "invalid_wave"
    assert [(d["field"], d["code"]) for d in answer["detail"]] == [
        ("agencies.0.agency_id", "invalid_wave"),
        ("unit_ids.2", "invalid_wave"),
        ("unit_ids.3", "invalid_wave"),
        ("closes_at", "invalid_wave"),
        ("template_id", "template_not_found"),
        ("points.0.jurisdiction_id", "invalid_wave"),
        ("points.1.quota", "invalid_wave"),
        ("points.2.code", "invalid_wave"),
        ("groups.1.code", "invalid_wave"),
        ("groups", "invalid_wave"),
    ]
    assert all(d["reason"] for d in answer["detail"])
    assert "10 problems" in answer["reason"]


def test_a_campaign_waves_round_units_and_panel_are_reported_together(
    cluster: Cluster, world: World
) -> None:
    both = _opened(
        cluster,
        world,
        round=3,
        unit_ids=[world.unit_ids[0], world.other_county_unit_id],
        panel_draw_id="00000000-0000-4000-8000-000000000000",
    )
    assert both.status_code == 422, both.text
    assert error_fields(both) == ["round", "unit_ids.1", "panel_draw_id"]
    assert "rounds 1–2" in both.json()["detail"][0]["reason"]
    assert "not enrolled" in both.json()["detail"][1]["reason"]
    # One problem alone is its own error: its one entry has the field, reason and code, as
    # each of several has.
    one = _opened(cluster, world, round=3)
    assert one.status_code == 422 and one.json()["error"] == "invalid_wave"
    assert one.json()["detail"] == [
        {
            "field": "round",
            "reason": "评议活动的轮次为 1–2 (the campaign has rounds 1–2)",
            "code": "invalid_wave",
        }
    ]
