"""What a wave is opened with, against its campaign and round (memory mode, registry and
survey running; the campaign world of `test_campaign_api`, whose round 2 is 2026-07-01 to
2026-12-31): a unit that ended before the wave opens is not in it, named or enrolled; a
round's wave opens no earlier than its round; a standalone wave takes no round."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.harness import ADMIN, Cluster
from tests.survey.helpers import CST, World, created, error_fields
from tests.survey.test_campaign_api import world

__all__ = ["world"]  # the campaign world, a fixture used by name (the cluster: conftest.py)


def _opened(cluster: Cluster, world: World, **changes: Any) -> Any:
    body = {
        "name": "2026年下半年问卷测评",
        "jurisdiction_id": world.county_id,
        "campaign_id": world.extra["campaign_id"],
        "round": 2,
        "agencies": [{"agency_id": world.agency.principal_id, "quota": None}],
    } | changes
    return cluster["survey"].post("/waves", json=body, headers=world.county_office.headers)


def _standalone(cluster: Cluster, world: World, **changes: Any) -> Any:
    body = {
        "name": "试点",
        "jurisdiction_id": world.county_id,
        "unit_ids": [world.unit_ids[0]],
        "agency_id": world.agency.principal_id,
    } | changes
    return cluster["survey"].post("/waves", json=body, headers=world.county_office.headers)


def _dissolve(cluster: Cluster, *unit_ids: str) -> None:
    today = datetime.now(CST).date().isoformat()
    for unit_id in unit_ids:
        dissolved = cluster["registry"].post(
            f"/units/{unit_id}/dissolve",
            json={"reason": "撤并", "effective_on": today},
            headers=ADMIN,
        )
        assert dissolved.status_code == 200, dissolved.text
    cluster.wait_caught_up("survey", "registry")


def test_a_unit_dissolved_before_a_campaign_wave_opens_is_not_in_it(
    cluster: Cluster, world: World
) -> None:
    gone = world.unit_ids[1]
    _dissolve(cluster, gone)
    # Still enrolled in the campaign: the wave leaves it out all the same.
    wave = created(_opened(cluster, world))
    assert {u["unit_id"] for u in wave["units"]} == {world.unit_ids[0], world.unit_ids[2]}
    assert gone not in wave["unit_ids"]
    # Named, it is refused as a standalone wave refuses it, at its place in the list.
    for refused in (
        _opened(cluster, world, unit_ids=[gone]),
        _standalone(cluster, world, unit_ids=[gone]),
    ):
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"] == "invalid_wave"
        assert error_fields(refused) == ["unit_ids.0"]
        reason = refused.json()["detail"][0]["reason"]
        assert reason.startswith("该单位已撤销, 请改为测评承继它的单位 (unit is dissolved")
    refused = _opened(cluster, world, unit_ids=[world.unit_ids[0], gone])
    assert refused.status_code == 422 and error_fields(refused) == ["unit_ids.1"]


def test_a_campaign_wave_whose_enrolled_units_have_all_ended_is_refused(
    cluster: Cluster, world: World
) -> None:
    _dissolve(cluster, *world.unit_ids)
    refused = _opened(cluster, world)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "invalid_wave"
    (detail,) = refused.json()["detail"]
    assert detail["field"] == "campaign_id"
    assert detail["reason"].startswith("本辖区参加该评议活动的单位均已合并、分立或撤销")
    assert "has ended" in detail["reason"]


def test_a_rounds_wave_opens_no_earlier_than_its_round(cluster: Cluster, world: World) -> None:
    refused = _opened(cluster, world, opens_at="2026-03-01T00:00:00+08:00")
    assert refused.status_code == 422, refused.text
    (detail,) = refused.json()["detail"]
    assert detail["field"] == "opens_at"
    assert detail["reason"].startswith("测评开始时间早于第2轮开始（2026-07-01）")
    assert "(the window opens before round 2 begins (2026-07-01)" in detail["reason"]
    # The round's first day begins at midnight China time: a second before is still before.
    early = _opened(cluster, world, opens_at="2026-06-30T15:59:59+00:00")
    assert early.status_code == 422 and error_fields(early) == ["opens_at"]
    at_start = created(_opened(cluster, world, opens_at="2026-06-30T16:00:00+00:00"))
    assert datetime.fromisoformat(at_start["opens_at"]) == datetime(2026, 7, 1, tzinfo=CST)
    # A window wholly before the round is one problem, of when it closes.
    before = {"opens_at": "2026-03-01T00:00:00+08:00", "closes_at": "2026-04-01T00:00:00+08:00"}
    assert error_fields(_opened(cluster, world, **before)) == ["closes_at"]
    # Opening after the round ends stays allowed (a half year evaluated in the month after).
    after = {"opens_at": "2027-01-04T00:00:00+08:00", "closes_at": "2027-01-31T00:00:00+08:00"}
    assert _opened(cluster, world, **after).status_code == 201


def test_a_standalone_wave_takes_no_round(cluster: Cluster, world: World) -> None:
    refused = _standalone(cluster, world, round=2)
    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"] == [
        {
            "field": "round",
            "reason": "填写轮次须同时填写 campaign_id (a round needs its campaign)",
            "code": "invalid_wave",
        }
    ]
    # Said beside the wave's other problems.
    both = _standalone(cluster, world, round=1, unit_ids=[world.other_county_unit_id])
    assert both.status_code == 422 and error_fields(both) == ["round", "unit_ids.0"]
    opened = created(_standalone(cluster, world))
    assert (opened["campaign_id"], opened["round"]) == (None, None)
