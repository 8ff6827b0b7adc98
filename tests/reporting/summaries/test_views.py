"""On SQLite (embedded mode: reporting reads inspection's log file), the `casework` view
rebuilt offline from the logs (`pingyi rebuild reporting casework`) is byte for byte the view
built message by message: rectification orders (one escalated, one reported and then
withdrawn) and a complaint taken in, dispatched and concluded, all in round 1 of a campaign,
so that the round's figures (`casework_tallies`) are rebuilt too."""

from __future__ import annotations

import json
from typing import Any

from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.reporting.rebuilds import assert_rebuilds_as_built, dump_view
from tests.scoring.rounds.helpers import campaign_round, record_finding

VIEWS = ["casework"]
SERVICES = ["registry", "survey", "inspection", "reporting"]


def _post(cluster: Cluster, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = cluster["inspection"].post(path, json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


def test_the_casework_view_rebuilds_byte_for_byte(embedded_settings: CommonSettings) -> None:
    with Cluster(embedded_settings, SERVICES) as cluster:
        rnd = campaign_round(cluster)
        world = rnd.world
        in_round = {"campaign_id": rnd.campaign_id, "round": 1}
        cluster.wait_caught_up("inspection", "registry")
        orders = []
        for unit in world.unit_ids[:2]:
            finding = record_finding(cluster["inspection"], unit, "一般", "0.5")
            orders.append(
                _post(
                    cluster,
                    "/rectifications",
                    {
                        "unit_id": unit,
                        "finding_ids": [finding],
                        "working_days": 5,
                        "requirements": "限期整改",
                        "issued_on": "2026-04-06",  # after the finding (2026-04-02)
                    }
                    | in_round,
                )["order_id"]
            )
        _post(
            cluster,
            f"/rectifications/{orders[0]}/escalation",
            {"step": "催办", "reason": "逾期未报送"},
        )
        _post(cluster, f"/rectifications/{orders[1]}/report", {"text": "已整改"})
        _post(cluster, f"/rectifications/{orders[1]}/withdrawal", {"reason": "误发"})
        complaint = _post(
            cluster,
            "/complaints",
            {
                "jurisdiction_id": world.county_id,
                "channel": "12345热线",
                "kind": "complaint",
                "summary": "窗口推诿",
                "received_on": "2026-05-12",
            }
            | in_round,
        )["complaint_id"]
        _post(cluster, f"/complaints/{complaint}/dispatch", {"unit_id": world.unit_ids[1]})
        _post(
            cluster,
            f"/complaints/{complaint}/outcome",
            {"outcome": "unfounded", "reason": "经核实不属实"},
        )
        cluster.wait_caught_up("reporting", "inspection")
    incremental, _ = dump_view(embedded_settings, VIEWS[0])
    docs = [(collection, json.loads(text)) for collection, _, text in incremental]
    assert {c for c, _ in docs} == {"casework_orders", "casework_complaints", "casework_tallies"}
    orders_seen = sorted(
        (doc["status"], doc["withdrawn"]) for c, doc in docs if c == "casework_orders"
    )
    assert orders_seen == [("issued", False), ("reported", True)]
    [complaint_doc] = [doc for c, doc in docs if c == "casework_complaints"]
    assert (complaint_doc["status"], complaint_doc["outcome"]) == ("concluded", "unfounded")
    [tally] = [doc for c, doc in docs if c == "casework_tallies"]
    assert tally["counts"] == {
        "complaints": 1,
        "complaints.outcome.unfounded": 1,
        "complaints.status.concluded": 1,
        "orders": 1,
        "orders.escalated": 1,
        "orders.status.issued": 1,
        "orders.step.催办": 1,
        "orders.withdrawn": 1,
    }
    assert_rebuilds_as_built(embedded_settings, VIEWS[0])
