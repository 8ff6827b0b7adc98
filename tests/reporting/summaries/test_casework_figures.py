"""The casework figures of a jurisdiction summary, against figures counted by hand.

The county round of `rounds.helpers` (舞阳县's campaign; 公安局 u0, 教育局 u1, 供电公司 u2),
round 1 scored, and in inspection:

rectification orders (整改)
    A  u0  escalated 催办, then 通报                  issued, escalated
    B  u1  reported                                  reported
    C  u1  reported, returned                        returned
    D  u2  reported, accepted, re-rated 满意          accepted, 满意
    E  u0  reported, returned, reported, returned    second_handling
    F  u2  escalated 催办, withdrawn                  withdrawn only
    G  u1  reported, withdrawn                       withdrawn only
    H  u0  round 2                                   not in round 1
    I  u0  no campaign                               nowhere

complaints (投诉)
    K1 taken in 舞阳县, dispatched to u1, 属实        concluded, 属实
    K2 taken in 临颍县                                received
    K3 taken in 漯河市, dispatched to u0              dispatched
    K4 taken in 舞阳县, no campaign                   nowhere
    K5 taken in 舞阳县, round 2                       not in round 1

so, counted by hand for round 1:

- 漯河市 (the city: everything below it): orders 5 (A–E): issued 1, reported 1, returned 1,
  second_handling 1, accepted 1; escalated 1 (A; F is withdrawn); escalations 催办 1, 通报 1,
  约谈 0; re-ratings 满意 1; withdrawn 2 (F, G). Complaints 3 (K1, K2, K3): received 1,
  dispatched 1, replied 0, concluded 1; 属实 1, the other outcomes 0.
- 舞阳县: the same orders; complaints 1 (K1): concluded 1, 属实 1.
- 临颍县: no orders, nothing withdrawn; complaints 1 (K2): received 1.

Before the figures were kept in the view (`casework_tallies`) they were counted from every
order of the round loaded per request; this pins them whatever way they are counted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import in_memory
from tests.harness import ADMIN, Cluster
from tests.reporting.rounds.helpers import SERVICES, Scored, run, scored_round
from tests.scoring.rounds.helpers import record_finding

ROUND_1 = "2026-04-06"
ROUND_2 = "2026-08-06"


def _post(scored: Scored, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = scored.cluster["inspection"].post(path, json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


def _order(scored: Scored, unit: str, *steps: tuple[str, dict[str, Any]], **where: Any) -> str:
    finding = record_finding(scored.cluster["inspection"], unit, "一般", "0.5")
    issued_on = where.pop("issued_on", ROUND_1)
    body = {
        "unit_id": unit,
        "finding_ids": [finding],
        "working_days": 5,
        "requirements": "限期整改",
        "issued_on": issued_on,
    } | where
    order = str(_post(scored, "/rectifications", body)["order_id"])
    for step, step_body in steps:
        _post(scored, f"/rectifications/{order}/{step}", step_body)
    return order


REPORT = ("report", {"text": "已整改"})
RETURN = ("verification", {"outcome": "returned", "reason": "整改措施未落实到位"})
# 二次办理: sent back a second time, with a new deadline.
SECOND = (
    "verification",
    {"outcome": "returned", "reason": "仍未落实", "working_days": 10},
)
ACCEPT = ("verification", {"outcome": "accepted", "reason": "经复查整改到位"})
WITHDRAW = ("withdrawal", {"reason": "误发整改通知"})


def _escalate(step: str) -> tuple[str, dict[str, Any]]:
    return ("escalation", {"step": step, "reason": "逾期未报送整改情况"})


def _complaint(
    scored: Scored, jurisdiction: str, *steps: tuple[str, dict[str, Any]], **where: Any
) -> None:
    body = {
        "jurisdiction_id": jurisdiction,
        "channel": "政风行风热线",
        "kind": "complaint",
        "summary": "窗口推诿",
        "received_on": where.pop("received_on", "2026-05-12"),
    } | where
    complaint = _post(scored, "/complaints", body)["complaint_id"]
    for step, step_body in steps:
        _post(scored, f"/complaints/{complaint}/{step}", step_body)


@pytest.fixture(scope="module")
def scored() -> Iterator[Scored]:
    with Cluster(in_memory(), SERVICES) as cluster:
        scored = scored_round(cluster)
        run(scored, final=True, reason="上半年结果")
        world = scored.rnd.world
        u0, u1, u2 = world.unit_ids
        r1 = {"campaign_id": scored.rnd.campaign_id, "round": 1}
        r2 = {"campaign_id": scored.rnd.campaign_id, "round": 2}
        _order(scored, u0, _escalate("催办"), _escalate("通报"), **r1)  # A
        _order(scored, u1, REPORT, **r1)  # B
        _order(scored, u1, REPORT, RETURN, **r1)  # C
        rerate = ("rerating", {"rating": "满意", "raters": "投诉人", "reason": "电话回访"})
        _order(scored, u2, REPORT, ACCEPT, rerate, **r1)  # D
        _order(scored, u0, REPORT, RETURN, REPORT, SECOND, **r1)  # E
        _order(scored, u2, _escalate("催办"), WITHDRAW, **r1)  # F
        _order(scored, u1, REPORT, WITHDRAW, **r1)  # G
        _order(scored, u0, issued_on=ROUND_2, **r2)  # H
        _order(scored, u0)  # I
        dispatch_u1 = ("dispatch", {"unit_id": u1})
        verified = ("outcome", {"outcome": "verified", "reason": "经调取监控核实属实"})
        _complaint(scored, world.county_id, dispatch_u1, verified, **r1)  # K1
        _complaint(scored, world.other_county_id, **r1)  # K2
        _complaint(scored, world.city_id, ("dispatch", {"unit_id": u0}), **r1)  # K3
        _complaint(scored, world.county_id)  # K4
        _complaint(scored, world.county_id, received_on="2026-08-12", **r2)  # K5
        cluster.wait_caught_up("reporting", "inspection")
        yield scored


def _casework(scored: Scored, jurisdiction: str) -> dict[str, Any]:
    response = scored.reporting.get(
        f"/summaries/jurisdictions/{jurisdiction}/campaigns/{scored.rnd.campaign_id}/rounds/1",
        headers=scored.rnd.world.city_office.headers,
    )
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["casework"]
    return found


ORDERS = {
    "orders": 5,
    "by_status": {
        "issued": 1,
        "reported": 1,
        "returned": 1,
        "second_handling": 1,
        "accepted": 1,
    },
    "escalated": 1,
    "escalations": {"催办": 1, "通报": 1, "约谈": 0},
    "reratings": {"满意": 1},
    "withdrawn": 2,
}
NO_ORDERS = {
    "orders": 0,
    "by_status": {
        "issued": 0,
        "reported": 0,
        "returned": 0,
        "second_handling": 0,
        "accepted": 0,
    },
    "escalated": 0,
    "escalations": {"催办": 0, "通报": 0, "约谈": 0},
    "reratings": {},
    "withdrawn": 0,
}
NO_OUTCOMES = {"属实": 0, "部分属实": 0, "不属实": 0, "恶意投诉": 0}


def test_the_city_counts_everything_below_it(scored: Scored) -> None:
    assert _casework(scored, scored.rnd.world.city_id) == {
        "rectification": ORDERS,
        "complaints": {
            "complaints": 3,
            "by_status": {"received": 1, "dispatched": 1, "replied": 0, "concluded": 1},
            "by_outcome": NO_OUTCOMES | {"属实": 1},
        },
    }


def test_a_county_counts_its_own(scored: Scored) -> None:
    assert _casework(scored, scored.rnd.world.county_id) == {
        "rectification": ORDERS,
        "complaints": {
            "complaints": 1,
            "by_status": {"received": 0, "dispatched": 0, "replied": 0, "concluded": 1},
            "by_outcome": NO_OUTCOMES | {"属实": 1},
        },
    }
    assert _casework(scored, scored.rnd.world.other_county_id) == {
        "rectification": NO_ORDERS,
        "complaints": {
            "complaints": 1,
            "by_status": {"received": 1, "dispatched": 0, "replied": 0, "concluded": 0},
            "by_outcome": NO_OUTCOMES,
        },
    }
