"""A key issued by the registry works on the registry at once, and stops at once when it is
revoked: the registry checks keys against its own event store, not a read model."""

from __future__ import annotations

from shared.settings import CommonSettings
from tests.harness import Cluster
from tests.registry.helpers import key_for, post


def test_a_new_key_works_at_once_and_a_revoked_one_stops_at_once(
    memory_settings: CommonSettings,
) -> None:
    with Cluster(memory_settings, ["registry"]) as cluster:
        registry = cluster["registry"]
        city = post(cluster, "/jurisdictions", {"name": "漯河市", "level": "city"})
        for n in range(5):  # no waiting for the registry's own read models in between
            issued = post(
                cluster,
                "/principals",
                {
                    "name": f"纠风办{n}",
                    "role": "office",
                    "jurisdiction_id": city["jurisdiction_id"],
                },
            )
            assert registry.get("/units", headers=key_for(issued)).status_code == 200
            post(
                cluster,
                f"/principals/{issued['principal_id']}/revoke",
                {"reason": "测试"},
                status=200,
            )
            refused = registry.get("/units", headers=key_for(issued))
            assert refused.status_code == 401 and refused.json()["error"] == "unauthenticated"
