"""Scoring and reporting see enrolments and key evaluation targets in their registry copy."""

from __future__ import annotations

from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.registry.campaign_helpers import enrol, open_campaign, wuhan_spec, wuhan_zone
from tests.registry.helpers import post


def test_key_targets_reach_scoring_and_reporting(memory_settings: CommonSettings) -> None:
    with Cluster(memory_settings, ["registry", "scoring", "reporting"]) as cluster:
        world = wuhan_zone(cluster)
        campaign = open_campaign(cluster, wuhan_spec(world["zone"]["jurisdiction_id"]))
        campaign_id = campaign["campaign_id"]
        units = world["units"]
        enrol(
            cluster,
            campaign_id,
            [
                (units["区发改局"]["unit_id"], "经济和社会事业发展类"),
                (units["区城管局"]["unit_id"], "城市管理和执法监督类"),
            ],
        )
        post(
            cluster,
            f"/campaigns/{campaign_id}/key-targets",
            {
                "unit_id": units["区城管局"]["unit_id"],
                "reason_code": "concentrated_complaints",
                "reason": "12345热线投诉集中",
            },
        )
        post(
            cluster,
            f"/campaigns/{campaign_id}/enrolments/{units['区发改局']['unit_id']}/withdrawal",
            {"reason": "机构改革"},
            status=200,
        )

        for service in ("scoring", "reporting"):
            cluster.wait_caught_up(service, "registry")
            copy = cluster[service].app.state.runtime.campaigns  # type: ignore[attr-defined]
            assert copy.campaign(campaign_id)["categories"] == world_categories()
            targets = copy.key_targets(campaign_id)
            assert [(t["unit_id"], t["key_target"]["reason"]) for t in targets] == [
                (units["区城管局"]["unit_id"], "12345热线投诉集中")
            ]
            statuses = {e["unit_id"]: e["status"] for e in copy.enrolments(campaign_id)}
            assert statuses[units["区发改局"]["unit_id"]] == "withdrawn"


def world_categories() -> list[str]:
    return ["经济和社会事业发展类", "城市管理和执法监督类", "公共服务企业类"]
