"""GET /planned-visits: the sealed list. The office sees the visits planned in its
jurisdiction, an inspector those it is assigned to; a unit's key gets the same refusal
whether or not any visit is planned at it (no list, no count); a visit leaves the list
once conducted or cancelled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from shared.settings import CommonSettings
from tests.harness import ADMIN, Cluster
from tests.inspection.test_visits import _post, setup_world


@pytest.fixture
def sealed(memory_settings: CommonSettings) -> Iterator[tuple[Cluster, dict[str, Any]]]:
    with Cluster(memory_settings, ["registry", "inspection"]) as cluster:
        yield cluster, setup_world(cluster)


def _plan(ctx: dict[str, Any], day: str, inspector: str, kind: str = "暗访") -> dict[str, Any]:
    return {
        "unit_id": ctx["unit"],
        "kind": kind,
        "planned_on": day,
        "inspectors": [ctx["ids"][inspector]],
        "checklist": ["工作纪律"],
    }


def _ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [visit["visit_id"] for visit in response.json()]


def test_only_the_office_and_assigned_inspectors_list_planned_visits(
    sealed: tuple[Cluster, dict[str, Any]],
) -> None:
    cluster, ctx = sealed
    client, keys = cluster["inspection"], ctx["keys"]
    unit_key = keys["人社局"]
    before = client.get("/planned-visits", headers=unit_key)
    before_unit = client.get("/planned-visits", params={"unit_id": ctx["unit"]}, headers=unit_key)

    office = keys["纠风办"]
    late = _post(client, "/visits", _plan(ctx, "2026-06-20", "甲"), office)
    early = _post(client, "/visits", _plan(ctx, "2026-06-03", "乙", "随机检查"), office)
    third = _post(client, "/visits", _plan(ctx, "2026-06-10", "甲"), office)

    def listed(key: dict[str, str], **params: Any) -> list[str]:
        return _ids(client.get("/planned-visits", params=params, headers=key))

    everything = [early["visit_id"], third["visit_id"], late["visit_id"]]
    assert listed(office) == everything
    assert listed(ADMIN) == everything
    assert listed(keys["甲"]) == [third["visit_id"], late["visit_id"]]
    assert listed(keys["乙"]) == [early["visit_id"]]
    assert listed(office, kind="随机检查") == [early["visit_id"]]
    assert listed(keys["审计"]) == []  # sealed until conducted, as GET /visits/{id} has it
    assert listed(keys["大庆市纠风办"]) == []
    assert (
        client.get(
            "/planned-visits", params={"unit_id": ctx["unit"]}, headers=keys["大庆市纠风办"]
        ).status_code
        == 403
    )
    first = client.get("/planned-visits", params={"limit": 2}, headers=office)
    assert _ids(first) == everything[:2]
    rest = client.get(
        "/planned-visits",
        params={"limit": 2, "cursor": first.headers["X-Next-Cursor"]},
        headers=office,
    )
    assert _ids(rest) == everything[2:] and "Link" not in rest.headers
    shown = client.get("/planned-visits", headers=keys["甲"]).json()[0]
    assert shown == client.get(f"/visits/{third['visit_id']}", headers=keys["甲"]).json()

    # The unit's key: refused by role, the very same answer as before anything was planned.
    after = client.get("/planned-visits", headers=unit_key)
    after_unit = client.get("/planned-visits", params={"unit_id": ctx["unit"]}, headers=unit_key)
    for then, now in ((before, after), (before_unit, after_unit)):
        assert then.status_code == now.status_code == 403
        assert then.json() == now.json()
        assert then.headers.get("X-Next-Cursor") is None and now.headers.get("Link") is None

    conduct = {"conducted_at": "2026-06-03T09:40:00+08:00"}
    _post(client, f"/visits/{early['visit_id']}/conduct", conduct, keys["乙"])
    _post(client, f"/visits/{late['visit_id']}/cancellation", {"reason": "改期"}, office)
    assert listed(office) == [third["visit_id"]]
    assert listed(keys["乙"]) == []
