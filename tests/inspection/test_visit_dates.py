"""A visit's conduct is dated no earlier than the visit was planned: ahead of its planned day
(plans move forward) and on a past planned day (a visit entered after it took place) are
both fine, before both is a mistyped date, refused as every out-of-order day is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from services.inspection.workdays import china_today
from shared.contracts.registry import CHINA
from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.inspection.test_visits import setup_world


@pytest.fixture
def world(memory_settings: CommonSettings) -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        yield cluster, setup_world(cluster)


def _at(day: date) -> str:
    return datetime.combine(day, time(9, 40), CHINA).isoformat()


def test_a_visit_is_not_conducted_before_it_was_planned(
    world: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = world
    client, keys = cluster["inspection"], ctx["keys"]
    office, inspector = keys["纠风办"], keys["甲"]
    today = china_today()
    now = datetime.now(UTC).isoformat()

    def plan(planned_on: date) -> str:
        body = {
            "unit_id": ctx["unit"],
            "kind": "暗访",
            "planned_on": planned_on.isoformat(),
            "inspectors": [ctx["ids"]["甲"]],
        }
        response = client.post("/visits", json=body, headers=office)
        assert response.status_code == 201, response.text
        visit_id: str = response.json()["visit_id"]
        return visit_id

    def conduct(visit_id: str, at: str) -> Any:
        return client.post(
            f"/visits/{visit_id}/conduct", json={"conducted_at": at}, headers=inspector
        )

    # Planned for next week, typed as six years ago: refused, naming the day it was planned.
    ahead = plan(today + timedelta(days=7))
    wrong = conduct(ahead, _at(date(today.year - 6, 1, 5)))
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["detail"][0] | {"code": None} == {
        "field": "conducted_at",
        "reason": f"不能早于走访计划日期 {today.isoformat()} "
        f"(lies before the visit was planned ({today.isoformat()}))",
        "code": None,
    }
    assert client.get(f"/visits/{ahead}", headers=office).json()["status"] == "planned"
    # Gone ahead of its day: taken.
    assert conduct(ahead, now).status_code == 201

    # Entered after it took place: its own day is taken, the day before it is not.
    past = today - timedelta(days=30)
    entered = plan(past)
    early = conduct(entered, _at(past - timedelta(days=1)))
    assert (early.status_code, early.json()["detail"][0]["reason"]) == (
        422,
        f"不能早于走访计划日期 {past.isoformat()} "
        f"(lies before the visit was planned ({past.isoformat()}))",
    )
    assert conduct(entered, _at(past)).status_code == 201
